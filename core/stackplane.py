"""Decision boundaries of many nets of one shape at once: one stacked forward pass over a plane's grid for a few nets
at a time (core/grid.py's matmul calls the BLAS kernel Plane's np.dot calls, per net), so each net's a_L is the one
`Plane.boundary` gives it alone, and what the nets share (the buffers, the per-call overhead) is paid once.

In float32 (`dtype`) a pass takes less than half the time: a picture's a_L then differs from float64's in its 7th
digit, which moves an 8-bit level of a boundary frame by one at the odd point; the net's numbers are not touched."""

from collections.abc import Sequence

import numpy as np

from core.boundary import Boundary
from core.grid import Stack, StackWorkspace
from core.network import Network

ROWS = 4  # nets per pass: 4 × a 100×100 grid's activations stay near the cache; more cost more per net

Box = tuple[float, float, float, float]


class StackPlane:
    """The buffers for forward passes of `rows` nets of one shape over size × size points (any plane's)."""

    def __init__(
        self, size: int, layer_sizes: Sequence[int], activation: str, rows: int = ROWS, dtype: type = np.float64
    ) -> None:
        self.size = size
        self.stack = Stack(Network(layer_sizes, activation), rows, dtype=dtype)
        self.workspace = StackWorkspace(self.stack, size * size, backward=False)
        self.parts = {k: StackWorkspace(self.stack.rows(k), size * size, within=self.workspace) for k in range(1, rows)}

    def boundaries(self, X1: np.ndarray, box: Box, nets: Sequence[Network], epochs: Sequence[int]) -> list[Boundary]:
        """Each net's boundary over the plane's points X1 ([x; y; 1], core.boundary.plane_points, in this plane's
        dtype), as it is now."""
        out: list[Boundary] = []
        rows = len(self.stack.theta)
        for start in range(0, len(nets), rows):
            chunk = nets[start : start + rows]
            self.stack.theta[: len(chunk)] = [net.theta for net in chunk]
            a = self.parts.get(len(chunk), self.workspace).forward(X1)
            for k in range(len(chunk)):
                probabilities = a[k].reshape(self.size, self.size).copy()
                out.append(Boundary(epochs[start + k], *box, probabilities))
        return out
