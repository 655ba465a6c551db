"""The course's cat / non-cat classifiers (C1W4) through core: `images-2layer` and `images-deep` on the course's
own h5 files reproduce every published value in images.json within its tolerance_advice — the two-layer costs to
relative 1e-9, the L-layer's 25 six-decimal costs, and the four accuracies exactly."""

from functools import cache

import pytest

from core.presets import preset_config
from core.train import train
from tests.reference import published_images, reference

FILES = ("images.json", "catvnoncat/train_catvnoncat.h5", "catvnoncat/test_catvnoncat.h5")
MODELS = {"images-2layer": "two_layer", "images-deep": "l_layer"}
COST_REL = 1e-9  # tolerance_advice: "two-layer costs: relative 1e-9"


def assert_the_courses_costs(preset: str, costs: dict[int, float], before: int = 2500) -> None:
    """Every published cost of the preset's model at an iteration before `before`, within images.json's
    tolerance_advice (the CLI's and REST's tests train the first iterations: the same path, core's test all)."""
    expected = published_images()[MODELS[preset]]["published"]
    if "costs" in expected:
        published, close = expected["costs"], lambda ours, cost: ours == pytest.approx(cost, rel=COST_REL)
    else:
        assert len(expected["costs_6dp"]) == 25
        published, close = expected["costs_6dp"], lambda ours, cost: round(ours, 6) == cost
    checked = {int(epoch): cost for epoch, cost in published.items() if int(epoch) < before}
    assert checked, f"{preset}: no published cost before iteration {before}"
    for epoch, cost in checked.items():
        assert close(costs[epoch], cost), f"{preset} iteration {epoch}: {costs[epoch]} against {cost}"


def assert_the_courses_numbers(preset: str, costs: dict[int, float], train_accuracy: float, test_accuracy: float):
    """Every published cost and accuracy of the preset's model, within images.json's tolerance_advice."""
    expected = published_images()[MODELS[preset]]["published"]
    assert_the_courses_costs(preset, costs)
    assert (train_accuracy, test_accuracy) == (expected["train_acc"], expected["test_acc"]), preset


@cache
def trained(preset: str):
    return train(preset_config(preset), data_dir=reference(*FILES))


@pytest.mark.reference(*FILES)
@pytest.mark.parametrize("preset", MODELS)
def test_core_reproduces_the_courses_cat_classifiers(preset):
    result = trained(preset)
    assert result.status == "done" and result.epochs_run == 2500
    assert [epoch for epoch, _ in result.costs] == list(range(0, 2500, 100))
    assert_the_courses_numbers(preset, dict(result.costs), result.train_accuracy, result.test_accuracy)
