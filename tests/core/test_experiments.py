"""Every published cost trajectory, accuracy and summary-table entry of C2W1/C2W2, from core's presets.

Each experiment trains once (cached for the module) and is checked by its own tests. Expected values are
read from ../shared/reference/expected.json at test time; tolerances follow its `tolerance_advice`.
"""

import math
from functools import cache

import pytest

from core.presets import preset_config
from core.train import Result, train
from tests.reference import published, reference

E = published()

pytestmark = pytest.mark.reference("expected.json")

REPORT_EVERY = 1000
COST_REL = 1e-9  # tolerance_advice: he_init_costs, regularization_costs
OPTIMIZATION_DECIMALS = 6  # tolerance_advice: optimization_costs, "compare at the 6 printed decimals"
OPT_2021 = {"epochs": 5000, "minibatch_cost": "epoch_mean"}

# (expected.json group, experiment) -> (preset, overrides)
EXPERIMENTS: dict[tuple[str, str], tuple[str, dict]] = {
    ("initialization", "zeros"): ("init-zeros", {}),
    ("initialization", "random"): ("init-random", {}),
    ("initialization", "he"): ("init-he", {}),
    ("regularization", "none"): ("reg-none", {}),
    ("regularization", "l2"): ("reg-l2", {}),
    ("regularization", "dropout"): ("reg-dropout", {}),
    ("optimization", "gd"): ("opt-gd", {}),
    ("optimization", "momentum"): ("opt-momentum", {}),
    ("optimization", "adam"): ("opt-adam", {}),
    ("optimization_2021", "gd"): ("opt-gd", OPT_2021),
    ("optimization_2021", "momentum"): ("opt-momentum", OPT_2021),
    ("optimization_2021", "adam"): ("opt-adam", OPT_2021),
}
IDS = [f"{group}-{name}" for group, name in EXPERIMENTS]
# the random init's trajectory past iteration 0 is chaotic (tolerance_advice: random_init_costs)
CHAOTIC = {("initialization", "random")}
DETERMINISTIC = [key for key in EXPERIMENTS if key not in CHAOTIC]

ADAM_EPS_IN_SQRT = pytest.param(
    ("optimization", "adam_eps_in_sqrt"),
    marks=pytest.mark.skip(
        reason="adam_eps_in_sqrt was trained with W -= lr·v̂/sqrt(ŝ + ε); core implements the formula the "
        "notebook states, lr·v̂/(sqrt(ŝ) + ε), which the optimization-adam test checks"
    ),
    id="optimization-adam_eps_in_sqrt",
)


def test_experiment_table_matches_the_reference():
    """Every trajectory in expected.json is run here, or skipped with a reason (adam_eps_in_sqrt)."""
    listed = {
        (group, name)
        for group in ("initialization", "regularization", "optimization", "optimization_2021")
        for name, entry in E[group].items()
        if isinstance(entry, dict)
        and isinstance(entry.get("published"), dict)
        and {"costs", "costs_6dp", "cost_0"} & set(entry["published"])
    }
    assert listed == set(EXPERIMENTS) | {("optimization", "adam_eps_in_sqrt")}


@cache
def run(group: str, name: str) -> Result:
    preset, overrides = EXPERIMENTS[group, name]
    config = preset_config(preset, {"report_every": REPORT_EVERY, **overrides})
    # football is the course's data.mat, found in the reference folder
    data_dir = str(reference("football.mat")) if config.dataset == "football" else None
    return train(config, data_dir=data_dir)


def published(group: str, name: str) -> dict:
    return E[group][name]["published"]


def costs_by_epoch(result: Result) -> dict[int, float]:
    return dict(result.costs)


# ---------------------------------------------------------------- trajectories


