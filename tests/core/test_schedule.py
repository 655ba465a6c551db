"""Learning-rate decay: the 2021 optimization notebook's update_lr and schedule_lr_decay, applied epoch by epoch
as its model() applies them, alone and stacked (bit for bit the same)."""

import numpy as np
import pytest
from pydantic import ValidationError

from core.config import RunConfig
from core.grid import GridTraining
from core.schedule import MAX_SCHEDULE_POINTS, inverse_decay, learning_rate_at, learning_rates, scheduled_decay
from core.train import Training


def update_lr(learning_rate0, epoch_num, decay_rate):
    """The notebook's graded function, as its solution reads."""
    learning_rate = 1 / (1 + decay_rate * epoch_num) * learning_rate0
    return learning_rate


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    learning_rate = 1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * learning_rate0
    return learning_rate


@pytest.mark.parametrize("decay_rate", [0.0, 0.3, 1.0, 7.5])
@pytest.mark.parametrize("epoch", [0, 1, 2, 99, 100, 101, 999, 1000, 4321])
def test_the_schedules_are_the_notebooks_formulas(epoch, decay_rate):
    assert inverse_decay(0.5, epoch, decay_rate) == pytest.approx(update_lr(0.5, epoch, decay_rate), rel=1e-15)
    for interval in (1, 100, 1000):
        expected = schedule_lr_decay(0.5, epoch, decay_rate, interval)
        assert scheduled_decay(0.5, epoch, decay_rate, interval) == pytest.approx(expected, rel=1e-15)


def test_the_notebooks_test_cases():
    """update_lr_test and schedule_lr_decay_test: α0 = 0.5, decay_rate = 1."""
    assert inverse_decay(0.5, 2, 1) == pytest.approx(1 / 6, rel=1e-15)
    assert [scheduled_decay(0.5, e, 1, 100) for e in (10, 100, 1000)] == pytest.approx([0.5, 0.25, 0.5 / 11])


def trained_rates(config: RunConfig, epochs: int) -> list[float]:
    training = Training(config)
    rates = []
    for _ in range(epochs):
        training.advance()
        rates.append(training.optimizer.learning_rate)
    return rates


SMALL = {"dataset": {"name": "moons", "n_train": 40}, "hidden_layers": [3], "epochs": 30, "report_every": 5}


def test_an_epoch_trains_with_its_rate_and_the_course_lags_one_as_the_notebook():
    sound = RunConfig(**SMALL, learning_rate=0.2, lr_decay="inverse", decay_rate=0.5)
    assert trained_rates(sound, 4) == [0.2 / (1 + 0.5 * e) for e in range(4)]
    # the notebook: `learning_rate = decay(learning_rate0, i, decay_rate)` after epoch i's updates
    course = sound.model_copy(update={"course_compat": True})
    assert trained_rates(course, 4) == [0.2, 0.2, 0.2 / 1.5, 0.2 / 2]
    scheduled = RunConfig(**SMALL, learning_rate=0.2, lr_decay="scheduled", decay_rate=1, time_interval=10)
    assert trained_rates(scheduled, 21)[9:12] == [0.2, 0.1, 0.1] and learning_rate_at(scheduled, 20) == 0.2 / 3


def test_decay_is_a_learning_rate_set_before_each_epoch():
    decayed = Training(RunConfig(**SMALL, optimizer="adam", learning_rate=0.05, lr_decay="inverse", decay_rate=2))
    by_hand = Training(RunConfig(**SMALL, optimizer="adam", learning_rate=0.05))
    for epoch in range(SMALL["epochs"]):
        decayed.advance()
        by_hand.optimizer.learning_rate = 0.05 / (1 + 2 * epoch)
        by_hand.advance()
    assert np.array_equal(decayed.net.theta, by_hand.net.theta)
    assert decayed.costs == by_hand.costs


def test_stacked_decay_is_bit_for_bit_alone():
    configs = [
        RunConfig(**SMALL, optimizer=optimizer, learning_rate=rate, lr_decay=decay, decay_rate=1.5, time_interval=7)
        for optimizer in ("gd", "adam")
        for rate, decay in ((0.1, "inverse"), (0.3, "scheduled"), (0.2, "none"))
    ]
    grid = GridTraining(configs)
    alone = [Training(config) for config in configs]
    for _ in range(SMALL["epochs"]):
        grid.advance()
        for training in alone:
            training.advance()
    for k, index in enumerate(grid.index):
        assert np.array_equal(grid.stack.theta[k], alone[index].net.theta)
        assert grid.costs[k] == alone[index].costs


def test_the_cost_charts_second_axis():
    config = RunConfig(**{**SMALL, "epochs": 100_000, "report_every": 1}, lr_decay="inverse", decay_rate=0.01)
    points = learning_rates(config)
    assert len(points) <= MAX_SCHEDULE_POINTS and points[0] == (0, 0.01) and points[1][0] == 100
    assert all(rate == learning_rate_at(config, epoch) for epoch, rate in points)
    assert learning_rates(RunConfig(**SMALL)) is None


@pytest.mark.parametrize(("field", "value"), [("decay_rate", -0.1), ("decay_rate", 1001), ("time_interval", 0),
                                              ("time_interval", 100_001), ("lr_decay", "exponential")])  # fmt: skip
def test_decay_fields_are_bounded(field, value):
    with pytest.raises(ValidationError) as info:
        RunConfig(**{field: value})
    assert [error["loc"] for error in info.value.errors()] == [(field,)]
