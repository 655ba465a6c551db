"""What a run shows while it trains, besides its cost points: each view's latest picture, sent now and then.

A feed makes one message from the net as it stands (a `core.train.NetView`) — a boundary frame, an insight
report — at most every `interval_s`, and spends at most `share` of the run's time on it. It also sends at
once when asked (`now`): the untrained net's first, then after a pause, a step and at the end, so that a
paused run shows where it stopped.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from app.live.protocol import Event, Frame, Insight
from app.messages import dumps, encode_boundary
from core.boundary import Plane
from core.insight import insight_report
from core.train import NetView

FLUSH_S = 0.05  # progress batches and boundary frames: at most one per run per 50 ms (20 a second)
INSIGHT_S = 0.25  # insight reports (a forward and backward pass over the training set): at most 4 a second,
INSIGHT_SHARE = 0.2  # and at most this share of a run's time (a big net on 5000 points takes ~1 s per report)


@dataclass
class Feed:
    make: Callable[[str, NetView], Event]  # (run id, the net as it stands) → the message
    interval_s: float
    share: float = 1.0
    next_at: float = 0.0
    now: bool = True  # send at the next report whatever the time
    stale: bool = False  # the net has trained since the last message

    def due(self, now: float, over: bool) -> bool:
        return self.now or over or (self.stale and now >= self.next_at)

    def wake_at(self) -> float | None:
        """When this feed next wants to send (None: not until the net trains or someone asks)."""
        if self.now:
            return 0.0
        return self.next_at if self.stale else None

    def send(self, run_id: str, view: NetView, now: float) -> Event:
        started = time.perf_counter()
        event = self.make(run_id, view)
        took = time.perf_counter() - started
        self.now = self.stale = False
        self.next_at = max(next_tick(self.next_at, now, self.interval_s), now + took / self.share)
        return event


def next_tick(previous: float, now: float, interval_s: float = FLUSH_S) -> float:
    """The next send time on a fixed beat, so that a slightly late send keeps the average rate."""
    return previous + interval_s if now - previous < interval_s else now + interval_s


def boundary_feed(view: NetView) -> Feed:
    """The decision boundary over the data's plane, as a binary frame (app/messages.py encode_boundary)."""
    plane = Plane(view.data, view.config.grid_size, view.net)  # the view's net: the same Network every time

    def frame(run_id: str, view: NetView) -> Frame:
        return Frame(run_id, "boundary", encode_boundary(plane.boundary(view.epoch)), view.epoch)

    return Feed(frame, FLUSH_S)


def insight(run_id: str, view: NetView) -> Insight:
    report = insight_report(view)
    norms = [report["epoch"], [n["W"] for n in report["norms"]], [n["dW"] for n in report["norms"]]]
    return Insight(run_id, dumps(report), norms, report["epoch"])


def feeds_for(view: NetView) -> list[Feed]:
    """The views a run sends, for its data and net: a boundary needs 2-D inputs."""
    planar = [boundary_feed(view)] if view.data.X_train.shape[0] == 2 else []
    return [*planar, Feed(insight, INSIGHT_S, INSIGHT_SHARE)]
