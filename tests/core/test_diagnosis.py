"""The states a learner reads on the page are true: a dead network outputs a constant, a diverged run says which
rule fired, a stalled run's cost really has not moved — and a healthy run has no diagnosis at all."""

import numpy as np
import pytest

from core.config import RunConfig
from core.diagnosis import STALL_REPORTS, Stall, dead_layer
from core.grid import GridTraining
from core.presets import preset_config
from core.train import DIVERGED_AFTER_REPORTS, Divergence, Training, train


def finished(config: RunConfig) -> Training:
    training = Training(config)
    with np.errstate(all="ignore"):
        while not training.done:
            training.advance()
    return training


def outputs(training: Training) -> np.ndarray:
    ws = training.net.workspace(training.m)
    return ws.forward(training.X1).copy()


def test_a_relu_net_killed_by_a_large_learning_rate_is_dead_and_outputs_a_constant():
    training = finished(RunConfig(learning_rate=1, epochs=3000))
    result = training.result()
    assert result.status == "done"  # a status says it trained its epochs; the diagnosis says what that means
    assert result.diagnosis.kind == "dead"
    assert result.diagnosis.text == "every ReLU unit in layer 2 is dead: the net outputs a constant"
    a = outputs(training)
    assert np.ptp(a) == 0 and result.train_accuracy == 0.5  # one value for every example: a coin's guess


def test_zeros_initialization_with_relu_is_dead_from_the_first_layer():
    training = finished(preset_config("init-zeros", {"epochs": 500}))
    assert training.result().diagnosis.text == "every ReLU unit in layer 1 is dead: the net outputs a constant"


def test_a_healthy_run_has_no_diagnosis():
    result = train(RunConfig(epochs=3000))
    assert result.status == "done" and result.diagnosis is None
    assert result.to_dict()["diagnosis"] is None


def test_a_tanh_net_with_a_huge_learning_rate_diverges_by_its_rising_cost():
    training = finished(RunConfig(activation="tanh", learning_rate=50, epochs=5000))
    result = training.result()
    assert result.status == "diverged"
    assert result.diagnosis.kind == "divergence"
    assert result.diagnosis.text == "diverged: the cost stayed above 1.5× its start for 20 reports"
    start = training.costs[0][1]
    rising = [cost for _, cost in training.costs[-DIVERGED_AFTER_REPORTS:]]
    assert all(cost > 1.5 * start for cost in rising)  # what the words claim
    assert np.isfinite(training.net.theta).all()  # and not the other rule
    assert result.to_dict()["diagnosis"] == {"kind": "divergence", "text": result.diagnosis.text}


def test_weights_that_go_non_finite_are_named_as_the_cause():
    training = Training(RunConfig(epochs=1000))
    training.net.theta[5] = np.inf
    with np.errstate(all="ignore"):
        while not training.done:
            training.advance()
    assert training.epoch == 1  # the first report saw it
    assert training.result().diagnosis.text == "diverged: the weights went non-finite"


def test_a_final_cost_above_the_rule_is_named_too():
    divergence = Divergence()
    divergence.check(0.7, np.zeros(3))
    assert divergence.status(0.7) == "done" and divergence.cause is None
    assert divergence.status(2.0) == "diverged" and divergence.cause == "the final cost is above 1.5× its start"
    other = Divergence()
    other.check(0.7, np.zeros(3))
    assert other.status(float("nan")) == "diverged" and other.cause == "the final cost is not finite"


def test_a_tanh_net_started_at_zeros_stalls_and_says_for_how_long():
    training = finished(RunConfig(activation="tanh", initialization="zeros", epochs=3000))
    costs = {cost for _, cost in training.costs}
    assert len(costs) == 1  # balanced circles: not even the output's bias moves
    diagnosis = training.result().diagnosis
    assert dead_layer(training.view().evaluation) is None  # tanh units are not "dead", they are stuck
    assert diagnosis.kind == "stalled"
    assert diagnosis.text == "the cost has not moved in 2,900 epochs"  # reports at 0, 100, ..., 2900


def test_a_stall_needs_twenty_still_reports_and_never_counts_non_finite_costs():
    stall = Stall()
    for i in range(STALL_REPORTS):
        stall.check(i * 100, 0.5 + 1e-8 * (i % 2))  # within 1e-6 of 0.5: still
    assert not stall.stalled  # the first report is the anchor: 19 still ones after it
    stall.check(STALL_REPORTS * 100, 0.5)
    assert stall.stalled and stall.epochs == STALL_REPORTS * 100
    stall.check(2100, 0.49)  # it moved
    assert not stall.stalled and stall.epochs == 0
    for value in (np.inf, np.nan):
        still = Stall()
        for i in range(3 * STALL_REPORTS):
            still.check(i, value)
        assert not still.stalled, value
    after_inf = Stall()  # a random ×10 net: inf first, then a cost that falls
    after_inf.check(0, np.inf)
    for i in range(1, 3 * STALL_REPORTS):
        after_inf.check(i * 100, 1.0 / i)
    assert not after_inf.stalled


def test_random_x10_initialization_is_not_diagnosed_though_its_first_costs_are_infinite():
    training = finished(preset_config("init-random", {"epochs": 4000}))
    assert training.costs[0][1] == np.inf
    assert training.result().diagnosis is None


@pytest.mark.parametrize(
    "config",
    [
        RunConfig(learning_rate=1, epochs=2500),
        RunConfig(activation="tanh", learning_rate=50, epochs=2500),
        RunConfig(activation="tanh", initialization="zeros", epochs=2500),
        RunConfig(epochs=2500),
    ],
    ids=["dead", "diverged", "stalled", "healthy"],
)
def test_a_stacked_net_gets_the_diagnosis_it_gets_alone(config):
    others = [
        RunConfig(**{**config.model_dump(), "seed": 7}),
        RunConfig(**{**config.model_dump(), "learning_rate": 0.1}),
    ]
    grid = GridTraining([config, *others])
    with np.errstate(all="ignore"):
        while not grid.done:
            grid.advance()
        grid.finish(grid.running)
    assert grid.results_in_order()[0].diagnosis == finished(config).result().diagnosis
