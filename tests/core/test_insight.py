"""The insight numbers tell the truth: about symmetry, saturation, exploding gradients and dead units."""

import numpy as np
import pytest

from core.config import RunConfig
from core.gradcheck import backprop_gradient, gradient_check
from core.insight import (
    INPUTS_SHOWN,
    MAX_CHECK_WORK,
    UNITS_SHOWN,
    CheckTooLarge,
    activation_histograms,
    check_gradients_now,
    check_refusal,
    forward_backward,
    gradient_check_report,
    histogram,
    insight_report,
    layer_norms,
    stored_training,
    symmetry,
)
from core.network import Network, with_ones_row
from core.presets import preset_config
from core.train import Training


def trained(config: RunConfig) -> Training:
    training = Training(config)
    while not training.done:
        training.advance()
    return training


def test_zeros_init_never_breaks_symmetry():
    training = trained(preset_config("init-zeros", {"epochs": 1000}))
    assert symmetry(training.net) == [0.0, 0.0]
    assert [h["dead"] for h in activation_histograms(forward_backward(training.view()))[:-1]] == [1.0, 1.0]
    assert all(s > 1 for s in symmetry(Training(preset_config("init-he")).net))


def test_identical_units_stay_identical_while_their_weights_move():
    """Not only zeros: units that start equal get equal gradients, so they stay equal (to rounding)."""
    training = Training(RunConfig(dataset="moons", hidden_layers=[4, 3], activation="tanh", epochs=1000))
    net = training.net
    net.W(1)[...] = [[0.7, -1.2]]  # every unit of layer 1 gets the same row, every unit of layer 2 the same
    net.b(1)[...] = 0.1
    net.W(2)[...] = 0.3
    net.W(3)[...] = 0.5
    start = net.theta.copy()
    while not training.done:
        training.advance()
    assert np.abs(net.theta - start).max() > 0.1
    assert max(symmetry(net)) < 1e-12


def test_random_x10_saturates_the_output_and_its_gradients_explode():
    """At epoch 0, ×10 weights: every sigmoid output is within 1e-3 of 0 or 1, none with He's; the weights
    are 10–22× He's, their gradients 270–580× (measured: 578, 273, 371 for layers 1, 2, 3)."""
    random, he = Training(preset_config("init-random")), Training(preset_config("init-he"))
    ws_random, ws_he = forward_backward(random.view()), forward_backward(he.view())
    assert activation_histograms(ws_random)[-1]["saturated"] == 1.0
    assert activation_histograms(ws_he)[-1]["saturated"] == 0.0
    norms_random, norms_he = layer_norms(random.net, ws_random.grad), layer_norms(he.net, ws_he.grad)
    weight_ratios = [r["W"] / h["W"] for r, h in zip(norms_random, norms_he, strict=True)]
    gradient_ratios = [r["dW"] / h["dW"] for r, h in zip(norms_random, norms_he, strict=True)]
    assert weight_ratios == pytest.approx([10, np.sqrt(500), np.sqrt(250)])  # 10 / √(2/n_prev)
    assert min(gradient_ratios) >= 100


def test_layer_norms_are_the_frobenius_norms_of_the_course_shaped_matrices():
    training = trained(RunConfig(dataset="moons", epochs=20))
    grad = backprop_gradient(training.net, training.data.X_train, training.data.Y_train)
    params, grads = training.net.parameters(), Network(training.net.layer_sizes)
    grads.theta[...] = grad
    for entry in layer_norms(training.net, grad):
        l = entry["layer"]
        assert entry["W"] == pytest.approx(np.sqrt(np.sum(params[f"W{l}"] ** 2)), rel=1e-12)
        assert entry["b"] == pytest.approx(np.sqrt(np.sum(params[f"b{l}"] ** 2)), rel=1e-12)
        assert entry["dW"] == pytest.approx(np.sqrt(np.sum(grads.W(l) ** 2)), rel=1e-12)


def test_dead_relus_are_counted():
    """A large negative bias kills a unit on every example, a large positive one keeps it alive."""
    rng = np.random.default_rng(0)
    net = Network([2, 4, 3, 1])
    net.theta[...] = rng.normal(size=net.theta.size)
    net.b(1)[:2] = -1e3
    net.b(2)[...] = 10
    X = rng.normal(size=(2, 50))
    ws = net.workspace(50)
    ws.forward(with_ones_row(X))
    assert [h["dead"] for h in activation_histograms(ws)[:-1]] == [0.5, 0.0]
    net.b(2)[...] = -1e3
    ws.forward(with_ones_row(X))
    assert [h["dead"] for h in activation_histograms(ws)[:-1]] == [0.5, 1.0]


def test_histograms_count_every_unit_on_every_example():
    training = Training(RunConfig(dataset="moons", hidden_layers=[7, 4]))
    histograms = activation_histograms(forward_backward(training.view()), bins=12)
    m = training.m
    assert [sum(h["counts"]) for h in histograms] == [7 * m, 4 * m, 1 * m]
    assert all(len(h["edges"]) == 13 and h["nonfinite"] == 0 for h in histograms)


