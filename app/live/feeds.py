"""What a run shows while it trains, besides its cost points: each view's latest picture, sent now and then.

A feed makes one message from the net as it stands (a `core.train.NetView`) — a boundary frame, a network
frame, an insight report, a diagnosis, the examples' predictions, the first layer's weights — at most every
`interval_s`, and spends at most `share` of the run's time on it. It also sends at once when asked (`now`): the
untrained net's first, then after a pause, a step and at the end, so that a paused run shows where it stopped. A
feed with nothing new to say makes None. A feed that is `once` sends one message, at the start, which never changes
(the examples' thumbnails): watchers always keep it.

A worker hosting many runs stretches its feeds' intervals (`FeedLoad`) so that all its runs' feeds of one kind take at
most their share of its time, never slower than the kind's slowest; and feeds of many runs that one pass can make
(`Feed.batch`: the boundaries of nets of one shape on one plane, `Planes`) are made together before they are sent.
"""

import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from app.live.protocol import Event, Frame, Insight
from app.messages import diagnosis_message, dumps, encode_boundary, encode_network, encode_picture
from core.boundary import Boundary, plane_points
from core.diagnosis import Diagnosis
from core.diagram import DiagramPlane
from core.insight import insight_report
from core.landscape import Paths, Slicer, landscape_steps, refusal
from core.pictures import Predictions, first_layer_pictures, input_shape, projection, thumbnails
from core.stackplane import StackPlane
from core.train import NetView

FLUSH_S = 0.05  # progress batches and boundary frames: at most one per run per 50 ms (20 a second)
INSIGHT_S = 0.25  # insight reports (a forward and backward pass over the training set): at most 4 a second,
INSIGHT_SHARE = 0.2  # and at most this share of a run's time (a big net on 5000 points takes ~1 s per report)
NETWORK_S = 0.1  # network frames: every other boundary frame (docs/protocol.md: ~3 KB for the default net),
NETWORK_SHARE = 0.1  # at most this share of the run's time (a forward pass over the plane, one over the data)
NETWORK_BYTES_PER_S = 60_000  # and at most this many bytes a second (a 6 × 64 net's frame is ~35 KB)
DIAGNOSIS_S = 0.25  # what is wrong with the run: looked at 4 times a second (a forward pass), sent when it changes
DIAGNOSIS_SHARE = 0.05
# a worker's feeds of one kind, all its runs' together, take at most this share of its time, stretching their
# intervals up to the slowest (a watcher still gets 11 boundary frames a second; insight can wait). A frame costs
# ~0.2 ms (its forward pass over the plane, ~0.12 ms, and its encoding, ~0.08), an insight report ~0.6 ms: a
# worker with 100 runs spends ~0.22 s a second on frames at the slowest, ~0.03 on insight
WORKER_SHARE = {"boundary": 0.25, "network": 0.08, "insight": 0.03, "diagnosis": 0.02}
SLOWEST_S = {"boundary": 0.09, "network": 1.0, "insight": 4.0, "diagnosis": 2.0}
OTHER_SHARE, OTHER_SLOWEST_S = 0.1, 1.0  # any other kind of feed
# what a message cost is the CPU time it took to make, not the wall time: a worker the OS runs less (the cores full,
# its niceness) would otherwise count the time other processes ran as its frames' cost, and thin its watchers' frames
# just when the machine is busy (a hall at load 1.8 fell to 8.9 frames/s)
cpu_time = time.thread_time
FRAME_DTYPE = np.float32  # a boundary frame is an 8-bit picture: float32 draws it in less than half the time
LANDSCAPE_S = 1.0  # a comparison's loss landscape (51 × 51 costs, ~0.05 s for the course's optimization net):
LANDSCAPE_SHARE = 0.2  # at most once a second, and at most this share of the group's time
COST_DIGITS = 5  # a landscape's costs, to this many significant digits: contours need no more


# the views of data that is not 2-D: at most 10 frames a second each, each under 32 KB (its body at most
# PICTURE_BYTES before deflating, which can only add a few bytes; the header is a few hundred)
PICTURES_S = 0.1
PREDICTIONS_SHARE = 0.1  # a forward pass over every example: images-deep's ~3 ms
WEIGHTS_SHARE = 0.05
PICTURE_BYTES = 30_000
SHOWN_EXAMPLES = (24, 12)  # thumbnails of this many training and test images
SHOWN_UNITS = 16  # the first layer's units drawn


class Batch(Protocol):
    """Feeds whose messages one pass makes for many runs: prepared for the views due, then sent one by one."""

    def prepare(self, views: Sequence[NetView]) -> None: ...

    def clear(self) -> None: ...


