"""A sweep: one base config and its setups — every combination of a grid of field values, or trials drawn at random
from per-field distributions (seeded: the same seed draws the same trials) — each setup one run, or one run per seed
when it is repeated over seeds.
"""

import os
from collections.abc import Iterator
from concurrent.futures import Executor, as_completed
from itertools import product
from math import prod
from typing import Any

import numpy as np
from pydantic import ValidationError

from core.config import RunConfig
from core.grid import stack_groups, train_grid
from core.presets import preset_config
from core.train import Result, train

MAX_SWEEP_RUNS = 64
MAX_STACK = 16  # nets trained together in one task: enough to pay off the per-call overhead, and room to share
MAX_SEEDS = 10  # a setup repeated over this many seeds at most
SEEDS = 2**32  # the config's seed range: a repeat's seed wraps around it


def grid_size(grid: dict[str, list[Any]]) -> int:
    return prod(len(values) for values in grid.values())


def combinations(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the last field varying fastest."""
    return [dict(zip(grid, values, strict=True)) for values in product(*grid.values())]


def drawn(field: str, distribution: dict[str, Any], rng: np.random.Generator) -> Any:
    """One value of a field from its distribution: {"distribution": "uniform" | "log-uniform", "low", "high"} or
    {"distribution": "choice", "values": [...]}; an integer field's draw is rounded (mini_batch_size, epochs, ...)."""
    kind = distribution["distribution"]
    if kind == "choice":
        values = distribution["values"]
        return values[int(rng.integers(len(values)))]
    low, high = distribution["low"], distribution["high"]
    value = float(np.exp(rng.uniform(np.log(low), np.log(high))) if kind == "log-uniform" else rng.uniform(low, high))
    return round(value) if RunConfig.model_fields[field].annotation in (int, int | None) else value


def random_trials(space: dict[str, dict[str, Any]], trials: int, seed: int) -> list[dict[str, Any]]:
    """`trials` setups drawn from the space's distributions with default_rng(seed): trial by trial, each field in the
    space's order. The same (space, trials, seed) draws the same setups."""
    rng = np.random.default_rng(seed)
    return [{field: drawn(field, distribution, rng) for field, distribution in space.items()} for _ in range(trials)]


def repeat_seeds(first: int, seeds: int) -> list[int]:
    """A setup's seeds: first, first + 1, ... (wrapping around the config's seed range)."""
    return [(first + j) % SEEDS for j in range(seeds)]


def over_seeds(
    setups: list[dict[str, Any]], seeds: int, first_seed: int
) -> tuple[list[dict[str, Any]], list[list[int]]]:
    """Each setup repeated with seeds first_seed, first_seed + 1, ...: the runs' values, setup by setup, and each
    setup's runs (indices). One seed: the setups as they are."""
    if seeds == 1:
        return setups, [[i] for i in range(len(setups))]
    runs = [{**values, "seed": seed} for values in setups for seed in repeat_seeds(first_seed, seeds)]
    return runs, [list(range(i * seeds, (i + 1) * seeds)) for i in range(len(setups))]


def sweep_config(base: dict[str, Any], values: dict[str, Any]) -> RunConfig:
    """The base (a config, or {"preset", "overrides"}) with values set; ValidationError names the field."""
    if "preset" in base:
        extra = set(base) - {"preset", "overrides"}
        if extra:
            raise ValueError(f"with a preset, put config fields in overrides: {', '.join(sorted(extra))}")
        return preset_config(base["preset"], {**(base.get("overrides") or {}), **values})
    return RunConfig.model_validate({**base, **values})


def planned(
    base: dict[str, Any],
    grid: dict[str, list[Any]] | None = None,
    space: dict[str, dict[str, Any]] | None = None,
    trials: int = 0,
    seed: int = 0,
    seeds: int = 1,
) -> tuple[list[dict[str, Any]], list[list[int]]]:
    """A sweep's runs: each one's values (the grid's combinations, or the space's random trials, each over `seeds`
    seeds from the base's own), and each setup's runs (indices). Check the size (planned_size) first."""
    setups = combinations(grid) if grid is not None else random_trials(space, trials, seed)
    return over_seeds(setups, seeds, sweep_config(base, {}).seed if seeds > 1 else 0)


def planned_size(grid: dict[str, list[Any]] | None, trials: int | None, seeds: int) -> int:
    return (grid_size(grid) if grid is not None else trials) * seeds


def sweep_configs(base: dict[str, Any], grid: dict[str, list[Any]]) -> list[RunConfig]:
    """The grid's configs, in combinations() order; ValidationError names the first bad combination's fields."""
    return [sweep_config(base, values) for values in combinations(grid)]


def error_locs(error: ValidationError, grid: dict[str, Any], varied: str = "grid") -> list[dict]:
    """The error's problems, each loc'd under `varied` ("grid" or "space": a varied field's) or "base" (the rest)."""
    out = []
    for e in error.errors(include_url=False):
        loc = e["loc"]
        where = (varied,) if (loc and loc[0] in grid) or not loc else ("base",)
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
