"""A feed's cost is the CPU its message took: time the worker spent descheduled does not thin its frames."""

import time

from app.live.feeds import Feed, FeedLoad
from core.config import RunConfig
from core.train import Training


def burn(seconds: float) -> None:
    """Spend this much CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_message_made_while_the_worker_waits_costs_no_share_of_its_time():
    view = Training(RunConfig(epochs=10)).view()

    def make(run_id: str, view):  # a worker the OS runs less: its message takes 50 ms of wall time, none of CPU
        time.sleep(0.05)
        return None

    feed = Feed(interval_s=0.05, share=0.1, make=make, kind="boundary")
    now = time.perf_counter()
    feed.send("r", view, now)
    assert feed.took < 0.01
    assert feed.next_at < now + 0.2  # its beat, not 50 ms / 0.1 share = 0.5 s later
    load = FeedLoad()
    load.spent("boundary", feed.took)
    assert load.interval(feed, training_runs=100) == 0.05  # 100 runs' frames: not stretched (to 0.09 s)


def test_a_message_that_takes_cpu_costs_its_share():
    view = Training(RunConfig(epochs=10)).view()
    feed = Feed(interval_s=0.01, share=0.1, make=lambda run_id, view: burn(0.02), kind="boundary")
    now = time.perf_counter()
    feed.send("r", view, now)
    assert feed.took >= 0.02
    assert feed.next_at >= now + 0.2  # 20 ms of CPU at a tenth of the run's time
