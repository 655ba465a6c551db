"""The network diagram (TensorFlow Playground's signature): what every unit computes over the input plane, as a small
picture, and the weights and gradients of the links between the units; for 2-D data.

A unit's picture is its activation at each point of a coarse grid over the data's bounding box: one batched forward
pass over that grid gives every layer's at once. The links' values are [W_l | b_l] and the gradient of the cost J
with respect to them, on the whole training set without dropout (as core/insight.py measures them).
"""

from dataclasses import dataclass

import numpy as np

from core.boundary import Plane
from core.insight import forward_backward
from core.train import NetView

GRID = 24  # points a side of a unit's picture (576 columns in the forward pass)
UNITS_DRAWN = 20  # per layer: a wider layer draws its first 20 units (the course's widest has 20)


@dataclass
class Layer:
    units: int  # the layer's real size
    pictures: np.ndarray  # (drawn units, GRID, GRID): row i is y = y_min + i·(y_max - y_min)/(GRID - 1)
    lo: float  # the scale the pictures are drawn on: lo (one end), 0 (the middle, for lo = -hi) and hi
    hi: float


@dataclass
class Diagram:
    epoch: int
    box: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max
    layers: list[Layer]  # layer 0 is the input (x1, x2), 1..L-1 the hidden layers, L the output
    weights: list[np.ndarray]  # per layer l = 1..L: [W_l | b_l] between the drawn units, (k_l, k_{l-1} + 1)
    gradients: list[np.ndarray]  # dJ/d[W_l | b_l], the same shapes


def symmetric_scale(values: np.ndarray) -> tuple[float, float]:
    """(-m, m), m the largest finite |value| (1 when there is none): 0 at the middle, the sign readable."""
    finite = np.abs(values[np.isfinite(values)])
    m = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return -m, m


def hidden_scale(activation: str, values: np.ndarray) -> tuple[float, float]:
    """tanh is drawn on its own range, so that a saturated unit reads as flat; a ReLU is unbounded, so its
    layer is drawn on the largest value it reaches on the plane."""
    return (-1.0, 1.0) if activation == "tanh" else symmetric_scale(values)


class DiagramPlane:
    """The coarse grid the diagram's pictures are computed on, and its buffers: made once per run."""

    def __init__(self, view: NetView):
        self.plane = Plane(view.data, GRID, view.net)

    def diagram(self, view: NetView) -> Diagram:
        ws = self.plane.workspace
        ws.forward(self.plane.X1)
        drawn = [min(n, UNITS_DRAWN) for n in view.net.layer_sizes]
        shape = (GRID, GRID)

        def pictures(A: np.ndarray, k: int) -> np.ndarray:
            return A[:k].reshape(k, *shape).copy()

        inputs = pictures(self.plane.X1[:-1], 2)
        layers = [Layer(2, inputs, *symmetric_scale(np.asarray(self.plane.box)))]
        for l, n in enumerate(view.net.layer_sizes[1:-1]):
            hidden = pictures(ws.hidden(l), drawn[l + 1])
            layers.append(Layer(n, hidden, *hidden_scale(view.net.activation, hidden)))
        layers.append(Layer(1, pictures(ws.AL, 1), 0.0, 1.0))

        grad = forward_backward(view).grad
        rows = [slice(0, k) for k in drawn[1:]]
        columns = [np.r_[0:k, n] for k, n in zip(drawn[:-1], view.net.layer_sizes[:-1], strict=True)]  # + the bias

        def links(layers: list[np.ndarray]) -> list[np.ndarray]:
            return [layer[r][:, c] for layer, r, c in zip(layers, rows, columns, strict=True)]

        return Diagram(view.epoch, self.plane.box, layers, links(view.net.layers), links(view.net.views(grad)))
