"""Sweeps off the server: the local process pool and a Dask cluster train the same sweep to the same table."""

import pytest

from app.executors import sweep_executor
from core.grid import stack_groups
from core.sweep import MAX_STACK, outcome, run_sweep, sweep_configs

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


def test_the_stacked_sweep_gives_the_table_of_each_config_trained_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool trains stackable combinations together (core.grid): every row is bit for bit the one-by-one row,
    for full-batch runs and for mini-batch ones (the course's reseeded shuffles, and one seed's stream)."""
    monkeypatch.delenv("TRAINLAB_DASK_ADDRESS", raising=False)
    base = {"preset": "opt-adam", "overrides": {"epochs": 300}}
    grid = {"optimizer": ["gd", "momentum", "adam"], "course_compat": [True, False], "learning_rate": [0.0007, 0.01]}
    configs = sweep_configs(base, grid) + sweep_configs({"preset": "init-he"}, {"seed": [1, 2]})
    assert len(stack_groups(configs, MAX_STACK, 2)) < len(configs)  # some do train together
    rows: list[dict] = [{}] * len(configs)
    with sweep_executor() as executor:
        for i, row in run_sweep(configs, executor, parts=2):
            rows[i] = row
    assert rows == [outcome(config) for config in configs]
