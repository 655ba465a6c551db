"""A user's own n-D data: CSVs of any width (and the CSV inputs that were 500s: CR-only lines, an over-long cell),
.npz files in either layout or as a stack of images, and a zip of images, each kind told by its bytes."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from core.upload import parsed_csv, parsed_upload

RNG = np.random.default_rng(3)


def npz(**arrays: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


# ---------------------------------------------------------------- CSV


def test_a_csv_of_five_features_with_a_header_and_a_split():
    rows = ["a,b,c,d,e,label,split"] + [f"{i},{i + 1},{i + 2},{i + 3},{i + 4},{i % 2},{'test' if i > 5 else 'train'}"
                                         for i in range(8)]  # fmt: skip
    data = parsed_csv("\n".join(rows).encode(), "five")
    assert data.X_train.shape == (5, 6) and data.X_test.shape == (5, 2) and data.name == "five"
    assert data.X_train[:, 2].tolist() == [2, 3, 4, 5, 6] and data.Y_test.tolist() == [[0, 1]]


def test_a_csv_of_one_feature_without_a_header_and_any_line_endings():
    for newline in (b"\n", b"\r\n", b"\r"):
        data = parsed_csv(newline.join([b"0.5,0", b"1.5,1", b"2.5,1"]))
        assert data.X_train.tolist() == [[0.5, 1.5, 2.5]] and data.Y_train.tolist() == [[0, 1, 1]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"1,2,3,0\n4,5,1\n", "row 2: 3 columns, expected 4 (x1,...,xn,label, n = 3)"),
        (b"x,label\r1,0\r2,0\r", "file: the training rows need both labels"),
        (b"1,0\n2," + b"7" * 131_073 + b"\n", "line 2: a cell of more than 131,072 characters"),
        (b"1,2,0,train\n1,2,1,validate\n", "row 2: split 'validate', expected train or test"),
        (("0," * 131_073 + "1\n").encode(), "row 1: 131074 columns, expected x1,...,xn,label[,split] with 1 ≤ n"),
    ],
)
def test_a_bad_csv_names_the_row_or_line(content, message):
    with pytest.raises(ValueError) as error:
        parsed_csv(content)
    assert str(error.value).startswith(message), error.value


# ---------------------------------------------------------------- .npz


def test_an_npz_in_rows_or_in_the_courses_layout_is_the_same_dataset():
    X, y = RNG.normal(size=(30, 7)), np.arange(30) % 2
    as_rows = parsed_upload(npz(X_train=X, y_train=y), layout="rows")
    as_course = parsed_upload(npz(X_train=X.T, y_train=y[None, :]), layout="course")
    assert np.array_equal(as_rows.X_train, X.T) and np.array_equal(as_course.X_train, X.T)
    assert "rows of examples" in as_rows.note and "the course's layout" in as_course.note
    guessed = parsed_upload(npz(X_train=X, y_train=y, X_test=X[:4], y_test=y[:4]))  # 30 labels: only rows fit
    assert guessed.X_test.shape == (7, 4) and "rows of examples" in guessed.note


def test_an_npz_of_image_stacks_keeps_their_shape_and_divides_pixels():
    pixels = RNG.integers(0, 256, size=(12, 5, 4, 3), dtype=np.uint8)
    data = parsed_upload(npz(X_train=pixels, y_train=np.arange(12) % 2))
    assert data.image_shape == (5, 4, 3) and np.array_equal(data.X_train, pixels.reshape(12, -1).T / 255.0)


@pytest.mark.parametrize(
    ("arrays", "layout", "message"),
    [
        ({"X_train": np.zeros((4, 4)), "y_train": np.array([0, 1, 0, 1])}, None, "layout: say rows"),
        ({"X_train": np.zeros((4, 3)), "y_train": np.array([0, 1, 0, 2])}, "rows", "y_train: label 3 is 2, expected"),
        ({"X_train": np.zeros((4, 3))}, None, "y_train: missing"),
        ({"X_train": np.zeros((4, 3)), "y_train": np.arange(4) % 2, "W": np.zeros(1)}, None, "W: not an array"),
        ({"X_train": np.full((4, 3), np.inf), "y_train": np.arange(4) % 2}, "rows", "X_train: example 0 has a non-f"),
        ({"X_train": np.zeros((4, 3)), "y_train": np.zeros(4)}, "rows", "y_train: the training examples need both"),
        ({"X_train": np.zeros((4, 3)), "y_train": np.arange(4) % 2}, "course", "X_train: 3 examples in the course"),
        ({"X_train": np.zeros((4, 3)), "y_train": np.arange(4) % 2, "X_test": np.zeros((1, 2)),
          "y_test": np.array([1])}, "rows", "X_test: 2 features, X_train has 3"),
    ],
)  # fmt: skip
def test_a_bad_npz_names_the_array(arrays, layout, message):
    with pytest.raises(ValueError) as error:
        parsed_upload(npz(**arrays), layout=layout)
    assert str(error.value).startswith(message), error.value


def test_an_npz_with_a_pickle_is_refused():
    with pytest.raises(ValueError, match=r"not an \.npz of numeric arrays"):
        parsed_upload(npz(X_train=np.array([{"a": 1}] * 2, dtype=object), y_train=np.array([0, 1])))


# ---------------------------------------------------------------- zips of images


def test_a_zip_of_images_is_an_image_dataset():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in ("yes/1.png", "yes/2.png", "no/1.png"):
            picture = io.BytesIO()
            Image.fromarray(RNG.integers(0, 256, size=(9, 9, 3), dtype=np.uint8)).save(picture, format="PNG")
            archive.writestr(name, picture.getvalue())
    data = parsed_upload(out.getvalue(), "answers", positive="yes", image_size=3)
    assert data.image_shape == (3, 3, 3) and data.Y_train.tolist() == [[0, 1, 1]] and "uploaded zip" in data.note


def test_an_upload_over_16_mib_is_refused():
    with pytest.raises(ValueError, match="file: 16777217 bytes, more than the 16777216 allowed"):
        parsed_upload(b"0" * (16 * 2**20 + 1))
