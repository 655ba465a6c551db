"""A watcher's bounded outbox (app/hub.py Watcher): when a client falls behind, the oldest boundary frames go
first, then the oldest progress batches; the snapshot, status, result and close are never dropped."""

from app.live.hub import Kind, Watcher


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
