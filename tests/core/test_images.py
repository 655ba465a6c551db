"""Image datasets from real PNG/JPEG files (written with Pillow): folders and zips, their classes, sizes and
layout, their bounds and named errors; the course's cat / non-cat loaded exactly as the course loads it; the
generated `shapes`."""

import io
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from PIL import Image

from core.data import resolve_dataset
from core.dataset import DatasetUnavailable
from core.images import (
    MAX_IMAGES,
    count_images,
    image_dataset,
    load_catvnoncat,
    load_image_folder,
    make_shapes,
    zip_files,
)
from tests.reference import REFERENCE, reference

RNG = np.random.default_rng(7)


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def jpeg(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=95)
    return out.getvalue()


def random_image(h: int = 8, w: int = 6, channels: int = 3) -> np.ndarray:
    shape = (h, w, channels) if channels > 1 else (h, w)
    return RNG.integers(0, 256, size=shape, dtype=np.uint8)


def write(folder: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


# ---------------------------------------------------------------- folders


def test_a_folder_of_class_subfolders_is_the_courses_layout_of_pixels_over_255(tmp_path):
    images = {f"cat/{i}.png": random_image() for i in range(3)} | {f"dog/{i}.png": random_image() for i in range(2)}
    data = load_image_folder(write(tmp_path / "pets", {name: png(p) for name, p in images.items()}))
    assert data.name == "pets" and data.image_shape == (8, 6, 3) and data.n_features == 8 * 6 * 3
    order = sorted(images)  # cat/0, cat/1, cat/2, dog/0, dog/1
    expected = np.stack([images[name] for name in order]).reshape(5, -1).T / 255.0  # the course's recipe
    assert data.X_train.dtype == np.float64 and np.array_equal(data.X_train, expected)
    assert data.Y_train.tolist() == [[0, 0, 0, 1, 1]]  # the second class in sorted order is 1
    assert data.X_test is None and "'dog' = 1, 'cat' = 0" in data.note


def test_classes_from_file_name_prefixes_and_a_positive_class(tmp_path):
    files = {"cat.1.jpg": jpeg(random_image()), "cat_2.jpg": jpeg(random_image()), "dog.12.jpg": jpeg(random_image())}
    folder = write(tmp_path / "prefixes", files)
    assert load_image_folder(folder).Y_train.tolist() == [[0, 0, 1]]
    assert load_image_folder(folder, positive="cat").Y_train.tolist() == [[1, 1, 0]]
    with pytest.raises(DatasetUnavailable, match="positive: 'bird' is not one of the classes"):
        load_image_folder(folder, positive="bird")


def test_train_and_test_folders_split_and_grayscale_stays_one_channel(tmp_path):
    files = {f"train/{c}/{i}.png": png(random_image(channels=1)) for c in ("a", "b") for i in range(3)}
    files |= {"test/a/9.png": png(random_image(channels=1)), "test/b/9.png": png(random_image(channels=1))}
    data = load_image_folder(write(tmp_path / "gray", files))
    assert data.image_shape == (8, 6, 1) and data.X_train.shape == (48, 6) and data.X_test.shape == (48, 2)
    assert data.Y_test.tolist() == [[0, 1]]
    assert count_images(tmp_path / "gray") == (6, 2)


def test_mixed_sizes_need_image_size_which_resizes_and_is_said(tmp_path):
    files = {"a.1.png": png(random_image(8, 6)), "b.1.png": png(random_image(10, 10)), "b.2.png": png(random_image())}
    folder = write(tmp_path / "mixed", files)
    with pytest.raises(DatasetUnavailable, match=r"images differ in size: a.1.png is 6×8, b.1.png is 10×10: give "):
        load_image_folder(folder)
    data = load_image_folder(folder, image_size=(4, 5))
    assert data.image_shape == (4, 5, 3) and data.X_train.shape == (60, 3) and "resized to 4×5" in data.note
    assert load_image_folder(folder, image_size=7).image_shape == (7, 7, 3)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"cat.1.png": png(random_image()), "cat.2.png": png(random_image())}, "found 1 class ('cat'), expected"),
        ({f"{c}.1.png": png(random_image()) for c in "abc"}, "found 3 classes ('a', 'b', 'c'), expected exactly two"),
        ({"a.1.png": png(random_image()), "b.1.png": b"not a picture"}, "b.1.png: not an image Pillow can read"),
        ({"a.1.png": png(random_image(200, 240)), "b.png": png(random_image(200, 240))}, "a.1.png: too many pixels"),
        ({"notes.txt": b"hello"}, "no png/jpg/jpeg images found"),
        (
            {"train/a/1.png": png(random_image()), "train/b/1.png": png(random_image()),
             "test/c/1.png": png(random_image())},
            "test images of class 'c', which no training image has",
        ),
    ],
    ids=["one class", "three classes", "bad image", "too many pixels", "no images", "stray test class"],
)  # fmt: skip
def test_a_bad_folder_is_refused_naming_the_problem(tmp_path, files, message):
    with pytest.raises(DatasetUnavailable, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_image_folder(write(tmp_path / "bad", files))


def test_a_huge_source_image_is_refused_before_it_is_decoded():
    """A PNG of 3000 × 3000 compresses to a few KB; decoding it would take 27 MB: refused by its header."""
    files = {"a.1.png": png(np.zeros((3000, 3000), dtype=np.uint8)), "b.1.png": png(random_image())}
    with pytest.raises(ValueError, match=r"a.1.png: too many pixels \(3000×3000, more than 4,194,304"):
        image_dataset("bomb", {name: (lambda c=c: c) for name, c in files.items()})


def test_a_folder_under_the_data_dirs_datasets_is_a_dataset_by_name(tmp_path):
    files = {"x/1.png": png(random_image()), "y/1.png": png(random_image())}
    write(tmp_path / "datasets" / "mine", files)
    spec = type("Spec", (), {"name": "mine", "positive": "x", "image_size": 4})()
    data = resolve_dataset(spec, tmp_path)
    assert data.image_shape == (4, 4, 3) and data.Y_train.tolist() == [[1, 0]]
    with pytest.raises(ValueError, match=r"unknown dataset '\.\.'"):
        resolve_dataset("..", tmp_path)  # never the data dir itself


# ---------------------------------------------------------------- zips


def test_a_zip_is_read_as_a_folder_and_its_one_top_folder_is_taken_off():
    images = {"pets/cat/1.png": random_image(), "pets/dog/1.png": random_image(), "pets/dog/2.png": random_image()}
    files = zip_files(zipped({name: png(p) for name, p in images.items()} | {"pets/__MACOSX/._x.png": b"junk"}))
    data = image_dataset("upload", files)
    assert data.Y_train.tolist() == [[0, 1, 1]]
    assert np.array_equal(data.X_train[:, 0], images["pets/cat/1.png"].reshape(-1) / 255.0)


def test_a_zip_is_bounded_by_entries_and_unzipped_bytes():
    with pytest.raises(ValueError, match="not a zip archive"):
        zip_files(b"PK\x03\x04 broken")
    many = zipped({f"a/{i}.png": b"" for i in range(2 * MAX_IMAGES + 101)})
    with pytest.raises(ValueError, match="entries in the zip, more than the 10100 allowed"):
        zip_files(many)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.1.png", b"\0" * (65 * 2**20))  # 65 MiB of zeros: a ~64 KB zip
    with pytest.raises(ValueError, match="bytes unzipped, more than the 67,108,864 allowed"):
        zip_files(out.getvalue())


# ---------------------------------------------------------------- the course's cat / non-cat


@pytest.mark.reference("catvnoncat/train_catvnoncat.h5", "catvnoncat/test_catvnoncat.h5")
def test_catvnoncat_is_loaded_as_the_course_loads_it():
    data = load_catvnoncat(REFERENCE)
    with h5py.File(REFERENCE / "catvnoncat" / "train_catvnoncat.h5") as train:
        x, y = np.array(train["train_set_x"][:]), np.array(train["train_set_y"][:])
    assert np.array_equal(data.X_train, x.reshape(x.shape[0], -1).T / 255.0)  # the course's very recipe
    assert np.array_equal(data.Y_train, y.reshape(1, y.shape[0]))
    assert data.X_train.shape == (12288, 209) and data.X_test.shape == (12288, 50)
    assert data.image_shape == (64, 64, 3) and data.Y_train.sum() == 72


def test_without_the_courses_files_catvnoncat_says_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.delenv("TRAINLAB_DATA_DIR", raising=False)
    with pytest.raises(DatasetUnavailable, match=r"train_catvnoncat.h5 and test_catvnoncat.h5 were not found") as err:
        load_catvnoncat(tmp_path)
    assert "Copy the course's datasets/*.h5 files there" in str(err.value) and "'shapes'" in str(err.value)


def test_catvnoncat_in_the_data_dir_itself_is_found(tmp_path):
    for file in reference("catvnoncat/train_catvnoncat.h5", "catvnoncat/test_catvnoncat.h5").glob("catvnoncat/*.h5"):
        (tmp_path / file.name).symlink_to(file)
    assert load_catvnoncat(tmp_path).X_test.shape == (12288, 50)


# ---------------------------------------------------------------- shapes


def test_shapes_are_seeded_images_of_both_classes():
    data = make_shapes(40, 10, 0.1, seed=5)
    assert data.image_shape == (16, 16, 3) and data.X_train.shape == (768, 40) and data.X_test.shape == (768, 10)
    assert data.Y_train.sum() == 20 and ((data.X_train >= 0) & (data.X_train <= 1)).all()
    assert np.array_equal(data.X_train, make_shapes(40, 10, 0.1, seed=5).X_train)
    assert not np.array_equal(data.X_train, make_shapes(40, 10, 0.1, seed=6).X_train)
    pixels = np.rint(data.X_train * 255)
    assert np.array_equal(pixels / 255, data.X_train)  # real 8-bit images, as a folder's would be
