"""Sweeps as the API keeps them: a base config × a grid, its combinations' configs, and its table of results."""

import secrets

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.errors import invalid_field
from app.live.registry import Registry, UnknownRun
from app.models import DELETED, SweepCreated, SweepInfo, SweepRequest, SweepRow
from app.store import Store
from core.config import RunConfig
from core.sweep import MAX_SWEEP_RUNS, BadBase, combinations, error_locs, grid_size, sweep_configs

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
    except BadBase as error:  # a preset or overrides of the wrong type
        raise invalid_field(("body", "base", error.part), str(error)) from None
    except KeyError as error:  # an unknown preset
        raise invalid_field(("body", "base", "preset"), str(error.args[0])) from None
    except ValueError as error:  # config fields beside a preset
        raise invalid_field(("body", "base"), str(error)) from None


def record_sweep(request: SweepRequest, store: Store, run_ids: list[str]) -> SweepCreated:
    sweep_id = secrets.token_hex(6)
    store.add_sweep(sweep_id, request.base, request.grid, run_ids)
    return SweepCreated(id=sweep_id, runs=run_ids)


async def sweep_info(sweep_id: str, registry: Registry, store: Store) -> SweepInfo:
    """The sweep's table: one row per run, in its runs' order, each run as the registry finds it."""
    sweep = await store.sweep(sweep_id)
    if sweep is None:
        raise UnknownRun(f"no sweep {sweep_id!r}")
    rows = []
    for run_id, values in zip(sweep["run_ids"], combinations(sweep["grid"]), strict=True):
        try:
            run = await registry.find(run_id)
        except UnknownRun:  # deleted since (by a client, or the store's retention bound): the others stand
            rows.append(SweepRow(id=run_id, values=values, status=DELETED, final_cost=None, train_accuracy=None,
                                 test_accuracy=None))  # fmt: skip
            continue
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
    finished = sum(row.status == DELETED or row.status.finished for row in rows)
    queued = sum(row.id in registry.waiting for row in rows)  # not yet on a worker
    return SweepInfo(
        id=sweep_id, base=sweep["base"], grid=sweep["grid"], queued=queued, running=len(rows) - queued - finished,
        finished=finished, total=len(rows), rows=rows,
    )  # fmt: skip


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value
