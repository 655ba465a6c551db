"""Properties: backprop agrees with centred differences on random small nets; gradient checking refuses
dropout; the run config's bounds, unknown fields and defaults."""

import string

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.config import MAX_EXAMPLES, MAX_HIDDEN_LAYERS, MAX_UNITS, RunConfig
from core.gradcheck import THRESHOLD, backprop_gradient, gradient_check, network_cost
from core.init import initial_weights
from core.network import ACTIVATIONS, Network, with_ones_row
from core.presets import preset_config
from tests.reference import published

FAST = settings(max_examples=40, deadline=None)

# zeros is left out: it is a degenerate point, not a generic one. With all weights and biases zero every
# ReLU pre-activation is exactly 0, the kink, where backprop takes the derivative 0 and centred differences
# give 1/2; and every hidden unit is identical, so most of the gradient is identically 0 on both sides.
INITIALIZATIONS = ("random", "he", "xavier")
RANDOM_INIT_SCALE = 1.0  # the course's x10 saturates the sigmoid: cost inf, and nothing left to compare
BIAS_SCALE = 0.1
MAX_OUTPUT_Z = 3.0  # sigmoid(±3) = 0.047 / 0.953
EPSILON = 1e-7  # the course's


@st.composite
def problems(draw):
    """A small net and data: structure from hypothesis, values from a seeded normal stream (generic floats)."""
    n_x = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))
    m = draw(st.integers(3, 20))
    seed = draw(st.integers(0, 2**32 - 1))
    return [n_x, *hidden, 1], m, seed


def build(sizes, m, seed, activation, initialization):
    rs = np.random.RandomState(seed)
    net = Network(sizes, activation)
    for l, W in enumerate(initial_weights(sizes, initialization, seed, RANDOM_INIT_SCALE), 1):
        net.W(l)[...] = W
        # Nonzero biases by construction: with b = 0 an example whose previous layer is all dead ReLUs
        # has Z = 0 exactly, on the kink (a 1-unit layer does that to half the examples). Small random b
        # keeps every pre-activation generic, as in the course's gradient_check_n_test_case (b = randn).
        net.b(l)[...] = BIAS_SCALE * rs.randn(sizes[l], 1)
    X = rs.randn(sizes[0], m)
    Y = (rs.rand(1, m) < 0.5).astype(float)
    # An unsaturated output by construction: scale [W_L | b_L] so that |Z_L| <= MAX_OUTPUT_Z. A confidently
    # wrong sigmoid (a -> 1 with y = 0) makes log(1 - a) cancel catastrophically: J is then known to
    # ~1e-16 / (1 - a), and centred differences with eps = 1e-7 measure that rounding, not the gradient
    # (|Z_L| = 18 gives differences of 1e-2 with a correct backprop). The threshold stays 2e-7.
    ws = net.workspace(m)
    ws.forward(with_ones_row(X))
    Z_L = net.layers[-1] @ ws.A[-2] if len(sizes) > 2 else net.layers[-1] @ with_ones_row(X)
    net.layers[-1] *= min(1.0, MAX_OUTPUT_Z / np.abs(Z_L).max())
    return net, X, Y


def above_the_noise_floor(net, X, Y, l2_lambda) -> bool:
    """Is backprop's gradient large enough for the relative difference to mean something?

    Centred differences of a float64 cost J carry rounding noise of about eps_mach·J/ε per parameter
    (measured on 3000 random nets of this shape: ||noise|| <= 1.6·sqrt(n)·eps_mach·J/ε), and the relative
    difference is about ||noise|| / 2||grad||. A net whose gradient all but cancels (every ReLU of a layer
    dead and mean(a) = mean(y) to 1e-3, say) cannot show 2e-7 with any backprop: such draws are discarded
    (about 3% of them), not failed, and not hidden behind a looser threshold.
    """
    J = network_cost(net, X, Y, l2_lambda)(net.theta)
    noise = 4 * np.sqrt(net.theta.size) * np.finfo(float).eps * J / EPSILON  # 4: margin over the measured 1.6
    return np.linalg.norm(backprop_gradient(net, X, Y, l2_lambda)) >= noise / (2 * 2e-7)


