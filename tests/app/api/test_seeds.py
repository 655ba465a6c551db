"""Trust over seeds through the real server: a comparison over seeds and its bands equal the per-seed runs trained
here; a random sweep is reproducible from its seed; the sweep's table summarizes each setup's seeds."""

import numpy as np
import pytest

from core.config import RunConfig
from core.train import train
from tests.app.client import HTTP, strict_loads, wait_for

BASE = {"dataset": {"name": "moons", "n_train": 60}, "hidden_layers": [4], "epochs": 300, "report_every": 50}
SPACE = {
    "learning_rate": {"distribution": "log-uniform", "low": 0.001, "high": 0.5},
    "optimizer": {"distribution": "choice", "values": ["gd", "adam"]},
}

NEGATIVE = {"distribution": "uniform", "low": -1, "high": 1}  # learning rates drawn from it are refused


def finished(base: str, run_ids: list[str]) -> None:
    wait_for(lambda: all(HTTP.get(f"{base}/api/runs/{r}").json()["result"] for r in run_ids), timeout=60, interval=0.2)


def test_a_comparison_over_seeds_and_its_bands_are_the_per_seed_runs(live_server):
    body = {"runs": [{**BASE, "seed": 1}, {**BASE, "seed": 1, "initialization": "xavier"}], "seeds": 3, "keep": True}
    created = HTTP.post(f"{live_server}/api/comparisons", json=body).json()
    setups = created["setups"]
    assert [len(ids) for ids in setups] == [3, 3] and [r["id"] for r in created["runs"]] == setups[0] + setups[1]
    assert [r["config"]["seed"] for r in created["runs"]] == [1, 2, 3, 1, 2, 3]
    finished(live_server, setups[0] + setups[1])
    params = [("setup", ",".join(ids)) for ids in setups]
    bands = strict_loads(HTTP.get(f"{live_server}/api/bands", params=params).text)
    assert bands["band"] == "min-max"
    for drawn, overrides in zip(bands["setups"], ({}, {"initialization": "xavier"}), strict=True):
        results = [train(RunConfig(**{**BASE, **overrides}, seed=seed)) for seed in (1, 2, 3)]
        costs = np.array([[c for _, c in r.costs] for r in results])
        assert drawn["epochs"] == [e for e, _ in results[0].costs]
        assert drawn["mean"] == pytest.approx(costs.mean(axis=0).tolist(), rel=1e-12)
        assert drawn["low"] == pytest.approx(costs.min(axis=0).tolist(), rel=1e-12)
        assert drawn["high"] == pytest.approx(costs.max(axis=0).tolist(), rel=1e-12)
        train_accuracies = [r.train_accuracy for r in results]
        assert drawn["train_accuracy"]["mean"] == pytest.approx(np.mean(train_accuracies), rel=1e-12)
        assert drawn["train_accuracy"]["std"] == pytest.approx(np.std(train_accuracies), abs=1e-12)
        assert drawn["final_cost"]["n"] == 3


def random_sweep(base: str, seed: int, seeds: int = 1) -> dict:
    body = {"base": BASE, "search": "random", "space": SPACE, "trials": 4, "seed": seed, "seeds": seeds}
    response = HTTP.post(f"{base}/api/sweeps", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_random_sweep_is_reproducible_from_its_seed(live_server):
    first, again, other = (random_sweep(live_server, seed) for seed in (11, 11, 12))
    infos = [HTTP.get(f"{live_server}/api/sweeps/{s['id']}").json() for s in (first, again, other)]
    values = [[row["values"] for row in info["rows"]] for info in infos]
    assert values[0] == values[1] != values[2]
    assert infos[0]["search"] == "random" and infos[0]["trials"] == 4 and infos[0]["seed"] == 11
    for row in infos[0]["rows"]:
        assert 0.001 <= row["values"]["learning_rate"] <= 0.5 and row["values"]["optimizer"] in ("gd", "adam")
    runs = [s["runs"] for s in (first, again)]
    finished(live_server, runs[0] + runs[1])
    costs = [[row["final_cost"] for row in HTTP.get(f"{live_server}/api/sweeps/{s['id']}").json()["rows"]]
             for s in (first, again)]  # fmt: skip
    assert costs[0] == costs[1]  # the same trials train to the same numbers
    csv = HTTP.get(f"{live_server}/api/sweeps/{first['id']}.csv").text.splitlines()
    assert csv[0].startswith("learning_rate,optimizer,id,status") and len(csv) == 5


def test_a_sweep_over_seeds_summarizes_each_setup(live_server):
    created = random_sweep(live_server, 5, seeds=2)
    assert len(created["runs"]) == 8
    finished(live_server, created["runs"])
    info = HTTP.get(f"{live_server}/api/sweeps/{created['id']}").json()
    assert [row["setup"] for row in info["rows"]] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert [row["values"]["seed"] for row in info["rows"]] == [3, 4] * 4  # the base's seed (3), then 4
    for summary in info["setups"]:
        mine = [row for row in info["rows"] if row["id"] in summary["runs"]]
        assert "seed" not in summary["values"] and len(mine) == 2
        assert summary["final_cost"]["mean"] == pytest.approx(np.mean([row["final_cost"] for row in mine]))
        assert summary["final_cost"]["min"] == min(row["final_cost"] for row in mine)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"search": "random", "space": SPACE}, ["body"]),  # no trials
        ({"search": "random", "space": SPACE, "trials": 40, "seeds": 2}, ["body", "trials"]),  # 80 runs
        ({"grid": {"seed": [1, 2]}, "seeds": 2}, ["body"]),
        ({"search": "random", "trials": 2, "space": {"beta": {"distribution": "uniform", "low": 1, "high": 0}}},
         ["body", "space", "beta", "uniform"]),
        ({"search": "random", "trials": 2, "space": {"learning_rate": NEGATIVE}}, ["body", "space", "learning_rate"]),
        ({"grid": {"learning_rate": [0.1]}, "seeds": 11}, ["body", "seeds"]),
    ],
)  # fmt: skip
def test_bad_searches_are_refused_naming_the_field(live_server, body, loc):
    response = HTTP.post(f"{live_server}/api/sweeps", json={"base": BASE, **body})
    assert response.status_code == 422, response.text
    locs = [error["loc"] for error in response.json()["detail"]]
    assert any(found[: len(loc)] == loc for found in locs), locs


def test_bands_refusals(live_server):
    assert HTTP.get(f"{live_server}/api/bands", params={"setup": "nosuchrun"}).status_code == 404
    assert HTTP.get(f"{live_server}/api/bands").status_code == 422
    assert HTTP.get(f"{live_server}/api/bands", params=[("setup", ",")]).json()["detail"][0]["loc"] == [
        "query",
        "setup",
    ]
