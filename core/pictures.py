"""What a net on data that is not 2-D shows instead of a decision boundary, as small pictures of bytes:

- its predictions on every training and test example (`Predictions`), one level each;
- the examples themselves: a few of them as thumbnails when they are images (`thumbnails`), else every example
  as a point of the data's first two principal components (`projection`), computed once;
- what its first layer sees: each first-layer unit's incoming weights as an image of the input's shape
  (`first_layer_pictures`), on one symmetric scale, so that 0 is the middle level.

Each picture is shrunk (area averaging) to fit a byte budget, so that a frame stays small whatever the input's size.
"""

from dataclasses import dataclass

import numpy as np

from core.dataset import Dataset
from core.network import Network, Workspace

MID = 128  # the level of a probability of 0.5, and of a weight of 0
PROJECTION_FIT = 1000  # at most this many training examples fit the principal components (all are projected)


def levels_of(a: np.ndarray) -> np.ndarray:
    """Probabilities → uint8 levels round(255 a), nudged so that a level ≥ MID exactly when a > 0.5 (the net
    predicts 1): a client tells right from wrong by the level alone. nan (a diverged net) is MID - 1."""
    levels = np.rint(np.clip(np.nan_to_num(a, nan=0.5), 0, 1) * 255)
    levels = np.where(a > 0.5, np.maximum(levels, MID), np.minimum(levels, MID - 1))
    return levels.astype(np.uint8)


class Predictions:
    """The net's a_L on every training then test example, in one pass each (buffers made once)."""

    def __init__(self, net: Network, train: Workspace, X1_train: np.ndarray, X1_test: np.ndarray | None):
        self.passes = [(train, X1_train)]
        if X1_test is not None:
            self.passes.append((net.workspace(X1_test.shape[1]), X1_test))

    def levels(self) -> np.ndarray:
        return levels_of(np.concatenate([ws.forward(X1)[0] for ws, X1 in self.passes]))


