"""The stepper: one iteration's stages equal a plain NumPy re-computation in the course's own form (separate W
and b, 1/m in dW), they are the run's own buffers, and previewing changes nothing: the run's next epoch is exactly
the previewed one, alone and stacked."""

import numpy as np
import pytest

from core.config import RunConfig
from core.data import Dataset
from core.grid import GridTraining
from core.stepper import SHOWN_ENTRIES, SHOWN_ROWS, NoSuchExample, iteration
from core.train import Training

SMALL = {"dataset": {"name": "moons", "n_train": 30}, "hidden_layers": [4, 3], "epochs": 50, "report_every": 10}
CLOSE = {"rtol": 1e-10, "atol": 1e-13}


def items(answer: dict, stage: str) -> dict[str, dict]:
    (found,) = [s for s in answer["stages"] if s["stage"] == stage]
    return {item["name"]: item for item in found["items"]}


def trained(config: RunConfig, epochs: int = 7) -> Training:
    training = Training(config)
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            training.advance()
    return training


def course_iteration(training: Training, D: list[np.ndarray] | None) -> dict:
    """One full-batch iteration as the course writes it, from the run's parameters, optimizer state and masks."""
    config, P = training.config, training.net.parameters()
    L = len(training.net.layers)
    X, Y, m = training.data.X_train, training.data.Y_train, training.m
    g = (lambda Z: np.maximum(Z, 0)) if config.activation == "relu" else np.tanh
    A, Z = {0: X}, {}
    for l in range(1, L + 1):
        Z[l] = P[f"W{l}"] @ A[l - 1] + P[f"b{l}"]
        A[l] = 1 / (1 + np.exp(-Z[l])) if l == L else g(Z[l])
        if l < L and D is not None:
            A[l] = A[l] * D[l - 1] / config.keep_prob
    lam = config.l2_lambda
    cross_entropy = -np.sum(Y * np.log(A[L]) + (1 - Y) * np.log(1 - A[L])) / m
    J = cross_entropy + lam / (2 * m) * sum(np.sum(P[f"W{l}"] ** 2) for l in range(1, L + 1))
    grads, dZ = {}, A[L] - Y
    for l in range(L, 0, -1):
        grads[f"dW{l}"] = dZ @ A[l - 1].T / m + lam / m * P[f"W{l}"]
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dA = P[f"W{l}"].T @ dZ
            if D is not None:
                dA = dA * D[l - 2] / config.keep_prob
            dZ = dA * ((Z[l - 1] > 0) if config.activation == "relu" else (1 - np.tanh(Z[l - 1]) ** 2))
    out, opt, rate = {"J": J, "cross_entropy": cross_entropy, **grads}, training.optimizer, config.learning_rate
    views = {name: training.net.views(getattr(opt, name)) for name in ("v", "s") if hasattr(opt, name)}
    t = getattr(opt, "t", 0) + 1
    for l in range(1, L + 1):
        for p, part in ((f"W{l}", np.s_[:, :-1]), (f"b{l}", np.s_[:, -1:])):
            d = grads[f"d{p}"]
            if config.optimizer == "gd":
                step = rate * d
            elif config.optimizer == "momentum":
                v = config.beta * views["v"][l - 1][part] + (1 - config.beta) * d
                out[f"v_d{p}"], step = v, rate * v
            else:
                v = config.beta1 * views["v"][l - 1][part] + (1 - config.beta1) * d
                s = config.beta2 * views["s"][l - 1][part] + (1 - config.beta2) * d**2
                v_hat, s_hat = v / (1 - config.beta1**t), s / (1 - config.beta2**t)
                out |= {f"v_d{p}": v, f"s_d{p}": s, f"v̂_d{p}": v_hat, f"ŝ_d{p}": s_hat}
                step = rate * v_hat / (np.sqrt(s_hat) + config.epsilon)
            out[f"step_{p}"], out[f"{p}_new"] = step, P[p] - step
    return {"Z": Z, "A": A, **out}


def next_masks(training: Training) -> list[np.ndarray] | None:
    """The dropout masks the run's next full-batch step uses: the course's fixed draws, or the run's stream's next."""
    config, m, hidden = training.config, training.m, training.net.layer_sizes[1:-1]
    if config.keep_prob == 1:
        return None
    if config.course_compat:
        rs = np.random.RandomState(1)
        return [(rs.rand(n, m) < config.keep_prob).astype(float) for n in hidden]
    rng = np.random.default_rng()
    rng.bit_generator.state = training.rng.bit_generator.state
    return [(rng.random((n, m)) < config.keep_prob).astype(float) for n in hidden]


CASES = [
    {"optimizer": "gd"},
    {"optimizer": "momentum", "beta": 0.8, "activation": "tanh"},
    {"optimizer": "adam", "l2_lambda": 0.4},
    {"optimizer": "adam", "keep_prob": 0.7, "l2_lambda": 0.1},
    {"optimizer": "gd", "keep_prob": 0.8, "course_compat": True, "activation": "tanh"},
]