@pytest.mark.parametrize("l2", ["none", "l2"])
@pytest.mark.parametrize("initialization", INITIALIZATIONS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@FAST
@given(problem=problems(), lam=st.floats(0.01, 2.0))
def test_backprop_passes_the_gradient_check(activation, initialization, l2, problem, lam):
    net, X, Y = build(*problem, activation, initialization)
    l2_lambda = lam if l2 == "l2" else 0.0
    assume(above_the_noise_floor(net, X, Y, l2_lambda))
    theta = net.theta.copy()
    check = gradient_check(net, X, Y, l2_lambda=l2_lambda, epsilon=EPSILON)
    assert check.difference < 2e-7, (check.difference, problem, l2_lambda)
    assert check.passed and check.threshold == THRESHOLD == 2e-7
    assert np.array_equal(net.theta, theta)


@FAST
@given(problem=problems(), keep_prob=st.floats(0.01, 1.0, exclude_max=True))
def test_gradient_check_refuses_dropout(problem, keep_prob):
    net, X, Y = build(*problem, "relu", "he")
    with pytest.raises(ValueError, match="dropout"):
        gradient_check(net, X, Y, keep_prob=keep_prob)


# ---------------------------------------------------------------- the run config

# field -> (lower, lower included, upper, upper included, type); the bounds the config documents
BOUNDS: dict[str, tuple[float, bool, float, bool, type]] = {
    "init_scale": (0, False, 1000, True, float),
    "seed": (0, True, 2**32 - 1, True, int),
    "learning_rate": (0, False, 100, True, float),
    "epochs": (1, True, 100_000, True, int),
    "mini_batch_size": (1, True, MAX_EXAMPLES, True, int),
    "beta": (0, True, 1, False, float),
    "beta1": (0, True, 1, False, float),
    "beta2": (0, True, 1, False, float),
    "epsilon": (0, False, 1, True, float),
    "l2_lambda": (0, True, 100, True, float),
    "keep_prob": (0, False, 1, True, float),
    "report_every": (1, True, 100_000, True, int),
    "grid_size": (10, True, 200, True, int),
}


@st.composite
def out_of_range(draw):
    field = draw(st.sampled_from(sorted(BOUNDS)))
    lo, lo_in, hi, hi_in, kind = BOUNDS[field]
    if kind is int:
        below = st.integers(max_value=lo - 1)
        above = st.integers(min_value=hi + 1)
    else:
        below = st.floats(max_value=lo, exclude_max=lo_in, allow_nan=False)
        above = st.floats(min_value=hi, exclude_min=hi_in, allow_nan=False)
    return field, draw(below | above)


@st.composite
def in_range(draw):
    field = draw(st.sampled_from(sorted(BOUNDS)))
    lo, lo_in, hi, hi_in, kind = BOUNDS[field]
    if field == "mini_batch_size":
        hi = RunConfig().expected_size()[0]  # a batch larger than the data set is refused by the model (below)
    if kind is int:
        return field, draw(st.integers(lo, hi))
    return field, draw(st.floats(lo, hi, exclude_min=not lo_in, exclude_max=not hi_in))


def error_locs(error: ValidationError) -> list[tuple]:
    return [e["loc"] for e in error.errors()]


@FAST
@given(case=out_of_range())
def test_out_of_range_values_are_refused_naming_the_field(case):
    field, value = case
    with pytest.raises(ValidationError) as info:
        RunConfig(**{field: value})
    assert error_locs(info.value) == [(field,)]


@FAST
@given(case=in_range())
def test_in_range_values_are_accepted(case):
    field, value = case
    assert getattr(RunConfig(**{field: value}), field) == value


@FAST
@given(
    layers=st.lists(st.integers(1, MAX_UNITS), min_size=1, max_size=MAX_HIDDEN_LAYERS),
    position=st.integers(0, MAX_HIDDEN_LAYERS - 1),
    bad=st.integers(max_value=0) | st.integers(min_value=MAX_UNITS + 1),
)
def test_hidden_layer_sizes_are_bounded(layers, position, bad):
    # epochs=1: six layers of 64 units for the default 15000 epochs is over the work budget, another rule
    assert RunConfig(hidden_layers=layers, epochs=1).layer_sizes == [2, *layers, 1]
    position = min(position, len(layers) - 1)
    layers = [*layers[:position], bad, *layers[position + 1 :]]
    with pytest.raises(ValidationError) as info:
        RunConfig(hidden_layers=layers, epochs=1)
    assert error_locs(info.value) == [("hidden_layers", position)]


@FAST
@given(extra=st.integers(1, 5))
def test_too_many_hidden_layers_are_refused(extra):
    with pytest.raises(ValidationError) as info:
        RunConfig(hidden_layers=[3] * (MAX_HIDDEN_LAYERS + extra))
    assert error_locs(info.value) == [("hidden_layers",)]


@FAST
@given(size=st.integers(RunConfig().expected_size()[0] + 1, MAX_EXAMPLES))
def test_a_batch_larger_than_the_data_is_refused(size):
    with pytest.raises(ValidationError, match="mini_batch_size"):
        RunConfig(mini_batch_size=size)


@FAST
@given(
    name=st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=20).filter(
        lambda name: name not in RunConfig.model_fields
    ),
    value=st.integers() | st.text(max_size=5) | st.none(),
)
def test_unknown_fields_are_refused(name, value):
    with pytest.raises(ValidationError) as info:
        RunConfig(**{name: value})
    errors = info.value.errors()
    assert [(e["type"], e["loc"]) for e in errors] == [("extra_forbidden", (name,))]


def test_the_defaults_are_the_he_experiment():
    defaults = RunConfig()
    assert defaults.model_dump() == {**preset_config("init-he").model_dump(), "course_compat": False}
    assert defaults.initialization == "he" and defaults.seed == 3 and defaults.dataset == "circles"


@pytest.mark.reference("expected.json")
def test_the_defaults_are_the_published_he_model():
    expected = published()["initialization"]
    model = expected["model"]
    defaults = RunConfig()
    assert defaults.layer_sizes == model["layers"]
    assert defaults.learning_rate == model["lr"]
    assert defaults.epochs == model["iterations"]
    assert "np.random.seed(3)" in expected["initialize_parameters_he([2,4,1])"]["recipe"]
