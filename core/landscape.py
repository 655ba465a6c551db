"""The loss landscape around runs of one network shape: the cost over a 2-D slice of parameter space, with each
run's path projected onto it.

    θ(a, b) = θc + a·d1 + b·d2

θc is the centre (one run's current weights). d1, d2 are the first two principal directions of the runs' paths
(every recorded θ minus θc, as Li et al., "Visualizing the Loss Landscape of Neural Nets", 2018, §7 do for
optimizer trajectories); while the paths span less than a plane (before training, say) they are two
filter-normalized random directions instead (ibid. §4: each unit's row of a Gaussian direction scaled to that
row's norm in θc, biases 0). A path's points are its θ's least-squares coordinates (a, b) in the slice. The grid
is symmetric about θc with an odd number of points, so that its middle value is the cost at θc itself; its costs
are computed stacked (core/grid.py), many parameter vectors in one pass, in chunks that bound the memory.
"""

from collections.abc import Iterator, Sequence

import numpy as np

from core.grid import Stack, StackWorkspace, cross_entropy_sums
from core.network import Network, cost

RESOLUTION = 51  # points per axis (odd: the middle one is θc); 51 × 51 = 2601 cost evaluations
MARGIN = 0.25  # the grid reaches this share beyond the farthest path point
CHUNK_BYTES = 32 * 2**20  # a chunk's stacked parameters and forward buffers
CHUNK_WORK = 2e7  # a chunk's examples × parameters × nets: ~10 ms here, what a worker may spend between its runs' turns
MAX_POINTS = 256  # recorded points per path; when full, every other one goes (the first stays)
PATH_FLOATS = 2**22  # all paths' recorded parameters together (32 MiB): a wide net keeps fewer points per path
PCA_POINTS = 128  # the principal directions are taken from at most this many of the points, evenly spread
MAX_WORK = 2e9  # cost evaluations × examples × parameters: ~0.5 s here; past it a landscape is refused


def work(n_parameters: int, m: int, resolution: int = RESOLUTION) -> float:
    return resolution**2 * m * n_parameters


def refusal(n_parameters: int, m: int) -> str | None:
    """Why a landscape of these runs would take too long, or None if it may be drawn."""
    needed = work(n_parameters, m)
    if needed <= MAX_WORK:
        return None
    return (
        f"a landscape of {RESOLUTION} × {RESOLUTION} costs of {n_parameters} parameters on {m} examples needs "
        f"{needed:.2g} multiply-adds, over the {MAX_WORK:.0e} a landscape may: use smaller layers or fewer examples"
    )


