"""The decision boundary: a net's output a_L over a grid of the input plane, for 2-D data."""

from dataclasses import dataclass

import numpy as np

from core.data import Dataset, bounding_box
from core.network import Network, with_ones_row


@dataclass
class Boundary:
    """The net's output a_L over a size × size grid spanning [x_min, x_max] × [y_min, y_max];
    row i is y = y_min + i·(y_max - y_min)/(size - 1)."""

    epoch: int
    x_min: float
    x_max: float
    y_min: float
    y_max: float
    probabilities: np.ndarray
    type: str = "boundary"


class Plane:
    """The grid one run's boundary is drawn on (its data's bounding box, size × size points) and the buffers
    for a forward pass of `net` over it, made once: a frame is then one forward pass."""

    def __init__(self, data: Dataset, size: int, net: Network):
        self.box, self.X1 = plane_points(data, size)
        self.size = size
        self.workspace = net.workspace(size * size)

    def boundary(self, epoch: int) -> Boundary:
        """The boundary of the net's weights as they are now."""
        a = self.workspace.forward(self.X1)
        return Boundary(epoch, *self.box, a.reshape(self.size, self.size).copy())


def plane_points(data: Dataset, size: int) -> tuple[tuple[float, float, float, float], np.ndarray]:
    """The data's bounding box, and [X; 1] for its size × size grid points, row-major (rows are y)."""
    box = bounding_box(data)
    x_min, x_max, y_min, y_max = box
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, size), np.linspace(y_min, y_max, size))
    return box, with_ones_row(np.vstack([xx.ravel(), yy.ravel()]))
