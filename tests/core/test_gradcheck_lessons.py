"""Gradient checking as a lesson: the notebook's 1-D example, its planted bug (dW2 × 2, db1 × 4) caught per
parameter block, a mistake the user picks, and the warnings where the check cannot hold (a ReLU's kink)."""

import numpy as np
import pytest
from hypothesis import assume, given

from core.gradcheck import (
    Bug,
    course_bug,
    gradient_check,
    numerical_gradient,
    one_dimensional,
    relative_difference,
    relu_kinks,
    scaled_block,
)
from core.network import Network
from tests.core.test_fixtures import gradient_check_n_case
from tests.core.test_gradcheck_props import EPSILON, FAST, above_the_noise_floor, build, problems
from tests.reference import published


@pytest.mark.reference("expected.json")
def test_the_planted_course_bug_gives_the_published_difference():
    entry = published()["gradient_check"]["nd"]
    net, x, y = gradient_check_n_case()
    theta = net.theta.copy()
    check = gradient_check(net, x, y, epsilon=1e-7, bug=course_bug(len(net.layers)))
    assert check.difference == pytest.approx(entry["published"]["difference_bugged_full"], abs=1e-10)
    assert not check.passed
    assert np.array_equal(net.theta, theta)
    assert broken(check) == {"W2", "b1"} and ranked(check)[:2] == ["b1", "W2"]
    assert [block.param for block in check.blocks] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert broken(gradient_check(net, x, y, epsilon=1e-7)) == set()  # b3 alone reads 2.5e-7: rounding, said so


def ranked(check) -> list[str]:
    return [block.param for block in sorted(check.blocks, key=lambda block: -block.difference)]


def broken(check) -> set[str]:
    return {block.param for block in check.blocks if block.broken}


@FAST
@given(problem=problems())
def test_the_per_block_report_ranks_dW2_and_db1_as_the_broken_ones(problem):
    net, X, Y = build(*problem, "relu", "he")
    assume(len(net.layers) >= 2 and above_the_noise_floor(net, X, Y, 0.0))
    check = gradient_check(net, X, Y, epsilon=EPSILON, bug=course_bug(len(net.layers)))
    blocks = {block.param: block.difference for block in check.blocks}
    # a block whose gradient is exactly zero (a dead unit's) stays zero when scaled: nothing to catch there
    assume(blocks["W2"] > 0 and blocks["b1"] > 0)
    assert set(ranked(check)[:2]) == {"W2", "b1"} and broken(check) == {"W2", "b1"}
    honest = gradient_check(net, X, Y, epsilon=EPSILON)
    assert broken(honest) == set()
    # ×2 and ×4 of the right gradient g give (k-1)/(k+1), shifted only by the numerical gradient's own error there
    unscaled = {block.param: block.difference for block in honest.blocks}
    for param, k in (("W2", 2), ("b1", 4)):
        low, high = scaled_difference_bounds(k, unscaled[param])
        assert low <= (k - 1) / (k + 1) <= high and low <= blocks[param] <= high


def scaled_difference_bounds(k: float, d0: float) -> tuple[float, float]:
    """Where |kg - n| / (|kg| + |n|) can lie when |g - n| / (|g| + |n|) = d0 (triangle inequality).

    With r = |g - n| / |g|: d0 >= r / (2 + r), so r <= 2·d0 / (1 - d0), and the scaled difference lies in
    [(k-1-r)/(k+1+r), (k-1+r)/(k+1-r)]. That is an identity, not a tolerance picked to pass; the 1e-12 is the
    rounding of the norms themselves (a few ulps of 1/3, where d0 may be exactly 0).
    """
    r = 2 * d0 / (1 - d0)
    return (k - 1 - r) / (k + 1 + r) - 1e-12, (k - 1 + r) / (k + 1 - r) + 1e-12


