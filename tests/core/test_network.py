"""The network's own contract: parameter layout, and backprop through fixed dropout masks."""

import numpy as np
import pytest

from core.gradcheck import numerical_gradient, relative_difference
from core.network import EXAMPLES_MAJOR_FROM, Network, cross_entropy_sum, with_ones_row


def random_net(sizes, activation, seed=0):
    """Small weights: a saturated sigmoid makes log(1 - a) lose digits, and the *numerical* gradient with it."""
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation)
    net.theta[...] = rng.normal(scale=0.4, size=net.theta.size)
    return net, rng


def test_parameters_round_trip_in_the_course_shapes():
    net, _ = random_net([2, 4, 3, 1], "relu")
    params = net.parameters()
    assert [params[k].shape for k in ("W1", "b1", "W2", "b2", "W3", "b3")] == [
        (4, 2), (4, 1), (3, 4), (3, 1), (1, 3), (1, 1),
    ]  # fmt: skip
    other = Network([2, 4, 3, 1]).set_parameters(params)
    np.testing.assert_array_equal(other.theta, net.theta)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_backprop_through_fixed_dropout_masks_matches_numerical_gradient(activation):
    """With the masks held fixed the cost is a function of θ, so backprop must agree with it."""
    net, rng = random_net([2, 6, 4, 1], activation)
    X, Y = rng.normal(size=(2, 15)), (rng.random((1, 15)) < 0.5).astype(float)
    X1, ws = with_ones_row(X), net.workspace(15)
    ws.keep_prob = 0.7
    ws.keep = [(rng.random((n, 15)) < 0.7).astype(float) for n in (6, 4)]

    def cost(theta):
        saved = net.theta.copy()
        net.theta[...] = theta
        ws.forward(X1)
        net.theta[...] = saved
        return cross_entropy_sum(ws.AL, Y) / 15

    approx = numerical_gradient(cost, net.theta.copy())
    ws.forward(X1)
    grad = ws.backward(X1, Y)
    assert relative_difference(grad, approx) < 2e-7


def test_cost_is_inf_for_a_confident_wrong_answer_and_zero_for_a_confident_right_one():
    Y = np.array([[1.0, 0.0]])
    assert cross_entropy_sum(np.array([[1.0, 0.0]]), Y) == 0
    assert cross_entropy_sum(np.array([[0.0, 0.0]]), Y) == np.inf
    assert np.isnan(cross_entropy_sum(np.array([[np.nan, 0.0]]), Y))


def test_wide_inputs_are_laid_out_examples_major_and_give_the_same_gradient() -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.random((EXAMPLES_MAJOR_FROM, 30)), (rng.random((1, 30)) > 0.5) * 1.0
    X1 = with_ones_row(X)
    assert X1.flags.f_contiguous and not with_ones_row(X[:2]).flags.f_contiguous
    rows_major = np.vstack([X, np.ones((1, 30))])  # [X; 1] as it was laid out before
    assert np.array_equal(X1, rows_major) and rows_major.flags.c_contiguous
    net = Network([X.shape[0], 5, 1])
    net.theta[:] = rng.standard_normal(net.theta.size) * 0.01
    grads = []
    for inputs in (X1, rows_major):
        ws = net.workspace(30)
        ws.forward(inputs)
        grads.append(ws.backward(inputs, Y).copy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-15)
