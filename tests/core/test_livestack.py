"""Runs stepped together in a LiveStack, joining and leaving at any slice, get the numbers they get alone, bit for bit:
costs, progress, weights, optimizer state, epochs, divergence."""

import math
import random

import numpy as np
import pytest

from core.boundary import plane_points
from core.config import RunConfig
from core.data import make_dataset
from core.livestack import LiveStack, data_fingerprint, live_key, rows_for
from core.stackplane import StackPlane
from core.train import Training

DATA = make_dataset("circles")
CONFIGS = [
    {},  # the page's default: He, gd
    {"initialization": "random", "init_scale": 10, "learning_rate": 0.05, "seed": 1},
    {"initialization": "xavier", "optimizer": "momentum", "beta": 0.8, "learning_rate": 0.1, "seed": 7},
    {"optimizer": "adam", "beta1": 0.85, "beta2": 0.99, "epsilon": 1e-7, "learning_rate": 0.005, "seed": 5},
    {"optimizer": "adam", "learning_rate": 0.01, "report_every": 7},
    {"l2_lambda": 0.7, "learning_rate": 0.3, "seed": 11},
    {"keep_prob": 0.8, "learning_rate": 0.2, "seed": 4},  # fresh masks from its own stream
    {"keep_prob": 0.86, "l2_lambda": 0.1, "course_compat": True, "optimizer": "momentum"},  # the course's fixed masks
    {"initialization": "zeros", "learning_rate": 0.5},
    {"learning_rate": 100.0, "report_every": 5},  # diverges
    {"learning_rate": 0.02, "epochs": 150, "report_every": 13, "seed": 9},
    {"learning_rate": 0.5, "lr_decay": "inverse", "decay_rate": 0.01, "seed": 12},  # its own rate each epoch
    {"optimizer": "adam", "lr_decay": "scheduled", "decay_rate": 1.0, "time_interval": 50, "course_compat": True},
]


def training(overrides: dict) -> Training:
    return Training(RunConfig(**{"epochs": 400, "report_every": 10, **overrides}), dataset=DATA)


def alone(config: RunConfig, epochs: int) -> tuple[Training, list]:
    """The run trained by itself for that many epochs, and the progress it reported."""
    run = Training(config, dataset=DATA)
    reported = []
    with np.errstate(all="ignore"):
        while run.epoch < epochs and not run.done:
            progress = run.advance()
            if progress is not None:
                reported.append(progress)
    return run, reported


def assert_same(stacked: Training, lone: Training) -> None:
    assert stacked.epoch == lone.epoch
    assert stacked.costs == lone.costs  # floats compared exactly (nan, as a diverged run's, compares by identity)
    assert np.array_equal(stacked.net.theta, lone.net.theta, equal_nan=True)
    for state in ("v", "s", "t"):
        if hasattr(lone.optimizer, state):
            assert np.array_equal(getattr(stacked.optimizer, state), getattr(lone.optimizer, state), equal_nan=True)
    assert stacked.diverged == lone.diverged
    if hasattr(lone, "rng"):  # the same draws were taken from its stream
        assert stacked.rng.random() == lone.rng.random()


def same_progress(mine: list, theirs: list) -> bool:
    return [(p.epoch, p.cost, p.train_accuracy, p.test_accuracy) for p in mine] == [
        (p.epoch, p.cost, p.train_accuracy, p.test_accuracy) for p in theirs
    ]


