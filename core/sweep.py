"""A sweep: one base config and a grid of field values; every combination is one run."""

import os
from collections.abc import Iterator
from concurrent.futures import Executor, as_completed
from itertools import product
from math import prod
from typing import Any

from pydantic import ValidationError

from core.config import RunConfig
from core.grid import stack_groups, train_grid
from core.presets import preset_config
from core.train import Result, train

MAX_SWEEP_RUNS = 64
MAX_STACK = 16  # nets trained together in one task: enough to pay off the per-call overhead, and room to share


def grid_size(grid: dict[str, list[Any]]) -> int:
    return prod(len(values) for values in grid.values())


def combinations(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the last field varying fastest."""
    return [dict(zip(grid, values, strict=True)) for values in product(*grid.values())]


class BadBase(ValueError):  # noqa: N818 - reads as a sentence: raise BadBase
    """A base's preset form that is not one: `part` names which of its parts ("preset" or "overrides")."""

    def __init__(self, part: str, message: str):
        super().__init__(message)
        self.part = part


def config_of(base: dict[str, Any], values: dict[str, Any]) -> RunConfig:
    """The base (a config, or {"preset", "overrides"}) with values set; ValidationError names the field, BadBase
    a preset or overrides of the wrong type."""
    if "preset" in base:
        extra = set(base) - {"preset", "overrides"}
        if extra:
            raise ValueError(f"with a preset, put config fields in overrides: {', '.join(sorted(extra))}")
        if not isinstance(base["preset"], str):
            raise BadBase("preset", f"preset: a preset's name, not {type(base['preset']).__name__}")
        overrides = base.get("overrides")
        if overrides is not None and not isinstance(overrides, dict):
            raise BadBase("overrides", f"overrides: an object of config fields, not {type(overrides).__name__}")
        return preset_config(base["preset"], {**(overrides or {}), **values})
    return RunConfig.model_validate({**base, **values})


def sweep_configs(base: dict[str, Any], grid: dict[str, list[Any]]) -> list[RunConfig]:
    """The grid's configs, in combinations() order; ValidationError names the first bad combination's fields.
    A base's dataset is validated once, for every combination (inline rows would be checked 64 times)."""
    combos = combinations(grid)
    if combos and "dataset" in base and "dataset" not in grid:
        base = {**base, "dataset": config_of(base, combos[0]).dataset}
    return [config_of(base, values) for values in combos]


def error_locs(error: ValidationError, grid: dict[str, list[Any]]) -> list[dict]:
    """The error's problems, each loc'd under "grid" (a varied field's) or "base" (the rest)."""
    out = []
    for e in error.errors(include_url=False):
        loc = e["loc"]
        where = ("grid",) if (loc and loc[0] in grid) or not loc else ("base",)
        out.append({"loc": (*where, *loc), "msg": e["msg"], "type": e["type"]})
    return out


def row_of(result: Result) -> dict[str, Any]:
    """A result's row of a sweep's table."""
    return {
        "status": result.status,
        "final_cost": result.final_cost,
        "train_accuracy": result.train_accuracy,
        "test_accuracy": result.test_accuracy,
    }


def outcome(config: RunConfig, data_dir: str | None = None) -> dict[str, Any]:
    """Train one config to the end: its row of a sweep's table (what an Executor sends back; picklable)."""
    return row_of(train(config, data_dir=data_dir))


def outcomes(configs: list[RunConfig], data_dir: str | None = None) -> list[dict[str, Any]]:
    """Configs that can_stack (or one config), trained together (core.grid): their rows, the same as each alone
    gives (one Executor task; picklable)."""
    if len(configs) == 1:
        return [outcome(configs[0], data_dir)]
    return [row_of(result) for result in train_grid(configs, data_dir=data_dir)]


def run_sweep(
    configs: list[RunConfig], executor: Executor, data_dir: str | None = None, parts: int = os.cpu_count() or 1
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each config's outcome through the executor (a process pool, Dask's...): (index, row), as they finish.
    Configs that can stack train together, in tasks of up to MAX_STACK nets, at least `parts` of a kind (the
    executor's workers share them)."""
    futures = {
        executor.submit(outcomes, [configs[i] for i in indices], data_dir): indices
        for indices in stack_groups(configs, MAX_STACK, parts)
    }
    for future in as_completed(futures):
        yield from zip(futures[future], future.result(), strict=True)
