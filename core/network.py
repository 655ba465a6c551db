"""A fully connected net: ReLU or tanh hidden layers, a sigmoid output, the cross-entropy cost.

All parameters live in one flat vector `theta`. Layer l's [W_l | b_l] is an (n_l, n_{l-1}+1) view into
it, and every activation buffer carries a last row of ones, so that

    Z_l  = [W_l | b_l] · [A_{l-1}; 1]          one matrix product per layer, bias included
    dθ_l = dZ_l · [A_{l-1}; 1]^T               dW_l and db_l in one product

and an optimizer updates the whole net in a handful of vector operations. Buffers are allocated once
per batch size (a `Workspace`) and every step writes into them in place.
"""

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

ACTIVATIONS = ("relu", "tanh")


EXAMPLES_MAJOR_FROM = 1024  # input features from which [X; 1] is stored one example after another


def with_ones_row(X: np.ndarray) -> np.ndarray:
    """[X; 1]: the input with the row of ones that carries the bias through the first product.

    Wide inputs are stored examples-major (Fortran order: each example's features contiguous): BLAS then runs
    both of the first layer's products, W·[X; 1] and dZ·[X; 1]^T, 15-40 % faster (benchmarks/engine.py's wide
    rows), with the same numbers. Narrow inputs keep rows contiguous, which suits their tiny products better."""
    n, m = X.shape
    X1 = np.empty((m, n + 1)).T if n >= EXAMPLES_MAJOR_FROM else np.empty((n + 1, m))
    X1[:-1] = X
    X1[-1] = 1
    return X1


def sigmoid_(Z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-Z)) in place, in the course's order of operations."""
    np.negative(Z, out=Z)
    np.exp(Z, out=Z)
    Z += 1
    return np.reciprocal(Z, out=Z)


def cross_entropy_sum(AL: np.ndarray, Y: np.ndarray) -> float:
    """-Σ [y log a + (1-y) log(1-a)] with 0·log 0 = 0: a confident right answer costs 0, a confident
    wrong one costs inf (what the course's nansum gives), and a nan network gives nan, never silence."""
    return float(np.sum(-np.log(np.where(Y > 0.5, AL, 1 - AL))))


def accuracy(AL: np.ndarray, Y: np.ndarray) -> float:
    """Share of examples where the prediction (a > 0.5) equals the label."""
    return float(np.mean((AL > 0.5) == (Y > 0.5)))


class Network:
    """Layer sizes [n_x, n_1, ..., n_L = 1] and their parameters."""

    def __init__(self, layer_sizes: Sequence[int], activation: str = "relu"):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation: unknown {activation!r}, expected one of {ACTIVATIONS}")
        self.layer_sizes = list(layer_sizes)
        self.activation = activation
        shapes = [(n, n_prev + 1) for n_prev, n in pairwise(self.layer_sizes)]
        ends = np.cumsum([rows * cols for rows, cols in shapes])
        self.theta = np.zeros(int(ends[-1]))
        self.layers = [self.theta[end - r * c : end].reshape(r, c) for (r, c), end in zip(shapes, ends, strict=True)]
        self.weight_mask = np.zeros_like(self.theta)  # 1 on every W entry, 0 on every b: L2 skips biases
        for mask in self.views(self.weight_mask):
            mask[:, :-1] = 1

    def views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per-layer [W | b] views into any vector laid out like theta (a gradient, a moment)."""
        return [
            flat[layer_slice].reshape(layer.shape) for layer_slice, layer in zip(self.slices, self.layers, strict=True)
        ]

    @property
    def slices(self) -> list[slice]:
        ends = np.cumsum([layer.size for layer in self.layers])
        return [slice(int(end) - layer.size, int(end)) for layer, end in zip(self.layers, ends, strict=True)]

    def W(self, l: int) -> np.ndarray:
        """W_l (1-based, as in the course)."""
        return self.layers[l - 1][:, :-1]

    def b(self, l: int) -> np.ndarray:
        return self.layers[l - 1][:, -1:]

    def set_parameters(self, parameters: dict[str, np.ndarray]) -> "Network":
        """Load {"W1": …, "b1": …, …}; a missing b_l stays zero."""
        for l in range(1, len(self.layers) + 1):
            self.W(l)[...] = parameters[f"W{l}"]
            if f"b{l}" in parameters:
                self.b(l)[...] = np.reshape(parameters[f"b{l}"], (-1, 1))
        return self

    def parameters(self) -> dict[str, np.ndarray]:
        """{"W1": …, "b1": …, …} as copies, in the course's shapes."""
        out = {}
        for l in range(1, len(self.layers) + 1):
            out[f"W{l}"] = self.W(l).copy()
            out[f"b{l}"] = self.b(l).copy()
        return out

    def workspace(self, m: int) -> "Workspace":
        return Workspace(self, m)


