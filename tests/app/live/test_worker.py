"""The worker's host, in process: one run's exception fails that run alone; a view's exception stops that view."""

import json
import time
from itertools import groupby

import numpy as np
import pytest

from app.live.protocol import Command, Failed, Finished, Frame, Insight, Start, Status
from app.live.slot import EPOCH_TICK_S
from app.live.worker import Host
from core.config import RunConfig
from core.data import Dataset, make_dataset
from core.livestack import MAX_ROWS


def status_moves(events: list, run_id: str) -> list[str]:
    """The statuses a run went through, in order: a slow run's epoch ticks (EPOCH_TICK_S) repeat the one it is in."""
    return [status for status, _ in groupby(e.status for e in events if isinstance(e, Status) and e.run_id == run_id)]


def start(run_id: str, epochs: int = 300) -> Start:
    config = RunConfig(epochs=epochs)
    return Start(run_id, config, make_dataset("circles"), paused=False, speed=None)


def run_until_quiet(host: Host, rounds: int = 1000) -> list:
    events = []
    with np.errstate(all="ignore"):
        for _ in range(rounds):
            host.train_round()
            events += host.report()
            if not host.slots:
                break
    return events


def test_an_exception_in_one_run_fails_it_and_the_others_go_on():
    host = Host(stack_rows=1)  # each run by itself (stacked, see below)
    host.handle(start("good"))
    host.handle(start("bad"))

    def explode():
        raise FloatingPointError("the weights caught fire")

    host.slots["bad"].training.advance = explode
    events = run_until_quiet(host)
    (failed,) = [e for e in events if isinstance(e, Failed)]
    assert failed.run_id == "bad" and failed.reason == "FloatingPointError: the weights caught fire"
    (finished,) = [e for e in events if isinstance(e, Finished)]
    assert finished.run_id == "good" and finished.result["status"] == "done"
    assert status_moves(events, "good") == ["running", "done"]


@pytest.mark.parametrize("stack_rows", [1, MAX_ROWS], ids=["alone", "stacked"])
def test_a_view_that_fails_stops_and_says_why_and_its_run_trains_to_the_end(stack_rows):
    host = Host(stack_rows=stack_rows)
    host.handle(start("broken", epochs=3000))
    host.handle(start("other", epochs=3000))
    (insight,) = [feed for feed in host.slots["broken"].feeds if feed.kind == "insight"]

    def unreadable(run_id, view):
        raise ValueError("Too many bins for data range")

    insight.make = unreadable
    events = run_until_quiet(host)
    assert [status_moves(events, run) for run in ("broken", "other")] == [["running", "done"]] * 2
    assert not [e for e in events if isinstance(e, Failed)]
    (notice,) = [e for e in events if isinstance(e, Frame) and e.view == "error"]
    assert (
        notice.run_id == "broken"
        and notice.kept
        and json.loads(notice.payload)
        == {
            "type": "error",
            "message": "The insight view stopped (ValueError: Too many bins for data range); the run trains on.",
        }
    )
    said = [(e.run_id, e.view) for e in events if isinstance(e, Frame) and e.epoch > notice.epoch]
    assert ("broken", "boundary") in said and ("other", "boundary") in said  # its other views go on
    assert not [e for e in events if isinstance(e, Insight) and e.run_id == "broken" and e.epoch > notice.epoch]
    assert [e for e in events if isinstance(e, Insight) and e.run_id == "other" and e.epoch > notice.epoch]


def test_a_run_with_broken_data_fails_alone():
    host = Host()
    circles = make_dataset("circles")
    short_labels = Dataset("broken", circles.X_train, circles.Y_train[:, :-1], None, None)  # one label too few
    host.handle(Start("broken", RunConfig(epochs=300), short_labels, paused=False, speed=None))
    host.handle(start("good"))
    events = run_until_quiet(host)
    assert [e.run_id for e in events if isinstance(e, Failed)] == ["broken"]
    assert [e.run_id for e in events if isinstance(e, Finished)] == ["good"]


def test_an_exception_in_a_stacks_pass_fails_its_runs_and_the_others_go_on():
    host = Host()
    for run_id in ("a", "b"):
        host.handle(start(run_id))
    host.handle(Start("other", RunConfig(epochs=300, hidden_layers=[4]), make_dataset("circles"), False, None))

    def explode(*args):
        raise MemoryError("no room for the stack")

    for stack_or_run in ("a", "b"):  # the stack is made at the first slice: break it then
        host.slots[stack_or_run].training.accuracies = explode
    events = run_until_quiet(host)
    assert sorted(e.run_id for e in events if isinstance(e, Failed)) == ["a", "b"]
    assert [e.run_id for e in events if isinstance(e, Finished)] == ["other"]


def test_a_slow_runs_epoch_reaches_its_watchers_between_reports():
    """At 20 epochs/s a report every 1000 epochs is 50 s away: the epoch still moves, in status messages, at most
    twice a second."""
    host = Host()
    config = RunConfig(epochs=100_000, report_every=1000)
    host.handle(Start("slow", config, make_dataset("circles"), paused=False, speed=20.0))
    events, end = [], time.perf_counter() + 2.6
    while time.perf_counter() < end:
        host.train_round()
        events += host.report()
        time.sleep(0.01)
    statuses = [e for e in events if isinstance(e, Status)]
    assert [e.status for e in statuses] == ["running"] * len(statuses)
    epochs = [e.epoch for e in statuses]
    assert len(epochs) >= 3 and epochs == sorted(set(epochs)), epochs  # it moves, and says each epoch once
    assert len(epochs) <= 2.6 / EPOCH_TICK_S + 1, epochs
    host.handle(Command("slow", "stop"))
