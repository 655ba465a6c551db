"""The numbers behind the "why" views: why a net learns, or doesn't.

Weight and gradient norms per layer (exploding, vanishing), activation histograms with the share of dead
ReLUs and saturated sigmoid outputs, how different a layer's units are (symmetry), and a gradient check of
the net as it stands. All are pure functions over a `Network` and a `Workspace` that has run forward (and
backward) on the training data; all but the gradient check are cheap enough to call at every report.
"""

from dataclasses import asdict

import numpy as np

from core.config import RunConfig
from core.data import Dataset
from core.gradcheck import DROPOUT_WHY, Bug, GradCheck, gradient_check
from core.network import Network, Workspace
from core.train import NetView, Training

# a sigmoid output this close to 0 or 1 has a slope a(1 - a) under 1e-3: it barely passes a gradient back
SATURATION = 1e-3
# the units view: at most this many units per hidden layer, and this many of each unit's incoming weights
# (its bias is always shown), so that an insight report stays a few KB whatever the layer sizes
UNITS_SHOWN = 16
INPUTS_SHOWN = 16
# a gradient check costs 2P forward passes over m examples, ~2·P²·m multiply-adds: 5e9 is ~0.5 s here
MAX_CHECK_WORK = 5e9


def norm(x: np.ndarray) -> float:
    """The Frobenius norm (the Euclidean norm of a vector)."""
    return float(np.linalg.norm(x))


def layer_norms(net: Network, grad: np.ndarray) -> list[dict]:
    """Per layer l = 1..L: ||W_l||, ||dW_l|| (from the flat gradient `grad`) and ||b_l||."""
    return [
        {"layer": l, "W": norm(layer[:, :-1]), "dW": norm(dlayer[:, :-1]), "b": norm(layer[:, -1])}
        for l, (layer, dlayer) in enumerate(zip(net.layers, net.views(grad), strict=True), 1)
    ]


def histogram(A: np.ndarray, bins: int) -> dict:
    """Counts and bin edges of A's finite values, and how many are not finite (a diverged net's)."""
    finite = A[np.isfinite(A)]
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            counts, edges = np.histogram(finite, bins=bins)
    except ValueError:  # NumPy finds no `bins` distinct edges: a saturated layer's range, or one too wide for a float
        edges = spread_edges(float(finite.min()), float(finite.max()), bins)
        counts, _ = np.histogram(finite, bins=edges)
    return {"counts": counts.tolist(), "edges": edges.tolist(), "nonfinite": int(A.size - finite.size)}


def spread_edges(lo: float, hi: float, bins: int) -> np.ndarray:
    """`bins` + 1 increasing edges over [lo, hi] when hi - lo is below a few ulps (tanh units all at ±1 within
    1e-16) or overflows (a diverging net's ±1e308): centred halves, each bin at least two ulps wide."""
    centre = lo / 2 + hi / 2
    half = max(hi / 2 - lo / 2, bins * float(np.spacing(abs(centre))))
    edges = centre + half * np.linspace(-1.0, 1.0, bins + 1)
    edges[0], edges[-1] = min(edges[0], lo), max(edges[-1], hi)
    return edges


def activation_histograms(ws: Workspace, bins: int = 20) -> list[dict]:
    """Per layer l = 1..L, a histogram of its activations over the workspace's examples. A hidden layer also
    gives `dead`, the share of its units that output 0 on every example (a dead ReLU passes no gradient
    back, so it never revives); the output layer gives `saturated`, the share of outputs within 1e-3 of 0
    or 1. Read it from a workspace without dropout (dropped units would look dead)."""
    L = len(ws.net.layers)
    out = []
    for l in range(1, L):
        A = ws.hidden(l - 1)
        out.append({"layer": l, **histogram(A, bins), "dead": float(np.mean(np.all(A == 0, axis=1)))})
    saturated = (ws.AL < SATURATION) | (ws.AL > 1 - SATURATION)
    out.append({"layer": L, **histogram(ws.AL, bins), "saturated": float(np.mean(saturated))})
    return out


def symmetry(net: Network) -> list[float]:
    """Per hidden layer, how different its units are: the largest ||w_i - w_j|| over pairs of units, w_i
    being unit i's row of [W | b]. Exactly 0 means every unit computes the same function, as after a
    zeros initialization, which gradient descent never breaks."""
    out = []
    for layer in net.layers[:-1]:
        # one unit against the ones after it at a time: all pairs at once would be n² rows of 12,288 weights
        farthest = max((float(np.max(np.sum(np.square(layer[i + 1 :] - row), axis=1))) for i, row in
                        enumerate(layer[:-1])), default=0.0)  # fmt: skip
        out.append(float(np.sqrt(farthest)))
    return out


