"""The datasets: built-in and uploaded, their points before any training (the page's preview), and
uploads of a user's own CSV."""

import dataclasses
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from app.deps import SettingsDep
from app.errors import answers, invalid, invalid_field, without_paths
from app.guards.auth import require_token
from app.guards.limits import AT_ONCE_RETRY_S, upload_allowed
from app.messages import dataset_points
from app.models import DatasetInfo, DatasetPoints
from core.config import DatasetOptions, DatasetSpec
from core.data import (
    DEFAULTS,
    GENERATED,
    Dataset,
    find_football,
    prune_uploads,
    resolve_dataset,
    saved_upload,
    uploads,
)
from core.upload import MAX_BYTES, parsed_csv

router = APIRouter(prefix="/api/datasets", tags=["datasets"])
UploadName = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9 _.\-]+$")]


@router.get("")
def list_datasets(settings: SettingsDep) -> list[DatasetInfo]:
    """The generated datasets with their defaults, and the course's football data if it is here."""
    found = [DatasetInfo(name=name, available=True, note="generated", **DEFAULTS[name]) for name in GENERATED]
    found += [info_of(upload) for upload in uploads(settings.data_dir)]
    try:
        football = find_football(settings.data_dir)
    except ValueError as error:
        note = without_paths(str(error), settings.data_dir)
        unavailable = {"n_train": None, "n_test": None, "available": False, "note": note}
        return [*found, DatasetInfo(name="football", noise=None, seed=None, **unavailable)]
    return [*found, info_of(football, settings.data_dir)]


def info_of(dataset: Dataset, data_dir: Path | None = None) -> DatasetInfo:
    n_test = 0 if dataset.X_test is None else dataset.X_test.shape[1]
    note = dataset.note if data_dir is None else without_paths(dataset.note, data_dir)
    return DatasetInfo(
        name=dataset.name, available=True, n_train=dataset.X_train.shape[1], n_test=n_test, noise=None, seed=None,
        note=note,
    )  # fmt: skip


@router.post(
    "",
    status_code=201,
    dependencies=[Depends(require_token), Depends(upload_allowed)],
    responses=answers(401, 429, 507),
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def upload_dataset(request: Request, settings: SettingsDep, name: UploadName = "upload") -> DatasetInfo:
    """A CSV of `x1,x2,label[,split]` rows as the request body; its id is then usable as `"dataset": "<id>"`."""
    content = bytearray()
    async for chunk in request.stream():  # stop reading at the cap: a huge body is refused, not held
        content += chunk
        if len(content) > MAX_BYTES:
            raise invalid_field(("body",), f"more than the {MAX_BYTES} bytes an upload may have", "too_large")
    try:
        dataset = await run_in_threadpool(parsed_csv, bytes(content), name)
    except ValueError as error:
        raise invalid_field(("body",), str(error)) from None
    try:
        upload_id = await run_in_threadpool(saved_upload, dataset, settings.data_dir)
    except OSError as error:  # a full disk: said, not a 500
        raise HTTPException(507, f"the server could not store the upload ({error.strerror or error}): try later",
                            headers={"Retry-After": str(AT_ONCE_RETRY_S)}) from None  # fmt: skip
    await run_in_threadpool(prune_uploads, settings.data_dir, settings.max_uploads)
    return info_of(dataclasses.replace(dataset, name=upload_id, note=f"uploaded: {name}"))


@router.get("/{name}/points")
def get_points(name: str, options: Annotated[DatasetOptions, Query()], settings: SettingsDep) -> DatasetPoints:
    try:
        spec = DatasetSpec(name=name, **options.model_dump(exclude_none=True))
    except ValidationError as error:
        raise invalid(error, "query") from None
    try:
        return DatasetPoints(**dataset_points(resolve_dataset(spec, settings.data_dir)))
    except ValueError as error:  # an unknown name, or football without its file
        raise invalid_field(
            ("path", "name"), without_paths(str(error), settings.data_dir), "dataset_unavailable"
        ) from None
