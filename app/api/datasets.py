"""The built-in datasets, and their points before any training (the page's preview)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError

from app.api.errors import invalid, invalid_field
from app.deps import SettingsDep
from app.messages import dataset_points
from app.models import DatasetInfo, DatasetPoints, PointsQuery
from core.config import DatasetSpec
from core.data import DEFAULTS, GENERATED, find_football, resolve_dataset

router = APIRouter(prefix="/api/datasets", tags=["datasets"])


@router.get("")
def list_datasets(settings: SettingsDep) -> list[DatasetInfo]:
    """The generated datasets with their defaults, and the course's football data if it is here."""
    found = [DatasetInfo(name=name, available=True, note="generated", **DEFAULTS[name]) for name in GENERATED]
    try:
        football = find_football(settings.data_dir)
    except ValueError as error:
        unavailable = {"n_train": None, "n_test": None, "available": False, "note": str(error)}
        return [*found, DatasetInfo(name="football", noise=None, seed=None, **unavailable)]
    n_test = 0 if football.X_test is None else football.X_test.shape[1]
    sizes = {"n_train": football.X_train.shape[1], "n_test": n_test}
    return [*found, DatasetInfo(name="football", available=True, noise=None, seed=None, note=football.note, **sizes)]


@router.get("/{name}/points")
def get_points(name: str, options: Annotated[PointsQuery, Query()], settings: SettingsDep) -> DatasetPoints:
    try:
        spec = DatasetSpec(name=name, **options.model_dump(exclude_none=True))
    except ValidationError as error:
        raise invalid(error, "query") from None
    try:
        return DatasetPoints(**dataset_points(resolve_dataset(spec, settings.data_dir)))
    except ValueError as error:  # an unknown name, or football without its file
        raise invalid_field(("path", "name"), str(error), "dataset_unavailable") from None
