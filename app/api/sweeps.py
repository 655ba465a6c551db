"""Sweeps: one base config × a grid of values, each combination a kept run on the worker pool (docs/protocol.md)."""

import csv
import io
import secrets

from fastapi import APIRouter, Depends
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from app.api.errors import answers, file_answer, invalid_field
from app.api.runs import resolve
from app.auth import require_token
from app.deps import ClusterDep, RegistryDep, SettingsDep, StoreDep
from app.limits import RunQuotaDep
from app.lookup import find_run
from app.models import SweepCreated, SweepInfo, SweepRequest, SweepRow
from app.registry import NewRun, UnknownRun
from app.store import UNFINISHED
from core.config import RunConfig
from core.grid import stack_groups
from core.sweep import MAX_STACK, MAX_SWEEP_RUNS, combinations, error_locs, grid_size, sweep_configs

router = APIRouter(prefix="/api/sweeps", tags=["sweeps"])
CSV_FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet would run such a cell as a formula


def configs_of(request: SweepRequest) -> list[RunConfig]:
    """Every combination's config; a 422 naming `grid` (too big, bad value) or `base` otherwise."""
    size = grid_size(request.grid)
    if size > MAX_SWEEP_RUNS:
        raise invalid_field(("body", "grid"), f"the grid makes {size} runs, more than a sweep's {MAX_SWEEP_RUNS}")
    try:
        return sweep_configs(request.base, request.grid)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error_locs(error, request.grid)]
        ) from None
    except KeyError as error:  # an unknown preset
        raise invalid_field(("body", "base", "preset"), str(error.args[0])) from None
    except ValueError as error:  # config fields beside a preset
        raise invalid_field(("body", "base"), str(error)) from None


@router.post("", status_code=201, dependencies=[Depends(require_token)], responses=answers(400, 401, 429, 503))
async def create_sweep(
    request: SweepRequest,
    registry: RegistryDep,
    store: StoreDep,
    settings: SettingsDep,
    cluster: ClusterDep,
    quota: RunQuotaDep,
) -> SweepCreated:
    configs = configs_of(request)
    if cluster is not None:  # a Dask cluster trains it: nothing of the local pool's is used
        quota.admit(len(configs))
        run_ids = cluster.submit(configs)
        quota.record(run_ids)
        return record_sweep(request, store, run_ids)
    registry.make_room(len(configs))
    datasets: dict[str, tuple] = {}  # the grid rarely varies the data: resolve each dataset once
    for config in configs:
        key = repr(config.dataset)
        if key not in datasets:
            datasets[key] = await resolve(config, settings, ("body", "base", "dataset"))
    registry.make_room(len(configs))  # again: other requests may have started runs while datasets resolved
    quota.admit(len(configs))
    runs = [NewRun(config, *datasets[repr(config.dataset)], keep=True, speed=None, paused=False) for config in configs]
    run_ids = [""] * len(runs)
    # combinations that can stack train together, in groups the workers share (app/gridslot.py)
    for indices in stack_groups(configs, MAX_STACK, settings.workers):
        group = [runs[i] for i in indices]
        channels = registry.create_group(group) if len(group) > 1 else [registry.create(group[0])]
        for i, channel in zip(indices, channels, strict=True):
            run_ids[i] = channel.id
    quota.record(run_ids)
    return record_sweep(request, store, run_ids)


def record_sweep(request: SweepRequest, store: StoreDep, run_ids: list[str]) -> SweepCreated:
    sweep_id = secrets.token_hex(6)
    store.post("_add_sweep", sweep_id, request.base, request.grid, run_ids)
    return SweepCreated(id=sweep_id, runs=run_ids)


async def sweep_info(sweep_id: str, registry: RegistryDep, store: StoreDep) -> SweepInfo:
    sweep = await store.call("_sweep", sweep_id)
    if sweep is None:
        raise UnknownRun(f"no sweep {sweep_id!r}")
    rows = []
    for run_id, values in zip(sweep["run_ids"], combinations(sweep["grid"]), strict=True):
        run = await find_run(run_id, registry, store)
        result = run.result
        rows.append(
            SweepRow(
                id=run_id,
                values=values,
                status=run.status,
                final_cost=result.final_cost if result else None,
                train_accuracy=result.train_accuracy if result else None,
                test_accuracy=result.test_accuracy if result else None,
            )
        )
    finished = sum(row.status not in UNFINISHED for row in rows)
    return SweepInfo(id=sweep_id, base=sweep["base"], grid=sweep["grid"], finished=finished, total=len(rows), rows=rows)


def csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value


@router.get(
    "/{sweep_id}.csv",
    response_class=Response,
    responses={**file_answer("text/csv"), **answers(404)},
)
async def get_sweep_csv(sweep_id: str, registry: RegistryDep, store: StoreDep) -> Response:
    info = await sweep_info(sweep_id, registry, store)
    out = io.StringIO()
    writer = csv.writer(out)
    fields = list(info.grid)
    writer.writerow([*fields, "id", "status", "final_cost", "train_accuracy", "test_accuracy"])
    for row in info.rows:
        cells = [
            *(row.values[f] for f in fields),
            row.id,
            row.status,
            row.final_cost,
            row.train_accuracy,
            row.test_accuracy,
        ]
        writer.writerow([csv_cell(c) for c in cells])
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="sweep-{sweep_id}.csv"'},
    )


@router.get("/{sweep_id}", responses=answers(404))
async def get_sweep(sweep_id: str, registry: RegistryDep, store: StoreDep) -> SweepInfo:
    return await sweep_info(sweep_id, registry, store)
