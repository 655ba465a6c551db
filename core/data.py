"""Datasets in the deeplearning.ai course layout: X is (features, m) float64, Y is (1, m) of 0./1. labels.

The toy 2-D sets: circles, moons and flower reproduce the course's data bit for bit at their defaults: they use
the legacy `RandomState` stream exactly as sklearn's make_circles / make_moons and the course's
load_planar_dataset do. xor, gaussian and spiral follow TensorFlow Playground's dataset.ts; they and
football-lookalike use the modern `default_rng`, with the test set drawn from its own stream.
football is the course's data.mat (not shipped; see find_football), football-lookalike a generated stand-in.
Images (core/images.py): the generated `shapes`, the course's `catvnoncat` (its h5 files, not shipped), and any
folder of images under the data dir's datasets/. Inline rows and uploads may have any number of features.
"""

import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import scipy.io

from core.dataset import DATA_DIR_ENV, MAX_FEATURES, MAX_VALUES, Dataset, DatasetUnavailable
from core.images import (
    CATVNONCAT_SHAPE,
    CATVNONCAT_SIZE,
    SHAPES_SIDE,
    find_image_folder,
    load_catvnoncat,
    load_image_folder,
    make_shapes,
)

GENERATED = ("circles", "moons", "flower", "xor", "gaussian", "spiral", "football-lookalike", "shapes")

DEFAULTS: dict[str, dict] = {
    "circles": {"n_train": 300, "n_test": 100, "noise": 0.05, "seed": 1},
    "moons": {"n_train": 300, "n_test": 100, "noise": 0.2, "seed": 3},
    "flower": {"n_train": 400, "n_test": 100, "noise": 0.2, "seed": 1},
    "xor": {"n_train": 300, "n_test": 100, "noise": 0.05, "seed": 1},
    "gaussian": {"n_train": 300, "n_test": 100, "noise": 0.1, "seed": 1},
    "spiral": {"n_train": 300, "n_test": 100, "noise": 0.1, "seed": 1},
    "football-lookalike": {"n_train": 211, "n_test": 200, "noise": 0.15, "seed": 1},
    "shapes": {"n_train": 400, "n_test": 100, "noise": 0.1, "seed": 1},
}
FEATURES = {"shapes": SHAPES_SIDE * SHAPES_SIDE * 3, "catvnoncat": int(np.prod(CATVNONCAT_SHAPE))}

MAX_POINTS = 10_000
MAX_NOISE = 5.0
MAX_SEED = 2**32 - 1  # RandomState's seed range
FOOTBALL_FILES = ("data.mat", "football.mat")  # the course's name, and the name in our reference folder

Rng = np.random.RandomState | np.random.Generator
Arrays = tuple[np.ndarray, np.ndarray]  # (X (2, m), Y (1, m))
Draw = Callable[[int], tuple[np.ndarray, np.ndarray]]  # k → (k candidate points (k, 2), is-class-1 (k,))


# ---------------------------------------------------------------- course datasets (legacy RandomState)


def _shuffle_and_jitter(X: np.ndarray, y: np.ndarray, noise: float, rs: np.random.RandomState) -> Arrays:
    """The tail of sklearn's make_circles / make_moons, draw for draw: shuffle rows, then add N(0, noise²)."""
    order = np.arange(len(y))  # sklearn.utils.shuffle = resample(replace=False): shuffle an intp index
    rs.shuffle(order)
    X, y = X[order], y[order]
    X = X + rs.normal(scale=noise, size=X.shape)  # (m, 2) row-major draws, as in sklearn
    return X.T.copy(), y[None, :].astype(np.float64)


def _circles(n: int, noise: float, rs: np.random.RandomState) -> Arrays:
    """sklearn's make_circles(n, noise, factor=0.8): an outer ring (label 0) around an inner one (label 1)."""
    n_out = n // 2
    n_in = n - n_out
    angle_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    angle_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    x = np.append(np.cos(angle_out), np.cos(angle_in) * 0.8)
    y = np.append(np.sin(angle_out), np.sin(angle_in) * 0.8)
    labels = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return _shuffle_and_jitter(np.vstack([x, y]).T, labels, noise, rs)


