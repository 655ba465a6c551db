"""The datasets: built-in, the course's, image folders and uploads; their points before any training (the page's
preview, for 2-D data), and uploads of a user's own data (a CSV, an .npz, a zip of images)."""

import dataclasses
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from app.deps import SettingsDep
from app.errors import answers, invalid, invalid_field
from app.guards.auth import require_token
from app.guards.limits import upload_allowed
from app.messages import dataset_points
from app.models import DatasetInfo, DatasetPoints, PointsQuery
from core.config import MAX_IMAGE_SIDE, DatasetSpec
from core.data import (
    DEFAULTS,
    FEATURES,
    GENERATED,
    Dataset,
    find_football,
    resolve_dataset,
    saved_upload,
    upload_info,
    upload_paths,
)
from core.images import CATVNONCAT_SHAPE, SHAPES_SIDE, count_images, image_folders, load_catvnoncat
from core.upload import MAX_BYTES, parsed_upload

router = APIRouter(prefix="/api/datasets", tags=["datasets"])
UploadName = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9 _.\-]+$")]
ImageSize = Annotated[
    str | None, Query(pattern=r"^\d{1,4}(,\d{1,4})?$", description="an image zip's: a side, or height,width")
]
SHAPES = {"shapes": [SHAPES_SIDE, SHAPES_SIDE, 3]}


@router.get("")
def list_datasets(settings: SettingsDep) -> list[DatasetInfo]:
    """The generated datasets with their defaults, uploads, image folders, and the course's files if they are here."""
    found = [generated_listed(name) for name in GENERATED]
    found += [upload_listed(path) for path in upload_paths(settings.data_dir)]
    found += [folder_listed(path) for path in image_folders(settings.data_dir)]
    return [*found, football_listed(settings.data_dir), catvnoncat_listed(settings.data_dir)]


def generated_listed(name: str) -> DatasetInfo:
    shape = SHAPES.get(name)
    return DatasetInfo(name=name, available=True, note="generated", features=FEATURES.get(name, 2), image_shape=shape,
                       **DEFAULTS[name])  # fmt: skip


def unavailable(name: str, error: ValueError, features: int | None = None, shape: list | None = None) -> DatasetInfo:
    return DatasetInfo(
        name=name, available=False, n_train=None, n_test=None, noise=None, seed=None, note=str(error),
        features=features, image_shape=shape,
    )  # fmt: skip


def football_listed(data_dir: Path) -> DatasetInfo:
    try:
        return info_of(find_football(data_dir))
    except ValueError as error:
        return unavailable("football", error, 2)


def catvnoncat_listed(data_dir: Path) -> DatasetInfo:
    try:
        return info_of(load_catvnoncat(data_dir))
    except ValueError as error:  # without its files: says where to put them
        return unavailable("catvnoncat", error, FEATURES["catvnoncat"], list(CATVNONCAT_SHAPE))


def folder_listed(path: Path) -> DatasetInfo:
    """An image folder, counted (its images are read when a run uses it)."""
    try:
        n_train, n_test = count_images(path)
    except ValueError as error:
        return unavailable(path.name, ValueError(f"the image folder {path.name}: {error}"))
    return DatasetInfo(
        name=path.name, available=True, n_train=n_train, n_test=n_test, noise=None, seed=None,
        note=f"image folder datasets/{path.name} (options: positive, image_size)", features=None, image_shape=None,
    )  # fmt: skip


def upload_listed(path: Path) -> DatasetInfo:
    name, n_train, n_test, features, shape = upload_info(path)
    return DatasetInfo(
        name=path.stem, available=True, n_train=n_train, n_test=n_test, noise=None, seed=None,
        note=f"uploaded: {name}", features=features, image_shape=list(shape) if shape else None,
    )  # fmt: skip


def info_of(dataset: Dataset) -> DatasetInfo:
    return DatasetInfo(
        name=dataset.name, available=True, n_train=dataset.X_train.shape[1], n_test=dataset.m_test, noise=None,
        seed=None, note=dataset.note, features=dataset.n_features,
        image_shape=list(dataset.image_shape) if dataset.image_shape else None,
    )  # fmt: skip


def image_size_of(text: str | None) -> int | tuple[int, int] | None:
    """image_size's query text: "64" (a side) or "64,48" (height, width), each 1..MAX_IMAGE_SIDE."""
    if text is None:
        return None
    sides = [int(part) for part in text.split(",")]
    if not all(1 <= side <= MAX_IMAGE_SIDE for side in sides):
        raise invalid_field(("query", "image_size"), f"each side is 1..{MAX_IMAGE_SIDE}")
    return sides[0] if len(sides) == 1 else (sides[0], sides[1])


@router.post(
    "",
    status_code=201,
    dependencies=[Depends(require_token), Depends(upload_allowed)],
    responses=answers(401, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def upload_dataset(
    request: Request,
    settings: SettingsDep,
    name: UploadName = "upload",
    layout: Annotated[Literal["rows", "course"] | None, Query(description="an .npz's X layout")] = None,
    positive: Annotated[str | None, Query(min_length=1, max_length=64, description="an image zip's class 1")] = None,
    image_size: ImageSize = None,
) -> DatasetInfo:
    """A CSV of `x1,...,xn,label[,split]` rows, an .npz (X_train, y_train[, X_test, y_test]) or a zip of images as the
    request body; its id is then usable as `"dataset": "<id>"`."""
    size = image_size_of(image_size)
    content = bytearray()
    async for chunk in request.stream():  # stop reading at the cap: a huge body is refused, not held
        content += chunk
        if len(content) > MAX_BYTES:
            raise invalid_field(("body",), f"more than the {MAX_BYTES} bytes an upload may have", "too_large")
    try:
        dataset = await run_in_threadpool(parsed_upload, bytes(content), name, layout, positive, size)
    except ValueError as error:
        raise invalid_field(("body",), str(error)) from None
    upload_id = await run_in_threadpool(saved_upload, dataset, settings.data_dir)
    return info_of(dataclasses.replace(dataset, name=upload_id, note=f"uploaded: {name} ({dataset.note})"))


@router.get("/{name}/points")
def get_points(name: str, options: Annotated[PointsQuery, Query()], settings: SettingsDep) -> DatasetPoints:
    """A 2-D dataset's points before any training (the page draws them under the boundary)."""
    try:
        spec = DatasetSpec(name=name, **options.model_dump(exclude_none=True))
    except ValidationError as error:
        raise invalid(error, "query") from None
    try:
        dataset = resolve_dataset(spec, settings.data_dir)
    except ValueError as error:  # an unknown name, or football without its file
        raise invalid_field(("path", "name"), str(error), "dataset_unavailable") from None
    if not dataset.planar:
        message = f"{name} has {dataset.n_features} features, not 2: no points to draw on a plane"
        raise invalid_field(("path", "name"), message, "not_planar")
    return DatasetPoints(**dataset_points(dataset))
