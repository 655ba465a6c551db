"""Gradient checking: backprop's gradient against centred differences of the cost, for every parameter.

gradapprox_i = (J(θ + ε e_i) - J(θ - ε e_i)) / 2ε
difference   = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)

The same difference per parameter block (W_l, b_l) says which layer's gradient is wrong; a `Bug` plants
mistakes in backprop's gradient (the notebook's own: dW2 × 2, db1 × 4) for the check to catch.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.network import Network, cost, cross_entropy_sum, weight_squares, with_ones_row

THRESHOLD = 2e-7  # the 2021 notebook's; a correct backprop gives ~1e-7 on the course's case
# A centred difference of a float64 cost J carries rounding noise of about eps_mach·J/ε per parameter; over a block
# of n parameters ||noise|| <= 1.6·sqrt(n)·eps_mach·J/ε (measured, tests/core/test_gradcheck_props.py): 4 for margin
ROUNDING = 4 * np.finfo(float).eps
NOISE_MARGIN = 10  # a block is broken when its difference is this far above what rounding alone gives it
DROPOUT_WHY = (
    "dropout draws new masks on every forward pass, so the cost is not one fixed function of the parameters "
    "and centred differences measure noise, not the gradient"
)
DROPOUT_REFUSAL = f"gradient checking needs keep_prob = 1: {DROPOUT_WHY}"


GRADIENT_BLOCK = re.compile(r"^d([Wb])([1-9][0-9]?)$")  # dW2, db1: a layer's gradient block, 1-based


@dataclass
class GradCheck:
    difference: float
    threshold: float = THRESHOLD
    blocks: list["Block"] = field(default_factory=list)  # W1, b1, W2, ...
    warnings: list[str] = field(default_factory=list)  # why the check may not hold here

    @property
    def passed(self) -> bool:
        return bool(self.difference < self.threshold)


@dataclass(frozen=True)
class Block:
    """One parameter block's check: its relative difference, and whether that is more than rounding can explain."""

    param: str  # "W1", "b1", ...
    difference: float
    broken: bool


@dataclass(frozen=True)
class Bug:
    """Mistakes planted in backprop's gradient: each named block (dW_l or db_l) scaled, and what they stand for."""

    scales: tuple[tuple[str, float], ...]
    note: str


def course_bug(layers: int) -> Bug:
    """The notebook's backward_propagation_n as shipped: dW2 × 2 and db1 × 4. A net of one layer has no W2: its
    dW1 × 2 stands in for dW2 × 2 (the nearest equivalent), and the note says so."""
    if layers >= 2:
        return Bug((("dW2", 2.0), ("db1", 4.0)), "the notebook's two mistakes: dW2 × 2 and db1 × 4")
    return Bug(
        (("dW1", 2.0), ("db1", 4.0)),
        "the notebook's mistakes, dW2 × 2 and db1 × 4; this net has one layer, so dW1 × 2 stands in for dW2 × 2",
    )


def scaled_block(param: str, scale: float, layers: int) -> Bug:
    """One block of the gradient scaled (a mistake the user picks); ValueError naming what is wrong."""
    match = GRADIENT_BLOCK.match(param)
    if match is None:
        raise ValueError(f"param: {param!r} is not a gradient block: expected dW1, db1, dW2, ... (1-based layers)")
    if int(match[2]) > layers:
        raise ValueError(f"param: this net has {layers} layers, so there is no {param}")
    return Bug(((param, float(scale)),), f"{param} × {scale:g}")


def planted_bug(spec: str | tuple[str, float] | None, layers: int) -> Bug | None:
    """The bug a request names: None, "course" (course_bug) or (block, scale) (scaled_block), for a net of `layers`."""
    if spec is None:
        return None
    if spec == "course":
        return course_bug(layers)
    param, scale = spec
    return scaled_block(param, scale, layers)


def with_bug(net: Network, grad: np.ndarray, bug: Bug) -> np.ndarray:
    """A copy of the flat gradient with the bug's blocks scaled."""
    planted = grad.copy()
    layers = net.views(planted)
    for param, scale in bug.scales:
        kind, l = GRADIENT_BLOCK.match(param).groups()
        block = layers[int(l) - 1][:, :-1] if kind == "W" else layers[int(l) - 1][:, -1:]
        block *= scale
    return planted


def blocks_checked(net: Network, grad: np.ndarray, approx: np.ndarray, J: float, epsilon: float) -> list[Block]:
    """Each parameter block W1, b1, W2, ... checked alone: a wrong layer stands out. A small block's difference is
    noisier than the whole's (a 1-element b3 may read 3e-7 with a right backprop): it is broken when its difference
    is over the threshold and NOISE_MARGIN × the relative difference rounding alone gives it."""
    out = []
    for l, (g, a) in enumerate(zip(net.views(grad), net.views(approx), strict=True), 1):
        for name, part in ((f"W{l}", np.s_[:, :-1]), (f"b{l}", np.s_[:, -1:])):
            difference = relative_difference(g[part], a[part])
            noise = ROUNDING * np.sqrt(g[part].size) * abs(J) / epsilon / (2 * np.linalg.norm(g[part]) + 1e-300)
            out.append(Block(name, difference, bool(difference > max(THRESHOLD, NOISE_MARGIN * noise))))
    return out