def _moons(n: int, noise: float, rs: np.random.RandomState) -> Arrays:
    """sklearn's make_moons(n, noise): two interleaving half circles."""
    n_out = n // 2
    n_in = n - n_out
    x = np.append(np.cos(np.linspace(0, np.pi, n_out)), 1 - np.cos(np.linspace(0, np.pi, n_in)))
    y = np.append(np.sin(np.linspace(0, np.pi, n_out)), 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5)
    labels = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return _shuffle_and_jitter(np.vstack([x, y]).T, labels, noise, rs)


def _flower(n: int, noise: float, rs: np.random.RandomState) -> Arrays:
    """The course's load_planar_dataset: class j fills half the petals of the rose r = 4 sin 4t."""
    X = np.zeros((n, 2))
    Y = np.zeros(n)
    start = 0
    for j, N in enumerate((n // 2, n - n // 2)):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rs.randn(N) * noise
        r = 4 * np.sin(4 * t) + rs.randn(N) * noise
        X[start : start + N] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[start : start + N] = j
        start += N
    return X.T.copy(), Y[None, :]  # not shuffled, like the course


# ---------------------------------------------------------------- Playground-style datasets (default_rng)


def _stack(X0: np.ndarray, X1: np.ndarray, rng: np.random.Generator) -> Arrays:
    """Rows of class 0 and class 1 → shuffled course layout, so mini-batches see both classes."""
    X = np.vstack([X0, X1])
    Y = np.r_[np.zeros(len(X0)), np.ones(len(X1))]
    order = rng.permutation(len(Y))
    return X[order].T.copy(), Y[order][None, :]


def _balanced(n: int, draw: Draw, rng: np.random.Generator) -> Arrays:
    """Keep drawing labelled candidates until class 0 has n//2 points and class 1 the rest.

    Labels here come from noisy positions, so counting them out is what guarantees both classes are present.
    """
    X0, X1 = np.empty((0, 2)), np.empty((0, 2))
    while len(X0) < n // 2 or len(X1) < n - n // 2:
        P, is1 = draw(n)
        X0, X1 = np.vstack([X0, P[~is1]]), np.vstack([X1, P[is1]])
    return _stack(X0[: n // 2], X1[: n - n // 2], rng)


def _xor(n: int, noise: float, rng: np.random.Generator) -> Arrays:
    """Playground's XOR: label 1 in the quadrants where x·y ≥ 0."""

    def draw(k: int) -> tuple[np.ndarray, np.ndarray]:
        P = rng.uniform(-5, 5, size=(k, 2))
        P += np.where(P > 0, 0.3, -0.3)  # padding keeps clean points off the axes
        # Label a nudged copy, as Playground does: noise flips labels near the axes.
        nudged = P + rng.uniform(-5, 5, size=(k, 2)) * noise
        return P, nudged[:, 0] * nudged[:, 1] >= 0

    return _balanced(n, draw, rng)


def _gaussian(n: int, noise: float, rng: np.random.Generator) -> Arrays:
    """Playground's two Gaussians: class 1 around (2, 2), class 0 around (-2, -2)."""
    variance = 0.5 + 7 * noise  # Playground's linear map: noise 0 → 0.5, noise 0.5 → 4
    std = np.sqrt(variance)
    X0 = rng.normal((-2, -2), std, size=(n // 2, 2))
    X1 = rng.normal((2, 2), std, size=(n - n // 2, 2))
    return _stack(X0, X1, rng)


def _spiral(n: int, noise: float, rng: np.random.Generator) -> Arrays:
    """Playground's two interleaved spirals, 1.75 turns each, half a turn apart."""

    def arm(k: int, delta: float) -> np.ndarray:
        i = np.arange(k)
        r = 5 * i / k
        t = 1.75 * i / k * 2 * np.pi + delta
        return np.c_[r * np.sin(t), r * np.cos(t)] + rng.uniform(-1, 1, size=(k, 2)) * noise

    return _stack(arm(n // 2, np.pi), arm(n - n // 2, 0.0), rng)


def _football_lookalike(n: int, noise: float, rng: np.random.Generator) -> Arrays:
    """A stand-in shaped like the course's football data, made up here: not the course's data.

    Points fill an ellipse over the real cloud (x1 ≈ -0.6..0.3, x2 ≈ -0.8..0.6). Class 1 (the real data's
    upper-left team) lies above a wavy version of the real data's best straight boundary x2 = 2 x1 + 0.22;
    noise blurs that boundary, so some labels land on the wrong side, as in the real data.
    """

    def draw(k: int) -> tuple[np.ndarray, np.ndarray]:
        rho = np.sqrt(rng.uniform(size=k))  # sqrt: uniform over the ellipse's area, not crowded at its centre
        phi = rng.uniform(0, 2 * np.pi, size=k)
        x1, x2 = -0.15 + 0.45 * rho * np.cos(phi), -0.1 + 0.7 * rho * np.sin(phi)
        boundary = 2 * x1 + 0.22 + 0.12 * np.sin(14 * x1 + 1)
        return np.c_[x1, x2], x2 - boundary + rng.normal(scale=noise, size=k) > 0

    return _balanced(n, draw, rng)


_COURSE = {"circles": _circles, "moons": _moons, "flower": _flower}
_PLAYGROUND = {
    "xor": _xor,
    "gaussian": _gaussian,
    "spiral": _spiral,
    "football-lookalike": _football_lookalike,
}

_NOTES = {
    "circles": "sklearn make_circles rings, seed {seed} train / {seed1} test (the course's data at the defaults)",
    "moons": "sklearn make_moons half circles, seed {seed} train / {seed1} test "
    "(the course's training data at the defaults; the course has no moons test set)",
    "flower": "the course's planar flower (load_planar_dataset), seed {seed} train / {seed1} test "
    "(the course's data at the defaults)",
    "xor": "TensorFlow Playground-style XOR quadrants, seed {seed}",
    "gaussian": "TensorFlow Playground-style two Gaussian blobs, seed {seed}",
    "spiral": "TensorFlow Playground-style two spirals, seed {seed}",
    "football-lookalike": "generated look-alike of the course's football data, seed {seed} (NOT the course's data.mat)",
}


# ---------------------------------------------------------------- public API


def _check_int(field: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{field}: expected an integer, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{field}: {value} is outside {lo}..{hi}")
    return int(value)


def make_dataset(
    name: str,
    n_train: int | None = None,
    n_test: int | None = None,
    noise: float | None = None,
    seed: int | None = None,
) -> Dataset:
    """Generate one of GENERATED; unset options take DEFAULTS[name]. n_test=0 means no test set."""
    if name not in DEFAULTS:
        raise ValueError(
            f"name: unknown dataset {name!r}; valid names are {', '.join(GENERATED)}, the course's 'football' "
            "and 'catvnoncat' (their files in the data dir), an upload's id, or a folder of images under the data "
            "dir's datasets/"
        )
    defaults = DEFAULTS[name]
    n_train = _check_int("n_train", defaults["n_train"] if n_train is None else n_train, 2, MAX_POINTS)
    n_test = _check_int("n_test", defaults["n_test"] if n_test is None else n_test, 0, MAX_POINTS)
    seed = _check_int("seed", defaults["seed"] if seed is None else seed, 0, MAX_SEED)
    noise = defaults["noise"] if noise is None else noise
    if isinstance(noise, bool) or not isinstance(noise, int | float | np.integer | np.floating):
        raise ValueError(f"noise: expected a number, got {noise!r}")
    if not 0 <= noise <= MAX_NOISE:  # also rejects nan
        raise ValueError(f"noise: {noise} is outside 0..{MAX_NOISE:g}")
    noise = float(noise)

    if name == "shapes":
        return make_shapes(n_train, n_test, noise, seed)
    seed1 = (seed + 1) % (MAX_SEED + 1)
    if name in _COURSE:
        # The course seeds its test set with the next integer (circles: 1 then 2), so we do too.
        generate = _COURSE[name]
        train_rng: Rng = np.random.RandomState(seed)
        test_rng: Rng = np.random.RandomState(seed1)
    else:
        generate = _PLAYGROUND[name]
        train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))

    X_train, Y_train = generate(n_train, noise, train_rng)
    X_test, Y_test = generate(n_test, noise, test_rng) if n_test else (None, None)
    return Dataset(name, X_train, Y_train, X_test, Y_test, _NOTES[name].format(seed=seed, seed1=seed1))


def load_football(path: str | os.PathLike) -> Dataset:
    """The course's football data: a data.mat file, or a directory holding data.mat or football.mat."""
    path = Path(path).expanduser()
    if path.is_dir():
        files = [path / f for f in FOOTBALL_FILES if (path / f).is_file()]
        if not files:
            raise DatasetUnavailable(f"football: no {' or '.join(FOOTBALL_FILES)} in {path}")
        path = files[0]
    if not path.is_file():
        raise DatasetUnavailable(f"football: file not found: {path}")
    try:
        mat = scipy.io.loadmat(path)
    except (OSError, ValueError, scipy.io.matlab.MatReadError) as e:
        raise DatasetUnavailable(f"football: cannot read {path} as a .mat file ({e})") from e
    missing = [k for k in ("X", "y", "Xval", "yval") if k not in mat]
    if missing:
        raise DatasetUnavailable(f"football: {path} is not the course's data.mat (no {', '.join(missing)})")
    return Dataset(
        "football",
        np.ascontiguousarray(mat["X"].T, dtype=np.float64),
        np.ascontiguousarray(mat["y"].T, dtype=np.float64),
        np.ascontiguousarray(mat["Xval"].T, dtype=np.float64),
        np.ascontiguousarray(mat["yval"].T, dtype=np.float64),
        f"the course's football data (datasets/data.mat) from {path}",
    )


def find_football(data_dir: str | os.PathLike | None) -> Dataset:
    """Load football from data_dir, else from $TRAINLAB_DATA_DIR; DatasetUnavailable says how to fix it."""
    places = [Path(p).expanduser() for p in (data_dir, os.environ.get(DATA_DIR_ENV)) if p]
    for place in places:
        if place.is_file() or any((place / f).is_file() for f in FOOTBALL_FILES):
            return load_football(place)  # a broken file there is reported, not skipped
    looked = ", ".join(str(p) for p in places) or f"nowhere (no data dir given and {DATA_DIR_ENV} is unset)"
    raise DatasetUnavailable(
        f"football: the course's data.mat was not found (looked in: {looked}). Copy the course's "
        f"datasets/data.mat into the data dir (the data_dir setting or the {DATA_DIR_ENV} environment "
        "variable), or use the generated 'football-lookalike' dataset instead."
    )


def _rows(field: str, rows: Sequence[Sequence[float]]) -> np.ndarray:
    """m rows of n features each (n ≥ 1, the same for every row) → (n, m) float64, with errors that name the field
    and the (0-based) row."""
    if isinstance(rows, str | bytes) or not hasattr(rows, "__len__"):
        raise ValueError(f"{field}: expected a list of rows [x1, ..., xn]")
    if not 1 <= len(rows) <= MAX_POINTS:
        raise ValueError(f"{field}: has {len(rows)} rows, expected 1..{MAX_POINTS}")
    width = None
    for i, row in enumerate(rows):
        if isinstance(row, str | bytes) or not hasattr(row, "__len__"):
            raise ValueError(f"{field}: row {i} is {row!r}, expected [x1, ..., xn]")
        if width is None:
            width = len(row)
            if not 1 <= width <= MAX_FEATURES:
                raise ValueError(f"{field}: row 0 has {width} values, expected 1..{MAX_FEATURES}")
        elif len(row) != width:
            raise ValueError(f"{field}: row {i} has {len(row)} values, row 0 has {width}")
    if len(rows) * width > MAX_VALUES:
        raise ValueError(f"{field}: {len(rows)} rows × {width} values is more than the {MAX_VALUES} numbers allowed")
    try:
        X = np.array(rows, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{field}: values must be numbers ({e})") from e
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        raise ValueError(f"{field}: row {int(np.argmax(bad))} has a non-finite value")
    return X.T.copy()


def _labels(field: str, labels: Sequence[float], rows_field: str, m: int) -> np.ndarray:
    """m labels of 0/1 → (1, m) float64."""
    try:
        y = np.array(labels, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{field}: expected a list of 0/1 labels ({e})") from e
    if y.ndim != 1:
        raise ValueError(f"{field}: expected a flat list of 0/1 labels")
    if len(y) != m:
        raise ValueError(f"{field}: has {len(y)} labels but {rows_field} has {m} rows")
    bad = (y != 0) & (y != 1)  # nan counts as bad too
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{field}: label {i} is {labels[i]!r}, expected 0 or 1")
    return y[None, :]


def inline_dataset(
    X_train: Sequence[Sequence[float]],
    y_train: Sequence[float],
    X_test: Sequence[Sequence[float]] | None = None,
    y_test: Sequence[float] | None = None,
    name: str = "inline",
) -> Dataset:
    """A dataset typed in by hand: X as m rows of n features, y as m labels of 0/1. Returns course layout."""
    X_tr = _rows("X_train", X_train)
    Y_tr = _labels("y_train", y_train, "X_train", X_tr.shape[1])
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test: give X_test and y_test together, or neither")
    X_te = Y_te = None
    if X_test is not None:
        X_te = _rows("X_test", X_test)
        Y_te = _labels("y_test", y_test, "X_test", X_te.shape[1])
        if X_te.shape[0] != X_tr.shape[0]:
            raise ValueError(f"X_test: rows of {X_te.shape[0]} values, X_train's have {X_tr.shape[0]}")
        if X_te.size + X_tr.size > MAX_VALUES:
            raise ValueError(f"X_test: with X_train, more than the {MAX_VALUES} numbers allowed")
    return Dataset(name, X_tr, Y_tr, X_te, Y_te, "given inline")


def bounding_box(dataset: Dataset, margin: float = 0.1) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) around all train and test points, padded by margin × span each side."""
    X = dataset.X_train if dataset.X_test is None else np.hstack([dataset.X_train, dataset.X_test])
    lo, hi = X.min(axis=1), X.max(axis=1)
    pad = margin * np.where(hi > lo, hi - lo, 1.0)  # a zero span (one point, a line) still gets a box
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


# ---------------------------------------------------------------- users' uploads, kept in the data dir
# as files, so that every run (server, CLI, a cluster worker sharing the dir) finds one by its id

UPLOADS = "uploads"
UPLOAD_PREFIX = "upload-"


def compact_arrays(dataset: Dataset) -> dict[str, np.ndarray]:
    """X_train, Y_train (and X_test, Y_test) to keep in a file: an image dataset's pixels as uint8 (pixels / 255
    gives its X back exactly), an eighth of the bytes; other data as it is."""
    arrays = {"X_train": dataset.X_train, "Y_train": dataset.Y_train}
    if dataset.X_test is not None:
        arrays |= {"X_test": dataset.X_test, "Y_test": dataset.Y_test}
    if dataset.image_shape is not None:
        for key in ("X_train", "X_test"):
            pixels = np.rint(arrays[key] * 255).astype(np.uint8) if key in arrays else None
            if pixels is not None and np.array_equal(pixels / 255.0, arrays[key]):
                arrays[key] = pixels
    return arrays


def saved_upload(dataset: Dataset, data_dir: str | os.PathLike) -> str:
    """Keep the dataset under the data dir; returns its id. Written whole, then renamed: never half a file."""
    folder = Path(data_dir) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    upload_id = UPLOAD_PREFIX + secrets.token_hex(6)
    shape = np.array(dataset.image_shape or (), dtype=np.int64)
    partial = folder / f".{upload_id}.npz"
    with partial.open("wb") as out:
        np.savez(out, name=np.array(dataset.name), image_shape=shape, features=dataset.n_features,
                 **compact_arrays(dataset))  # fmt: skip
    os.replace(partial, folder / f"{upload_id}.npz")
    return upload_id


def upload_paths(data_dir: str | os.PathLike) -> list[Path]:
    """Every kept upload's file."""
    return sorted((Path(data_dir) / UPLOADS).glob(f"{UPLOAD_PREFIX}*.npz"))


def upload_info(path: Path) -> tuple[str, int, int, int, tuple[int, ...] | None]:
    """(the user's name for it, training and test examples, features, image shape) of a kept upload, without
    reading its X (an image upload's can be tens of MB)."""
    with np.load(path) as saved:
        m_test = saved["Y_test"].shape[1] if "Y_test" in saved else 0
        features = int(saved["features"]) if "features" in saved else saved["X_train"].shape[0]
        shape = tuple(int(v) for v in saved["image_shape"]) if "image_shape" in saved else ()
        return str(saved["name"]), saved["Y_train"].shape[1], m_test, features, shape or None


def _features(array: np.ndarray) -> np.ndarray:
    """A kept X as float64: uint8 pixels are / 255, as the image was loaded."""
    return array / 255.0 if array.dtype == np.uint8 else array


def loaded_upload(upload_id: str, data_dir: str | os.PathLike | None) -> Dataset:
    path = Path(data_dir or ".") / UPLOADS / f"{upload_id}.npz"
    if not upload_id.startswith(UPLOAD_PREFIX) or not path.is_file():
        raise ValueError(f"dataset: no uploaded dataset {upload_id!r} in this data dir")
    with np.load(path) as saved:
        test = (_features(saved["X_test"]), saved["Y_test"]) if "X_test" in saved else (None, None)
        shape = tuple(int(v) for v in saved["image_shape"]) if "image_shape" in saved else ()
        return Dataset(
            upload_id, _features(saved["X_train"]), saved["Y_train"], *test, note=f"uploaded: {saved['name']}",
            image_shape=shape or None,
        )  # fmt: skip


def expected_size(name: str, n_train: int | None = None, n_test: int | None = None) -> tuple[int, int, int]:
    """(training examples, features, test examples) a named dataset has, as far as its name tells; an upload's or
    an image folder's real size is known once it is loaded (and checked again then)."""
    if name == "catvnoncat":
        return CATVNONCAT_SIZE[0], FEATURES[name], CATVNONCAT_SIZE[1]
    defaults = DEFAULTS.get(name, {})
    m_test = defaults.get("n_test", 0) if n_test is None else n_test
    return n_train or defaults.get("n_train", 300), FEATURES.get(name, 2), m_test


GRADCHECK_CASE = "gradcheck-case"


def gradcheck_case() -> Dataset:
    """The gradient-checking notebook's test case (testCases.gradient_check_n_test_case): np.random.seed(1);
    x = randn(4, 3); y = [1, 1, 0]. Four features, three examples: the data its 4-5-3-1 net is checked on (the
    same stream's next draws are that net's W1, b1, ..., b3: load them as the run's parameters)."""
    X = np.random.RandomState(1).randn(4, 3)
    return Dataset(
        GRADCHECK_CASE, X, np.array([[1.0, 1.0, 0.0]]), None, None, "the gradient-checking notebook's test case"
    )


def resolve_dataset(spec: "str | object", data_dir: str | os.PathLike | None = None) -> Dataset:
    """The Dataset a run config's `dataset` field names: a generated name, a DatasetSpec-like object with
    options, "football" or "catvnoncat" (the course's files, from data_dir), "gradcheck-case", an upload's id, an
    image folder under data_dir's datasets/ (with `positive` and `image_size`), or inline rows (X_train, y_train,
    ...)."""
    if hasattr(spec, "X_train"):
        return inline_dataset(spec.X_train, spec.y_train, spec.X_test, spec.y_test)
    name = spec if isinstance(spec, str) else spec.name
    folder_options = {} if isinstance(spec, str) else {"positive": spec.positive, "image_size": spec.image_size}
    if any(folder_options.values()) and name in (*GENERATED, "football", "catvnoncat", GRADCHECK_CASE):
        raise ValueError(f"dataset: positive and image_size are options of an image folder, not of {name!r}")
    if name.startswith(UPLOAD_PREFIX):
        return loaded_upload(name, data_dir)
    if name == "football":
        return find_football(data_dir)
    if name == "catvnoncat":
        return load_catvnoncat(data_dir)
    if name == GRADCHECK_CASE:
        return gradcheck_case()
    if name in DEFAULTS:
        options = {} if isinstance(spec, str) else {k: getattr(spec, k) for k in ("n_train", "n_test", "noise", "seed")}
        return make_dataset(name, **options)
    folder = find_image_folder(name, data_dir)
    if folder is not None:
        return load_image_folder(folder, **folder_options)
    return make_dataset(name)  # names the valid datasets
