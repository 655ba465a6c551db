"""What a run request becomes before it starts: its validated config and its data, as a `NewRun`.

Every way to start runs (one run, a comparison, a sweep) comes through here, so a config is validated once and
a dataset that cannot be had, or a config over the budget for its data's real size, is a 422 naming the place.
"""

from collections.abc import Callable
from pathlib import Path

from fastapi import Depends
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from app.deps import RoomsDep, SettingsDep
from app.errors import answers, invalid, invalid_field, without_paths
from app.guards.auth import require_token
from app.guards.room_auth import Owner, RoomMember, RoomSecret, owning_room
from app.live.registry import NewRun
from app.messages import config_json, dumps, snapshot_dataset
from app.models import RunRequest
from core.config import InlineData, RunConfig, budget_problem, dataset_key
from core.data import Dataset, resolve_dataset

Loc = tuple[str | int, ...]
# how a route that starts runs (one, or a comparison) is declared: 201, the token, the refusals it may answer
STARTS_RUNS = {
    "status_code": 201,
    "dependencies": [Depends(require_token)],
    "responses": answers(400, 401, 403, 429, 503, 507),
}
# how runs go (keep, speed, paused, room): in a comparison they are set beside "runs", not in a run
SHARED_FIELDS = frozenset(RunRequest.model_fields) - set(RunConfig.model_fields) - {"preset", "overrides"}


def loaded(config: RunConfig, data_dir: Path) -> tuple[Dataset, str]:
    """The run's data, and what the snapshot says of it, encoded (in a thread: thousands of points, or images)."""
    dataset = resolve_dataset(config.dataset, data_dir)
    return dataset, dumps(snapshot_dataset(dataset))


async def data_for(config: RunConfig, data_dir: Path, loc: Loc) -> tuple[Dataset, str]:
    """The config's data; a dataset that cannot be had (football without data.mat) is a 422 naming loc, and a
    config over the work or memory budget with this data's size a 422 naming the body."""
    try:
        dataset, dataset_json = await run_in_threadpool(loaded, config, data_dir)
    except ValueError as error:  # DatasetUnavailable included
        raise invalid_field(loc, without_paths(str(error), data_dir), "dataset_unavailable") from None
    problem = budget_problem(config, dataset.X_train.shape[1], dataset.n_features, dataset.m_test)  # its real size
    if problem:
        raise invalid_field(loc[:1], problem)
    return dataset, dataset_json


def config_of(request: RunRequest, *where: str | int) -> RunConfig:
    """The request's validated config; a preset's bad overrides are a 422 naming them under `where`."""
    try:
        return request.run_config()
    except ValidationError as error:
        raise invalid(error, *where, "overrides") from None


def compared_config(body: dict, i: int) -> RunConfig:
    """A comparison's run i, validated as POST /api/runs validates one; a 422 names it: ["body", "runs", i, ...]."""
    where = ("body", "runs", i)
    try:
        request = RunRequest.model_validate(body)
    except ValidationError as error:
        raise invalid(error, *where) from None
    shared = sorted(request.model_fields_set & set(SHARED_FIELDS))
    if shared:
        raise invalid_field(where, f"{', '.join(shared)}: set beside runs, for all of them")
    return config_of(request, *where)


async def new_runs(
    configs: list[RunConfig], data_dir: Path, loc: Callable[[int], Loc], keep: bool, speed: float | None,
    paused: bool, owner: Owner | None = None,
) -> list[NewRun]:  # fmt: skip
    """The configs as runs to start, each dataset resolved once (runs usually share their data); a 422 names the
    first config whose data cannot be had, at loc(its index)."""
    datasets: dict[str, tuple[Dataset, str, str | None]] = {}
    for i, config in enumerate(configs):
        key = dataset_key(config.dataset)
        if key not in datasets:
            dataset, dataset_json = await data_for(config, data_dir, loc(i))
            inline = dumps(config.dataset.model_dump(mode="json")) if isinstance(config.dataset, InlineData) else None
            datasets[key] = dataset, dataset_json, inline
    room, member = (owner.room.code, owner.member) if owner else (None, None)
    runs = []
    for config in configs:
        dataset, dataset_json, inline = datasets[dataset_key(config.dataset)]
        runs.append(
            NewRun(config, dataset, dataset_json, keep, speed, paused, room, config_json(config, inline), member)
        )
    return runs


async def new_run(
    request: RunRequest, settings: SettingsDep, rooms: RoomsDep, secret: RoomSecret = None, member: RoomMember = None
) -> NewRun:
    """A route dependency: the request's config, validated, and its data, resolved here so that a dataset that
    cannot be had is a 422 now, and so that the page gets the very points trained on. A room's run needs its
    secret (the presenter's) or a member's token (a student's)."""
    owner = owning_room(request.room, rooms, secret, member)
    config = config_of(request, "body")
    (run,) = await new_runs([config], settings.data_dir, lambda i: ("body", "dataset"), request.keep, request.speed,
                            request.paused, owner)  # fmt: skip
    return run
