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


def assert_the_courses_numbers(preset: str, costs: dict[int, float], train_accuracy: float, test_accuracy: float):
    """Every published cost and accuracy of the preset's model, within images.json's tolerance_advice."""
    expected = published_images()[MODELS[preset]]["published"]
    if "costs" in expected:
        for epoch, cost in expected["costs"].items():
            assert costs[int(epoch)] == pytest.approx(cost, rel=COST_REL), f"{preset} iteration {epoch}"
    else:
        assert len(expected["costs_6dp"]) == 25
        for epoch, cost in expected["costs_6dp"].items():
            assert round(costs[int(epoch)], 6) == cost, f"{preset} iteration {epoch}"
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