@dataclass
class Beat:
    """When a view sends: at most every `interval_s`, at most `share` of the time, at once when asked (`now`)."""

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

    def sent(self, now: float, took: float, size: int = 0, interval_s: float | None = None) -> None:
        """A message of `size` bytes went at `now`, its making having taken `took` seconds of CPU; the next may go
        `interval_s` (the worker's, else its own) later."""
        self.now = self.stale = False
        self.next_at = max(
            next_tick(self.next_at, now, interval_s or self.interval_s),
            now + took / self.share,
            now + size / self.bytes_per_s,
        )


@dataclass(eq=False)
class Feed(Beat):
    make: Callable[[str, NetView], Event | None] | None = None  # (run id, the net as it stands) → the message,
    # None when there is nothing new to say
    once: bool = False  # one message, at the start: it never changes (watchers always keep it)
    made: bool = False  # it has sent at least one message
    kind: str = ""  # the view's name: what FeedLoad budgets together
    batch: Batch | None = None
    took: float = 0.0  # seconds the last message took to make

    def due(self, now: float, over: bool) -> bool:
        return not self.made if self.once else super().due(now, over)

    def wake_at(self) -> float | None:
        if self.once:
            return None if self.made else 0.0
        return super().wake_at()

    def send(self, run_id: str, view: NetView, now: float, interval_s: float | None = None) -> Event | None:
        """The message (None: nothing new to say), and the next time this feed may send: `interval_s` (the
        worker's, else its own) from now."""
        started = cpu_time()
        event = self.make(run_id, view)
        self.took = cpu_time() - started
        self.sent(now, self.took, len(event.payload) if isinstance(event, Frame) else 0, interval_s)
        self.made = True
        return event


def next_tick(previous: float, now: float, interval_s: float = FLUSH_S) -> float:
    """The next send time on a fixed beat, so that a slightly late send keeps the average rate."""
    return previous + interval_s if now - previous < interval_s else now + interval_s


class FeedLoad:
    """How often each kind of feed may send on one worker: each message's cost is measured (CPU time, a moving
    average), and the interval is stretched until the kind's feeds of every training run take at most WORKER_SHARE
    of the worker."""

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

        return Feed(FLUSH_S, make=frame, kind="boundary", batch=group)


def network_feed(view: NetView) -> Feed:
    """The network diagram (core/diagram.py) as a binary frame (app/messages.py encode_network)."""
    plane = DiagramPlane(view)

    def frame(run_id: str, view: NetView) -> Frame:
        return Frame(run_id, "network", encode_network(plane.diagram(view)), view.epoch)

    return Feed(NETWORK_S, NETWORK_SHARE, NETWORK_BYTES_PER_S, make=frame, kind="network")


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

    return Feed(DIAGNOSIS_S, DIAGNOSIS_SHARE, make=message, kind="diagnosis")


def insight(run_id: str, view: NetView) -> Insight:
    report = insight_report(view)
    norms = [report["epoch"], [n["W"] for n in report["norms"]], [n["dW"] for n in report["norms"]]]
    return Insight(run_id, dumps(report), norms, report["epoch"])


def examples_feeds(view: NetView) -> list[Feed]:
    """For data that is not 2-D: the examples (thumbnails of a few when they are images, else every one on the
    data's first two principal components), once; then the net's prediction on each of them, as it learns."""
    data = view.data
    counts = {"n_train": data.X_train.shape[1], "n_test": data.m_test}
    if data.image_shape is not None:
        shown = thumbnails(data, *SHOWN_EXAMPLES, PICTURE_BYTES)
        header = {
            "type": "example-images", "epoch": 0, "shape": list(shown.pixels.shape[1:]),
            "source_shape": list(data.image_shape), "train": shown.train.tolist(), "test": shown.test.tolist(),
            **counts,
        }  # fmt: skip
        layout = encode_picture(header, shown.pixels)
    else:
        points = projection(data)
        x_min, x_max, y_min, y_max = points.box
        header = {"type": "example-points", "epoch": 0, "x_min": x_min, "x_max": x_max, "y_min": y_min,
                  "y_max": y_max, **counts}  # fmt: skip
        layout = encode_picture(header, points.levels)
    predictions = Predictions(view.net, view.evaluation, view.X1, view.X1_test)

    def examples(run_id: str, view: NetView) -> Frame:
        levels = predictions.levels()
        return Frame(run_id, "examples", encode_picture({"type": "examples", "epoch": view.epoch, **counts}, levels),
                     view.epoch)  # fmt: skip

    def examples_once(run_id: str, view: NetView) -> Frame:
        return Frame(run_id, header["type"], layout, 0, kept=True)

    return [
        Feed(PICTURES_S, make=examples_once, once=True, kind="examples"),
        Feed(PICTURES_S, PREDICTIONS_SHARE, make=examples, kind="examples"),
    ]


