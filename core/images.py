"""Image datasets: a folder (or a zip) of PNG/JPEG files, the course's cat / non-cat files, and `shapes`, a
generated set that needs no download.

Every one is in the course's layout: X = pixels.reshape(m, -1).T / 255 (features × examples, one image per column
in row-major H × W × C order), Y the 0/1 labels as (1, m), and the Dataset remembers (H, W, C).

A folder's classes are its subfolders' names (`cat/1.jpg`), or else each file name's prefix before its first `.`
or `_` (`cat.12.jpg`, `dog_3.png`); there must be exactly two. `positive` names the class labelled 1 (default: the
second in sorted order). Folders named `train` and `test` at the top split the examples; without them every
image trains.
"""

import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import numpy as np

from core.dataset import DATA_DIR_ENV, MAX_FEATURES, MAX_VALUES, Dataset, DatasetUnavailable, ImageShape

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_IMAGES = 5000  # per split, as the run config's n_train
MAX_SOURCE_PIXELS = 2**22  # one file's width × height before any resizing (4.2 megapixels): no decompression bombs
MAX_IMAGE_SIDE = 1024  # image_size's height and width
MAX_ZIP_FILES = 2 * MAX_IMAGES + 100  # entries in an uploaded zip (folders and stray files included)
MAX_UNZIPPED_BYTES = 64 * 2**20  # an uploaded zip's files, uncompressed, all together

CATVNONCAT_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")
CATVNONCAT_SHAPE = (64, 64, 3)
CATVNONCAT_SIZE = (209, 50)  # training and test images
CATVNONCAT_PLACES = ("", "catvnoncat", "datasets")  # where in the data dir the two files may be

Files = dict[str, Callable[[], bytes]]  # a relative posix path → a function that reads the file's bytes


# ---------------------------------------------------------------- a folder or a zip of images


def _classes_and_splits(paths: list[str]) -> dict[str, list[tuple[str, str]]]:
    """split ("train"/"test") → [(path, class)], by the rules above. Hidden files and macOS's __MACOSX are skipped."""
    images = [
        p for p in sorted(paths)
        if p.lower().endswith(IMAGE_SUFFIXES) and not any(part.startswith((".", "__MACOSX")) for part in p.split("/"))
    ]  # fmt: skip
    if not images:
        raise ValueError(f"no {'/'.join(s[1:] for s in IMAGE_SUFFIXES)} images found")
    tops = {PurePosixPath(p).parts[0].lower() for p in images if len(PurePosixPath(p).parts) > 1}
    split_by_folder = bool(tops) and tops <= {"train", "test"}
    out: dict[str, list[tuple[str, str]]] = {"train": [], "test": []}
    for path in images:
        parts = PurePosixPath(path).parts
        split = parts[0].lower() if split_by_folder and len(parts) > 1 else "train"
        rest = parts[1:] if split_by_folder and len(parts) > 1 else parts
        label = rest[-2] if len(rest) > 1 else re.split(r"[._]", rest[-1], maxsplit=1)[0]
        out[split].append((path, label))
    return out


def _labels(splits: dict[str, list[tuple[str, str]]], positive: str | None) -> tuple[list[str], str]:
    """The two classes (sorted) and the one labelled 1; a ValueError says what is wrong."""
    classes = sorted({label for _, label in splits["train"]})
    if len(classes) != 2:
        shown = ", ".join(repr(c) for c in classes[:5]) + (" ..." if len(classes) > 5 else "")
        raise ValueError(
            f"found {len(classes)} class{'es' if len(classes) != 1 else ''} ({shown}), expected exactly two: "
            "name them by subfolders (cat/1.jpg) or file-name prefixes (cat.1.jpg)"
        )
    stray = sorted({label for _, label in splits["test"]} - set(classes))
    if stray:
        raise ValueError(f"test images of class {stray[0]!r}, which no training image has (classes: {classes})")
    if positive is None:
        positive = classes[1]
    elif positive not in classes:
        raise ValueError(f"positive: {positive!r} is not one of the classes {classes}")
    return classes, positive


