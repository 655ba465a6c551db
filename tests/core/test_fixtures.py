"""The course's unit-test fixtures (C2W1, C2W2), run through core's public functions.

Every expected value is read from ../shared/reference/expected.json at test time; the inputs are rebuilt
from the recipes in its `fixture_inputs` (seeded draws) or taken from its literals (the notebooks' caches).
"""

import json

import numpy as np
import pytest

from core.config import RunConfig
from core.data import Dataset
from core.gradcheck import backprop_gradient, gradient_check, numerical_gradient, relative_difference
from core.init import initial_weights
from core.network import Network, cost, cross_entropy_sum, weight_squares, with_ones_row
from core.optim import Adam, GradientDescent, Momentum
from core.presets import preset_config
from core.train import Training
from tests.reference import published

E = published()

pytestmark = pytest.mark.reference("expected.json")

# tolerance_advice: values printed with 8 decimals are within half a unit of their last digit
PRINTED_8DP = 5e-9
# tolerance_advice["adam_t2_fixture"]: with the formula the notebook states, W2[2,1] is 4.5e-7 off
ADAM_T2_STATED_FORMULA = 5e-7
# the same arithmetic on the same inputs: only summation order may differ
SAME_ARITHMETIC = 1e-12

# the notebooks' test cases: Y for the regularization fixtures, and the draw order of their parameters
Y5 = np.array([[1.0, 1.0, 0.0, 1.0, 0.0]])
PARAMS_3231 = [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)), ("W3", (1, 3)), ("b3", (1, 1))]


def test_tolerances_are_the_references_advice():
    advice = E["tolerance_advice"]
    assert "5e-9" in advice["fixtures_printed_8_decimals"]
    assert "5e-7" in advice["adam_t2_fixture"]
    assert "1e-10" in advice["gradient_check"] and "1.1e-7 < d < 1.3e-7" in advice["gradient_check"]


def assert_printed(actual, published, atol: float = PRINTED_8DP) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(published, dtype=float), rtol=0, atol=atol)


def assert_same(actual, reproduced) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(reproduced, dtype=float), rtol=SAME_ARITHMETIC, atol=1e-15
    )


def seeded_draws(shapes, skip: tuple[int, ...] | None = None, seed: int = 1) -> dict[str, np.ndarray]:
    """np.random.seed(seed); [an unnamed draw of shape `skip`;] then randn(*shape) for each (name, shape)."""
    rs = np.random.RandomState(seed)
    if skip is not None:
        rs.randn(*skip)
    return {name: rs.randn(*shape) for name, shape in shapes}


def x_3x5() -> np.ndarray:
    """X of the regularization test cases: np.random.seed(1); randn(3, 5)."""
    return np.random.RandomState(1).randn(3, 5)


# ---------------------------------------------------------------- initializers (C2W1 Initialization)

INIT_CASES = [
    ("initialize_parameters_zeros([3,2,1])", "zeros", [3, 2, 1]),
    ("initialize_parameters_random([3,2,1])", "random", [3, 2, 1]),
    ("initialize_parameters_he([2,4,1])", "he", [2, 4, 1]),
]


@pytest.mark.parametrize(("key", "initialization", "sizes"), INIT_CASES, ids=[c[1] for c in INIT_CASES])
def test_initial_weights(key, initialization, sizes):
    entry = E["initialization"][key]
    # init-random's scale: the preset's, i.e. the course's x10
    scale = preset_config(f"init-{initialization}").init_scale
    weights = initial_weights(sizes, initialization, seed=3, init_scale=scale)
    assert len(weights) == len(sizes) - 1
    for l, W in enumerate(weights, 1):
        assert W.shape == (sizes[l], sizes[l - 1])
        assert_printed(W, entry["published"][f"W{l}"])
        assert_same(W, entry["reproduced"][f"W{l}"])


@pytest.mark.parametrize(("key", "initialization", "sizes"), INIT_CASES, ids=[c[1] for c in INIT_CASES])
def test_training_starts_from_the_course_parameters(key, initialization, sizes):
    """Training builds the net like the course: the seeded weights above, zero biases."""
    entry = E["initialization"][key]
    config = RunConfig(hidden_layers=sizes[1:-1], initialization=initialization, seed=3, init_scale=10)
    m = 4
    data = Dataset("fixture", np.zeros((sizes[0], m)), np.zeros((1, m)), None, None)
    parameters = Training(config, dataset=data).net.parameters()
    assert sorted(parameters) == sorted(entry["published"])
    for name, printed in entry["published"].items():
        assert parameters[name].shape == np.shape(printed)
        assert_printed(parameters[name], printed)


