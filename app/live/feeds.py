"""What a run shows while it trains, besides its cost points: each view's latest picture, sent now and then.

A feed makes one message from the net as it stands (a `core.train.NetView`) — a boundary frame, an insight
report — at most every `interval_s`, and spends at most `share` of the run's time on it. It also sends at
once when asked (`now`): the untrained net's first, then after a pause, a step and at the end, so that a
paused run shows where it stopped.

A worker hosting many runs stretches its feeds' intervals (`FeedLoad`) so that all its runs' feeds of one kind take at
most their share of its time, never slower than the kind's slowest; and feeds of many runs that one pass can make
(`Feed.batch`: the boundaries of nets of one shape on one plane, `Planes`) are made together before they are sent.
"""

import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from app.live.protocol import Event, Frame, Insight
from app.messages import dumps, encode_boundary
from core.boundary import Boundary, plane_points
from core.insight import insight_report
from core.stackplane import StackPlane
from core.train import NetView

FLUSH_S = 0.05  # progress batches and boundary frames: at most one per run per 50 ms (20 a second)
INSIGHT_S = 0.25  # insight reports (a forward and backward pass over the training set): at most 4 a second,
INSIGHT_SHARE = 0.2  # and at most this share of a run's time (a big net on 5000 points takes ~1 s per report)
# a worker's feeds of one kind, all its runs' together, take at most this share of its time, stretching their
# intervals up to the slowest (a watcher still gets 11 boundary frames a second; insight can wait). A frame costs
# ~0.2 ms (its forward pass over the plane, ~0.12 ms, and its encoding, ~0.08), an insight report ~0.6 ms: a
# worker with 100 runs spends ~0.22 s a second on frames at the slowest, ~0.03 on insight
WORKER_SHARE = {"boundary": 0.25, "insight": 0.03}
SLOWEST_S = {"boundary": 0.09, "insight": 4.0}
OTHER_SHARE, OTHER_SLOWEST_S = 0.1, 1.0  # any other kind of feed
FRAME_DTYPE = np.float32  # a boundary frame is an 8-bit picture: float32 draws it in less than half the time


class Batch(Protocol):
    """Feeds whose messages one pass makes for many runs: prepared for the views due, then sent one by one."""

    def prepare(self, views: Sequence[NetView]) -> None: ...

    def clear(self) -> None: ...


@dataclass(eq=False)
class Feed:
    make: Callable[[str, NetView], Event]  # (run id, the net as it stands) → the message
    interval_s: float
    share: float = 1.0
    kind: str = ""  # the view's name: what FeedLoad budgets together
    batch: Batch | None = None
    next_at: float = 0.0
    now: bool = True  # send at the next report whatever the time
    stale: bool = False  # the net has trained since the last message
    took: float = 0.0  # seconds the last message took to make

    def due(self, now: float, over: bool) -> bool:
        return self.now or over or (self.stale and now >= self.next_at)

    def wake_at(self) -> float | None:
        """When this feed next wants to send (None: not until the net trains or someone asks)."""
        if self.now:
            return 0.0
        return self.next_at if self.stale else None

    def send(self, run_id: str, view: NetView, now: float, interval_s: float | None = None) -> Event:
        """The message, and the next time this feed may send: `interval_s` (the worker's, else its own) from now."""
        started = time.perf_counter()
        event = self.make(run_id, view)
        self.took = took = time.perf_counter() - started
        self.now = self.stale = False
        self.next_at = max(next_tick(self.next_at, now, interval_s or self.interval_s), now + took / self.share)
        return event


def next_tick(previous: float, now: float, interval_s: float = FLUSH_S) -> float:
    """The next send time on a fixed beat, so that a slightly late send keeps the average rate."""
    return previous + interval_s if now - previous < interval_s else now + interval_s


