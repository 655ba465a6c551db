"""Runs: start one, list them, read one (its costs, its weights), control one, delete one (docs/protocol.md)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from app.deps import RegistryDep, RoomsDep
from app.errors import answers
from app.guards.auth import require_token
from app.guards.limits import RunQuotaDep
from app.guards.room_auth import require_room_secret, room_quota
from app.launch import STARTS_RUNS, new_run
from app.live.registry import NewRun
from app.messages import created_json
from app.models import (
    DELETED,
    ControlAnswer,
    ControlRequest,
    CostPage,
    Parameters,
    RunCreated,
    RunDeleted,
    RunInfo,
    RunPage,
)
from core.status import RunStatus

router = APIRouter(prefix="/api/runs", tags=["runs"])
Limit = Annotated[int, Query(ge=1, le=1000)]
MAX_OFFSET = 10**9  # past it SQLite's 64-bit integers are not far: a 422, not a 500
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


@router.post("", response_model=RunCreated, **STARTS_RUNS)
async def create_run(
    run: Annotated[NewRun, Depends(new_run)], registry: RegistryDep, rooms: RoomsDep, quota: RunQuotaDep
) -> Response:
    registry.make_room([run])  # the global cap first: a refused start does not count against the client
    quota = room_quota(quota, rooms, registry, run.room, run.member, 1)
    quota.admit(1)
    channel = registry.create(run)
    quota.record([channel.id])
    return Response(created_json(channel), status_code=201, media_type="application/json")


@router.get("")
async def list_runs(
    registry: RegistryDep, status: RunStatus | None = None, limit: Limit = 50, offset: Offset = 0
) -> RunPage:
    """Newest first."""
    return await registry.page(status, limit, offset)


@router.get("/{run_id}", responses=answers(404))
async def get_run(run_id: str, registry: RegistryDep) -> RunInfo:
    return await registry.find(run_id)


@router.get("/{run_id}/costs", responses=answers(404))
async def get_costs(run_id: str, registry: RegistryDep, limit: Limit = 1000, offset: Offset = 0) -> CostPage:
    return await registry.costs(run_id, limit, offset)


@router.get("/{run_id}/parameters", responses=answers(404, 409))
async def get_parameters(run_id: str, registry: RegistryDep) -> Parameters:
    parameters = await registry.parameters(run_id)
    if parameters is None:
        info = await registry.find(run_id)
        raise HTTPException(404, f"run {run_id} ended {info.status} without weights")
    return Parameters(id=run_id, parameters=parameters)


@router.delete(
    "/{run_id}",
    dependencies=[Depends(require_token), Depends(require_room_secret)],
    responses=answers(401, 403, 404),
)
async def delete_run(run_id: str, registry: RegistryDep) -> RunDeleted:
    stopped = await registry.delete(run_id)
    return RunDeleted(id=run_id, status=stopped or DELETED)


@router.post(
    "/{run_id}/control",
    dependencies=[Depends(require_token), Depends(require_room_secret)],
    responses=answers(400, 401, 403, 404),
)
async def control_run(run_id: str, control: ControlRequest, registry: RegistryDep) -> ControlAnswer:
    status = await registry.control(run_id, *control.command())
    return ControlAnswer(id=run_id, status=status)