# ---------------------------------------------------------------- L2 regularization (C2W1 Regularization)


def test_compute_cost_with_regularization():
    """compute_cost_with_regularization_test_case, lambd = 0.1."""
    entry = E["regularization"]["compute_cost_with_regularization_test_case(lambd=0.1)"]
    recipe = E["fixture_inputs"]["compute_cost_with_regularization_test_case"]
    assert "np.random.seed(1)" in recipe and "W3=randn(1,3)" in recipe
    net = Network([3, 2, 3, 1]).set_parameters(seeded_draws(PARAMS_3231))
    # the fixture's a3 is a literal in the recipe (not the forward of these parameters)
    a3 = np.array(json.loads(recipe.split("a3=")[1]))
    assert a3.shape == (1, 5)
    m = Y5.shape[1]
    J = cost(cross_entropy_sum(a3, Y5), weight_squares(net), 0.1, m)
    assert pytest.approx(entry["notebook_output"], rel=SAME_ARITHMETIC) == J
    assert pytest.approx(entry["published"], abs=5e-12) == J  # printed with 12 decimals


def test_backward_with_regularization_from_the_seeded_draws():
    """backward_propagation_with_regularization_test_case, lambd = 0.7: forward, then backward, in core."""
    entry = E["regularization"]["backward_propagation_with_regularization_test_case(lambd=0.7)"]
    fixture = E["fixture_inputs"]["backward_propagation_with_regularization_test_case"]
    net = Network([3, 2, 3, 1]).set_parameters(seeded_draws(PARAMS_3231, skip=(3, 5)))
    for name in ("W1", "b1", "W2", "b2", "W3", "b3"):  # the draws are the fixture's parameters
        assert_printed(net.parameters()[name], fixture[name])
    X1 = with_ones_row(x_3x5())
    ws = net.workspace(5)
    ws.forward(X1)
    assert_printed(ws.hidden(0), fixture["A1"])
    assert_printed(ws.hidden(1), fixture["A2"])
    assert_printed(ws.AL, fixture["A3"])
    grad = ws.backward(X1, Y5, 0.7)
    for l, layer in enumerate(net.views(grad), 1):
        assert_printed(layer[:, :-1], entry["published"][f"dW{l}"])
        assert np.array_equal(ws.grad_layers[l - 1], layer)


