"""Runs: start one, read one, control one (docs/protocol.md)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from app.api.errors import invalid, invalid_field
from app.deps import RegistryDep, SettingsDep
from app.messages import dataset_points, dumps
from app.models import ControlAnswer, ControlRequest, RunCreated, RunInfo, RunRequest
from app.registry import NewRun
from core.config import RunConfig
from core.data import Dataset, resolve_dataset

router = APIRouter(prefix="/api/runs", tags=["runs"])


def load(config: RunConfig, data_dir: Path) -> tuple[Dataset, str]:
    """The run's data, and its points encoded for the snapshot (in a thread: thousands of points)."""
    dataset = resolve_dataset(config.dataset, data_dir)
    return dataset, dumps(dataset_points(dataset))


async def new_run(request: RunRequest, settings: SettingsDep) -> NewRun:
    """The request's config, validated, and its data, resolved here so that a dataset that cannot be
    had (football without data.mat) is a 422 now, and so that the page gets the very points trained on."""
    try:
        config = request.run_config()
    except ValidationError as error:
        raise invalid(error, "body", "overrides") from None
    try:
        dataset, dataset_json = await run_in_threadpool(load, config, settings.data_dir)
    except ValueError as error:  # DatasetUnavailable included
        raise invalid_field(("body", "dataset"), str(error), "dataset_unavailable") from None
    return NewRun(config, dataset, dataset_json, request.keep, request.speed, request.paused)


@router.post("", status_code=201)
async def create_run(run: Annotated[NewRun, Depends(new_run)], registry: RegistryDep) -> RunCreated:
    channel = registry.create(run)
    return RunCreated(id=channel.id, status=channel.status, config=run.config)


@router.get("/{run_id}")
def get_run(run_id: str, registry: RegistryDep) -> RunInfo:  # a thread: a long result takes validating
    channel = registry.get(run_id)
    return RunInfo(
        id=channel.id,
        status=channel.status,
        config=channel.config,
        epoch=channel.epoch,
        last=channel.last,
        result=channel.result,
    )


@router.post("/{run_id}/control")
async def control_run(run_id: str, control: ControlRequest, registry: RegistryDep) -> ControlAnswer:
    status = await registry.control(run_id, *control.command())
    return ControlAnswer(id=run_id, status=status)