def relu_kinks(net: Network, X: np.ndarray, epsilon: float) -> list[str]:
    """Where a ReLU's input sits so near its kink at 0 that nudging one parameter by ε can cross it: there the
    centred difference averages the two slopes, 0 and 1, and may disagree with a correct backprop. A nudge of a
    layer's W or b moves its units' inputs by at most ε·max|[A_prev; 1]|; one warning per such layer."""
    if net.activation != "relu":
        return []
    warnings, A_prev = [], with_ones_row(X)
    for l, layer in enumerate(net.layers[:-1], 1):
        Z = layer @ A_prev
        near = np.abs(Z) < epsilon * np.max(np.abs(A_prev))
        if near.any():
            units, examples = int(near.any(axis=1).sum()), int(near.any(axis=0).sum())
            warnings.append(
                f"layer {l}: {units} unit(s) have an input within ε of ReLU's kink at 0 (on {examples} example(s)): "
                "a nudge of ±ε crosses it, so the numerical gradient there may differ from backprop's"
            )
        A_prev = with_ones_row(np.maximum(Z, 0))
    return warnings


SWEPT_EPSILONS = [10.0**-k for k in range(0, 19)]  # 1 down to 1e-18: where rounding takes over


def one_dimensional(theta: float, x: float, epsilon: float) -> dict[str, float]:
    """The notebook's 1-D example J(θ) = θx: the forward pass, backprop's dJ/dθ = x, the centred difference and
    their relative difference. J is linear, so any ε is exact in exact arithmetic: what ε changes here is the
    rounding, which grows as ε shrinks (θ + ε == θ once ε is below θ's last bit: gradapprox 0, difference 1)."""
    J = lambda t: float(t[0] * x)  # noqa: E731
    grad = np.array([x])
    approx = numerical_gradient(J, np.array([theta]), epsilon)
    return {
        "J": J([theta]),
        "J_plus": J([theta + epsilon]),
        "J_minus": J([theta - epsilon]),
        "grad": float(grad[0]),
        "gradapprox": float(approx[0]),
        "difference": relative_difference(grad, approx),
    }


def one_dimensional_sweep(theta: float, x: float) -> list[tuple[float, float]]:
    """(ε, difference) of the 1-D example over SWEPT_EPSILONS: what too small an ε does."""
    return [(epsilon, one_dimensional(theta, x, epsilon)["difference"]) for epsilon in SWEPT_EPSILONS]


def relative_difference(grad: np.ndarray, approx: np.ndarray) -> float:
    """||grad - approx|| / (||grad|| + ||approx||); 0 when both are exactly zero (they agree: a zeros-init net
    on balanced data sits where every gradient is 0, and 0/0 would read as a failed check)."""
    total = np.linalg.norm(grad) + np.linalg.norm(approx)
    return 0.0 if total == 0 else float(np.linalg.norm(grad - approx) / total)


def numerical_gradient(cost: Callable[[np.ndarray], float], theta: np.ndarray, epsilon: float = 1e-7) -> np.ndarray:
    """Centred differences of cost(θ), one parameter at a time."""
    approx = np.empty_like(theta)
    shifted = theta.copy()
    for i in range(theta.size):
        shifted[i] = theta[i] + epsilon
        J_plus = cost(shifted)
        shifted[i] = theta[i] - epsilon
        J_minus = cost(shifted)
        shifted[i] = theta[i]
        approx[i] = (J_plus - J_minus) / (2 * epsilon)
    return approx


def network_cost(net: Network, X: np.ndarray, Y: np.ndarray, l2_lambda: float = 0.0) -> Callable[[np.ndarray], float]:
    """J(θ) for this net's shape on (X, Y), as a function of a parameter vector."""
    X1, ws, m = with_ones_row(X), net.workspace(X.shape[1]), X.shape[1]
    original = net.theta.copy()

    def J_of(theta: np.ndarray) -> float:
        net.theta[...] = theta
        ws.forward(X1)
        J = cost(cross_entropy_sum(ws.AL, Y), weight_squares(net) if l2_lambda else 0.0, l2_lambda, m)
        net.theta[...] = original
        return J

    return J_of


def backprop_gradient(net: Network, X: np.ndarray, Y: np.ndarray, l2_lambda: float = 0.0) -> np.ndarray:
    X1, ws = with_ones_row(X), net.workspace(X.shape[1])
    ws.forward(X1)
    return ws.backward(X1, Y, l2_lambda).copy()


def gradient_check(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    l2_lambda: float = 0.0,
    keep_prob: float = 1.0,
    epsilon: float = 1e-7,
    grad: np.ndarray | None = None,
    bug: Bug | None = None,
) -> GradCheck:
    """Compare backprop's gradient (or `grad`, if given), with the bug's mistakes planted if one is given, with the
    numerical one at the net's current θ: overall and per block, with warnings where a ReLU kink is near."""
    if keep_prob < 1:
        raise ValueError(DROPOUT_REFUSAL)
    with np.errstate(all="ignore"):
        if grad is None:
            grad = backprop_gradient(net, X, Y, l2_lambda)
        if bug is not None:
            grad = with_bug(net, grad, bug)
        J_of = network_cost(net, X, Y, l2_lambda)
        approx = numerical_gradient(J_of, net.theta, epsilon)
        blocks = blocks_checked(net, grad, approx, J_of(net.theta), epsilon)
        warnings = relu_kinks(net, X, epsilon)
    return GradCheck(relative_difference(grad, approx), THRESHOLD, blocks, warnings)