def test_a_one_layer_net_gets_the_nearest_equivalents_and_says_so():
    rs = np.random.RandomState(0)
    net = Network([3, 1])
    net.theta[...] = rs.randn(net.theta.size)
    X, Y = rs.randn(3, 8), (rs.rand(1, 8) < 0.5).astype(float)
    bug = course_bug(1)
    assert dict(bug.scales) == {"dW1": 2.0, "db1": 4.0} and "stands in for dW2 × 2" in bug.note
    check = gradient_check(net, X, Y, bug=bug)
    assert broken(check) == {"W1", "b1"} and min(block.difference for block in check.blocks) > 0.3
    assert "dW2 × 2 and db1 × 4" in course_bug(3).note


@pytest.mark.reference("expected.json")
def test_a_picked_mistake_breaks_its_block_alone():
    net, x, y = gradient_check_n_case()
    check = gradient_check(net, x, y, bug=scaled_block("db3", 0.5, 3))
    assert ranked(check)[0] == "b3" and check.blocks[-1].difference == pytest.approx(1 / 3, abs=1e-6)
    assert broken(check) == {"b3"}
    assert scaled_block("dW2", 2, 3) == Bug((("dW2", 2.0),), "dW2 × 2")


@pytest.mark.parametrize(
    ("param", "message"), [("W2", "not a gradient block"), ("dZ1", "not a gradient block"), ("dW4", "no dW4")]
)
def test_a_picked_mistake_must_name_a_block_of_this_net(param, message):
    with pytest.raises(ValueError, match=message):
        scaled_block(param, 2, 3)


@pytest.mark.reference("expected.json")
def test_the_1d_example_is_the_notebooks():
    entry = published()["gradient_check"]["1d"]["published"]
    one = one_dimensional(theta=4.0, x=2.0, epsilon=1e-7)
    assert one["J"] == entry["J"] and one["grad"] == entry["dtheta"]
    assert one["difference"] == pytest.approx(entry["difference_notebook_output"], rel=1e-6)
    assert one["J_plus"] == 4.0000001 * 2 and one["J_minus"] == 3.9999999 * 2


@pytest.mark.parametrize("epsilon", [1e-1, 1e-4, 1e-7, 1e-10, 1e-13])
def test_the_1d_example_is_cores_check(epsilon):
    one = one_dimensional(theta=1.5, x=-3.0, epsilon=epsilon)
    approx = numerical_gradient(lambda t: float(t[0] * -3.0), np.array([1.5]), epsilon)
    assert one["gradapprox"] == approx[0]
    assert one["difference"] == relative_difference(np.array([-3.0]), approx)


def test_the_1d_example_loses_the_gradient_when_epsilon_is_below_thetas_last_bit():
    tiny = one_dimensional(theta=4.0, x=2.0, epsilon=1e-17)
    assert tiny["gradapprox"] == 0 and tiny["difference"] == 1.0
    # the rounding error grows as ε shrinks: J is linear, so a large ε costs nothing
    errors = [one_dimensional(4.0, 2.0, 10.0**-k)["difference"] for k in (1, 6, 11, 14)]
    assert errors[0] < 1e-14 and errors[1] < errors[2] < errors[3] < 1


def test_a_relu_input_at_the_kink_is_warned_about():
    net = Network([2, 3, 1])
    net.W(1)[...] = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    X = np.array([[1.0, 2.0, 3.0], [0.5, 1e-9, 2.0]])  # unit 2's input on example 2 is 1e-9 from 0
    warnings = relu_kinks(net, X, 1e-7)
    assert len(warnings) == 1 and warnings[0].startswith("layer 1: 1 unit(s)") and "1 example(s)" in warnings[0]
    assert relu_kinks(net, X, 1e-10) == []
    assert relu_kinks(Network([2, 3, 1], "tanh"), X, 1e-7) == []
    check = gradient_check(net, X, np.array([[1.0, 0.0, 1.0]]))
    assert check.warnings == warnings
