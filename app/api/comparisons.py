"""Comparisons: a few runs started at once, trained stacked on one worker when they can be (docs/protocol.md)."""

from fastapi import APIRouter, Response

from app.deps import RegistryDep, RoomsDep, SettingsDep
from app.guards.limits import RunQuotaDep
from app.guards.room_auth import RoomMember, RoomSecret, owning_room, room_quota
from app.launch import STARTS_RUNS, compared_config, new_runs
from app.messages import created_json, dumps
from app.models import ComparisonCreated, ComparisonRequest
from core.grid import can_stack
from core.sweep import repeat_seeds

router = APIRouter(prefix="/api/comparisons", tags=["comparisons"])


@router.post("", response_model=ComparisonCreated, **STARTS_RUNS)
async def create_comparison(
    request: ComparisonRequest,
    registry: RegistryDep,
    settings: SettingsDep,
    rooms: RoomsDep,
    quota: RunQuotaDep,
    secret: RoomSecret = None,
    member: RoomMember = None,
) -> Response:
    owner = owning_room(request.room, rooms, secret, member)
    setups = [compared_config(body, i) for i, body in enumerate(request.runs)]
    configs = [
        setup.model_copy(update={"seed": seed}) for setup in setups for seed in repeat_seeds(setup.seed, request.seeds)
    ]
    runs = await new_runs(
        configs, settings.data_dir, lambda i: ("body", "runs", i // request.seeds, "dataset"),
        request.keep, request.speed, request.paused, owner,
    )  # fmt: skip
    registry.make_room(runs)  # the global cap first: a refused start does not count against the client
    quota = room_quota(quota, rooms, registry, runs[0].room, runs[0].member, len(runs))
    quota.admit(len(runs))
    if request.seeds > 1:  # trained as a sweep's runs are: stacked in groups where they can, no landscape
        stacked, channels = False, registry.create_stacked(runs)
    else:
        stacked = len(runs) > 1 and can_stack(configs)
        channels = registry.create_group(runs, landscape=True) if stacked else [registry.create(run) for run in runs]
    quota.record([channel.id for channel in channels])
    ids = [channel.id for channel in channels]
    by_setup = [ids[i : i + request.seeds] for i in range(0, len(ids), request.seeds)]
    created = ",".join(created_json(channel) for channel in channels)  # each config as encoded once
    body = f'{{"runs":[{created}],"stacked":{dumps(stacked)},"setups":{dumps(by_setup)}}}'
    return Response(body, status_code=201, media_type="application/json")
