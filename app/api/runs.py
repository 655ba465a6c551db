"""Runs: start one, list them, read one (its costs, its weights), control one, delete one (docs/protocol.md)."""

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from app.api.errors import answers, invalid, invalid_field
from app.auth import require_token
from app.deps import RegistryDep, RoomsDep, SettingsDep, StoreDep
from app.limits import RunQuotaDep
from app.lookup import find_run
from app.messages import dataset_points, dumps
from app.models import (
    ControlAnswer,
    ControlRequest,
    CostPage,
    Parameters,
    RunCreated,
    RunDeleted,
    RunInfo,
    RunPage,
    RunRequest,
    RunStatus,
    RunSummary,
)
from app.registry import NewRun, UnknownRun
from app.room_auth import RoomSecret, owning_room, require_room_secret
from app.store import UNFINISHED
from core.config import RunConfig, budget_problem
from core.data import Dataset, resolve_dataset

router = APIRouter(prefix="/api/runs", tags=["runs"])
Limit = Annotated[int, Query(ge=1, le=1000)]
MAX_OFFSET = 10**9  # past it SQLite's 64-bit integers are not far: a 422, not a 500
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def load(config: RunConfig, data_dir: Path) -> tuple[Dataset, str]:
    """The run's data, and its points encoded for the snapshot (in a thread: thousands of points)."""
    dataset = resolve_dataset(config.dataset, data_dir)
    return dataset, dumps(dataset_points(dataset))


async def resolve(config: RunConfig, settings: SettingsDep, loc: tuple[str | int, ...]) -> tuple[Dataset, str]:
    """The config's data; a dataset that cannot be had (football without data.mat) is a 422 naming loc, and
    a config over the work or memory budget with this data's size a 422 naming the body."""
    try:
        dataset, dataset_json = await run_in_threadpool(load, config, settings.data_dir)
    except ValueError as error:  # DatasetUnavailable included
        raise invalid_field(loc, str(error), "dataset_unavailable") from None
    problem = budget_problem(config, dataset.X_train.shape[1])  # an upload's real size, not a guess
    if problem:
        raise invalid_field(loc[:1], problem)
    return dataset, dataset_json


async def new_run(request: RunRequest, settings: SettingsDep, rooms: RoomsDep, secret: RoomSecret = None) -> NewRun:
    """The request's config, validated, and its data, resolved here so that a dataset that cannot be
    had is a 422 now, and so that the page gets the very points trained on. A room's run needs its secret."""
    room = owning_room(request.room, rooms, secret)
    try:
        config = request.run_config()
    except ValidationError as error:
        raise invalid(error, "body", "overrides") from None
    dataset, dataset_json = await resolve(config, settings, ("body", "dataset"))
    return NewRun(config, dataset, dataset_json, request.keep, request.speed, request.paused, room)


@router.post("", status_code=201, dependencies=[Depends(require_token)], responses=answers(400, 401, 403, 429, 503))
async def create_run(run: Annotated[NewRun, Depends(new_run)], registry: RegistryDep, quota: RunQuotaDep) -> RunCreated:
    registry.make_room(1)  # the global cap first: a refused start does not count against the client
    quota.admit(1)
    channel = registry.create(run)
    quota.record([channel.id])
    return RunCreated(id=channel.id, status=channel.status, config=run.config)


@router.get("")
async def list_runs(
    registry: RegistryDep, store: StoreDep, status: RunStatus | None = None, limit: Limit = 50, offset: Offset = 0
) -> RunPage:
    """Newest first; the store has every run, a live one's status is its channel's (the freshest)."""
    total, rows = await store.call("_runs", status, limit, offset)
    runs = []
    for row in rows:
        channel = registry.channels.get(row["id"])
        result = row["result"] or {}
        runs.append(
            RunSummary(
                **{k: row[k] for k in ("id", "config", "created", "finished")},
                status=channel.status if channel else row["status"],
                final_cost=result.get("final_cost"),
                train_accuracy=result.get("train_accuracy"),
                test_accuracy=result.get("test_accuracy"),
            )
        )
    return RunPage(total=total, limit=limit, offset=offset, runs=runs)


@router.get("/{run_id}", responses=answers(404))
async def get_run(run_id: str, registry: RegistryDep, store: StoreDep) -> RunInfo:
    return await find_run(run_id, registry, store)


@router.get("/{run_id}/costs", responses=answers(404))
async def get_costs(
    run_id: str, registry: RegistryDep, store: StoreDep, limit: Limit = 1000, offset: Offset = 0
) -> CostPage:
    """A live run's history is in memory; a finished one's in the store."""
    channel = registry.channels.get(run_id)
    if channel is not None and not channel.finished:
        points = channel.costs
        return CostPage(total=len(points), limit=limit, offset=offset, points=points[offset : offset + limit])
    await find_run(run_id, registry, store)  # 404 for an unknown run
    total, points = await store.call("_costs", run_id, limit, offset)
    return CostPage(total=total, limit=limit, offset=offset, points=points)


@router.get("/{run_id}/parameters", responses=answers(404, 409))
async def get_parameters(run_id: str, registry: RegistryDep, store: StoreDep) -> Parameters:
    info = await find_run(run_id, registry, store)
    if info.status in UNFINISHED:
        raise HTTPException(409, f"run {run_id} is {info.status}: its weights are there once it finishes")
    stored = await store.call("_parameters", run_id)
    if stored is None:
        raise HTTPException(404, f"run {run_id} ended {info.status} without weights")
    return Parameters(id=run_id, parameters=json.loads(stored))


@router.delete(
    "/{run_id}",
    dependencies=[Depends(require_token), Depends(require_room_secret)],
    responses=answers(401, 403, 404),
)
async def delete_run(run_id: str, registry: RegistryDep, store: StoreDep) -> RunDeleted:
    channel = registry.channels.get(run_id)
    if channel is not None and not channel.finished:
        await registry.control(run_id, "stop")
        return RunDeleted(id=run_id, status="cancelled")
    registry.forget(run_id)
    if not await store.call("_delete_run", run_id):
        raise UnknownRun(f"no run {run_id!r}")
    return RunDeleted(id=run_id, status="deleted")


@router.post(
    "/{run_id}/control",
    dependencies=[Depends(require_token), Depends(require_room_secret)],
    responses=answers(400, 401, 403, 404),
)
async def control_run(run_id: str, control: ControlRequest, registry: RegistryDep) -> ControlAnswer:
    status = await registry.control(run_id, *control.command())
    return ControlAnswer(id=run_id, status=status)