@pytest.mark.parametrize("fields", CASES, ids=lambda f: "-".join(f"{k}={v}" for k, v in f.items()))
def test_the_stages_equal_a_plain_numpy_recomputation(fields):
    training = trained(RunConfig(**SMALL, learning_rate=0.05, **fields))
    example = 4
    answer = iteration(training.twin(), example)
    forward, cost, backward, update = (items(answer, s) for s in ("forward", "cost", "backward", "update"))
    masks = next_masks(training)
    if masks is not None:
        for l in (1, 2):
            assert forward[f"D{l}"]["example"] == masks[l - 1][:, example].tolist()
    course = course_iteration(training, masks)
    L = 3
    for l in range(1, L + 1):
        np.testing.assert_allclose(forward[f"Z{l}"]["example"], course["Z"][l][:, example], **CLOSE)
        np.testing.assert_allclose(forward[f"A{l}"]["example"], course["A"][l][:, example], **CLOSE)
        assert forward[f"A{l}"]["norm"] == pytest.approx(np.linalg.norm(course["A"][l]), rel=1e-10)
    assert cost["J"]["value"] == pytest.approx(course["J"], rel=1e-12)
    assert cost["cross_entropy"]["value"] == pytest.approx(course["cross_entropy"], rel=1e-12)
    for name in [f"d{p}{l}" for l in range(1, L + 1) for p in "Wb"]:
        np.testing.assert_allclose(backward[name]["values"], course[name], **CLOSE)
    for name, item in update.items():
        if name in course:
            np.testing.assert_allclose(item["values"], course[name], **CLOSE, err_msg=name)
    assert answer["epoch"] == 7 and answer["batch"] == {"m": 30, "examples": 30, "first_of_epoch": False}


@pytest.mark.parametrize("fields", CASES[2:4], ids=["adam-l2", "adam-dropout"])
def test_the_stages_are_the_runs_own_buffers_and_one_step_is_one_advance(fields):
    training = trained(RunConfig(**SMALL, **fields))
    theta, twin = training.net.theta.copy(), training.twin()
    answer = iteration(twin, 0)
    assert np.array_equal(training.net.theta, theta) and training.epoch == 7  # previewing moved nothing
    training.advance()  # the run's own next epoch
    assert np.array_equal(twin.net.theta, training.net.theta)
    assert np.array_equal(twin.optimizer.v, training.optimizer.v) and twin.optimizer.t == training.optimizer.t
    ws = training.workspaces[training.m]
    forward, backward, update = (items(answer, s) for s in ("forward", "backward", "update"))
    for l in (1, 2):
        assert forward[f"A{l}"]["example"] == ws.A[l - 1][:-1, 0].tolist()
        assert backward[f"dZ{l}"]["example"] == ws.dZ[l - 1][:, 0].tolist()
    assert forward["A3"]["example"] == ws.AL[:, 0].tolist()
    for l, layer in enumerate(training.net.layers, 1):
        assert update[f"W{l}_new"]["values"] == layer[:, :-1].tolist()
        assert backward[f"dW{l}"]["values"] == ws.grad_layers[l - 1][:, :-1].tolist()


def test_a_mini_batch_epoch_shows_its_first_batch_and_trains_as_the_run():
    config = RunConfig(
        **{**SMALL, "dataset": {"name": "moons", "n_train": 100}}, mini_batch_size=32, optimizer="momentum"
    )
    training = trained(config, 3)
    twin = training.twin()
    answer = iteration(twin, 31)
    assert answer["batch"] == {"m": 32, "examples": 100, "first_of_epoch": True}
    training.advance()
    assert np.array_equal(twin.net.theta, training.net.theta)
    with pytest.raises(NoSuchExample, match="0 to 31"):
        iteration(training.twin(), 32)


@pytest.mark.parametrize(
    "fields", [{"mini_batch_size": 16, "course_compat": True}, {"mini_batch_size": 16}, {"keep_prob": 0.8}, {}]
)
def test_a_stacked_members_twin_is_its_next_epoch(fields):
    configs = [RunConfig(**SMALL, optimizer=o, learning_rate=r, **fields) for o, r in
               (("gd", 0.1), ("momentum", 0.05), ("adam", 0.01), ("adam", 0.02))]  # fmt: skip
    grid = GridTraining(configs)
    for _ in range(5):
        grid.advance()
    twins = [grid.twin(k) for k in range(len(configs))]
    for twin in twins:
        iteration(twin, 0)
    grid.advance()
    for k, twin in enumerate(twins):  # the twin trains alone: a stack's matmuls round like it, to ~1e-17 at most
        np.testing.assert_allclose(twin.net.theta, grid.stack.theta[k], rtol=1e-12, atol=1e-15, err_msg=str(k))


def test_wide_inputs_are_summaries():
    rs = np.random.RandomState(0)
    X, Y = rs.randn(12288, 12), (rs.rand(1, 12) < 0.5).astype(float)
    config = RunConfig(dataset="circles", hidden_layers=[7], epochs=2)
    answer = iteration(Training(config, dataset=Dataset("images", X, Y, None, None)).twin(), 3)
    forward, backward = items(answer, "forward"), items(answer, "backward")
    assert "example" not in forward["A0"] and forward["A0"]["shape"] == [12288, 12] and SHOWN_ROWS < 12288
    assert len(forward["A1"]["example"]) == 7
    assert "values" not in backward["dW1"] and backward["dW1"]["shape"] == [7, 12288] and SHOWN_ENTRIES < 7 * 12288
    assert sum(backward["dW1"]["histogram"]["counts"]) == 7 * 12288
    assert backward["dW2"]["values"] and len(backward["db1"]["values"]) == 7
