"""A run's channel: its latest state, and everyone watching it.

Each watcher has its own bounded outbox, drained by its own sender task (app/ws.py): a slow or
stalled client loses its oldest boundary frames (then progress batches) and never slows the run or
the other watchers.
"""

import asyncio
import time
from collections import deque
from enum import Enum

from app import messages
from app.live.history import History, thinned
from app.live.insight_log import InsightLog
from core.config import RunConfig
from core.schedule import learning_rates
from core.status import RunStatus

OUTBOX_LIMIT = 32  # messages; ~1.5 s of one run's frames and progress batches at 20 a second each


class Kind(Enum):
    BOUNDARY = "boundary"  # dropped first when an outbox is full (insight messages too: a newer one follows)
    PROGRESS = "progress"  # dropped next
    KEEP = "keep"  # snapshot, status, result, error: never dropped
    CLOSE = "close"  # the run is over: close the socket (1000)


class Watcher:
    """One client's outbox."""

    def __init__(self, limit: int = OUTBOX_LIMIT):
        self.limit = limit
        self.items: deque[tuple[Kind, str | bytes | None]] = deque()
        self.wakeup = asyncio.Event()
        self.closing = asyncio.Event()  # set once the close is queued
        self.skipped: frozenset[str] = frozenset()  # views it does not show: never put in its outbox

    def put(self, kind: Kind, payload: str | bytes | None = None) -> None:
        self.items.append((kind, payload))
        if kind is Kind.CLOSE:
            self.closing.set()
        while len(self.items) > self.limit and self.drop_oldest():
            pass
        self.wakeup.set()

    def drop_oldest(self) -> bool:
        for victim in (Kind.BOUNDARY, Kind.PROGRESS):
            for i, (kind, _) in enumerate(self.items):
                if kind is victim:
                    del self.items[i]
                    return True
        return False

    async def get(self) -> tuple[Kind, str | bytes | None]:
        while not self.items:
            self.wakeup.clear()
            await self.wakeup.wait()
        return self.items.popleft()