def forward_backward(view: NetView) -> Workspace:
    """The view's workspace for the whole training set (no dropout) after a forward and a backward pass at the
    net's current θ: its activations and `grad` are what the functions above read."""
    ws = view.evaluation
    ws.forward(view.X1)
    ws.backward(view.X1, view.Y, view.config.l2_lambda)
    return ws


def check_gradients_now(view: NetView, bug: Bug | None = None) -> GradCheck:
    """`gradient_check` of the net at its current θ, on its training data, with its L2 λ (and the bug planted).

    Dropout is off for the check (keep_prob = 1) whatever the run uses: with dropout the cost is not one
    fixed function of θ, so centred differences would measure the masks' noise. It costs two forward
    passes per parameter: call it on demand, between epochs, not at every report."""
    data = view.data
    return gradient_check(view.net, data.X_train, data.Y_train, view.config.l2_lambda, keep_prob=1.0, bug=bug)


def units(net: Network) -> list[dict]:
    """Per hidden layer, its units' rows of [W | b] (the first UNITS_SHOWN units, each with its first
    INPUTS_SHOWN weights and its bias), and how many units and inputs the layer really has."""
    out = []
    for l, layer in enumerate(net.layers[:-1], 1):
        rows = layer[:UNITS_SHOWN]
        shown = np.hstack([rows[:, : min(INPUTS_SHOWN, layer.shape[1] - 1)], rows[:, -1:]])
        out.append({"layer": l, "rows": shown.tolist(), "units": layer.shape[0], "inputs": layer.shape[1] - 1})
    return out


def insight_report(view: NetView) -> dict:
    """Everything the insight views show about the net as it stands, as one message (docs/protocol.md):
    per-layer norms, activation histograms, symmetry and the units' weights. One forward and one backward
    pass over the training set: cheap enough to send a few times a second."""
    ws = forward_backward(view)
    return {
        "type": "insight",
        "epoch": view.epoch,
        "norms": layer_norms(view.net, ws.grad),
        "activations": activation_histograms(ws),
        "symmetry": symmetry(view.net),
        "units": units(view.net),
    }


def check_refusal(n_parameters: int, m: int) -> str | None:
    """Why a gradient check of P parameters on m examples would take too long, or None if it may run."""
    work = 2 * n_parameters**2 * m
    if work <= MAX_CHECK_WORK:
        return None
    return (
        f"a gradient check of {n_parameters} parameters on {m} examples needs 2·P²·m = {work:.2g} multiply-adds, "
        f"over the {MAX_CHECK_WORK:.0e} this server does on demand: use smaller layers or fewer examples"
    )


class CheckTooLarge(ValueError):  # noqa: N818 - reads as a sentence: raise CheckTooLarge
    """A gradient check that would take too long; its message names the size."""


def check_notes(config: RunConfig) -> list[str]:
    """What the check did differently from training, and why: dropout off, the L2 penalty's gradient in."""
    notes = []
    if config.keep_prob < 1:
        notes.append(
            f"dropout: the run trains with keep_prob {config.keep_prob:g}, the check with keep_prob = 1 (it refuses "
            f"dropout: {DROPOUT_WHY})"
        )
    if config.l2_lambda:
        notes.append(f"L2: the cost includes λ/(2m) Σ||W||² (λ = {config.l2_lambda:g}) and backprop's dW its λ/m W")
    return notes


def gradient_check_report(view: NetView, bug: Bug | None = None) -> dict:
    """`check_gradients_now` as the API answers it: the difference, whether it passes, and what was checked; per
    block, the blocks' differences; the bug planted, if any; notes and warnings on when the check cannot hold.
    Raises CheckTooLarge (naming the size) for a check over MAX_CHECK_WORK."""
    n, m = view.net.theta.size, view.m
    refusal = check_refusal(n, m)
    if refusal is not None:
        raise CheckTooLarge(refusal)
    check = check_gradients_now(view, bug)
    return {
        "epoch": view.epoch,
        "difference": check.difference,
        "passed": check.passed,
        "threshold": check.threshold,
        "parameters": n,
        "examples": m,
        "keep_prob_used": 1.0,
        "blocks": [asdict(block) for block in check.blocks],
        "bug": None if bug is None else {"scales": [list(scale) for scale in bug.scales], "note": bug.note},
        "notes": check_notes(view.config),
        "warnings": check.warnings,
    }


def stored_training(config: RunConfig, dataset: Dataset, parameters: dict[str, np.ndarray | list]) -> Training:
    """A Training at stored weights (a finished run's), on the run's data: what the checks above read."""
    training = Training(config, dataset=dataset)
    training.net.set_parameters(parameters)
    return training