class Workspace:
    """Preallocated forward/backward buffers for one batch size m, and the gradient they produce.

    Every view the passes use is made once here: at these sizes a NumPy call costs about a microsecond,
    and re-slicing buffers on each call would cost as much again.
    """

    def __init__(self, net: Network, m: int):
        self.net = net
        self.m = m
        self.inv_m = 1.0 / m
        self.relu = net.activation == "relu"
        sizes = net.layer_sizes
        # A[l] is [A_l; 1] for hidden layers (the output layer has no ones row), all hidden ones stacked in one
        # block, and their slopes in another: one np.sign call then gives every ReLU layer's derivative
        hidden = sizes[1:-1]
        self.activations = np.ones((sum(n + 1 for n in hidden), m))
        self.slopes = np.empty_like(self.activations)
        starts = np.cumsum([0] + [n + 1 for n in hidden])[:-1]
        self.A = [self.activations[s : s + n + 1] for s, n in zip(starts, hidden, strict=True)]
        self.A.append(np.empty((sizes[-1], m)))
        self.slope = [self.slopes[s : s + n] for s, n in zip(starts, hidden, strict=True)]  # the derivatives
        self.Z = [A[:-1] for A in self.A[:-1]]  # where Z_l is computed, then activated in place into A_l
        self.dZ = [np.empty((n, m)) for n in sizes[1:]]
        self.dA = [np.empty((n + 1, m)) for n in sizes[1:-1]]
        # max(Z, 0) against an array of zeros runs ~3x faster than against the scalar 0 (no per-call cast)
        self.zeros = [np.zeros((n, m)) for n in sizes[1:-1]]
        self.l2_scale: tuple[float, np.ndarray] | None = None  # (λ, λ/m on weights, 0 on biases)
        self.grad = np.zeros_like(net.theta)
        self.grad_layers = net.views(self.grad)
        self.keep: list[np.ndarray] | None = None  # dropout masks D_l as 0./1. floats, one per hidden layer
        self.uniform: list[np.ndarray] | None = None  # the draws fresh masks are made from
        self.keep_prob = 1.0
        self.hidden_layers = list(zip(net.layers[:-1], self.A[:-1], self.Z, self.zeros, self.slope, strict=True))
        self.back_layers = [  # from the output layer down to layer 2: what dθ_l and dZ_{l-1} need
            (self.grad_layers[l], self.A[l - 1].T, net.layers[l].T, self.dA[l - 1], self.dA[l - 1][:-1],
             self.dZ[l - 1], self.slope[l - 1], l - 1)
            for l in range(len(net.layers) - 1, 0, -1)
        ]  # fmt: skip

    @property
    def AL(self) -> np.ndarray:
        return self.A[-1]

    def hidden(self, l: int) -> np.ndarray:
        """A_l without its ones row (0-based hidden layer index)."""
        return self.Z[l]

    def forward(self, X1: np.ndarray) -> np.ndarray:
        """a_L for the input [X; 1] (n_x+1, m); applies the current dropout masks, if any."""
        A_prev, keep = X1, self.keep
        for l, (layer, A, Z, zeros, slope) in enumerate(self.hidden_layers):
            np.dot(layer, A_prev, out=Z)
            if self.relu:
                np.maximum(Z, zeros, out=Z)
            else:  # tanh' = 1 - A², taken here: after dropout A no longer holds tanh(Z)
                np.tanh(Z, out=Z)
                np.multiply(Z, Z, out=slope)
                np.subtract(1, slope, out=slope)
            if keep is not None:
                np.multiply(Z, keep[l], out=Z)
                np.divide(Z, self.keep_prob, out=Z)
            A_prev = A
        np.dot(self.net.layers[-1], A_prev, out=self.AL)
        return sigmoid_(self.AL)

    def backward(self, X1: np.ndarray, Y: np.ndarray, l2_lambda: float = 0.0) -> np.ndarray:
        """dJ/dθ after a forward pass on the same [X; 1]; returns the flat gradient."""
        keep = self.keep
        dZ = self.dZ[-1]
        np.subtract(self.AL, Y, out=dZ)
        dZ *= self.inv_m
        if self.relu:  # a ReLU's output is >= 0, so its sign is the 0/1 derivative (dropout's zeros agree)
            np.sign(self.activations, out=self.slopes)
        for grad, A_prev_T, layer_T, dA, dA_hidden, dZ_prev, slope, l in self.back_layers:
            np.dot(dZ, A_prev_T, out=grad)
            np.dot(layer_T, dZ, out=dA)
            if keep is not None:
                np.multiply(dA_hidden, keep[l], out=dA_hidden)
                np.divide(dA_hidden, self.keep_prob, out=dA_hidden)
            np.multiply(dA_hidden, slope, out=dZ_prev)
            dZ = dZ_prev
        np.dot(dZ, X1.T, out=self.grad_layers[0])
        if l2_lambda:
            if self.l2_scale is None or self.l2_scale[0] != l2_lambda:
                self.l2_scale = (l2_lambda, l2_lambda / self.m * self.net.weight_mask)
                self.l2_term = np.empty_like(self.grad)
            np.multiply(self.net.theta, self.l2_scale[1], out=self.l2_term)
            self.grad += self.l2_term
        return self.grad


def weight_squares(net: Network) -> float:
    """Σ_l ||W_l||²_F, biases excluded: what L2 regularization penalizes."""
    return sum(float(np.sum(np.square(net.W(l)))) for l in range(1, len(net.layers) + 1))


def cost(cross_entropy: Any, squares: Any, l2_lambda: Any, m: int) -> Any:
    """The cost J = 1/m Σ_i L(a_i, y_i) + λ/(2m) Σ_l ||W_l||²_F, from Σ_i L (`cross_entropy`) and Σ_l ||W_l||²
    (`squares`). The one place J is assembled: for one net (floats) or a stack (one value per net); without
    L2 (λ = 0) there is no penalty term at all, so non-finite weights leave the cross-entropy's value alone."""
    J = 1.0 / m * cross_entropy
    if np.ndim(l2_lambda) == 0:
        return J + 1.0 / m * l2_lambda / 2 * squares if l2_lambda else J
    with np.errstate(invalid="ignore"):  # 0 · inf in the rows without L2, which np.where then drops
        return J + np.where(l2_lambda > 0, 1.0 / m * l2_lambda / 2 * squares, 0.0)
