"""What a run shows while it trains, besides its cost points: each view's latest picture, sent now and then.

A feed makes one message from the net as it stands (a `core.train.NetView`) — a boundary frame, a network
frame, an insight report, a diagnosis — at most every `interval_s`, and spends at most `share` of the run's time
on it. It also sends at once when asked (`now`): the untrained net's first, then after a pause, a step and at
the end, so that a paused run shows where it stopped. A feed with nothing new to say makes None.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from app.live.protocol import Event, Frame, Insight
from app.messages import diagnosis_message, dumps, encode_boundary, encode_network
from core.boundary import Plane
from core.diagnosis import Diagnosis
from core.diagram import DiagramPlane
from core.insight import insight_report
from core.train import NetView

FLUSH_S = 0.05  # progress batches and boundary frames: at most one per run per 50 ms (20 a second)
INSIGHT_S = 0.25  # insight reports (a forward and backward pass over the training set): at most 4 a second,
INSIGHT_SHARE = 0.2  # and at most this share of a run's time (a big net on 5000 points takes ~1 s per report)
NETWORK_S = 0.1  # network frames: every other boundary frame (docs/protocol.md: ~3 KB for the default net),
NETWORK_SHARE = 0.1  # at most this share of the run's time (a forward pass over the plane, one over the data)
NETWORK_BYTES_PER_S = 60_000  # and at most this many bytes a second (a 6 × 64 net's frame is ~35 KB)
DIAGNOSIS_S = 0.25  # what is wrong with the run: looked at 4 times a second (a forward pass), sent when it changes
DIAGNOSIS_SHARE = 0.05


@dataclass
class Feed:
    make: Callable[[str, NetView], Event | None]  # (run id, the net as it stands) → the message, None: nothing new
    interval_s: float
    share: float = 1.0
    bytes_per_s: float = float("inf")  # frames: at most this many payload bytes a second (a big net's are big)
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

    def send(self, run_id: str, view: NetView, now: float) -> Event | None:
        started = time.perf_counter()
        event = self.make(run_id, view)
        took = time.perf_counter() - started
        self.now = self.stale = False
        size = len(event.payload) if isinstance(event, Frame) else 0
        self.next_at = max(
            next_tick(self.next_at, now, self.interval_s), now + took / self.share, now + size / self.bytes_per_s
        )
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


def network_feed(view: NetView) -> Feed:
    """The network diagram (core/diagram.py) as a binary frame (app/messages.py encode_network)."""
    plane = DiagramPlane(view)

    def frame(run_id: str, view: NetView) -> Frame:
        return Frame(run_id, "network", encode_network(plane.diagram(view)), view.epoch)

    return Feed(frame, NETWORK_S, NETWORK_SHARE, NETWORK_BYTES_PER_S)


def diagnosis_feed() -> Feed:
    """What is wrong with the run (core/diagnosis.py), sent when it changes (null: nothing is, any more)."""
    said: Diagnosis | None = None

    def message(run_id: str, view: NetView) -> Frame | None:
        nonlocal said
        diagnosis = view.diagnosis()
        if diagnosis == said:
            return None
        said = diagnosis
        return Frame(run_id, "diagnosis", diagnosis_message(view.epoch, diagnosis), view.epoch)

    return Feed(message, DIAGNOSIS_S, DIAGNOSIS_SHARE)


def insight(run_id: str, view: NetView) -> Insight:
    report = insight_report(view)
    norms = [report["epoch"], [n["W"] for n in report["norms"]], [n["dW"] for n in report["norms"]]]
    return Insight(run_id, dumps(report), norms, report["epoch"])


def feeds_for(view: NetView) -> list[Feed]:
    """The views a run sends, for its data and net: a boundary and a network diagram need 2-D inputs."""
    planar = [boundary_feed(view), network_feed(view)] if view.data.X_train.shape[0] == 2 else []
    return [*planar, Feed(insight, INSIGHT_S, INSIGHT_SHARE), diagnosis_feed()]
