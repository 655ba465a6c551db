import math
import shutil

import numpy as np
import pytest

from core.data import (
    DATA_DIR_ENV,
    DEFAULTS,
    FEATURES,
    GENERATED,
    Dataset,
    DatasetUnavailable,
    bounding_box,
    find_football,
    inline_dataset,
    load_football,
    make_dataset,
)
from tests.reference import REFERENCE, reference


@pytest.fixture(scope="module")
def ref() -> dict[str, np.ndarray]:
    with np.load(reference("datasets.npz") / "datasets.npz") as npz:
        return dict(npz)


def assert_course_layout(d: Dataset, m: int, m_test: int, n: int = 2) -> None:
    assert d.X_train.shape == (n, m) and d.Y_train.shape == (1, m)
    assert d.X_test.shape == (n, m_test) and d.Y_test.shape == (1, m_test)
    for a in (d.X_train, d.Y_train, d.X_test, d.Y_test):
        assert a.dtype == np.float64
    assert set(np.unique(d.Y_train)) == {0.0, 1.0}


# ---------------------------------------------------------------- bit-exact course data


def test_circles_defaults_are_the_course_data(ref):
    d = make_dataset("circles")
    assert_course_layout(d, 300, 100)
    assert np.array_equal(d.X_train, ref["circles_train_X"])
    assert np.array_equal(d.Y_train, ref["circles_train_Y"])
    assert np.array_equal(d.X_test, ref["circles_test_X"])
    assert np.array_equal(d.Y_test, ref["circles_test_Y"])


def test_moons_defaults_are_the_course_training_data(ref):
    d = make_dataset("moons")
    assert_course_layout(d, 300, 100)
    assert np.array_equal(d.X_train, ref["moons_train_X"])
    assert np.array_equal(d.Y_train, ref["moons_train_Y"])


@pytest.mark.parametrize("where", ["file", "directory"])
@pytest.mark.reference("football.mat")
def test_football_is_the_course_data(ref, where):
    d = load_football(REFERENCE / "football.mat" if where == "file" else REFERENCE)
    assert d.name == "football"
    assert_course_layout(d, 211, 200)
    assert np.array_equal(d.X_train, ref["football_train_X"])
    assert np.array_equal(d.Y_train, ref["football_train_Y"])
    assert np.array_equal(d.X_test, ref["football_test_X"])
    assert np.array_equal(d.Y_test, ref["football_test_Y"])


def test_flower_defaults_are_the_course_recipe():
    # The course's load_planar_dataset, verbatim apart from the global seed.
    np.random.seed(1)
    m, a = 400, 4
    N = m // 2
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    d = make_dataset("flower")
    assert_course_layout(d, 400, 100)
    assert np.array_equal(d.X_train, X.T)
    assert np.array_equal(d.Y_train, Y.T)


# ---------------------------------------------------------------- cross-check against sklearn


def test_circles_matches_sklearn_off_defaults():
    datasets = pytest.importorskip("sklearn.datasets")
    d = make_dataset("circles", n_train=101, n_test=33, noise=0.1, seed=7)
    for X, Y, n, seed in ((d.X_train, d.Y_train, 101, 7), (d.X_test, d.Y_test, 33, 8)):
        X_sk, y_sk = datasets.make_circles(n_samples=n, noise=0.1, random_state=seed)
        assert np.array_equal(X, X_sk.T) and np.array_equal(Y, y_sk[None, :])


def test_moons_matches_sklearn_off_defaults():
    datasets = pytest.importorskip("sklearn.datasets")
    d = make_dataset("moons", n_train=77, n_test=10, seed=5)
    for X, Y, n, seed in ((d.X_train, d.Y_train, 77, 5), (d.X_test, d.Y_test, 10, 6)):
        X_sk, y_sk = datasets.make_moons(n_samples=n, noise=0.2, random_state=seed)
        assert np.array_equal(X, X_sk.T) and np.array_equal(Y, y_sk[None, :])


# ---------------------------------------------------------------- every generator


@pytest.mark.parametrize("name", GENERATED)
def test_generated_shapes_labels_and_determinism(name):
    d = make_dataset(name)
    assert_course_layout(d, DEFAULTS[name]["n_train"], DEFAULTS[name]["n_test"], FEATURES.get(name, 2))
    assert np.isfinite(d.X_train).all() and np.isfinite(d.X_test).all()
    again = make_dataset(name)
    assert np.array_equal(d.X_train, again.X_train) and np.array_equal(d.Y_test, again.Y_test)
    other = make_dataset(name, seed=DEFAULTS[name]["seed"] + 10)
    assert not np.array_equal(d.X_train, other.X_train)
    assert not np.array_equal(d.X_train[:, : d.X_test.shape[1]], d.X_test)  # test set is a fresh draw


@pytest.mark.parametrize("name", GENERATED)
def test_smallest_sizes_still_have_both_classes(name):
    d = make_dataset(name, n_train=2, n_test=0, noise=5)
    assert sorted(d.Y_train.ravel()) == [0.0, 1.0]
    assert d.X_test is None and d.Y_test is None


def test_playground_shapes():
    xor = make_dataset("xor", noise=0)
    assert (np.abs(xor.X_train) >= 0.3).all() and (np.abs(xor.X_train) <= 5.3).all()
    assert np.array_equal(xor.Y_train[0] == 1, xor.X_train[0] * xor.X_train[1] >= 0)
    gauss = make_dataset("gaussian")
    means = [gauss.X_train[:, gauss.Y_train[0] == c].mean(axis=1) for c in (0, 1)]
    assert np.allclose(means, [[-2, -2], [2, 2]], atol=0.3)
    spiral = make_dataset("spiral", noise=0)
    assert np.linalg.norm(spiral.X_train, axis=0).max() < 5