def test_backward_with_regularization_from_the_notebooks_cache():
    """The notebook's backward reads its 8-decimal cache; with that cache loaded, core's backward is its arithmetic."""
    entry = E["regularization"]["backward_propagation_with_regularization_test_case(lambd=0.7)"]
    fixture = E["fixture_inputs"]["backward_propagation_with_regularization_test_case"]
    net = Network([3, 2, 3, 1]).set_parameters({k: np.array(fixture[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3")})
    ws = net.workspace(5)
    ws.A[0][:-1], ws.A[1][:-1], ws.A[2][...] = fixture["A1"], fixture["A2"], fixture["A3"]
    ws.backward(with_ones_row(x_3x5()), Y5, 0.7)
    for l in (1, 2, 3):
        assert_printed(ws.grad_layers[l - 1][:, :-1], entry["published"][f"dW{l}"])
        assert_same(ws.grad_layers[l - 1][:, :-1], entry["reproduced"][f"dW{l}"])


# ---------------------------------------------------------------- dropout (C2W1 Regularization)


def test_forward_with_dropout():
    """forward_propagation_with_dropout_test_case, keep_prob = 0.7, with the masks course_compat draws
    (np.random.seed(1) inside the forward, D1 then D2, rand < keep_prob)."""
    entry = E["regularization"]["forward_propagation_with_dropout_test_case(keep_prob=0.7)"]
    recipe = E["fixture_inputs"]["forward_propagation_with_dropout_test_case"]
    assert "re-seeds 1" in recipe
    X = x_3x5()
    config = RunConfig(hidden_layers=[2, 3], keep_prob=0.7, course_compat=True)
    training = Training(config, dataset=Dataset("fixture", X, Y5, None, None))
    training.net.set_parameters(seeded_draws(PARAMS_3231, skip=(3, 5)))
    ws = training.workspace(5)
    reseeded = np.random.RandomState(1)
    D1, D2 = reseeded.rand(2, 5) < 0.7, reseeded.rand(3, 5) < 0.7
    assert ws.keep_prob == 0.7
    assert np.array_equal(ws.keep[0], D1) and np.array_equal(ws.keep[1], D2)
    A3 = ws.forward(with_ones_row(X))
    assert_printed(A3, entry["published"]["A3"])
    assert_same(A3, entry["reproduced"]["A3"])


def test_backward_with_dropout():
    """backward_propagation_with_dropout_test_case, keep_prob = 0.8, with the fixture's literal D1, D2.

    The notebook's cache (A1, A2, A3) was made with keep_prob 0.5 (A1 = relu(Z1)·D1 / 0.5), and its backward
    is then called with 0.8; we check the first, then load that cache and run the backward at 0.8.
    Core folds 1/m into dZ_L (dZ3 = (A3 - Y)/m, as the initialization notebook writes it), so its dA_l are
    the regularization notebook's dA_l / m.
    """
    entry = E["regularization"]["backward_propagation_with_dropout_test_case(keep_prob=0.8)"]
    fixture = E["fixture_inputs"]["backward_propagation_with_dropout_test_case"]
    literal = E["fixture_inputs"]["backward_propagation_with_regularization_test_case"]  # W1..b3 "as above"
    assert fixture["W1"] == "as above"
    X1 = with_ones_row(x_3x5())
    m = X1.shape[1]

    net = Network([3, 2, 3, 1]).set_parameters(seeded_draws(PARAMS_3231, skip=(3, 5)))
    ws = net.workspace(m)
    ws.keep = [np.array(fixture["D1"], dtype=bool), np.array(fixture["D2"], dtype=bool)]
    ws.keep_prob = 0.5
    ws.forward(X1)
    assert_printed(ws.hidden(0), fixture["A1"])
    assert_printed(ws.hidden(1), fixture["A2"])
    assert_printed(ws.AL, fixture["A3"])

    net.set_parameters({k: np.array(literal[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3")})
    ws.A[0][:-1], ws.A[1][:-1], ws.A[2][...] = fixture["A1"], fixture["A2"], fixture["A3"]
    ws.keep_prob = 0.8
    ws.backward(X1, Y5)
    dA1, dA2 = m * ws.dA[0][:-1], m * ws.dA[1][:-1]
    assert_printed(dA1, entry["published"]["dA1"])
    assert_printed(dA2, entry["published"]["dA2"])
    assert_same(dA1, entry["reproduced"]["dA1"])
    assert_same(dA2, entry["reproduced"]["dA2"])


# ---------------------------------------------------------------- update rules (C2W2 Optimization)

UPDATE_SHAPES = [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 3)), ("b2", (3, 1))]
GRAD_SHAPES = [("d" + name, shape) for name, shape in UPDATE_SHAPES]


def flat(arrays: dict[str, np.ndarray], names) -> np.ndarray:
    """The fixture's arrays laid out one after another: the layout is the optimizers' business only
    through its being the same for θ, dθ, v and s (the fixture's W1 (2,3), W2 (3,3) are no real net)."""
    return np.concatenate([np.ravel(arrays[name]) for name in names])


def unflat(vector: np.ndarray) -> dict[str, np.ndarray]:
    out, start = {}, 0
    for name, shape in UPDATE_SHAPES:
        size = shape[0] * shape[1]
        out[name] = vector[start : start + size].reshape(shape)
        start += size
    assert start == vector.size
    return out


UPDATE_CASES = {
    "gd": ("update_parameters_with_gd_test_case(lr=0.01)", lambda n: GradientDescent(n, 0.01)),
    "momentum": ("update_parameters_with_momentum_test_case(beta=0.9, lr=0.01)", lambda n: Momentum(n, 0.01, 0.9)),
    "adam": ("update_parameters_with_adam_test_case(t=2, lr=0.01)", lambda n: Adam(n, 0.01, 0.9, 0.999, 1e-8)),
}


@pytest.mark.parametrize("rule", list(UPDATE_CASES))
def test_update_rule(rule):
    """One update from the gd case's draws (np.random.seed(1); W1, b1, W2, b2, dW1, db1, dW2, db2), with
    v and s starting at zero as the notebook's test cases pass them; Adam does its step t = 2."""
    key, make = UPDATE_CASES[rule]
    entry = E["optimization"][key]
    assert "same draws for the momentum and adam cases" in E["optimization"][UPDATE_CASES["gd"][0]]["recipe"]
    draws = seeded_draws(UPDATE_SHAPES + GRAD_SHAPES)
    names = [name for name, _ in UPDATE_SHAPES]
    theta, grad = flat(draws, names), flat(draws, ["d" + n for n in names])
    optimizer = make(theta.size)
    if rule == "adam":
        optimizer.t = 1  # the update increments it: this is step t = 2
    optimizer.update(theta, grad)
    if rule == "adam":
        assert optimizer.t == 2

    updated = unflat(theta)
    atol = ADAM_T2_STATED_FORMULA if rule == "adam" else PRINTED_8DP
    for name in names:
        assert_printed(updated[name], entry["published"][name], atol=atol)
        assert_same(updated[name], entry["reproduced"][name])
    moments = {"v": getattr(optimizer, "v", None), "s": getattr(optimizer, "s", None)}
    for moment, vector in moments.items():
        published = {n: entry["published"].get(f"{moment}[d{n}]") for n in names}
        if all(p is None for p in published.values()):
            continue
        for name, value in unflat(vector).items():
            assert_printed(value, published[name])
            assert_same(value, entry["reproduced"][f"{moment}[d{name}]"])


def test_adam_t2_misses_the_eps_in_sqrt_table_only_where_the_reference_says():
    """The published table used eps inside the square root; core implements the stated formula, so it is
    within 5e-9 everywhere except W2[2,1] (and b2[0] by one in the 8th decimal)."""
    entry = E["optimization"]["update_parameters_with_adam_test_case(t=2, lr=0.01)"]
    draws = seeded_draws(UPDATE_SHAPES + GRAD_SHAPES)
    names = [name for name, _ in UPDATE_SHAPES]
    theta = flat(draws, names)
    adam = Adam(theta.size, 0.01)
    adam.t = 1
    adam.update(theta, flat(draws, ["d" + n for n in names]))
    off = unflat(np.abs(theta - flat(entry["published"], names)) > PRINTED_8DP)
    assert not off["W1"].any() and not off["b1"].any()
    assert off["W2"][2, 1] and np.count_nonzero(off["W2"]) == 1
    assert np.count_nonzero(off["b2"][1:]) == 0


# ---------------------------------------------------------------- mini-batches (C2W2 Optimization)


def test_random_mini_batches_through_training():
    """random_mini_batches_test_case (seed=0, batch 64, m=148) through Training's course_compat shuffle:
    its MiniBatches increments the shuffle seed before each epoch, so starting it at -1 makes the epoch use 0."""
    entry = E["optimization"]["random_mini_batches_test_case"]
    assert "np.random.seed(1); X=randn(12288,148); Y=randn(1,148)<0.5" in entry["recipe"]
    rs = np.random.RandomState(1)
    X = rs.randn(12288, 148)
    Y = (rs.randn(1, 148) < 0.5).astype(float)
    config = RunConfig(hidden_layers=[1], mini_batch_size=64, course_compat=True, epochs=1)
    training = Training(config, dataset=Dataset("fixture", X, Y, None, None))
    training.minibatches.seed = -1
    batches = []
    training.step = lambda X1, Yb, with_cost: batches.append((X1[:-1].copy(), Yb.copy()))
    training.train_epoch(with_cost=False)
    assert training.minibatches.seed == 0 and training.epoch == 1

    shapes = [list(b[0].shape) for b in batches] + [list(b[1].shape) for b in batches]
    assert shapes == entry["published"]["shapes"]
    assert_printed(batches[0][0][0][0:3], entry["published"]["sanity_check"])
    assert_same(batches[0][0][0][0:3], entry["reproduced"]["sanity_check"])
    perm = np.random.RandomState(0).permutation(148)  # the course's np.random.seed(0); permutation(m)
    assert np.array_equal(np.hstack([b[0] for b in batches]), X[:, perm])
    assert np.array_equal(np.hstack([b[1] for b in batches]), Y[:, perm])


def test_classic_optimization_shuffles_with_seeds_11_12_and_batches_of_64():
    model = E["optimization"]["model"]
    assert "first epoch uses 11" in model["minibatches"] and "64,64,64,64,44" in model["minibatches"]
    training = Training(preset_config("opt-gd"))
    m = training.m
    X, Y = training.X1[:-1].copy(), training.Y.copy()
    epochs: list[list[tuple[np.ndarray, np.ndarray]]] = [[], []]
    for epoch in epochs:
        training.step = lambda X1, Yb, with_cost, epoch=epoch: epoch.append((X1[:-1].copy(), Yb.copy()))
        training.train_epoch(with_cost=False)
    for seed, batches in zip((11, 12), epochs, strict=True):
        assert [b[0].shape[1] for b in batches] == [64, 64, 64, 64, 44]
        perm = np.random.RandomState(seed).permutation(m)
        assert np.array_equal(np.hstack([b[0] for b in batches]), X[:, perm])
        assert np.array_equal(np.hstack([b[1] for b in batches]), Y[:, perm])


# ---------------------------------------------------------------- gradient checking (C2W1)


def test_gradient_check_1d():
    """J(θ) = θx with x = 2, θ = 4, ε = 1e-7."""
    entry = E["gradient_check"]["1d"]
    x, theta = 2.0, np.array([4.0])
    J = lambda t: float(t[0] * x)  # noqa: E731
    assert J(theta) == entry["published"]["J"]
    grad = np.array([x])
    assert grad[0] == entry["published"]["dtheta"]
    difference = relative_difference(grad, numerical_gradient(J, theta, epsilon=1e-7))
    assert difference == pytest.approx(entry["published"]["difference_notebook_output"], rel=1e-6)
    assert difference == pytest.approx(entry["published"]["difference_expected_table"], rel=1e-6)


def gradient_check_n_case() -> tuple[Network, np.ndarray, np.ndarray]:
    """testCases.gradient_check_n_test_case: np.random.seed(1); x = randn(4,3); y = [1,1,0]; W1..b3."""
    recipe = E["gradient_check"]["nd"]["recipe"]
    assert "np.random.seed(1); x=randn(4,3); y=np.array([1,1,0])" in recipe
    shapes = [("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)), ("W3", (1, 3)), ("b3", (1, 1))]
    draws = seeded_draws(shapes, skip=(4, 3))
    net = Network([4, 5, 3, 1]).set_parameters(draws)
    assert net.theta.size == 47
    x = np.random.RandomState(1).randn(4, 3)
    return net, x, np.array([1, 1, 0])  # 1-D, as the test case passes it


def test_gradient_check_nd_fixed_backprop():
    published = E["gradient_check"]["nd"]["published"]
    net, x, y = gradient_check_n_case()
    check = gradient_check(net, x, y, epsilon=1e-7)
    assert 1.1e-7 < check.difference < 1.3e-7
    assert check.difference > published["threshold_classic"]  # the classic notebook's threshold is too strict
    assert check.difference < published["threshold_2021"] and check.passed
    assert check.difference == pytest.approx(published["difference_fixed_observed"][1], rel=1e-3)


def test_gradient_check_nd_bugged_backprop():
    """The notebook's shipped backward_propagation_n: dW2 ×2 and db1 ×4."""
    entry = E["gradient_check"]["nd"]
    assert "*2" in entry["bugged_backward"] and "4./m" in entry["bugged_backward"]
    net, x, y = gradient_check_n_case()
    theta = net.theta.copy()
    grad = backprop_gradient(net, x, y)
    layers = net.views(grad)
    layers[1][:, :-1] *= 2  # dW2
    layers[0][:, -1] *= 4  # db1
    check = gradient_check(net, x, y, grad=grad, epsilon=1e-7)
    assert check.difference == pytest.approx(entry["published"]["difference_bugged_full"], abs=1e-10)
    assert check.difference == pytest.approx(entry["published"]["difference_bugged"], abs=1e-10)
    assert not check.passed
    assert np.array_equal(net.theta, theta)  # checking leaves the parameters as they were
