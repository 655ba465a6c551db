"""A user's own data: a CSV of `x1,x2,label[,split]` rows, checked row by row (then kept by
`core.data.saved_upload`)."""

import csv
import io

from core.data import MAX_POINTS, Dataset, inline_dataset

MAX_BYTES = 1 << 20


def parsed_csv(content: bytes, name: str = "upload") -> Dataset:
    """The Dataset in a CSV; a ValueError that says which row and what is wrong otherwise. A header row is
    allowed; `split` (train/test) is optional, without it every row trains."""
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
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if rows and not _is_number(rows[0][0]):
        rows = rows[1:]  # a header
    if len(rows) > 2 * MAX_POINTS:
        raise ValueError(f"file: {len(rows)} rows, more than the {2 * MAX_POINTS} allowed")
    split: dict[str, tuple[list, list]] = {"train": ([], []), "test": ([], [])}
    for number, row in enumerate(rows, 1):
        if len(row) not in (3, 4):
            raise ValueError(f"row {number}: {len(row)} columns, expected x1,x2,label[,split]")
        part = row[3].strip().lower() if len(row) == 4 else "train"
        if part not in split:
            raise ValueError(f"row {number}: split {row[3]!r}, expected train or test")
        try:
            x1, x2, label = float(row[0]), float(row[1]), float(row[2])
        except ValueError:
            raise ValueError(f"row {number}: x1, x2 and label must be numbers") from None
        if label not in (0.0, 1.0):
            raise ValueError(f"row {number}: label {row[2].strip()!r}, expected 0 or 1")
        split[part][0].append([x1, x2])
        split[part][1].append(int(label))
    (X, y), (X_test, y_test) = split["train"], split["test"]
    if len(set(y)) < 2:
        raise ValueError("file: the training rows need both labels, 0 and 1")
    return inline_dataset(X, y, X_test or None, y_test or None, name=name)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
