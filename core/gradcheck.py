"""Gradient checking: backprop's gradient against centred differences of the cost, for every parameter.

gradapprox_i = (J(θ + ε e_i) - J(θ - ε e_i)) / 2ε
difference   = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.network import Network, cost, cross_entropy_sum, weight_squares, with_ones_row

THRESHOLD = 2e-7  # the 2021 notebook's; a correct backprop gives ~1e-7 on the course's case
DROPOUT_REFUSAL = (
    "gradient checking needs keep_prob = 1: dropout draws new masks on every forward pass, so the cost is "
    "not one fixed function of the parameters and centred differences measure noise, not the gradient"
)


@dataclass
class GradCheck:
    difference: float
    threshold: float = THRESHOLD

    @property
    def passed(self) -> bool:
        return bool(self.difference < self.threshold)


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
) -> GradCheck:
    """Compare backprop's gradient (or `grad`, if given) with the numerical one at the net's current θ."""
    if keep_prob < 1:
        raise ValueError(DROPOUT_REFUSAL)
    with np.errstate(all="ignore"):
        if grad is None:
            grad = backprop_gradient(net, X, Y, l2_lambda)
        approx = numerical_gradient(network_cost(net, X, Y, l2_lambda), net.theta, epsilon)
    return GradCheck(relative_difference(grad, approx))
