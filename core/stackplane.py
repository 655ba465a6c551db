"""Decision boundaries of many nets of one shape at once: one stacked forward pass over the plane's grid for a few nets
at a time (core/grid.py's matmul calls the BLAS kernel Plane's np.dot calls, per net), so each net's a_L is the one
`Plane.boundary` gives it alone, and what the nets share (the grid, the buffers, the per-call overhead) is paid once."""

from collections.abc import Sequence

from core.boundary import Boundary, plane_points
from core.data import Dataset
from core.grid import Stack, StackWorkspace
from core.network import Network

ROWS = 4  # nets per pass: 4 × a 100×100 grid's activations stay near the cache; more cost more per net


class StackPlane:
    def __init__(self, data: Dataset, size: int, layer_sizes: Sequence[int], activation: str, rows: int = ROWS):
        self.box, self.X1 = plane_points(data, size)
        self.size = size
        self.stack = Stack(Network(layer_sizes, activation), rows)
        self.workspace = StackWorkspace(self.stack, size * size, backward=False)
        self.parts = {k: StackWorkspace(self.stack.rows(k), size * size, within=self.workspace) for k in range(1, rows)}

    def boundaries(self, nets: Sequence[Network], epochs: Sequence[int]) -> list[Boundary]:
        """Each net's boundary as its weights are now (nets of this plane's shape)."""
        out: list[Boundary] = []
        rows = len(self.stack.theta)
        for start in range(0, len(nets), rows):
            chunk = nets[start : start + rows]
            self.stack.theta[: len(chunk)] = [net.theta for net in chunk]
            workspace = self.parts.get(len(chunk), self.workspace)
            a = workspace.forward(self.X1)
            for k in range(len(chunk)):
                probabilities = a[k].reshape(self.size, self.size).copy()
                out.append(Boundary(epochs[start + k], *self.box, probabilities))
        return out
