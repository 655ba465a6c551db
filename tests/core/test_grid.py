"""The grid: configs of one shape trained together, each net with the numbers it gets alone — and so, for the
course's groups, the course's numbers (../shared/reference/expected.json, read at test time)."""

import math
from functools import cache

import numpy as np
import pytest

from core.config import RunConfig
from core.data import Dataset, find_football, resolve_dataset
from core.grid import GridTraining, can_stack, train_grid
from core.optim import OPTIMIZERS
from core.pace import Pace
from core.presets import GROUPS, preset_config
from core.train import Progress, Result, Training, train
from tests.reference import REFERENCE, published

E = published()

REPORT_EVERY = 1000
COST_REL = 1e-9  # tolerance_advice: he_init_costs, regularization_costs
OPTIMIZATION_DECIMALS = 6  # tolerance_advice: optimization_costs, "compare at the 6 printed decimals"
CHAOTIC = {"init-random"}  # past iteration 0 its trajectory is chaotic (tolerance_advice: random_init_costs)
PUBLISHED_GROUPS = ("initialization", "regularization", "optimization")  # the groups expected.json has numbers for

GROUP_PARAMS = [
    pytest.param(group, marks=pytest.mark.reference("football.mat")) if group == "regularization" else group
    for group in GROUPS
]
COURSE_GROUPS = [param for param in GROUP_PARAMS if getattr(param, "values", [param])[0] in PUBLISHED_GROUPS]


def dataset_for(config: RunConfig) -> Dataset:
    return find_football(REFERENCE) if config.dataset == "football" else resolve_dataset(config.dataset)


@cache
def course_group(group: str) -> tuple[list[Result], list[Result]]:
    """The group's three presets trained as one grid, and each alone."""
    configs = [preset_config(name, {"report_every": REPORT_EVERY}) for name in GROUPS[group]]
    data = dataset_for(configs[0])
    return train_grid(configs, dataset=data), [train(config, dataset=data) for config in configs]


def costs(result: Result) -> list[float]:
    return [cost for _, cost in result.costs]


def assert_same_run(together: Result, alone: Result, chaotic: bool = False) -> None:
    assert (together.status, together.epochs_run) == (alone.status, alone.epochs_run)
    assert (together.train_accuracy, together.test_accuracy) == (alone.train_accuracy, alone.test_accuracy)
    assert [epoch for epoch, _ in together.costs] == [epoch for epoch, _ in alone.costs]
    if chaotic:
        assert together.costs[0][1] == alone.costs[0][1] == math.inf
        return
    assert costs(together) == pytest.approx(costs(alone), rel=COST_REL, nan_ok=True)
    assert together.final_cost == pytest.approx(alone.final_cost, rel=COST_REL, nan_ok=True)
    for name, value in alone.parameters.items():
        np.testing.assert_allclose(together.parameters[name], value, rtol=COST_REL, atol=1e-12)


# ---------------------------------------------------------------- the course's groups


@pytest.mark.parametrize("group", GROUP_PARAMS)
def test_course_group_as_one_grid_matches_each_alone(group):
    together, alone = course_group(group)
    for name, grid_result, alone_result in zip(GROUPS[group], together, alone, strict=True):
        assert_same_run(grid_result, alone_result, chaotic=name in CHAOTIC)


@pytest.mark.reference("expected.json")
@pytest.mark.parametrize("group", COURSE_GROUPS)
def test_course_group_as_one_grid_matches_the_course(group):
    together, _ = course_group(group)
    for preset, result in zip(GROUPS[group], together, strict=True):
        published = E[group][preset.split("-", 1)[1]]["published"]
        by_epoch = dict(result.costs)
        if preset in CHAOTIC:
            assert published["cost_0"] == "inf" and by_epoch[0] == math.inf
        elif "costs_6dp" in published:
            for epoch, cost in published["costs_6dp"].items():
                assert round(by_epoch[int(epoch)], OPTIMIZATION_DECIMALS) == cost, f"{preset} epoch {epoch}"
        else:
            for epoch, cost in published["costs"].items():
                assert by_epoch[int(epoch)] == pytest.approx(cost, rel=COST_REL), f"{preset} epoch {epoch}"
        assert result.train_accuracy == published["train_acc"], preset
        if "test_acc" in published:
            assert result.test_accuracy == published["test_acc"], preset


# ---------------------------------------------------------------- mixed grids

SCENARIOS = {  # name: (fields every net shares, fields forced on every net)
    "full-batch relu": ({"dataset": "moons", "hidden_layers": [8, 4]}, {}),
    "full-batch tanh": ({"dataset": {"name": "spiral", "n_train": 200}, "hidden_layers": [6, 5, 3]}, {}),
    "mini-batch, the course's shuffles": (
        {"dataset": "moons", "hidden_layers": [5, 2], "mini_batch_size": 64},
        {"course_compat": True},
    ),
    "mini-batch, one seed": (
        {"dataset": "circles", "hidden_layers": [7], "mini_batch_size": 50},
        {"course_compat": False, "seed": 5, "keep_prob": 1.0},
    ),
}
LEARNING_RATES = {"gd": (0.05, 1.0), "momentum": (0.05, 1.0), "adam": (0.002, 0.05)}