class Channel:
    """One run as its watchers see it: status, epoch, the cost history, the latest frames, the result.

    Progress and results arrive from the workers already encoded; the history is kept once (app/live/history.py),
    and a snapshot carries it thinned, encoded once per new batch of points whoever asks.
    """

    def __init__(
        self, run_id: str, config: RunConfig, config_json: str, dataset_json: str, keep: bool, room: str | None = None,
        member: str | None = None,
    ) -> None:  # fmt: skip
        self.id = run_id
        self.config = config
        self.keep = keep
        self.room = room  # a lecture room's code: only its secret controls the run
        self.member = member  # in a room: the student whose run it is (its token controls it too)
        self.config_json = config_json  # the config as JSON text, encoded once (inline data can be ~0.3 MB)
        self.dataset_json = dataset_json  # the points drawn under the boundary; they never change
        self.learning_rates = learning_rates(config)  # the decay schedule at the report epochs (None: no decay)
        self.status = RunStatus.QUEUED
        self.epoch = 0
        self.history = History()  # [epoch, cost, train_acc, test_acc] points
        self.sent_history_json: str | None = None  # the snapshot's history, encoded (None: since changed)
        self.frames: dict[str, bytes | str] = {}  # each view's latest picture (app/live/feeds.py), by view
        self.kept_views: set[str] = set()  # the views sent once, which a watcher never drops
        self.insight = InsightLog()
        self.result: dict | None = None
        self.result_json: str | None = None
        self.watchers: set[Watcher] = set()
        self.ended = asyncio.Event()  # set when the run has finished (its end stored, or it failed)
        self.quiet = False  # its worker was told nobody watches (no frames, no insight until someone does)
        self.started = time.monotonic()

    @property
    def finished(self) -> bool:
        return self.result is not None

    @property
    def last(self) -> list | None:
        return self.history.last()

    def snapshot(self) -> str:
        if self.sent_history_json is None:
            self.sent_history_json = messages.dumps(self.history.sent())
        fields = {"id": self.id, "status": self.status, "epoch": self.epoch, "learning_rates": self.learning_rates}
        return messages.snapshot_message(
            fields, self.config_json, self.sent_history_json, self.result_json, self.dataset_json
        )

    def subscribe(self) -> Watcher:
        """A new watcher, its outbox primed with the snapshot and the latest frame (and the end, if over)."""
        watcher = Watcher()
        watcher.put(Kind.KEEP, self.snapshot())
        for view, frame in self.frames.items():
            watcher.put(Kind.KEEP if view in self.kept_views else Kind.BOUNDARY, frame)
        insight = self.insight.for_new_watcher()
        if insight is not None:  # kept: it carries the norms' history, which later messages do not
            watcher.put(Kind.KEEP, insight)
        if self.result_json is not None:
            watcher.put(Kind.KEEP, messages.result_message(self.result_json))
            watcher.put(Kind.CLOSE)
        self.watchers.add(watcher)
        return watcher

    def unsubscribe(self, watcher: Watcher) -> None:
        self.watchers.discard(watcher)

    def publish(self, kind: Kind, payload: str | bytes | None = None, view: str | None = None) -> None:
        """To every watcher; a view's message only to those that show it."""
        for watcher in self.watchers:
            if view is None or view not in watcher.skipped:
                watcher.put(kind, payload)

    # ---------------------------------------------------------------- what the run's worker reports

    def add_points(self, points: list[list], points_json: str, epoch: int) -> None:
        self.history.extend(points)
        self.sent_history_json = None
        self.epoch = epoch
        self.publish(Kind.PROGRESS, messages.progress_message(points_json))

    def set_frame(self, view: str, frame: bytes | str, epoch: int, kept: bool = False) -> None:
        self.frames[view] = frame
        if kept:
            self.kept_views.add(view)
        self.epoch = max(self.epoch, epoch)
        self.publish(Kind.KEEP if kept else Kind.BOUNDARY, frame, view)

    def set_insight(self, message_json: str, norms: list, epoch: int) -> None:
        self.insight.add(message_json, norms)
        self.epoch = max(self.epoch, epoch)
        self.publish(Kind.BOUNDARY, message_json, "insight")

    def set_status(self, status: RunStatus, epoch: int, reason: str | None = None) -> None:
        """Move to `status` if the lifecycle allows it from here (a late report of an ended run changes nothing)."""
        if self.finished or not (status == self.status or self.status.may_become(status)):
            return
        # a change is never dropped; the same status again only says where the run is (a slow run's epoch between
        # its reports): droppable, as progress is, since a newer one follows
        kind = Kind.PROGRESS if status == self.status and reason is None else Kind.KEEP
        self.status = status
        self.epoch = epoch
        self.publish(kind, messages.status_message(status, epoch, reason))

    def finish(self, result: dict, result_json: str) -> None:
        self.result, self.result_json = result, result_json
        self.ended.set()
        self.status = RunStatus(result["status"])
        self.epoch = result["epochs_run"]
        # a finished run is kept a while for late readers: its history is in the store, a thinned one in its result
        self.history.keep_last()
        self.sent_history_json = None
        self.publish(Kind.KEEP, messages.result_message(result_json))
        self.publish(Kind.CLOSE)

    def fail(self, reason: str) -> None:
        """The run died without a result of its own: say why, and end it with what it had reported."""
        self.end(RunStatus.FAILED, reason)

    def end(self, status: RunStatus, reason: str) -> None:
        """End the run with a result of the server's making (status, why, what it had reported), not its worker's."""
        if self.finished:
            return
        self.set_status(status, self.epoch, reason)
        last = self.last
        result = {
            "status": status,
            "reason": reason,
            "costs": [[epoch, cost] for epoch, cost, *_ in thinned(self.history)],
            "final_cost": last[1] if last else None,
            "train_accuracy": last[2] if last else None,
            "test_accuracy": last[3] if last else None,
            "epochs_run": self.epoch,
            "duration_s": time.monotonic() - self.started,
        }
        self.finish(result, messages.dumps(result))
