"""What a run shows while it trains, besides its cost points: each view's latest picture, sent now and then.

A feed makes one message from the net as it stands (a `core.train.NetView`) — a boundary frame, an insight
report, the examples' predictions, the first layer's weights — at most every `interval_s`, and spends at most
`share` of the run's time on it. It also sends at once when asked (`now`): the untrained net's first, then after
a pause, a step and at the end, so that a paused run shows where it stopped. A feed that is `once` sends one
message, at the start, which never changes (the examples' thumbnails): watchers always keep it.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from app.live.protocol import Event, Frame, Insight
from app.messages import dumps, encode_boundary, encode_picture
from core.boundary import Plane
from core.insight import insight_report
from core.pictures import Predictions, first_layer_pictures, input_shape, projection, thumbnails
from core.train import NetView

FLUSH_S = 0.05  # progress batches and boundary frames: at most one per run per 50 ms (20 a second)
INSIGHT_S = 0.25  # insight reports (a forward and backward pass over the training set): at most 4 a second,
INSIGHT_SHARE = 0.2  # and at most this share of a run's time (a big net on 5000 points takes ~1 s per report)
# the views of data that is not 2-D: at most 10 frames a second each, each under 32 KB (its body at most
# PICTURE_BYTES before deflating, which can only add a few bytes; the header is a few hundred)
PICTURES_S = 0.1
PREDICTIONS_SHARE = 0.1  # a forward pass over every example: images-deep's ~3 ms
WEIGHTS_SHARE = 0.05
PICTURE_BYTES = 30_000
SHOWN_EXAMPLES = (24, 12)  # thumbnails of this many training and test images
SHOWN_UNITS = 16  # the first layer's units drawn


@dataclass
class Feed:
    make: Callable[[str, NetView], Event]  # (run id, the net as it stands) → the message
    interval_s: float
    share: float = 1.0
    next_at: float = 0.0
    now: bool = True  # send at the next report whatever the time
    stale: bool = False  # the net has trained since the last message
    once: bool = False  # one message, at the start: it never changes
    sent: bool = False

    def due(self, now: float, over: bool) -> bool:
        if self.once:
            return not self.sent
        return self.now or over or (self.stale and now >= self.next_at)

    def wake_at(self) -> float | None:
        """When this feed next wants to send (None: not until the net trains or someone asks)."""
        if self.now and not (self.once and self.sent):
            return 0.0
        return self.next_at if self.stale and not self.once else None

    def send(self, run_id: str, view: NetView, now: float) -> Event:
        started = time.perf_counter()
        event = self.make(run_id, view)
        took = time.perf_counter() - started
        self.now = self.stale = False
        self.sent = True
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

    return [Feed(examples_once, PICTURES_S, once=True), Feed(examples, PICTURES_S, PREDICTIONS_SHARE)]


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

    return Feed(weights, PICTURES_S, WEIGHTS_SHARE)


def feeds_for(view: NetView) -> list[Feed]:
    """The views a run sends, for its data and net: a boundary for 2-D inputs; for any other, the examples with
    their predictions and the first layer's weights as pictures."""
    views = [boundary_feed(view)] if view.data.planar else [*examples_feeds(view), weights_feed(view)]
    return [*views, Feed(insight, INSIGHT_S, INSIGHT_SHARE)]
