"""Comparisons: a few runs started at once, trained stacked on one worker when they can be (docs/protocol.md)."""

from fastapi import APIRouter, Response

from app.deps import RegistryDep, RoomsDep, SettingsDep
from app.guards.limits import RunQuotaDep
from app.guards.room_auth import RoomSecret, owning_room
from app.launch import STARTS_RUNS, compared_config, new_runs
from app.messages import created_json, dumps
from app.models import ComparisonCreated, ComparisonRequest
from core.grid import can_stack

router = APIRouter(prefix="/api/comparisons", tags=["comparisons"])


@router.post("", response_model=ComparisonCreated, **STARTS_RUNS)
async def create_comparison(
    request: ComparisonRequest,
    registry: RegistryDep,
    settings: SettingsDep,
    rooms: RoomsDep,
    quota: RunQuotaDep,
    secret: RoomSecret = None,
) -> Response:
    room = owning_room(request.room, rooms, secret)
    configs = [compared_config(body, i) for i, body in enumerate(request.runs)]
    runs = await new_runs(
        configs, settings.data_dir, lambda i: ("body", "runs", i, "dataset"),
        request.keep, request.speed, request.paused, room,
    )  # fmt: skip
    registry.make_room(len(runs))  # the global cap first: a refused start does not count against the client
    quota.admit(len(runs))
    stacked = len(runs) > 1 and can_stack(configs)
    channels = registry.create_group(runs) if stacked else [registry.create(run) for run in runs]
    quota.record([channel.id for channel in channels])
    created = ",".join(created_json(channel) for channel in channels)  # each config as encoded once
    return Response(
        f'{{"runs":[{created}],"stacked":{dumps(stacked)}}}', status_code=201, media_type="application/json"
    )
