"""Mini-batches: each epoch, [X; 1; Y] shuffled in one call and cut into column slices made once."""

from collections.abc import Callable
from typing import Any

import numpy as np


class MiniBatches:
    def __init__(self, X1: np.ndarray, Y: np.ndarray, size: int, course_compat: bool, rng: np.random.Generator):
        self.XY = np.vstack([X1, Y])
        self.shuffled = np.empty_like(self.XY)
        m = Y.shape[1]
        self.batches = [(self.shuffled[:-1, k : k + size], self.shuffled[-1:, k : k + size]) for k in range(0, m, size)]
        self.course_compat, self.rng = course_compat, rng
        self.seed = 10  # the course's: incremented before each epoch, so epoch 0 uses 11
        self.legacy = np.random.RandomState()  # reseeded, not rebuilt: building one costs 25x a reseed
        self.identity, self.order = np.arange(m), np.empty(m, dtype=np.intp)

    def permutation(self) -> np.ndarray:
        """This epoch's order of the examples: the course's reseeded legacy stream, or the run's generator."""
        if not self.course_compat:
            return self.rng.permutation(self.identity.size)
        self.seed += 1
        self.legacy.seed(self.seed)
        np.copyto(self.order, self.identity)
        self.legacy.shuffle(self.order)  # what permutation(m) draws, without its allocations
        return self.order

    def epoch(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """This epoch's batches [(X1_b, Y_b), …]: full ones of `size`, then the remainder."""
        np.take(self.XY, self.permutation(), axis=1, out=self.shuffled)
        return self.batches


def epoch_costs(
    batches: list[tuple[np.ndarray, np.ndarray]],
    step: Callable[[np.ndarray, np.ndarray, bool], Any],
    squares: Callable[[], Any],
    cost: Callable[[Any, Any, int], Any],
    with_cost: bool,
) -> tuple[Any, Any] | None:
    """One pass over `batches`: `step(X1, Y, with_cost)` updates on a batch and returns its Σ cross-entropy
    when asked; `squares()` is Σ ||W||² of the weights a batch sees (before its update), and
    `cost(Σ cross-entropy, Σ squares, m)` assembles J. Returns, if asked, the epoch's mean cost (J over all
    its examples, each batch's penalty at the weights it saw) and the last batch's J. Costs may be floats or
    one per net (arrays) alike."""
    total, total_squares, seen, last = 0.0, 0.0, 0, None
    for X1, Y in batches:
        m = Y.shape[1]
        batch_squares = squares() if with_cost else 0.0
        batch_total = step(X1, Y, with_cost)
        if with_cost:
            total, total_squares, seen = total + batch_total, total_squares + batch_squares, seen + m
            last = cost(batch_total, batch_squares, m)
    return (cost(total, total_squares, seen), last) if with_cost else None