def random_configs(scenario: str, n: int = 6) -> list[RunConfig]:
    """n configs of one shape differing in everything a sweep varies: optimizer and its hyper-parameters,
    initialization and seed, L2, dropout with fixed or fresh masks, what a mini-batch epoch reports."""
    shared, forced = SCENARIOS[scenario]
    rng = np.random.default_rng(list(SCENARIOS).index(scenario))
    configs = []
    for i in range(n):
        optimizer = OPTIMIZERS[i % len(OPTIMIZERS)]  # two or more of each: their hyper-parameters are columns
        fields = {
            "optimizer": optimizer,
            "learning_rate": float(rng.uniform(*LEARNING_RATES[optimizer])),
            "beta": float(rng.uniform(0.5, 0.95)),
            "beta1": float(rng.uniform(0.8, 0.95)),
            "beta2": float(rng.uniform(0.99, 0.9999)),
            "epsilon": float(10 ** rng.uniform(-8, -4)),
            "initialization": str(rng.choice(["he", "xavier", "random"])),
            "init_scale": float(rng.uniform(0.5, 2)),
            "seed": int(rng.integers(1000)),
            "l2_lambda": float(rng.choice([0, rng.uniform(0.01, 1)])),
            "keep_prob": float(rng.choice([1, rng.uniform(0.6, 0.95)])),
            "course_compat": bool(rng.random() < 0.5),
            "minibatch_cost": str(rng.choice(["epoch_mean", "last_batch"])),
        }
        activation = "tanh" if "tanh" in scenario else "relu"
        configs.append(RunConfig(**{**shared, **fields, **forced}, activation=activation, epochs=300, report_every=10))
    return configs


def run_alone(config: RunConfig, dataset: Dataset) -> tuple[list[Progress], Result]:
    *progress, result = Training(config, dataset).events()
    return progress, result


def run_together(configs: list[RunConfig], dataset: Dataset) -> list[tuple[list[Progress], Result]]:
    """Each config's progress and result, from one grid's events (which name a net by its config's index)."""
    progress: list[list[Progress]] = [[] for _ in configs]
    results: list[Result | None] = [None] * len(configs)
    for index, event in GridTraining(configs, dataset).events():
        if isinstance(event, Progress):
            assert results[index] is None, "progress after the result"
            progress[index].append(event)
        else:
            results[index] = event
    return list(zip(progress, results, strict=True))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_mixed_grid_matches_each_net_alone(scenario):
    configs = random_configs(scenario)
    assert can_stack(configs)
    data = dataset_for(configs[0])
    for config, (progress, result) in zip(configs, run_together(configs, data), strict=True):
        alone_progress, alone_result = run_alone(config, data)
        assert_same_run(result, alone_result)
        assert [(p.epoch, p.train_accuracy, p.test_accuracy) for p in progress] == [
            (p.epoch, p.train_accuracy, p.test_accuracy) for p in alone_progress
        ]
        assert [p.cost for p in progress] == pytest.approx([p.cost for p in alone_progress], rel=COST_REL)


def test_a_diverging_net_ends_where_it_would_alone_and_the_others_go_on():
    base = {"dataset": "circles", "hidden_layers": [10, 5], "epochs": 600, "report_every": 10}
    configs = [RunConfig(**base, learning_rate=lr) for lr in (0.01, 30.0, 0.3)]
    together = train_grid(configs)
    alone = [train(config) for config in configs]
    assert [result.status for result in together] == ["done", "diverged", "done"]
    assert together[1].epochs_run < 600 == together[0].epochs_run == together[2].epochs_run
    for grid_result, alone_result in zip(together, alone, strict=True):
        assert_same_run(grid_result, alone_result)


def test_a_stopped_grid_ends_every_net_cancelled():
    configs = [preset_config(name, {"epochs": 1000, "report_every": 10}) for name in GROUPS["initialization"]]
    pace = Pace()
    events = []
    for event in GridTraining(configs).events(pace):
        events.append(event)
        if len(events) == 3:  # everyone's first report
            pace.stop()
    results = [event for _, event in events if isinstance(event, Result)]
    assert sorted(index for index, event in events if isinstance(event, Result)) == [0, 1, 2]
    assert {result.status for result in results} == {"cancelled"}
    assert {result.epochs_run for result in results} == {1}


# ---------------------------------------------------------------- what can share a grid


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_course_group_can_share_a_grid(group):
    assert can_stack([preset_config(name) for name in GROUPS[group]])


@pytest.mark.parametrize(
    "different",
    [
        {"hidden_layers": [10, 4]},
        {"activation": "tanh"},
        {"dataset": "moons"},
        {"dataset": {"name": "circles", "n_train": 200}},
        {"epochs": 14000},
        {"report_every": 500},
        {"mini_batch_size": 64},
    ],
)
def test_configs_of_another_shape_data_or_schedule_cannot_share_a_grid(different):
    configs = [preset_config("init-he"), preset_config("init-zeros", different)]
    assert not can_stack(configs)
    with pytest.raises(ValueError, match="cannot share a grid"):
        GridTraining(configs)


def test_mini_batches_must_be_the_same_for_every_net():
    one = {"dataset": "moons", "mini_batch_size": 64, "course_compat": False, "seed": 1}
    assert can_stack([RunConfig(**one), RunConfig(**one, learning_rate=0.1, optimizer="adam")])
    # each shuffles from its own seed
    assert not can_stack([RunConfig(**one), RunConfig(**{**one, "seed": 2})])
    # fresh dropout masks draw from the stream the shuffles come from
    assert not can_stack([RunConfig(**one), RunConfig(**one, keep_prob=0.8)])
    # the course's reseeded shuffles and a seed's stream
    assert not can_stack([RunConfig(**one), RunConfig(**{**one, "course_compat": True})])
    assert not can_stack([])
