"""A user's own data, checked before it is kept (then by `core.data.saved_upload`): a CSV of `x1,...,xn,label[,split]`
rows, an `.npz` of arrays, or a zip of images (core/images.py). One body, its kind told by its first bytes."""

import csv
import dataclasses
import io
import zipfile
from typing import Literal

import numpy as np

from core.data import MAX_POINTS, inline_dataset
from core.dataset import MAX_FEATURES, MAX_VALUES, Dataset
from core.images import image_dataset, zip_files

MAX_BYTES = 16 * 2**20  # an upload's body: a CSV, an .npz or a zip of images of several MB
MAX_CSV_FIELD = 131_072  # characters in one CSV cell (Python's csv module's own limit)
MAX_NPZ_BYTES = 8 * MAX_VALUES + 2**20  # an .npz's arrays, unzipped: MAX_VALUES float64 and their headers
NPZ_KEYS = {"X_train", "y_train", "X_test", "y_test"}
Layout = Literal["rows", "course"]
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def parsed_upload(
    content: bytes, name: str = "upload", layout: Layout | None = None, positive: str | None = None,
    image_size: int | tuple[int, int] | None = None,
) -> Dataset:  # fmt: skip
    """The Dataset in an upload: a zip of .npy files is an .npz, any other zip a folder of images, anything else a
    CSV. A ValueError names the row, array, file or option that is wrong."""
    if len(content) > MAX_BYTES:
        raise ValueError(f"file: {len(content)} bytes, more than the {MAX_BYTES} allowed")
    if not content.startswith(ZIP_MAGIC):
        return parsed_csv(content, name)
    if _is_npz(content):
        return parsed_npz(content, name, layout)
    return image_dataset(name, zip_files(content), positive, image_size, where="uploaded zip")


def _is_npz(content: bytes) -> bool:
    try:
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return bool(names) and all(n.endswith(".npy") for n in names)


# ---------------------------------------------------------------- CSV


def parsed_csv(content: bytes, name: str = "upload") -> Dataset:
    """The Dataset in a CSV of `x1,...,xn,label[,split]` rows (n ≥ 1, the same in every row); a ValueError that
    says which row and what is wrong otherwise. A header row is allowed (a last column named `split` says there is
    one; without a header, a word in the first row's last cell does); without a split every row trains. Lines may
    end in \\n, \\r\\n or \\r."""
    if len(content) > MAX_BYTES:
        raise ValueError(f"file: {len(content)} bytes, more than the {MAX_BYTES} allowed")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content:  # NULs: UTF-16 without a BOM
        raise ValueError("file: UTF-16 text (or binary), not UTF-8: save the CSV as UTF-8")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"file: not UTF-8 text ({error.reason} at byte {error.start}; Latin-1 or another encoding?): "
            "save the CSV as UTF-8"
        ) from None
    rows = _csv_rows(text)
    header = bool(rows) and not _is_number(rows[0][0])
    with_split = bool(rows) and (rows[0][-1].strip().lower() == "split" if header else not _is_number(rows[0][-1]))
    body = rows[1:] if header else rows  # "row N" is the Nth row of numbers, the header not counted
    if len(body) > 2 * MAX_POINTS:
        raise ValueError(f"file: {len(body)} rows, more than the {2 * MAX_POINTS} allowed")
    width = len(rows[0]) if rows else 0
    features = width - 1 - with_split
    if body and not 1 <= features <= MAX_FEATURES:
        raise ValueError(f"row 1: {width} columns, expected x1,...,xn,label[,split] with 1 ≤ n ≤ {MAX_FEATURES}")
    if len(body) * features > MAX_VALUES:
        raise ValueError(f"file: {len(body)} rows × {features} features, more than the {MAX_VALUES} numbers allowed")
    split: dict[str, tuple[list, list]] = {"train": ([], []), "test": ([], [])}
    columns = "x1,...,xn,label" + (",split" if with_split else "")
    for number, row in enumerate(body, 1):
        if len(row) != width:
            raise ValueError(f"row {number}: {len(row)} columns, expected {width} ({columns}, n = {features})")
        part = row[-1].strip().lower() if with_split else "train"
        if part not in split:
            raise ValueError(f"row {number}: split {row[-1]!r}, expected train or test")
        try:
            values = [float(cell) for cell in row[:features]]
            label = float(row[features])
        except ValueError:
            raise ValueError(f"row {number}: the features and the label must be numbers") from None
        if label not in (0.0, 1.0):
            raise ValueError(f"row {number}: label {row[features].strip()!r}, expected 0 or 1")
        split[part][0].append(values)
        split[part][1].append(int(label))
    (X, y), (X_test, y_test) = split["train"], split["test"]
    if len(set(y)) < 2:
        raise ValueError("file: the training rows need both labels, 0 and 1")
    data = inline_dataset(X, y, X_test or None, y_test or None, name=name)
    return dataclasses.replace(data, note=f"a CSV of {features} feature{'s' if features > 1 else ''}")