def weights_feed(view: NetView) -> Feed:
    """What the first layer sees: each of its first SHOWN_UNITS units' weights as a picture of the input's shape."""
    shape = input_shape(view.data)

    def weights(run_id: str, view: NetView) -> Frame:
        pictures = first_layer_pictures(view.net, shape, SHOWN_UNITS, PICTURE_BYTES)
        header = {
            "type": "weights", "epoch": view.epoch, "layer": 1, "shape": list(pictures.levels.shape[1:]),
            "source_shape": list(shape), "units": len(pictures.levels), "of": pictures.units, "scale": pictures.scale,
        }  # fmt: skip
        return Frame(run_id, "weights", encode_picture(header, pictures.levels), view.epoch)

    return Feed(PICTURES_S, WEIGHTS_SHARE, make=weights, kind="weights")


def feeds_for(view: NetView, planes: Planes | None = None) -> list[Feed]:
    """The views a run sends, for its data and net: a boundary (planes: the worker's, else its own) and the
    network's diagram for 2-D inputs; for any other, the examples with their predictions and the first layer's
    weights as pictures."""
    planar = view.data.planar
    views = (
        [(planes or Planes()).feed(view), network_feed(view)] if planar else [*examples_feeds(view), weights_feed(view)]
    )
    return [*views, Feed(INSIGHT_S, INSIGHT_SHARE, make=insight, kind="insight"), diagnosis_feed()]


class LandscapeFeed:
    """A comparison's loss landscape (core/landscape.py), one message sent to each of its runs: the runs' paths are
    recorded at their reports (`record`), and the slice is centred on the first run's current weights. It is made a
    chunk of costs at a time (`advance`, once a round), so that the worker's other runs keep their turns. The runs are
    named by id, each with its parameter vector: whatever trains them (one stack, or several) only says where each
    one is."""

    def __init__(self, views: dict[str, NetView]):  # run id → the run's net, in the comparison's order
        self.centre, first = next(iter(views.items()))
        P, m = first.net.theta.size, first.m
        self.refusal = refusal(P, m)
        self.l2_lambda = first.config.l2_lambda
        self.paths = Paths(P, len(views))
        self.slicer = (
            None if self.refusal else Slicer(first.net.layer_sizes, first.config.activation, first.X1, first.Y)
        )
        self.beat = Beat(LANDSCAPE_S, LANDSCAPE_SHARE)
        self.making: tuple[int, Iterator[dict | None]] | None = None  # (epoch, the landscape being made)
        self.spent = 0.0  # seconds spent on the landscape being made
        self.record({run_id: view.net.theta for run_id, view in views.items()}, first.epoch)

    def record(self, thetas: dict[str, np.ndarray], epoch: int) -> None:
        """Where each run is at this epoch."""
        if self.refusal:
            return
        for run_id, theta in thetas.items():
            self.paths.record(run_id, epoch, theta)
        self.beat.stale = True

    def wake_at(self) -> float | None:
        return 0.0 if self.making is not None else self.beat.wake_at()

    def due(self, now: float, over: bool) -> bool:
        """Is a landscape to be started now? At the end, always (one being made is given up for it)."""
        return over or (self.making is None and self.beat.due(now, over))

    def start(self, centre: NetView) -> None:
        """Start a landscape at the centre run's current weights and the paths as they are."""
        steps = (
            None if self.refusal else landscape_steps(self.slicer, centre.net.theta, self.paths.points, self.l2_lambda)
        )
        self.making, self.spent = (centre.epoch, steps), 0.0

    def advance(self, now: float) -> Frame | None:
        """The next chunk of the landscape being made; its message once it is done."""
        started = cpu_time()
        epoch, steps = self.making
        drawn = None
        if not self.refusal:
            try:
                drawn = next(steps)
            except Exception as error:  # a landscape that fails ends the landscape, not the runs
                self.refusal = f"the landscape could not be computed: {type(error).__name__}: {error}"
        self.spent += cpu_time() - started
        if drawn is None and not self.refusal:
            return None
        self.making = None
        self.beat.sent(now, self.spent)
        if self.refusal:
            refused = {"type": "landscape", "epoch": epoch, "refused": self.refusal}
            return Frame(self.centre, "landscape", dumps(refused), epoch)
        drawn["costs"] = [[float(f"{c:.{COST_DIGITS}g}") for c in row] for row in drawn["costs"]]
        message = {"type": "landscape", "epoch": epoch, "centre": self.centre, "l2_lambda": self.l2_lambda, **drawn}
        return Frame(self.centre, "landscape", dumps(message), epoch)
