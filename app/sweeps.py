"""Sweeps as the API keeps them: a base config and its setups (a grid's combinations, or random trials), each over
one or more seeds, the runs' configs, and the table of results with each setup's seeds summarized."""

import secrets
from dataclasses import dataclass

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.errors import invalid_field
from app.live.registry import Registry, UnknownRun
from app.models import SetupSummary, Spread, SweepCreated, SweepInfo, SweepRequest, SweepRow
from app.store import Store
from core.config import RunConfig
from core.jsonable import jsonable
from core.seeds import spread
from core.sweep import MAX_SWEEP_RUNS, combinations, error_locs, planned, planned_size, sweep_config

CSV_FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet would run such a cell as a formula


@dataclass(frozen=True)
class Plan:
    """A sweep's runs: their configs, each one's varied values, and each setup's runs (indices)."""

    configs: list[RunConfig]
    values: list[dict]
    setups: list[list[int]]


def plan_of(request: SweepRequest) -> Plan:
    """Every run's config; a 422 naming `grid` / `trials` (too many runs, a bad value), `space` or `base`."""
    varied = "grid" if request.search == "grid" else "space"
    size = planned_size(request.grid, request.trials, request.seeds)
    if size > MAX_SWEEP_RUNS:
        where = "grid" if request.search == "grid" else "trials"
        raise invalid_field(("body", where), f"the sweep makes {size} runs, more than a sweep's {MAX_SWEEP_RUNS}")
    space = None if request.space is None else {f: d.model_dump() for f, d in request.space.items()}
    try:
        values, setups = planned(request.base, request.grid, space, request.trials or 0, request.seed, request.seeds)
        return Plan([sweep_config(request.base, v) for v in values], values, setups)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error_locs(error, request.grid or space, varied)]
        ) from None
    except KeyError as error:  # an unknown preset
        raise invalid_field(("body", "base", "preset"), str(error.args[0])) from None
    except ValueError as error:  # config fields beside a preset
        raise invalid_field(("body", "base"), str(error)) from None


def record_sweep(request: SweepRequest, plan: Plan, store: Store, run_ids: list[str]) -> SweepCreated:
    sweep_id = secrets.token_hex(6)
    kept = request.model_dump(mode="json", include={"search", "space", "trials", "seed", "seeds"})
    store.add_sweep(
        sweep_id, request.base, request.grid, run_ids, {**kept, "values": plan.values, "setups": plan.setups}
    )
    return SweepCreated(id=sweep_id, runs=run_ids)


def spread_of(values: list) -> Spread | None:
    found = spread(values)
    return None if found is None else Spread(**jsonable(found))


async def sweep_info(sweep_id: str, registry: Registry, store: Store) -> SweepInfo:
    """The sweep's table: one row per run, in its runs' order, each run as the registry finds it; and each setup's
    final numbers over its seeds. A sweep stored before random search and seeds is a grid's, once each."""
    sweep = await store.sweep(sweep_id)
    if sweep is None:
        raise UnknownRun(f"no sweep {sweep_id!r}")
    run_ids, plan = sweep["run_ids"], sweep["plan"] or {"search": "grid", "seeds": 1}
    values = plan.get("values") or combinations(sweep["grid"])
    setups = plan.get("setups") or [[i] for i in range(len(run_ids))]
    setup_of = {i: s for s, indices in enumerate(setups) for i in indices}
    rows = []
    for i, (run_id, varied) in enumerate(zip(run_ids, values, strict=True)):
        run = await registry.find(run_id)
        result = run.result
        rows.append(
            SweepRow(
                id=run_id,
                values=varied,
                setup=setup_of[i],
                status=run.status,
                final_cost=result.final_cost if result else None,
                train_accuracy=result.train_accuracy if result else None,
                test_accuracy=result.test_accuracy if result else None,
            )
        )
    summaries = []
    for indices in setups:
        mine = [rows[i] for i in indices]
        numbers = {field: spread_of([getattr(row, field) for row in mine])
                   for field in ("final_cost", "train_accuracy", "test_accuracy")}  # fmt: skip
        setup_values = {k: v for k, v in mine[0].values.items() if not (plan["seeds"] > 1 and k == "seed")}
        summaries.append(SetupSummary(values=setup_values, runs=[row.id for row in mine], **numbers))
    finished = sum(row.status.finished for row in rows)
    return SweepInfo(
        id=sweep_id, base=sweep["base"], grid=sweep["grid"], search=plan["search"], space=plan.get("space"),
        trials=plan.get("trials"), seed=plan.get("seed"), seeds=plan["seeds"], finished=finished, total=len(rows),
        rows=rows, setups=summaries,
    )  # fmt: skip


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value
