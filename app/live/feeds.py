"""What a run shows while it trains, besides its cost points: each view's latest picture, sent now and then.

A feed makes one message from the net as it stands (a `core.train.NetView`) — a boundary frame, an insight
report, the examples' predictions, the first layer's weights — at most every `interval_s`, and spends at most
`share` of the run's time on it. It also sends at once when asked (`now`): the untrained net's first, then after
a pause, a step and at the end, so that a paused run shows where it stopped. A feed that is `once` sends one
message, at the start, which never changes (the examples' thumbnails): watchers always keep it.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from app.live.protocol import Event, Frame, Insight
from app.messages import dumps, encode_boundary, encode_picture
from core.boundary import Plane
from core.insight import insight_report
from core.landscape import Paths, Slicer, landscape_steps, refusal
from core.pictures import Predictions, first_layer_pictures, input_shape, projection, thumbnails
from core.train import NetView

FLUSH_S = 0.05  # progress batches and boundary frames: at most one per run per 50 ms (20 a second)
INSIGHT_S = 0.25  # insight reports (a forward and backward pass over the training set): at most 4 a second,
INSIGHT_SHARE = 0.2  # and at most this share of a run's time (a big net on 5000 points takes ~1 s per report)
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


@dataclass
class Beat:
    """When a view sends: at most every `interval_s`, at most `share` of the time, at once when asked (`now`)."""

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

    def sent(self, now: float, took: float) -> None:
        """A message went at `now`, its making having taken `took` seconds."""
        self.now = self.stale = False
        self.next_at = max(next_tick(self.next_at, now, self.interval_s), now + took / self.share)


@dataclass
class Feed(Beat):
    make: Callable[[str, NetView], Event] | None = None  # (run id, the net as it stands) → the message
    once: bool = False  # one message, at the start: it never changes (watchers always keep it)
    made: bool = False  # it has sent at least one message

    def due(self, now: float, over: bool) -> bool:
        return not self.made if self.once else super().due(now, over)

    def wake_at(self) -> float | None:
        if self.once:
            return None if self.made else 0.0
        return super().wake_at()

    def send(self, run_id: str, view: NetView, now: float) -> Event:
        started = time.perf_counter()
        event = self.make(run_id, view)
        self.sent(now, time.perf_counter() - started)
        self.made = True
        return event


def next_tick(previous: float, now: float, interval_s: float = FLUSH_S) -> float:
    """The next send time on a fixed beat, so that a slightly late send keeps the average rate."""
    return previous + interval_s if now - previous < interval_s else now + interval_s


def boundary_feed(view: NetView) -> Feed:
    """The decision boundary over the data's plane, as a binary frame (app/messages.py encode_boundary)."""
    plane = Plane(view.data, view.config.grid_size, view.net)  # the view's net: the same Network every time

    def frame(run_id: str, view: NetView) -> Frame:
        return Frame(run_id, "boundary", encode_boundary(plane.boundary(view.epoch)), view.epoch)

    return Feed(FLUSH_S, make=frame)


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

    return [Feed(PICTURES_S, make=examples_once, once=True), Feed(PICTURES_S, PREDICTIONS_SHARE, make=examples)]


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

    return Feed(PICTURES_S, WEIGHTS_SHARE, make=weights)


def feeds_for(view: NetView) -> list[Feed]:
    """The views a run sends, for its data and net: a boundary for 2-D inputs; for any other, the examples with
    their predictions and the first layer's weights as pictures."""
    views = [boundary_feed(view)] if view.data.planar else [*examples_feeds(view), weights_feed(view)]
    return [*views, Feed(INSIGHT_S, INSIGHT_SHARE, make=insight)]


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
        started = time.perf_counter()
        epoch, steps = self.making
        drawn = None
        if not self.refusal:
            try:
                drawn = next(steps)
            except Exception as error:  # a landscape that fails ends the landscape, not the runs
                self.refusal = f"the landscape could not be computed: {type(error).__name__}: {error}"
        self.spent += time.perf_counter() - started
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