@pytest.mark.parametrize(
    "values",
    [[1.0, 1 - 1e-16, 1.0, np.inf], [1e308, -1e308, 0.0, np.nan], [0.0, 0.0]],
    ids=["saturated within an ulp", "too wide for a float", "one value"],
)
def test_a_histogram_of_any_finite_values_has_its_bins(values):
    # a diverging tanh net's units sit at ±1 within 1e-16, or at ±1e308: NumPy's own edges fail there
    A = np.array(values)
    h = histogram(A, bins=20)
    edges = np.array(h["edges"])
    assert len(edges) == 21 and np.all(np.diff(edges) > 0) and np.all(np.isfinite(edges))
    assert sum(h["counts"]) == np.isfinite(A).sum() and h["nonfinite"] == (~np.isfinite(A)).sum()


def test_check_gradients_now_is_gradient_check_without_dropout():
    """A run with dropout and L2: the check runs with keep_prob 1 and the run's λ, and leaves θ as it was."""
    training = trained(RunConfig(dataset="moons", keep_prob=0.8, l2_lambda=0.1, epochs=50))
    theta = training.net.theta.copy()
    check = check_gradients_now(training.view())
    direct = gradient_check(training.net, training.data.X_train, training.data.Y_train, l2_lambda=0.1, keep_prob=1.0)
    assert check.difference == direct.difference
    assert check.passed
    np.testing.assert_array_equal(training.net.theta, theta)


def test_insight_report_is_the_functions_above_and_small():
    training = trained(preset_config("init-zeros", {"epochs": 200}))
    report = insight_report(training.view())
    assert report["type"] == "insight" and report["epoch"] == 200
    ws = forward_backward(training.view())
    assert report["norms"] == layer_norms(training.net, ws.grad)
    assert report["activations"] == activation_histograms(ws)
    assert report["symmetry"] == [0.0, 0.0]
    assert [(u["layer"], u["units"], u["inputs"]) for u in report["units"]] == [(1, 10, 2), (2, 5, 10)]
    for entry in report["units"]:  # zeros: every unit's row is the same
        assert all(row == entry["rows"][0] for row in entry["rows"])
    np.testing.assert_array_equal(report["units"][1]["rows"], training.net.layers[1])


def test_units_are_capped_and_keep_the_bias():
    training = Training(RunConfig(dataset="moons", hidden_layers=[40, 30]))
    (first, second) = insight_report(training.view())["units"]
    assert len(second["rows"]) == UNITS_SHOWN and all(len(row) == INPUTS_SHOWN + 1 for row in second["rows"])
    assert (second["units"], second["inputs"]) == (30, 40)
    layer = training.net.layers[1]
    np.testing.assert_array_equal(np.array(second["rows"])[:, -1], layer[:UNITS_SHOWN, -1])
    assert len(first["rows"]) == UNITS_SHOWN and len(first["rows"][0]) == 3


def test_check_refusal_names_the_size():
    assert check_refusal(91, 300) is None
    reason = check_refusal(4417, 300)
    assert reason is not None and "4417 parameters" in reason and "300 examples" in reason
    assert MAX_CHECK_WORK < 2 * 4417**2 * 300


def test_the_check_of_stored_weights_is_the_live_check():
    training = trained(RunConfig(dataset="moons", l2_lambda=0.3, keep_prob=0.9, epochs=30))
    stored = {name: value.tolist() for name, value in training.net.parameters().items()}
    live, again = (
        gradient_check_report(training.view()),
        gradient_check_report(stored_training(training.config, training.data, stored).view()),
    )
    assert live["difference"] == check_gradients_now(training.view()).difference
    assert again["difference"] == pytest.approx(live["difference"], rel=1e-9)
    assert {k: v for k, v in live.items() if k not in ("difference", "epoch", "blocks", "notes")} == {
        "passed": True, "threshold": 2e-7, "parameters": 91, "examples": 300, "keep_prob_used": 1.0,
        "bug": None, "warnings": [],
    }  # fmt: skip
    assert [block["param"] for block in live["blocks"]] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert not any(block["broken"] for block in live["blocks"])
    dropout, l2 = live["notes"]  # the check explains what it did differently from training
    assert dropout.startswith("dropout: the run trains with keep_prob 0.9, the check with keep_prob = 1")
    assert l2.startswith("L2: the cost includes") and "λ = 0.3" in l2
    assert live["epoch"] == 30 and again["epoch"] == 0  # the stored net has not trained, as a Training


def test_a_check_too_large_is_refused_before_it_starts():
    training = Training(RunConfig(dataset="moons", hidden_layers=[64, 64]))
    with pytest.raises(CheckTooLarge, match="4417 parameters on 300 examples"):
        gradient_check_report(training.view())


def test_a_zero_gradient_checked_numerically_zero_passes():
    """Zeros init on the balanced circles: backprop and centred differences both give exactly 0 (not 0/0)."""
    report = gradient_check_report(trained(preset_config("init-zeros", {"epochs": 300})).view())
    assert report["difference"] == 0.0 and report["passed"]
