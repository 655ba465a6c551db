"""Comparisons: a few runs started at once, trained stacked on one worker when they can be (docs/protocol.md)."""

from fastapi import APIRouter, Depends
from pydantic import ValidationError

from app.api.errors import answers, invalid, invalid_field
from app.api.runs import resolve
from app.auth import require_token
from app.deps import RegistryDep, RoomsDep, SettingsDep
from app.limits import RunQuotaDep
from app.models import ComparisonCreated, ComparisonRequest, RunCreated, RunRequest
from app.registry import NewRun
from app.room_auth import RoomSecret, owning_room
from core.config import RunConfig
from core.grid import can_stack

router = APIRouter(prefix="/api/comparisons", tags=["comparisons"])
SHARED_FIELDS = ("keep", "speed", "paused", "room")  # beside "runs", not in a run


def run_config(body: dict, i: int) -> RunConfig:
    """Run i's config, validated as POST /api/runs validates one; a 422 names it: ["body", "runs", i, ...]."""
    where = ("body", "runs", i)
    try:
        request = RunRequest.model_validate(body)
    except ValidationError as error:
        raise invalid(error, *where) from None
    shared = sorted(request.model_fields_set & set(SHARED_FIELDS))
    if shared:
        raise invalid_field(where, f"{', '.join(shared)}: set beside runs, for all of them")
    try:
        return request.run_config()
    except ValidationError as error:  # a preset's override
        raise invalid(error, *where, "overrides") from None


@router.post("", status_code=201, dependencies=[Depends(require_token)], responses=answers(400, 401, 403, 429, 503))
async def create_comparison(
    request: ComparisonRequest,
    registry: RegistryDep,
    settings: SettingsDep,
    rooms: RoomsDep,
    quota: RunQuotaDep,
    secret: RoomSecret = None,
) -> ComparisonCreated:
    room = owning_room(request.room, rooms, secret)
    configs = [run_config(body, i) for i, body in enumerate(request.runs)]
    datasets: dict[str, tuple] = {}  # the runs usually share their data: resolve it once
    for i, config in enumerate(configs):
        key = repr(config.dataset)
        if key not in datasets:
            datasets[key] = await resolve(config, settings, ("body", "runs", i, "dataset"))
    runs = [NewRun(c, *datasets[repr(c.dataset)], request.keep, request.speed, request.paused, room) for c in configs]
    registry.make_room(len(runs))  # the global cap first: a refused start does not count against the client
    quota.admit(len(runs))
    stacked = len(runs) > 1 and can_stack(configs)
    channels = registry.create_group(runs) if stacked else [registry.create(run) for run in runs]
    quota.record([channel.id for channel in channels])
    return ComparisonCreated(
        runs=[RunCreated(id=c.id, status=c.status, config=c.config) for c in channels], stacked=stacked
    )