class Paths:
    """Each run's recorded parameter vectors (by run id), oldest first, at most `most` each: when one is full,
    every other point goes and points are kept half as often from then on."""

    def __init__(self, n_parameters: int, runs: int) -> None:
        self.most = max(16, min(MAX_POINTS, PATH_FLOATS // (n_parameters * max(runs, 1))))
        self.points: dict[str, list[tuple[int, np.ndarray]]] = {}
        self.every: dict[str, int] = {}
        self.seen: dict[str, int] = {}

    def record(self, run_id: str, epoch: int, theta: np.ndarray) -> None:
        points = self.points.setdefault(run_id, [])
        if points and points[-1][0] == epoch:
            return  # recorded already (a report, then a pause at the same epoch)
        seen = self.seen.get(run_id, 0)
        self.seen[run_id] = seen + 1
        if seen % self.every.setdefault(run_id, 1):
            return
        points.append((epoch, theta.copy()))
        if len(points) > self.most:
            self.points[run_id] = points[::2]
            self.every[run_id] *= 2


def filter_normalized(net: Network, centre: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A Gaussian direction whose every unit's incoming weights have that unit's norm in θc; biases 0."""
    d = rng.standard_normal(centre.size)
    for direction, layer in zip(net.views(d), net.views(centre), strict=True):
        W = direction[:, :-1]
        W *= np.linalg.norm(layer[:, :-1], axis=1, keepdims=True) / (np.linalg.norm(W, axis=1, keepdims=True) + 1e-12)
        direction[:, -1] = 0
    return d


def directions(net: Network, centre: np.ndarray, points: np.ndarray, seed: int = 0) -> tuple[np.ndarray, str, list]:
    """(d1, d2) as a (2, P) array, how they were chosen ("pca" or "random"), and the share of the paths' spread each
    principal direction explains (empty for random ones)."""
    offsets = points[np.linspace(0, len(points) - 1, min(len(points), PCA_POINTS)).astype(int)] - centre
    _, s, Vt = np.linalg.svd(offsets, full_matrices=False) if len(offsets) else (None, np.zeros(0), None)
    if s.size >= 2 and s[1] > 1e-9 * max(s[0], 1e-300):
        explained = s**2 / np.sum(s**2)
        return Vt[:2], "pca", [float(explained[0]), float(explained[1])]
    rng = np.random.default_rng(seed)
    return np.stack([filter_normalized(net, centre, rng) for _ in range(2)]), "random", []


def coordinates(D: np.ndarray, centre: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Each point's (a, b) with θ ≈ θc + a·d1 + b·d2 (least squares: the orthogonal projection onto the slice)."""
    if not len(points):
        return np.zeros((0, 2))
    return np.linalg.lstsq(D.T, (points - centre).T, rcond=None)[0].T


class Slicer:
    """Costs of many parameter vectors of one net shape on one training set, stacked in chunks (buffers made once)."""

    def __init__(self, layer_sizes: Sequence[int], activation: str, X1: np.ndarray, Y: np.ndarray):
        self.net = Network(layer_sizes, activation)
        self.X1, self.Y, self.m = X1, Y, Y.shape[1]
        P, units = self.net.theta.size, sum(n + 1 for n in layer_sizes[1:])
        per_net = 8 * (2 * P + 5 * self.m * units)  # θ and its L2 scratch, and StackWorkspace's five buffers a layer
        self.chunk = int(max(1, min(RESOLUTION**2, CHUNK_BYTES // per_net, CHUNK_WORK // (self.m * P))))
        self.stack = Stack(self.net, self.chunk)
        self.ws = StackWorkspace(self.stack, self.m)
        self.weights = self.net.weight_mask.astype(bool)

    def costs(
        self, centre: np.ndarray, D: np.ndarray, a: np.ndarray, b: np.ndarray, l2_lambda: float, out: np.ndarray
    ) -> Iterator[None]:
        """J at θc + a_i·d1 + b_i·d2 for each i into `out` (the run config's cost, without dropout), chunk by chunk:
        no more than a chunk of parameter vectors is ever made, and it yields after each chunk."""
        theta = self.stack.theta
        for start in range(0, len(a), self.chunk):
            k = min(self.chunk, len(a) - start)
            np.multiply(a[start : start + k, None], D[0], out=theta[:k])
            theta[:k] += b[start : start + k, None] * D[1]
            theta[:k] += centre
            theta[k:] = centre  # the last chunk's spare rows: any finite net
            self.ws.forward(self.X1)
            cross_entropy = cross_entropy_sums(self.ws.AL[:k], self.Y)
            squares = np.sum(np.square(theta[:k, self.weights]), axis=1) if l2_lambda else 0.0
            out[start : start + k] = cost(cross_entropy, squares, l2_lambda, self.m)
            yield


def made(steps: Iterator[dict | None]) -> dict:
    """The landscape `landscape_steps` makes, all its chunks at once."""
    *_, drawn = steps
    return drawn


def landscape_steps(
    slicer: Slicer,
    centre: np.ndarray,
    paths: dict[str, list[tuple[int, np.ndarray]]],
    l2_lambda: float,
    resolution: int = RESOLUTION,
) -> Iterator[dict | None]:
    """`landscape`, a chunk of costs at a time: None after each chunk, the landscape last (a worker computes one
    between its runs' turns). The centre and the paths are read before the first chunk: later changes do not count."""
    centre = centre.copy()
    paths = {run_id: list(points) for run_id, points in paths.items()}
    everything = [theta for points in paths.values() for _, theta in points]
    D, chosen, explained = directions(slicer.net, centre, np.array(everything).reshape(-1, centre.size))
    projected = {run_id: coordinates(D, centre, np.array([theta for _, theta in points]).reshape(-1, centre.size))
                 for run_id, points in paths.items()}  # fmt: skip
    reach = np.abs(np.vstack([np.zeros((1, 2)), *projected.values()])).max(axis=0) * (1 + MARGIN)
    reach = np.where(reach > 0, reach, 1.0)  # no path off the centre yet: one unit of each direction
    a = np.linspace(-reach[0], reach[0], resolution)
    b = np.linspace(-reach[1], reach[1], resolution)
    a[resolution // 2] = b[resolution // 2] = 0.0  # exactly θc in the middle
    A, B = np.meshgrid(a, b)  # rows: b, columns: a
    costs = np.empty(resolution**2)
    yield from slicer.costs(centre, D, A.ravel(), B.ravel(), l2_lambda, costs)
    costs = costs.reshape(resolution, resolution)
    yield {
        "directions": chosen,
        "explained": explained,
        "a": a.tolist(),
        "b": b.tolist(),
        "costs": costs.tolist(),
        "paths": [
            {
                "id": run_id,
                "points": [[epoch, *xy] for (epoch, _), xy in zip(points, projected[run_id].tolist(), strict=True)],
            }
            for run_id, points in paths.items()
        ],
    }
