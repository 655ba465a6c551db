"""Sweeps off the server: the local process pool and a Dask cluster train the same sweep to the same table."""

import pytest

from app.executors import sweep_executor
from core.sweep import run_sweep, sweep_configs

BASE = {"preset": "init-he"}
GRID = {"initialization": ["zeros", "random", "he"], "seed": [1, 2, 3]}
COURSE_SEED_3 = {"zeros": 0.5, "random": 0.83, "he": 0.9933333333333333}


def table() -> list[dict]:
    configs = sweep_configs(BASE, GRID)
    rows: list[dict] = [{}] * len(configs)
    with sweep_executor() as executor:
        for i, row in run_sweep(configs, executor):
            rows[i] = row
    return rows


def seed_3(rows: list[dict]) -> dict[str, float]:
    return {init: rows[3 * k + 2]["train_accuracy"] for k, init in enumerate(GRID["initialization"])}


def test_the_local_pool_gives_the_course_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRAINLAB_DASK_ADDRESS", raising=False)
    assert seed_3(table()) == COURSE_SEED_3


def test_a_dask_cluster_gives_the_same_table_as_the_local_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.delenv("TRAINLAB_DASK_ADDRESS", raising=False)
    local = table()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        monkeypatch.setenv("TRAINLAB_DASK_ADDRESS", cluster.scheduler_address)
        assert table() == local
    assert seed_3(local) == COURSE_SEED_3
