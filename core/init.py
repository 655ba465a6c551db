"""Initializers: W_l drawn in layer order from one legacy seeded stream, biases zero.

One `RandomState(seed)` stream, W1 then W2 ..., is what makes the course's seed 3 give the
course's exact matrices.
"""

from collections.abc import Sequence

import numpy as np

INITIALIZERS = ("zeros", "random", "he", "xavier")


def weight_scale(initialization: str, n_prev: int, init_scale: float = 10.0) -> float:
    """The factor that multiplies a standard-normal draw for a layer with n_prev inputs."""
    if initialization == "random":
        return init_scale
    if initialization == "he":
        return np.sqrt(2 / n_prev)
    if initialization == "xavier":
        return 1 / np.sqrt(n_prev)
    raise ValueError(f"initialization: unknown {initialization!r}, expected one of {INITIALIZERS}")


def initial_weights(
    layer_sizes: Sequence[int], initialization: str, seed: int, init_scale: float = 10.0
) -> list[np.ndarray]:
    """W1, W2, ... of shapes (n_l, n_{l-1}); all zeros for `zeros`."""
    shapes = list(zip(layer_sizes[1:], layer_sizes[:-1], strict=True))
    if initialization == "zeros":
        return [np.zeros(shape) for shape in shapes]
    rng = np.random.RandomState(seed)
    if initialization == "xavier":
        # the course writes this one as a division; keep it so the numbers match to the last bit
        return [rng.randn(n, n_prev) / np.sqrt(n_prev) for n, n_prev in shapes]
    return [rng.randn(n, n_prev) * weight_scale(initialization, n_prev, init_scale) for n, n_prev in shapes]
