"""A 27-run sweep (the Initialization presets × seeds 1-3 × learning rates 0.005, 0.01, 0.02) through the
sweep executor (a local process pool, or Dask with TRAINLAB_DASK_ADDRESS), against the same 27 runs one by
one in this process: runs per second of each and the speed-up, and whether the tables agree. The executor
trains the sweep twice: one run per task, and stacked (core.sweep.run_sweep: stackable runs trained together
by core.grid, up to 16 nets a task).

    python benchmarks/sweep.py
"""

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, as_completed

from app.executors import sweep_executor
from core.config import RunConfig
from core.sweep import outcome, run_sweep, sweep_configs

BASE = {"preset": "init-he"}
GRID = {"initialization": ["zeros", "random", "he"], "seed": [1, 2, 3], "learning_rate": [0.005, 0.01, 0.02]}


def one_per_task(configs: list[RunConfig], executor: Executor) -> Iterator[tuple[int, dict]]:
    """The sweep as it was before stacking: each config its own task."""
    futures = {executor.submit(outcome, config): i for i, config in enumerate(configs)}
    for future in as_completed(futures):
        yield futures[future], future.result()


def swept(configs: list[RunConfig], sweep: Callable) -> tuple[list[dict], float]:
    """The table and the seconds it took, the executor's start-up included."""
    started = time.perf_counter()
    rows: list[dict] = [{} for _ in configs]
    with sweep_executor() as executor:
        for i, row in sweep(configs, executor):
            rows[i] = row
    return rows, time.perf_counter() - started


def main() -> None:
    configs = sweep_configs(BASE, GRID)
    started = time.perf_counter()
    one_by_one = [outcome(config) for config in configs]
    serial_s = time.perf_counter() - started
    per_task, per_task_s = swept(configs, one_per_task)
    stacked, stacked_s = swept(configs, run_sweep)

    where = os.environ.get("TRAINLAB_DASK_ADDRESS") or f"local process pool, {os.cpu_count()} cores"
    n = len(configs)
    print(f"one by one, one process: {n} runs in {serial_s:.2f} s, {n / serial_s:.2f} runs/s")
    for name, rows, seconds in (("one run a task", per_task, per_task_s), ("stacked", stacked, stacked_s)):
        print(
            f"sweep, {name} ({where}): {n} runs in {seconds:.2f} s, {n / seconds:.2f} runs/s (pool start-up included)"
        )
        print(f"  speed-up {serial_s / seconds:.2f}x over one by one; same table: {rows == one_by_one}")
    print(f"stacked over one run a task: {per_task_s / stacked_s:.2f}x")


if __name__ == "__main__":
    main()