def area_weights(n: int, k: int) -> np.ndarray:
    """(k, n): row i averages the part of [0, n) that output cell i covers (each row sums to 1)."""
    edges = np.linspace(0, n, k + 1)
    starts, ends = edges[:-1, None], edges[1:, None]
    cells = np.arange(n)[None, :]
    overlap = np.clip(np.minimum(ends, cells + 1) - np.maximum(starts, cells), 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def shrunk_shape(shape: tuple[int, int, int], count: int, budget: int) -> tuple[int, int, int]:
    """The largest (h, w, C) no bigger than shape, of its aspect, with count of them in at most budget bytes."""
    height, width, channels = shape
    factor = min(1.0, np.sqrt(budget / (count * height * width * channels)))
    while True:
        h, w = max(1, int(height * factor)), max(1, int(width * factor))
        if count * h * w * channels <= budget or (h, w) == (1, 1):
            return h, w, channels
        factor *= 0.95


def shrunk(images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(k, H, W, C) → (k, h, w, C) by area averaging."""
    rows, columns = area_weights(images.shape[1], size[0]), area_weights(images.shape[2], size[1])
    return np.einsum("hH,kHWc,wW->khwc", rows, images, columns, optimize=True)


def spread(n: int, k: int) -> np.ndarray:
    """k indices spread evenly over range(n) (all of them when k ≥ n)."""
    return np.unique(np.linspace(0, n - 1, min(n, k)).round().astype(int)) if n else np.zeros(0, dtype=int)


@dataclass
class Thumbnails:
    train: np.ndarray  # indices of the training examples shown
    test: np.ndarray  # and of the test examples
    pixels: np.ndarray  # (k, h, w, C) uint8: the train ones, then the test ones


def thumbnails(data: Dataset, train: int, test: int, budget: int) -> Thumbnails:
    """Up to `train` + `test` examples spread over each set, as images shrunk to fit `budget` bytes together."""
    shown = [spread(data.X_train.shape[1], train), spread(data.m_test, test)]
    columns = np.hstack([data.X_train[:, shown[0]], *([data.X_test[:, shown[1]]] if data.m_test else [])])
    count = max(1, columns.shape[1])
    size = shrunk_shape(data.image_shape, count, budget)
    images = shrunk(columns.T.reshape(-1, *data.image_shape), size[:2])
    return Thumbnails(*shown, np.rint(np.clip(images, 0, 1) * 255).astype(np.uint8))


@dataclass
class Projection:
    box: tuple[float, float, float, float]  # (x_min, x_max, y_min, y_max) of the two components
    levels: np.ndarray  # (m_train + m_test, 2) uint8: each example's place in the box, 0..255 along each axis


def projection(data: Dataset) -> Projection:
    """Every example on the data's first two principal components, as levels in their bounding box. The components
    are fitted on every k-th training example (up to PROJECTION_FIT of them) through their k × k Gram matrix, so
    that no centred copy of wide data is made: X may be 67,500 features deep."""
    X = data.X_train if data.X_test is None else np.hstack([data.X_train, data.X_test])
    fit = data.X_train[:, :: -(-data.X_train.shape[1] // PROJECTION_FIT)]  # a view: every k-th column
    mean = fit.mean(axis=1)
    shared = fit.T @ mean  # the centred Gram (F - μ1ᵀ)ᵀ(F - μ1ᵀ) = FᵀF - s1ᵀ - 1sᵀ + (μ·μ)11ᵀ, s = Fᵀμ
    gram = fit.T @ fit - shared[:, None] - shared[None, :] + mean @ mean
    values, vectors = np.linalg.eigh(gram)  # ascending; k ≥ 2: a dataset has two examples at least
    values, vectors = values[::-1][:2], vectors[:, ::-1][:, :2]
    kept = values > 1e-12 * max(values[0], 1e-300)  # a component the data has (one feature has one)
    top = np.where(kept, vectors / np.sqrt(np.where(kept, values, 1.0)), 0.0)
    axes = fit @ top - np.outer(mean, top.sum(axis=0))  # (n, 2): u_i = (F - μ1ᵀ) v_i / √λ_i, or 0
    points = axes.T @ X - (axes.T @ mean)[:, None]  # (2, m)
    lo, hi = points.min(axis=1), points.max(axis=1)
    span = np.where(hi > lo, hi - lo, 1.0)
    levels = np.rint((points - lo[:, None]) / span[:, None] * 255).astype(np.uint8)
    return Projection((float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])), levels.T.copy())


@dataclass
class LayerPictures:
    levels: np.ndarray  # (k, h, w, C) uint8: MID + 127 · w / scale
    scale: float  # the largest |w| shown (after shrinking); 0 when every weight is 0
    units: int  # the layer's units (k of them are shown)


def input_shape(data: Dataset) -> tuple[int, int, int]:
    """The shape a first-layer unit's weights are drawn in: the image's, else one row of the features."""
    return data.image_shape or (1, data.n_features, 1)


def first_layer_pictures(net: Network, shape: tuple[int, int, int], units: int, budget: int) -> LayerPictures:
    """The first `units` first-layer units' incoming weights (W1's rows, no bias) as pictures of `shape`, shrunk to
    fit `budget` bytes, on one symmetric scale: a weight of 0 is MID, the largest |w| shown is 1 or 255."""
    W = net.W(1)[:units]
    size = shrunk_shape(shape, len(W), budget)
    pictures = shrunk(W.reshape(len(W), *shape), size[:2])
    finite = np.where(np.isfinite(pictures), pictures, 0.0)
    scale = float(np.max(np.abs(finite))) if finite.size else 0.0
    levels = MID + np.rint(127 * finite / scale) if scale > 0 else np.full(finite.shape, MID)
    return LayerPictures(levels.astype(np.uint8), scale, net.W(1).shape[0])
