"""A 27-run sweep (the Initialization presets × seeds 1-3 × learning rates 0.005, 0.01, 0.02) through the
sweep executor (a local process pool, or Dask with TRAINLAB_DASK_ADDRESS), against the same 27 runs one by
one in this process: runs per second of each and the speed-up, and whether the tables agree.

    python benchmarks/sweep.py
"""

import os
import time

from app.executors import sweep_executor
from core.sweep import outcome, run_sweep, sweep_configs

BASE = {"preset": "init-he"}
GRID = {"initialization": ["zeros", "random", "he"], "seed": [1, 2, 3], "learning_rate": [0.005, 0.01, 0.02]}


def main() -> None:
    configs = sweep_configs(BASE, GRID)
    started = time.perf_counter()
    one_by_one = [outcome(config) for config in configs]
    serial_s = time.perf_counter() - started

    started = time.perf_counter()
    swept: list[dict] = [{} for _ in configs]
    with sweep_executor() as executor:
        for i, row in run_sweep(configs, executor):
            swept[i] = row
    swept_s = time.perf_counter() - started

    where = os.environ.get("TRAINLAB_DASK_ADDRESS") or f"local process pool, {os.cpu_count()} cores"
    n = len(configs)
    print(f"one by one, one process: {n} runs in {serial_s:.2f} s, {n / serial_s:.2f} runs/s")
    print(f"sweep ({where}): {n} runs in {swept_s:.2f} s, {n / swept_s:.2f} runs/s (pool start-up included)")
    print(f"speed-up {serial_s / swept_s:.2f}x; same table: {swept == one_by_one}")


if __name__ == "__main__":
    main()
