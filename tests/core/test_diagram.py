"""The network diagram draws what each unit computes: its pictures are the units' activations over the plane
(checked against a forward pass written out here), its links are the net's weights and backprop's gradient, zeros
initialization gives every unit of a layer the same picture, ×10 weights saturate, and a wide layer is cut."""

import numpy as np
import pytest

from core.config import RunConfig
from core.diagram import GRID, UNITS_DRAWN, DiagramPlane
from core.gradcheck import network_cost, numerical_gradient
from core.presets import preset_config
from core.train import Training


def trained(config: RunConfig, epochs: int) -> Training:
    training = Training(config)
    while training.epoch < epochs:
        training.advance()
    return training


def diagram_of(training: Training):
    view = training.view()
    return DiagramPlane(view).diagram(view)


def test_each_picture_is_its_units_activation_over_the_plane():
    training = trained(RunConfig(hidden_layers=[4, 3]), 300)
    diagram = diagram_of(training)
    x_min, x_max, y_min, y_max = diagram.box
    i, j = 5, 17  # row i is y, column j is x
    point = np.array([[x_min + j * (x_max - x_min) / (GRID - 1)], [y_min + i * (y_max - y_min) / (GRID - 1)]])
    net = training.net
    a1 = np.maximum(net.W(1) @ point + net.b(1), 0)
    a2 = np.maximum(net.W(2) @ a1 + net.b(2), 0)
    a3 = 1 / (1 + np.exp(-(net.W(3) @ a2 + net.b(3))))
    for layer, expected in zip(diagram.layers, [point, a1, a2, a3], strict=True):
        assert layer.pictures.shape == (len(expected), GRID, GRID)
        np.testing.assert_allclose(layer.pictures[:, i, j], expected[:, 0], rtol=1e-12, atol=1e-12)
    assert [layer.units for layer in diagram.layers] == [2, 4, 3, 1]
    assert (diagram.layers[-1].lo, diagram.layers[-1].hi) == (0.0, 1.0)  # the output is a probability
    top = max(np.abs(a).max() for a in diagram.layers[1].pictures)
    assert diagram.layers[1].hi == top and diagram.layers[1].lo == -top  # a ReLU layer: its own largest value


def test_the_links_are_the_weights_and_backprops_gradient():
    training = trained(RunConfig(hidden_layers=[3], l2_lambda=0.1, epochs=100), 50)
    diagram = diagram_of(training)
    net = training.net
    for l, (weights, gradient) in enumerate(zip(diagram.weights, diagram.gradients, strict=True), 1):
        np.testing.assert_array_equal(weights, net.layers[l - 1])
        assert gradient.shape == weights.shape
    cost = network_cost(net, training.data.X_train, training.data.Y_train, 0.1)
    numeric = net.views(numerical_gradient(cost, net.theta.copy()))
    for gradient, approx in zip(diagram.gradients, numeric, strict=True):
        np.testing.assert_allclose(gradient, approx, rtol=1e-5, atol=1e-8)


def test_zeros_initialization_draws_every_unit_of_a_layer_alike_and_he_does_not():
    zeros = diagram_of(trained(preset_config("init-zeros", {"activation": "tanh"}), 500))
    he = diagram_of(trained(preset_config("init-he"), 500))
    for layer in zeros.layers[1:-1]:
        assert all(np.array_equal(picture, layer.pictures[0]) for picture in layer.pictures)
    for layer in he.layers[1:-1]:
        assert not any(np.allclose(picture, layer.pictures[0]) for picture in layer.pictures[1:])


def test_ten_times_the_weights_saturate_tanh_units_into_flat_pictures():
    def saturated_share(initialization: str) -> float:
        config = RunConfig(activation="tanh", initialization=initialization, init_scale=10, hidden_layers=[10, 5])
        hidden = diagram_of(Training(config)).layers[2].pictures
        return float(np.mean(np.abs(hidden) > 0.99))

    assert saturated_share("random") > 0.9  # nearly every point of every unit at ±1: flat
    assert saturated_share("xavier") < 0.2


def test_a_wide_net_draws_its_first_units_and_says_how_many_it_has():
    diagram = diagram_of(Training(RunConfig(hidden_layers=[64, 30, 7])))
    assert [layer.units for layer in diagram.layers] == [2, 64, 30, 7, 1]
    assert [len(layer.pictures) for layer in diagram.layers] == [2, UNITS_DRAWN, UNITS_DRAWN, 7, 1]
    assert [w.shape for w in diagram.weights] == [(20, 3), (20, 21), (7, 21), (1, 8)]
    net = Training(RunConfig(hidden_layers=[64, 30, 7])).net
    np.testing.assert_array_equal(diagram.weights[1][:, -1], net.b(2)[:UNITS_DRAWN, 0])  # the bias column


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_a_diverged_nets_pictures_keep_their_shape(activation):
    training = Training(RunConfig(activation=activation))
    training.net.theta[:] = np.nan
    diagram = diagram_of(training)
    assert [layer.pictures.shape[1:] for layer in diagram.layers] == [(GRID, GRID)] * 4
    assert all(np.isfinite(layer.lo) and np.isfinite(layer.hi) and layer.lo < layer.hi for layer in diagram.layers)