def _csv_rows(text: str) -> list[list[str]]:
    """The non-blank rows; csv's own errors (a cell over MAX_CSV_FIELD characters, a stray quote) name the file's
    line.
    splitlines() takes \\n, \\r\\n and a lone \\r alike (csv.reader refuses a lone \\r inside a line)."""
    reader = csv.reader(text.splitlines())
    rows = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
    except csv.Error as error:
        problem = str(error)
        if "field larger than field limit" in problem:
            problem = f"a cell of more than {MAX_CSV_FIELD:,} characters"
        raise ValueError(f"line {reader.line_num}: {problem}") from None
    return rows


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- .npz


def parsed_npz(content: bytes, name: str = "upload", layout: Layout | None = None) -> Dataset:
    """The Dataset in an .npz of X_train, y_train and optionally X_test, y_test (`np.savez`). X is 2-D in the
    `layout` said: rows (examples × features) or course (features × examples); unsaid, the labels' count tells
    when only one axis fits. Or X is a stack of images, (m, H, W) or (m, H, W, C): then integer pixels are / 255,
    the course's layout is made as the course makes it, and the image shape is kept."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    unzipped = sum(info.file_size for info in archive.infolist())
    if unzipped > MAX_NPZ_BYTES:
        raise ValueError(f"file: {unzipped:,} bytes of arrays unzipped, more than the {MAX_NPZ_BYTES:,} allowed")
    keys = {name.removesuffix(".npy") for name in archive.namelist()}
    extra = sorted(keys - NPZ_KEYS)
    if extra:
        raise ValueError(f"{extra[0]}: not an array TrainLab reads (expected {', '.join(sorted(NPZ_KEYS))})")
    missing = sorted({"X_train", "y_train"} - keys)
    if missing:
        raise ValueError(f"{missing[0]}: missing")
    if ("X_test" in keys) != ("y_test" in keys):
        raise ValueError("X_test: give X_test and y_test together, or neither")
    try:
        with np.load(io.BytesIO(content), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in keys}
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"file: not an .npz of numeric arrays ({error})") from None
    parts, shapes, said = [], [], []
    for split in ("train", "test"):
        if f"X_{split}" not in arrays:
            parts += [None, None]
            continue
        X, shape, how = _features_of(f"X_{split}", arrays[f"X_{split}"], arrays[f"y_{split}"], layout)
        parts += [X, _npz_labels(f"y_{split}", arrays[f"y_{split}"], X.shape[1])]
        shapes.append(shape)
        said.append(how)
    if len(parts) == 4 and parts[2] is not None and parts[2].shape[0] != parts[0].shape[0]:
        raise ValueError(f"X_test: {parts[2].shape[0]} features, X_train has {parts[0].shape[0]}")
    if sum(p.size for p in parts[::2] if p is not None) > MAX_VALUES:
        raise ValueError(f"X_train: with X_test, more than the {MAX_VALUES} numbers allowed")
    if len(set(parts[1][0])) < 2:
        raise ValueError("y_train: the training examples need both labels, 0 and 1")
    note = f"an .npz in {said[0]}"
    return Dataset(name, *parts, note=note, image_shape=shapes[0])


def _features_of(
    key: str, X: np.ndarray, y: np.ndarray, layout: Layout | None
) -> tuple[np.ndarray, tuple[int, int, int] | None, str]:
    """(X in the course's layout as float64, its image shape or None, the layout it was read in, for the note)."""
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{key}: {X.dtype} values, expected numbers")
    m = int(np.size(y))
    if X.ndim in (3, 4):
        if layout == "course":
            raise ValueError(f"{key}: a stack of images (m, H, W[, C]) is rows of examples, not the course's layout")
        if X.shape[0] != m or not 1 <= m <= MAX_POINTS:
            raise ValueError(f"{key}: {X.shape[0]} images for {m} labels, expected as many, 1..{MAX_POINTS}")
        pixels = X if X.ndim == 4 else X[..., None]
        shape = tuple(int(v) for v in pixels.shape[1:])
        if shape[2] not in (1, 3) or np.prod(shape) > MAX_FEATURES:
            raise ValueError(
                f"{key}: images of {'×'.join(map(str, shape))}, expected 1 or 3 channels and at most "
                f"{MAX_FEATURES} pixels × channels"
            )
        scaled = pixels / 255.0 if pixels.dtype.kind in "biu" else pixels.astype(np.float64)
        X = scaled.reshape(m, -1).T
        how = "the images' layout (m, H, W, C), as the course reshapes it" + (
            ", pixels / 255" if pixels.dtype.kind in "biu" else ""
        )
        return _finite(key, X), shape, how
    if X.ndim != 2:
        raise ValueError(f"{key}: {X.ndim} dimensions, expected a 2-D array (or a stack of images)")
    if layout is None:
        fits = [how for how, axis in (("rows", 0), ("course", 1)) if X.shape[axis] == m]
        if len(fits) != 1:
            raise ValueError(
                f"layout: say rows (examples × features) or course (features × examples): {key} is "
                f"{X.shape[0]}×{X.shape[1]} for {m} labels"
            )
        layout = fits[0]
    X = X.T if layout == "rows" else X
    if X.shape[1] != m:
        raise ValueError(f"{key}: {X.shape[1]} examples in the {layout} layout but {m} labels")
    if not 1 <= X.shape[0] <= MAX_FEATURES:
        raise ValueError(f"{key}: {X.shape[0]} features, expected 1..{MAX_FEATURES}")
    if not 1 <= m <= MAX_POINTS:
        raise ValueError(f"{key}: {m} examples, expected 1..{MAX_POINTS}")
    how = "rows of examples (examples × features)" if layout == "rows" else "the course's layout (features × examples)"
    return _finite(key, X.astype(np.float64)), None, how


def _finite(key: str, X: np.ndarray) -> np.ndarray:
    bad = ~np.isfinite(X).all(axis=0)
    if bad.any():
        raise ValueError(f"{key}: example {int(np.argmax(bad))} has a non-finite value")
    return np.ascontiguousarray(X)


def _npz_labels(key: str, y: np.ndarray, m: int) -> np.ndarray:
    """(m,) or (1, m) or (m, 1) of 0/1 → (1, m) float64."""
    if y.dtype.kind not in "biuf" or y.size != m or (y.ndim == 2 and 1 not in y.shape) or y.ndim > 2:
        raise ValueError(f"{key}: expected {m} labels of 0 or 1, as (m,) or (1, m)")
    labels = y.reshape(1, m).astype(np.float64)
    bad = (labels != 0) & (labels != 1)
    if bad.any():
        i = int(np.argmax(bad[0]))
        raise ValueError(f"{key}: label {i} is {labels[0, i]:g}, expected 0 or 1")
    return labels