def _decoded(path: str, content: bytes, image_size: tuple[int, int] | None) -> np.ndarray:
    """One file's pixels as (H, W, C) uint8: C is 1 for a grayscale image, else 3 (RGB; alpha dropped)."""
    from PIL import Image, UnidentifiedImageError  # Pillow loads only when images do

    try:
        image = Image.open(io.BytesIO(content))
        width, height = image.size
        if width * height > MAX_SOURCE_PIXELS:
            raise ValueError(f"{path}: too many pixels ({width}×{height}, more than {MAX_SOURCE_PIXELS:,} in one file)")
        image = image.convert("L" if image.mode in ("1", "L", "I", "I;16", "F") else "RGB")
        if image_size is not None and image.size != (image_size[1], image_size[0]):
            image = image.resize((image_size[1], image_size[0]), Image.Resampling.BICUBIC)
        pixels = np.asarray(image, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValueError(f"{path}: not an image Pillow can read ({error})") from None
    return pixels[:, :, None] if pixels.ndim == 2 else pixels


def _stacked(decoded: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """(m, H, W, C) uint8 from images of one size; grayscale ones made RGB when some are colour."""
    channels = max(pixels.shape[2] for _, pixels in decoded)
    first_path, first = decoded[0]
    for path, pixels in decoded:
        if pixels.shape[:2] != first.shape[:2]:
            (h1, w1), (h2, w2) = first.shape[:2], pixels.shape[:2]
            raise ValueError(
                f"images differ in size: {first_path} is {w1}×{h1}, {path} is {w2}×{h2}: give image_size "
                "to resize them all to one size"
            )
    return np.stack([np.repeat(p, channels // p.shape[2], axis=2) for _, p in decoded])


def image_dataset(
    name: str, files: Files, positive: str | None = None, image_size: int | tuple[int, int] | None = None,
    where: str = "",
) -> Dataset:  # fmt: skip
    """The Dataset in a set of image files (a folder's, a zip's), by the rules in this module's docstring. A
    ValueError names the file or the setting that is wrong (bad image, mixed sizes, not two classes, too many
    pixels)."""
    size = (image_size, image_size) if isinstance(image_size, int) else image_size
    splits = _classes_and_splits(list(files))
    classes, positive = _labels(splits, positive)
    arrays: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
    shape: ImageShape | None = None
    values = 0  # pixels × channels decoded so far: the dataset's size is bounded before it is all in memory
    for split, items in splits.items():
        if len(items) > MAX_IMAGES:
            raise ValueError(f"{split}: {len(items)} images, more than the {MAX_IMAGES} allowed")
        decoded = []
        for path, _ in items:
            pixels = _decoded(path, files[path](), size)
            values += pixels.size
            if pixels.size > MAX_FEATURES:
                h, w, c = pixels.shape
                raise ValueError(
                    f"{path}: too many pixels: {h}×{w}×{c} = {pixels.size:,} features per image, more than the "
                    f"{MAX_FEATURES:,} allowed: give a smaller image_size"
                )
            if values > MAX_VALUES:
                raise ValueError(f"too many pixels: the images hold more than the {MAX_VALUES:,} values allowed")
            decoded.append((path, pixels))
        if not decoded:
            arrays[split] = None
            continue
        pixels = _stacked(decoded)
        if shape is not None and pixels.shape[1:] != shape:
            raise ValueError(f"test images are {pixels.shape[1:]}, training images {shape}: give image_size")
        shape = pixels.shape[1:]
        Y = np.array([[float(label == positive) for _, label in items]])
        arrays[split] = (course_layout(pixels), Y)
    (X, Y), test = arrays["train"], arrays["test"]
    h, w, c = shape
    resized = f", resized to {h}×{w}" if size is not None else ""
    negative = classes[0] if positive == classes[1] else classes[1]
    note = (
        f"{where or 'images'}: {h}×{w}×{c} images{resized}, {positive!r} = 1, {negative!r} = 0, "
        f"pixels / 255 in the course's layout"
    )
    return Dataset(name, X, Y, *(test or (None, None)), note=note, image_shape=shape)


def course_layout(pixels: np.ndarray) -> np.ndarray:
    """(m, H, W, C) uint8 → (H·W·C, m) float64 of pixels / 255: the course's `reshape(m, -1).T / 255.`"""
    return np.ascontiguousarray(pixels.reshape(pixels.shape[0], -1).T / 255.0)


def folder_files(folder: Path) -> Files:
    """Every file under a folder, by its path relative to it."""
    out: Files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = path.read_bytes
    return out


def zip_files(content: bytes) -> Files:
    """The files in a zip, bounded (entries, uncompressed bytes); a single folder around everything is taken off."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValueError(f"file: not a zip archive ({error})") from None
    if len(archive.infolist()) > MAX_ZIP_FILES:
        raise ValueError(f"file: {len(archive.infolist())} entries in the zip, more than the {MAX_ZIP_FILES} allowed")
    unzipped = sum(info.file_size for info in members)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise ValueError(f"file: {unzipped:,} bytes unzipped, more than the {MAX_UNZIPPED_BYTES:,} allowed")
    names = [info.filename for info in members]
    tops = {name.split("/", 1)[0] for name in names}
    strip = len(tops) == 1 and all("/" in name for name in names)

    def reader(info: zipfile.ZipInfo) -> Callable[[], bytes]:
        def read() -> bytes:
            try:
                with archive.open(info) as member:
                    data = member.read(info.file_size + 1)  # a member is never read past what it declares
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
                raise ValueError(f"{info.filename}: cannot be unzipped ({error})") from None
            if len(data) > info.file_size:
                raise ValueError(f"{info.filename}: larger than the zip says")
            return data

        return read

    return {(info.filename.split("/", 1)[1] if strip else info.filename): reader(info) for info in members}


def datasets_folder(data_dir: str | os.PathLike | None) -> Path | None:
    return None if data_dir is None else Path(data_dir) / "datasets"


def image_folders(data_dir: str | os.PathLike | None) -> list[Path]:
    """The data dir's image folders (datasets/<name>/), by name."""
    folder = datasets_folder(data_dir)
    if folder is None or not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith(".")]


def find_image_folder(name: str, data_dir: str | os.PathLike | None) -> Path | None:
    """The data dir's datasets/<name>/ folder, if there is one (a name is one path part, never hidden)."""
    folder = datasets_folder(data_dir)
    if folder is None or name.startswith(".") or "/" in name or "\\" in name:
        return None
    path = folder / name
    return path if path.is_dir() else None


def load_image_folder(
    path: Path, positive: str | None = None, image_size: int | tuple[int, int] | None = None
) -> Dataset:
    try:
        return image_dataset(path.name, folder_files(path), positive, image_size, where=f"the image folder {path}")
    except ValueError as error:
        raise DatasetUnavailable(f"{path.name}: {error}") from None


def count_images(path: Path) -> tuple[int, int]:
    """(training, test) image files in a folder, without reading them (for listings)."""
    splits = _classes_and_splits([p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()])
    return len(splits["train"]), len(splits["test"])


# ---------------------------------------------------------------- the course's cat / non-cat


def catvnoncat_place(data_dir: str | os.PathLike | None) -> Path | None:
    """The folder of the data dir (or $TRAINLAB_DATA_DIR) holding both of the course's h5 files."""
    for base in (data_dir, os.environ.get(DATA_DIR_ENV)):
        if not base:
            continue
        for sub in CATVNONCAT_PLACES:
            folder = Path(base).expanduser() / sub
            if all((folder / f).is_file() for f in CATVNONCAT_FILES):
                return folder
    return None


def load_catvnoncat(data_dir: str | os.PathLike | None) -> Dataset:
    """The course's C1W4 data, exactly as the course loads it: train_set_x (209, 64, 64, 3) uint8 →
    reshape(209, -1).T / 255., train_set_y → (1, 209); the same for the 50 test images. 1 = cat."""
    folder = catvnoncat_place(data_dir)
    if folder is None:
        raise DatasetUnavailable(
            f"catvnoncat: the course's {' and '.join(CATVNONCAT_FILES)} were not found in the data dir "
            f"({data_dir or 'none given'}; also looked in its {', '.join(p for p in CATVNONCAT_PLACES if p)}/ "
            "folders and in $TRAINLAB_DATA_DIR). Copy the course's datasets/*.h5 files there (the data_dir setting, "
            "or the TRAINLAB_DATA_DIR environment variable), or use the generated 'shapes' images instead."
        )
    import h5py  # h5py loads only for this dataset

    arrays = {}
    for split, file in zip(("train", "test"), CATVNONCAT_FILES, strict=True):
        try:
            with h5py.File(folder / file, "r") as h5:
                x, y = np.array(h5[f"{split}_set_x"][:]), np.array(h5[f"{split}_set_y"][:])
        except (OSError, KeyError) as error:
            raise DatasetUnavailable(f"catvnoncat: {folder / file} is not the course's file ({error})") from None
        arrays[split] = (course_layout(x), y.reshape(1, y.shape[0]).astype(np.float64))
    return Dataset(
        "catvnoncat", *arrays["train"], *arrays["test"],
        note=f"the course's cat / non-cat images (C1W4, 64×64×3, 1 = cat) from {folder}", image_shape=CATVNONCAT_SHAPE,
    )  # fmt: skip


# ---------------------------------------------------------------- shapes: generated images


SHAPES_SIDE = 16


def _shape_images(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n images of SHAPES_SIDE² RGB: a filled disc (label 1) or a filled square (label 0) of a random bright colour
    and size, jittered around the centre, on a dark background, plus Gaussian pixel noise; as (m, H, W, 3) uint8."""
    s = SHAPES_SIDE
    labels = rng.permutation(np.arange(n) % 2)  # half of each, shuffled
    yy, xx = np.mgrid[0:s, 0:s] + 0.5
    cy, cx = (s / 2 + rng.uniform(-2, 2, size=(2, n)))[:, :, None, None]
    radius = rng.uniform(3.0, 5.5, size=n)[:, None, None]
    disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
    half = radius * np.sqrt(np.pi) / 2  # a square of the disc's area: size alone does not tell them apart
    square = (np.abs(yy - cy) <= half) & (np.abs(xx - cx) <= half)
    mask = np.where(labels[:, None, None] == 1, disc, square)[..., None]
    colour = rng.uniform(0.5, 1.0, size=(n, 1, 1, 3))
    background = rng.uniform(0.0, 0.25, size=(n, 1, 1, 3))
    image = np.where(mask, colour, background) + rng.normal(scale=noise, size=(n, s, s, 3))
    return np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8), labels.astype(np.float64)


def make_shapes(n_train: int, n_test: int, noise: float, seed: int) -> Dataset:
    """The `shapes` dataset: discs against squares (see _shape_images), train and test from their own streams."""
    streams = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    parts = []
    for n, rng in zip((n_train, n_test), streams, strict=True):
        if not n:
            parts += [None, None]
            continue
        pixels, labels = _shape_images(n, noise, rng)
        parts += [course_layout(pixels), labels[None, :]]
    return Dataset(
        "shapes", *parts,
        note=f"generated {SHAPES_SIDE}×{SHAPES_SIDE} colour images: a disc (1) or a square (0) of random colour, "
        f"size and position, pixel noise {noise:g}, seed {seed}",
        image_shape=(SHAPES_SIDE, SHAPES_SIDE, 3),
    )  # fmt: skip
