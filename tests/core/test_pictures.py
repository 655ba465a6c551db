"""The pictures data that is not 2-D is shown by: predictions as levels that tell right from wrong, thumbnails and
weight pictures shrunk to their byte budget, a principal-components projection; the first layer's pictures all
one blank under zeros initialization, all different under He."""

import numpy as np
import pytest

from core.data import make_dataset
from core.dataset import Dataset
from core.pictures import (
    MID,
    area_weights,
    first_layer_pictures,
    input_shape,
    levels_of,
    projection,
    shrunk,
    thumbnails,
)
from core.presets import preset_config
from core.train import Training

BUDGET = 30_000


def test_a_level_is_at_least_mid_exactly_when_the_net_says_1():
    a = np.array([0.0, 0.4999, 0.5, 0.5000001, 0.501, 0.502, 1.0, np.nan])
    levels = levels_of(a)
    assert levels.tolist() == [0, 127, 127, 128, 128, 128, 255, 127]
    assert np.array_equal(levels >= MID, np.nan_to_num(a) > 0.5)


def test_area_averaging_keeps_the_mean_and_shrinks_to_the_size_asked():
    assert np.allclose(area_weights(7, 3).sum(axis=1), 1) and np.allclose(area_weights(7, 3).sum(axis=0), 3 / 7)
    images = np.random.default_rng(0).random((2, 64, 64, 3))
    small = shrunk(images, (16, 16))
    assert small.shape == (2, 16, 16, 3)
    assert np.allclose(small.mean(axis=(1, 2)), images.mean(axis=(1, 2)))
    assert np.allclose(small[0, 0, 0], images[0, :4, :4].mean(axis=(0, 1)))  # a 4 × 4 block's mean


@pytest.mark.parametrize("preset", ["images-init-zeros", "images-init-he"])
def test_the_first_layers_pictures_under_zeros_and_he(preset):
    training = Training(preset_config(preset, {"epochs": 50}))
    for _ in range(50):
        training.advance()
    pictures = first_layer_pictures(training.net, input_shape(training.data), 16, BUDGET)
    assert pictures.levels.shape == (5, 16, 16, 3) and pictures.units == 5
    same = all(np.array_equal(pictures.levels[0], other) for other in pictures.levels)
    if preset == "images-init-zeros":  # symmetry never breaks, and nothing moves: one blank picture
        assert same and pictures.scale == 0 and (pictures.levels == MID).all()
    else:
        assert not same and pictures.scale > 0 and len(np.unique(pictures.levels)) > 100
        assert np.abs(pictures.levels.astype(int) - MID).max() == 127  # the largest |w| is the scale's end


def test_pictures_and_thumbnails_fit_the_budget_whatever_the_input():
    training = Training(preset_config("images-init-he", {"hidden_layers": [64, 5], "epochs": 1}))
    wide = Dataset("wide", np.zeros((64 * 64 * 3, 3)), np.array([[0.0, 1, 0]]), None, None, image_shape=(64, 64, 3))
    pictures = first_layer_pictures(training.net, (16, 16, 3), 16, BUDGET)
    assert pictures.levels.shape == (16, 16, 16, 3) and pictures.units == 64
    shown = thumbnails(wide, 24, 12, BUDGET)
    assert shown.pixels.nbytes <= BUDGET and shown.train.tolist() == [0, 1, 2] and shown.test.size == 0
    strip = first_layer_pictures(training.net, (1, 768, 1), 16, 1000)
    assert strip.levels.shape[1] == 1 and strip.levels.nbytes <= 1000


def test_the_projection_places_every_example_on_two_principal_components():
    data = make_dataset("gaussian")  # two blobs along the diagonal: the first component separates them
    X5 = Dataset("five", np.vstack([data.X_train, np.zeros((3, 300))]), data.Y_train, None, None)
    points = projection(X5)
    assert points.levels.shape == (300, 2) and points.levels.dtype == np.uint8
    first = points.levels[:, 0].astype(float)
    assert abs(np.corrcoef(first, data.Y_train[0])[0, 1]) > 0.8


@pytest.mark.parametrize("features", [1, 2])
def test_the_projection_of_data_with_fewer_than_two_components_has_a_flat_second_axis(features):
    x = np.linspace(-1, 1, 50)
    data = Dataset("line", np.vstack([x] * features), (x > 0)[None, :] * 1.0, None, None)  # two equal features
    points = projection(data)
    first, along = points.levels[:, 0].astype(int), np.rint((x + 1) / 2 * 255).astype(int)
    assert np.array_equal(first, along) or np.array_equal(first, 255 - along)  # a component's sign is arbitrary
    assert (points.levels[:, 1] == 0).all()
