"""A watcher's bounded outbox (app/hub.py Watcher): when a client falls behind, the oldest boundary frames go
first, then the oldest progress batches; the snapshot, status, result and close are never dropped."""

import json

from app.live.hub import Channel, Kind, Watcher
from app.messages import config_json
from core.config import RunConfig
from core.status import RunStatus


def test_a_full_outbox_drops_the_oldest_frames_first_then_progress_never_the_rest() -> None:
    watcher = Watcher(limit=4)
    watcher.put(Kind.KEEP, "snapshot")
    watcher.put(Kind.PROGRESS, "p1")
    for i in range(5):
        watcher.put(Kind.BOUNDARY, b"frame%d" % i)
    assert list(watcher.items) == [(Kind.KEEP, "snapshot"), (Kind.PROGRESS, "p1"), (Kind.BOUNDARY, b"frame3"),
                                   (Kind.BOUNDARY, b"frame4")]  # fmt: skip

    watcher.put(Kind.PROGRESS, "p2")
    watcher.put(Kind.PROGRESS, "p3")
    watcher.put(Kind.KEEP, "result")
    watcher.put(Kind.CLOSE)
    assert list(watcher.items) == [(Kind.KEEP, "snapshot"), (Kind.PROGRESS, "p3"), (Kind.KEEP, "result"),
                                   (Kind.CLOSE, None)]  # fmt: skip
    assert watcher.closing.is_set()


def test_a_status_that_only_moves_the_epoch_is_dropped_like_progress_a_change_never() -> None:
    """A slow run says its epoch twice a second (app/live/slot.py EPOCH_TICK_S): a stalled watcher's outbox stays
    bounded, and keeps every change of status and the newest epoch."""
    channel = Channel("r", RunConfig(), config_json(RunConfig()), "{}", keep=False)
    watcher = channel.subscribe()
    watcher.limit = 4
    channel.set_status(RunStatus.RUNNING, 0)
    for epoch in range(1, 101):
        channel.set_status(RunStatus.RUNNING, epoch)
    channel.set_status(RunStatus.PAUSED, 100)
    said = [json.loads(payload) for kind, payload in watcher.items if isinstance(payload, str)]
    statuses = [(m["status"], m["epoch"]) for m in said if m["type"] == "status"]
    assert len(watcher.items) <= 5, len(watcher.items)
    assert statuses[0] == ("running", 0) and statuses[-2:] == [("running", 100), ("paused", 100)], statuses