@pytest.mark.parametrize("seed", [0, 1])
def test_runs_joining_and_leaving_mid_run_get_their_numbers_alone(seed: int) -> None:
    schedule = random.Random(seed)
    runs = [training(overrides) for overrides in CONFIGS]
    fingerprint = data_fingerprint(DATA)
    assert len({live_key(run, fingerprint) for run in runs}) == 1, "one shape, one dataset: one stack"
    live = LiveStack(runs[0], capacity=len(runs))
    reported: list[list] = [[] for _ in runs]
    joined_late = runs[4]
    slices = 0
    with np.errstate(all="ignore"):
        while any(not run.done for run in runs):
            # some runs sit this slice out (paused, not yet started, their worker busy) and come back later
            waiting = [r for r in runs if not r.done and (r is not joined_late or slices > 8)]
            members = [r for r in waiting if schedule.random() < 0.6]
            if not members:
                continue
            limits = [schedule.choice([1, 2, 3, 7, 10, 25]) for _ in members]
            ran, progress = live.train(members, limits, budget_s=math.inf)
            for run, epochs, limit, points in zip(members, ran, limits, progress, strict=True):
                assert epochs <= limit
                reported[runs.index(run)].extend(points)
            slices += 1
    assert slices > 40
    assert runs[9].diverged and not runs[0].diverged
    assert joined_late.optimizer.t == joined_late.epoch
    for run, points in zip(runs, reported, strict=True):
        lone, lone_points = alone(run.config, run.epoch)
        assert_same(run, lone)
        assert same_progress(points, lone_points)


def test_a_slice_ends_when_its_budget_is_spent_and_the_runs_go_on_from_there() -> None:
    runs = [training({"learning_rate": 0.01 * (i + 1), "seed": i}) for i in range(4)]
    live = LiveStack(runs[0], capacity=4)
    ran, _ = live.train(runs, [math.inf] * 4, budget_s=0.0)
    assert ran == [1, 1, 1, 1], "a slice trains at least one epoch"
    for _ in range(5):
        ran, _ = live.train(runs[::-1], [math.inf, 3, math.inf, 3], budget_s=0.01)  # a new order of rows
    for run in runs:
        assert_same(run, alone(run.config, run.epoch)[0])


def test_mini_batch_runs_and_other_shapes_or_data_do_not_share_a_stack() -> None:
    base = training({})
    fingerprint = data_fingerprint(DATA)
    key = live_key(base, fingerprint)
    assert live_key(training({"mini_batch_size": 64}), fingerprint) is None
    assert live_key(training({"hidden_layers": [10, 4]}), fingerprint) != key
    assert live_key(training({"activation": "tanh"}), fingerprint) != key
    assert data_fingerprint(make_dataset("circles", noise=0.1)) != fingerprint
    assert data_fingerprint(make_dataset("circles")) == fingerprint, "the same points, made again"


def test_a_big_net_on_many_points_gets_a_small_stack() -> None:
    assert rows_for([2, 10, 5, 1], 300) == 32
    assert rows_for([2, 64, 64, 64, 64, 64, 64, 1], 5000) == 1, "it trains alone"


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_boundaries_drawn_together_are_each_nets_own(activation: str) -> None:
    runs = [training({"activation": activation, "seed": i, "learning_rate": 0.1, "grid_size": 40}) for i in range(6)]
    for i, run in enumerate(runs):
        for _ in range(30 * i):
            run.advance()
    plane = StackPlane(40, runs[0].net.layer_sizes, activation)
    box, X1 = plane_points(DATA, 40)
    together = plane.boundaries(X1, box, [run.net for run in runs], [run.epoch for run in runs])  # 4, then 2 nets
    for run, boundary in zip(runs, together, strict=True):
        own = run.boundary()
        assert boundary.epoch == own.epoch and (boundary.x_min, boundary.y_max) == (own.x_min, own.y_max)
        assert np.array_equal(boundary.probabilities, own.probabilities)


def test_boundaries_in_float32_are_the_same_pictures() -> None:
    runs = [training({"seed": i, "learning_rate": 0.1}) for i in range(3)]
    for run in runs:
        for _ in range(300):
            run.advance()
    box, X1 = plane_points(DATA, 100)
    plane = StackPlane(100, runs[0].net.layer_sizes, "relu", dtype=np.float32)
    drawn = plane.boundaries(X1.astype(np.float32), box, [run.net for run in runs], [0] * 3)
    for run, boundary in zip(runs, drawn, strict=True):
        own = np.rint(255 * run.boundary().probabilities)
        levels = np.rint(255 * boundary.probabilities.astype(float))
        assert np.abs(levels - own).max() <= 1 and (levels != own).mean() < 0.01, "a level by one, at the odd point"
