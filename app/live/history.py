"""A live run's cost history, kept once and compactly (four float64s a point, ~3 MB for 100,000 points rather than
~20 MB of lists), and what is read from it: a page, the store's rows, and a thinned copy small enough to send.

A test accuracy is never nan (it counts predictions), so nan stands for none (a run without a test set)."""

import math
from array import array
from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
SENT_POINTS = 1000  # a snapshot's history, or a result's: at most this many points (see `thinned`)


def thinned(points: Sequence[T], n: int = SENT_POINTS) -> list[T]:
    """At most n of points: all of them when there are no more; else the newest n/2 as they are and the older ones
    evenly thinned (the first kept), so that a curve keeps its shape and its recent detail."""
    if len(points) <= n:
        return list(points)
    recent = n // 2
    older = len(points) - recent
    step = older / (n - recent)
    return [points[int(i * step)] for i in range(n - recent)] + [points[i] for i in range(older, len(points))]


class History:
    def __init__(self) -> None:
        self.values = array("d")  # epoch, cost, train_acc, test_acc (nan: none), point after point

    def __len__(self) -> int:
        return len(self.values) // 4

    def extend(self, points: list[list]) -> None:
        for epoch, cost, train, test in points:
            self.values.extend((epoch, cost, train, math.nan if test is None else test))

    def __getitem__(self, i: int) -> list:
        epoch, cost, train, test = self.values[4 * i : 4 * i + 4]
        return [int(epoch), cost, train, None if math.isnan(test) else test]

    def __iter__(self) -> Iterator[list]:
        return (self[i] for i in range(len(self)))

    def last(self) -> list | None:
        return self[len(self) - 1] if len(self) else None

    def page(self, offset: int, limit: int) -> list[list]:
        return [self[i] for i in range(offset, min(len(self), offset + limit))]

    def sent(self) -> list[list]:
        """The history as a snapshot carries it (thinned)."""
        return thinned(self)

    def copy(self) -> "History":
        """A copy that later points do not change (for the store's thread to read)."""
        copied = History()
        copied.values = array("d", self.values)
        return copied

    def keep_last(self) -> None:
        """Forget all but the last point (a finished run's history is in the store)."""
        del self.values[: max(0, len(self.values) - 4)]