def test_football_lookalike_says_what_it_is():
    d = make_dataset("football-lookalike")
    assert "look-alike" in d.note and "NOT" in d.note
    x_min, x_max, y_min, y_max = bounding_box(d, margin=0)
    assert x_min > -0.8 and x_max < 0.5 and y_min > -1.0 and y_max < 0.8


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_train": 1}, "n_train"),
        ({"n_train": 10_001}, "n_train"),
        ({"n_train": 2.5}, "n_train"),
        ({"n_test": -1}, "n_test"),
        ({"noise": -0.1}, "noise"),
        ({"noise": 5.5}, "noise"),
        ({"noise": math.nan}, "noise"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
    ],
)
def test_make_dataset_rejects_out_of_range(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        make_dataset("circles", **kwargs)


def test_make_dataset_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="circles, moons, flower"):
        make_dataset("football")


# ---------------------------------------------------------------- finding the football data


def test_find_football_explains_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    with pytest.raises(DatasetUnavailable) as e:
        find_football(tmp_path)
    message = str(e.value)
    assert str(tmp_path) in message and DATA_DIR_ENV in message and "football-lookalike" in message
    with pytest.raises(DatasetUnavailable, match=DATA_DIR_ENV):
        find_football(None)


@pytest.mark.reference("football.mat")
def test_find_football_looks_in_data_dir_then_env(ref, tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(REFERENCE))
    from_env = find_football(tmp_path)  # nothing in data_dir, so the env var's dir
    assert np.array_equal(from_env.X_train, ref["football_train_X"])
    shutil.copy(REFERENCE / "football.mat", tmp_path / "data.mat")
    assert str(tmp_path) in find_football(tmp_path).note


def test_load_football_rejects_a_non_mat_file(tmp_path):
    (tmp_path / "data.mat").write_text("not a mat file")
    with pytest.raises(DatasetUnavailable, match="football"):
        load_football(tmp_path)


# ---------------------------------------------------------------- inline data


def test_inline_dataset_returns_course_layout():
    d = inline_dataset([[0, 1], [2, 3], [4, 5]], [0, 1, 1], X_test=[[6, 7]], y_test=[0])
    assert np.array_equal(d.X_train, [[0, 2, 4], [1, 3, 5]]) and np.array_equal(d.Y_train, [[0, 1, 1]])
    assert d.X_test.shape == (2, 1) and d.Y_test.shape == (1, 1)
    assert d.X_train.dtype == np.float64 and d.Y_train.dtype == np.float64 and d.name == "inline"
    assert inline_dataset([[0, 0]], [1]).X_test is None


def test_inline_rows_may_have_any_width():
    one = inline_dataset([[0.5], [1.5], [2.5]], [0, 1, 1])
    assert one.X_train.shape == (1, 3) and one.n_features == 1 and not one.planar
    wide = inline_dataset([list(range(7)), list(range(7, 14))], [0, 1], X_test=[list(range(7))], y_test=[1])
    assert wide.X_train.shape == (7, 2) and wide.X_test.shape == (7, 1)
    assert np.array_equal(wide.X_train[:, 1], np.arange(7, 14)) and wide.image_shape is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([[0, 1], [2, 3], [4, 5], [6, 7, 8]], [0, 1, 0, 1]), "X_train: row 3 has 3 values, row 0 has 2"),
        (([[0, 1], [math.inf, 3]], [0, 1]), "X_train: row 1 has a non-finite value"),
        (([[0, 1], [math.nan, 3]], [0, 1]), "X_train: row 1 has a non-finite value"),
        (([[0, 1], ["a", 3]], [0, 1]), "X_train: values must be numbers"),
        (([[0, 1], [2, 3]], [0, 2]), "y_train: label 1 is 2, expected 0 or 1"),
        (([[0, 1], [2, 3]], [0, 1, 1]), "y_train: has 3 labels but X_train has 2 rows"),
        (([], []), "X_train: has 0 rows"),
        (([[0, 1]], [1], [[0, 1, 2]], [1]), "X_test: rows of 3 values, X_train's have 2"),
        (([[0, 1, 2], [0, 1]], [1, 0]), "X_train: row 1 has 2 values, row 0 has 3"),
        (([[]], [1]), "X_train: row 0 has 0 values, expected 1..131072"),
        (([[0.0] * 5000] * 4000, [0, 1] * 2000), "X_train: 4000 rows × 5000 values is more than the 16777216"),
        (([[0, 1]], [1], [[0, 1]], [0.5]), "y_test: label 0 is 0.5"),
        (([[0, 1]], [1], [[0, 1]], None), "X_test: give X_test and y_test together"),
    ],
)
def test_inline_dataset_names_the_bad_field(args, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        inline_dataset(*args)


# ---------------------------------------------------------------- bounding box


@pytest.mark.parametrize("name", ["circles", "football-lookalike"])
def test_bounding_box_contains_all_points_with_margin(name):
    d = make_dataset(name)
    x_min, x_max, y_min, y_max = bounding_box(d, margin=0.1)
    X = np.hstack([d.X_train, d.X_test])
    assert (x_min < X[0]).all() and (X[0] < x_max).all() and (y_min < X[1]).all() and (X[1] < y_max).all()
    span = X[0].max() - X[0].min()
    assert np.isclose(x_max - x_min, 1.2 * span)


def test_bounding_box_of_a_single_point_is_not_empty():
    assert bounding_box(inline_dataset([[1, 2]], [0])) == (0.9, 1.1, 1.9, 2.1)