class FeedLoad:
    """How often each kind of feed may send on one worker: each message's cost is measured (a moving average), and the
    interval is stretched until the kind's feeds of every training run take at most WORKER_SHARE of the worker."""

    def __init__(self) -> None:
        self.cost: dict[str, float] = {}  # seconds per message, by kind

    def spent(self, kind: str, seconds: float, messages: int = 1) -> None:
        per_message = seconds / max(1, messages)
        self.cost[kind] = 0.8 * self.cost.get(kind, per_message) + 0.2 * per_message

    def interval(self, feed: Feed, training_runs: int) -> float:
        share = WORKER_SHARE.get(feed.kind, OTHER_SHARE)
        slowest = max(feed.interval_s, SLOWEST_S.get(feed.kind, OTHER_SLOWEST_S))
        wanted = training_runs * self.cost.get(feed.kind, 0.0) / share
        return min(slowest, max(feed.interval_s, wanted))


class PlaneGroup:
    """The boundaries of runs of one network shape on one data plane: their grid's points, the shared buffers, and the
    frames made in stacked passes for the feeds due now (each a net's own, core/stackplane.py)."""

    def __init__(self, X1: np.ndarray, box: tuple, plane: StackPlane):
        self.X1, self.box, self.plane = X1, box, plane
        self.ready: dict[int, Boundary] = {}  # by id(view.net), for this report only

    def prepare(self, views: Sequence[NetView]) -> None:
        for view, boundary in zip(views, self.draw(views), strict=True):
            self.ready[id(view.net)] = boundary

    def clear(self) -> None:
        self.ready.clear()

    def draw(self, views: Sequence[NetView]) -> list[Boundary]:
        return self.plane.boundaries(self.X1, self.box, [view.net for view in views], [view.epoch for view in views])

    def boundary(self, view: NetView) -> Boundary:
        return self.ready.pop(id(view.net), None) or self.draw([view])[0]


class Planes:
    """A worker's boundary planes, shared while some run uses them: the buffers per shape and grid size, the grid's
    points per data plane (a 100×100 run alone held ~6 MB of buffers; runs of one shape now share ~3 MB). Frames are
    drawn in float32 (core/stackplane.py): ~2.3× faster, a level off by one at the odd point; every run's alike."""

    def __init__(self) -> None:
        self.buffers: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
        self.groups: weakref.WeakValueDictionary = weakref.WeakValueDictionary()

    def group(self, view: NetView) -> PlaneGroup:
        size, net = view.config.grid_size, view.net
        box, X1 = plane_points(view.data, size)
        X1 = X1.astype(FRAME_DTYPE)
        key = (box, size, tuple(net.layer_sizes), net.activation)
        group = self.groups.get(key)
        if group is None:
            shape = key[1:]
            plane = self.buffers.get(shape)
            if plane is None:
                plane = self.buffers[shape] = StackPlane(size, net.layer_sizes, net.activation, dtype=FRAME_DTYPE)
            group = self.groups[key] = PlaneGroup(X1, box, plane)
        return group

    def feed(self, view: NetView) -> Feed:
        """The decision boundary over the data's plane, as a binary frame (app/messages.py encode_boundary)."""
        group = self.group(view)

        def frame(run_id: str, view: NetView) -> Frame:
            return Frame(run_id, "boundary", encode_boundary(group.boundary(view)), view.epoch)

        return Feed(frame, FLUSH_S, kind="boundary", batch=group)


def insight(run_id: str, view: NetView) -> Insight:
    report = insight_report(view)
    norms = [report["epoch"], [n["W"] for n in report["norms"]], [n["dW"] for n in report["norms"]]]
    return Insight(run_id, dumps(report), norms, report["epoch"])


def feeds_for(view: NetView, planes: Planes | None = None) -> list[Feed]:
    """The views a run sends, for its data and net: a boundary needs 2-D inputs (planes: the worker's, else its own)."""
    planar = [(planes or Planes()).feed(view)] if view.data.X_train.shape[0] == 2 else []
    return [*planar, Feed(insight, INSIGHT_S, INSIGHT_SHARE, kind="insight")]