@pytest.mark.parametrize(("group", "name"), DETERMINISTIC, ids=[f"{g}-{n}" for g, n in DETERMINISTIC])
def test_published_costs(group, name):
    result = run(group, name)
    costs = costs_by_epoch(result)
    expected = published(group, name)
    if group.startswith("optimization"):
        for epoch, cost in expected["costs_6dp"].items():
            assert round(costs[int(epoch)], OPTIMIZATION_DECIMALS) == cost, f"epoch {epoch}: {costs[int(epoch)]}"
    else:
        for epoch, cost in expected["costs"].items():
            assert costs[int(epoch)] == pytest.approx(cost, rel=COST_REL), f"epoch {epoch}"


@pytest.mark.parametrize(("group", "name"), DETERMINISTIC, ids=[f"{g}-{n}" for g, n in DETERMINISTIC])
def test_costs_match_the_independent_rerun(group, name):
    """The reference's re-run of the course's algorithms logged every 1000 iterations (regularization:
    not just the printed 0/10000/20000); core's trajectory follows it at the same tolerances."""
    costs = costs_by_epoch(run(group, name))
    rel = 10.0**-OPTIMIZATION_DECIMALS if group.startswith("optimization") else COST_REL
    for epoch, cost in E[group][name]["reproduced"]["costs"].items():
        assert costs[int(epoch)] == pytest.approx(cost, rel=rel), f"epoch {epoch}"


def test_random_init_cost_starts_at_inf():
    assert published("initialization", "random")["cost_0"] == "inf"
    # only iteration 0: past it the trajectory is chaotic (tolerance_advice: random_init_costs)
    assert costs_by_epoch(run("initialization", "random"))[0] == math.inf


@pytest.mark.parametrize(("group", "name"), list(EXPERIMENTS), ids=IDS)
def test_costs_are_reported_every_report_every_from_0(group, name):
    result = run(group, name)
    epochs = result.epochs_run
    assert epochs == preset_config(*EXPERIMENTS[group, name]).epochs
    assert [epoch for epoch, _ in result.costs] == list(range(0, epochs, REPORT_EVERY))
    assert all(isinstance(cost, float) for _, cost in result.costs)


@pytest.mark.parametrize("key", [ADAM_EPS_IN_SQRT])
def test_adam_eps_in_sqrt(key):  # pragma: no cover - skipped, see the reason
    raise AssertionError("not reproducible by core")


# ---------------------------------------------------------------- accuracies


@pytest.mark.parametrize(("group", "name"), list(EXPERIMENTS), ids=IDS)
def test_accuracies(group, name):
    result = run(group, name)
    expected = published(group, name)
    train_acc = expected["train_acc"]
    if train_acc is None:  # 2021 Adam: no published accuracy, the reference's re-run gives 0.9433333333333334
        train_acc = E[group][name]["reproduced"]["train_acc"]
        assert train_acc == pytest.approx(0.9433333333333334, abs=0)
    assert result.train_accuracy == train_acc
    if "test_acc" in expected:
        assert result.test_accuracy == expected["test_acc"]


def as_shown(accuracy: float, shown: str) -> bool:
    """Does the summary table's "91.5%" / "99%" show this accuracy, rounded to the digits shown?"""
    number = shown.rstrip("%")
    decimals = len(number.split(".")[1]) if "." in number else 0
    return round(100 * accuracy, decimals) == float(number)


SUMMARIES = [
    *((("initialization", name), "train", shown) for name, shown in E.get("initialization", {}).get(
        "summary_table_train_acc", {}).items() if name != "source"),
    *((("regularization", name), split, shown) for name, row in E.get("regularization", {}).get(
        "summary_table", {}).items() if name != "source" for split, shown in row.items()),
    *((("optimization", name), "train", shown) for name, shown in E.get("optimization", {}).get(
        "summary_table", {}).items() if name != "source"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "split", "shown"), SUMMARIES, ids=[f"{g}-{n}-{split}" for (g, n), split, _ in SUMMARIES]
)
def test_summary_tables(key, split, shown):
    result = run(*key)
    accuracy = result.train_accuracy if split == "train" else result.test_accuracy
    assert as_shown(accuracy, shown), f"{accuracy} shown as {shown}"


def test_summary_tables_are_all_covered():
    assert len(SUMMARIES) == 3 + 6 + 3
