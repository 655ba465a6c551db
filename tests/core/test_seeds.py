"""Trust over seeds: random search draws the same trials from the same seed, within each field's distribution; a
setup repeated over seeds gets consecutive seeds; its band and spreads are its runs' own numbers."""

import math

import numpy as np
import pytest

from core.config import RunConfig
from core.seeds import band, spread
from core.sweep import SEEDS, over_seeds, planned, random_trials, repeat_seeds
from core.train import train

SPACE = {
    "learning_rate": {"distribution": "log-uniform", "low": 1e-4, "high": 1.0},
    "beta": {"distribution": "uniform", "low": 0.8, "high": 0.99},
    "optimizer": {"distribution": "choice", "values": ["gd", "momentum", "adam"]},
    "mini_batch_size": {"distribution": "log-uniform", "low": 16, "high": 256},
}


def test_a_random_search_is_reproducible_from_its_seed():
    first, again, other = random_trials(SPACE, 40, 7), random_trials(SPACE, 40, 7), random_trials(SPACE, 40, 8)
    assert first == again and first != other
    assert random_trials(SPACE, 10, 7) == first[:10]  # trial by trial: more trials only add to the list
    for trial in first:
        assert list(trial) == list(SPACE)
        assert 1e-4 <= trial["learning_rate"] <= 1 and 0.8 <= trial["beta"] <= 0.99
        assert trial["optimizer"] in ("gd", "momentum", "adam")
        assert isinstance(trial["mini_batch_size"], int) and 16 <= trial["mini_batch_size"] <= 256
    # log-uniform: uniform in log10(α), so about half the rates fall below 10^-2
    rates = [t["learning_rate"] for t in random_trials(SPACE, 2000, 1)]
    assert 0.45 < np.mean(np.array(rates) < 1e-2) < 0.55
    assert {t["optimizer"] for t in first} == {"gd", "momentum", "adam"}


def test_the_draws_are_numpys_default_rng_in_order():
    rng = np.random.default_rng(3)
    expected = [
        {"learning_rate": math.exp(rng.uniform(math.log(1e-4), math.log(1.0))), "beta": rng.uniform(0.8, 0.99)}
        for _ in range(5)
    ]
    space = {k: SPACE[k] for k in ("learning_rate", "beta")}
    drawn = random_trials(space, 5, 3)
    assert [list(trial) for trial in drawn] == [list(trial) for trial in expected]
    for trial, want in zip(drawn, expected, strict=True):
        assert trial == {key: pytest.approx(value, rel=1e-15) for key, value in want.items()}


def test_a_setup_over_seeds_gets_consecutive_seeds():
    runs, setups = over_seeds([{"learning_rate": 0.1}, {"learning_rate": 0.2}], 3, 5)
    assert [r["seed"] for r in runs] == [5, 6, 7, 5, 6, 7] and setups == [[0, 1, 2], [3, 4, 5]]
    assert over_seeds([{"a": 1}], 1, 5) == ([{"a": 1}], [[0]])
    assert repeat_seeds(SEEDS - 1, 3) == [SEEDS - 1, 0, 1]
    values, setups = planned({"preset": "init-he"}, grid={"learning_rate": [0.1]}, seeds=2)
    assert values == [{"learning_rate": 0.1, "seed": 3}, {"learning_rate": 0.1, "seed": 4}]  # init-he's seed is 3


def test_the_band_and_the_spreads_are_the_seeds_own_numbers():
    base = {"dataset": {"name": "moons", "n_train": 60}, "hidden_layers": [4], "epochs": 300, "report_every": 50}
    results = [train(RunConfig(**base, seed=seed)) for seed in (1, 2, 3)]
    curves = [[[e, c] for e, c in r.costs] for r in results]
    drawn = band(curves)
    costs = np.array([[c for _, c in r.costs] for r in results])
    assert drawn["epochs"] == [e for e, _ in results[0].costs]
    assert drawn["mean"] == pytest.approx(costs.mean(axis=0).tolist(), rel=1e-15)
    assert drawn["low"] == costs.min(axis=0).tolist() and drawn["high"] == costs.max(axis=0).tolist()
    assert drawn["std"] == pytest.approx(costs.std(axis=0).tolist(), rel=1e-12)
    final = [r.final_cost for r in results]
    assert spread(final) == {"mean": pytest.approx(np.mean(final)), "std": pytest.approx(np.std(final)),
                             "min": min(final), "max": max(final), "n": 3}  # fmt: skip


def test_a_band_keeps_the_epochs_every_run_reached():
    drawn = band([[[0, 1.0], [10, 0.5], [20, 0.2]], [[0, 3.0], [10, "inf"]]])
    assert drawn["epochs"] == [0, 10] and drawn["mean"][0] == 2.0 and drawn["high"][1] == math.inf
    assert spread([None, None]) is None and spread([1.0, None])["n"] == 1
