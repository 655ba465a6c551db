"""Controlling a run: stop, pause, step, resume, speed; and runs nobody watches."""

import json
import time

from tests.app.client import Stream, control, create, get_run, open_socket, wait_for
from tests.conftest import GRACE_S

LONG = {"epochs": 100_000, "speed": 2000}  # 50 s: longer than any test waits


def test_stop_over_the_socket_cancels_the_run(live_server):
    run = create(live_server, LONG)
    with open_socket(live_server, run["id"]) as ws:
        stream = Stream()
        stream.until(ws, lambda m: isinstance(m, dict) and m["type"] == "progress")
        ws.send(json.dumps({"type": "control", "action": "stop"}))
        stream.to_end(ws)
    assert stream.of_type("status")[-1]["status"] == "cancelled"
    assert stream.result["status"] == "cancelled" and 0 < stream.result["epochs_run"] < 100_000
    assert stream.close_code == 1000
    assert get_run(live_server, run["id"])["status"] == "cancelled"


def test_pause_step_resume(live_server):
    run = create(live_server, {**LONG, "keep": True})
    run_id = run["id"]
    wait_for(lambda: get_run(live_server, run_id)["epoch"] > 100)
    assert control(live_server, run_id, "pause")["status"] == "paused"
    paused_at = get_run(live_server, run_id)["epoch"]
    time.sleep(0.3)
    assert get_run(live_server, run_id)["epoch"] == paused_at, "a paused run does not train"

    assert control(live_server, run_id, "step", epochs=7)["status"] == "paused"
    wait_for(lambda: get_run(live_server, run_id)["epoch"] == paused_at + 7)
    info = get_run(live_server, run_id)
    assert info["last"][0] == paused_at + 7, "a finished step reports where it landed"
    time.sleep(0.2)
    assert get_run(live_server, run_id)["epoch"] == paused_at + 7, "and stays paused there"

    assert control(live_server, run_id, "resume")["status"] == "running"
    wait_for(lambda: get_run(live_server, run_id)["epoch"] > paused_at + 100)
    assert control(live_server, run_id, "speed", epochs_per_second=None)["status"] == "running"
    assert control(live_server, run_id, "stop")["status"] == "cancelled"
    assert get_run(live_server, run_id)["result"]["status"] == "cancelled"


def test_speed_limits_a_run(live_server):
    run_id = create(live_server, {**LONG, "speed": 100, "keep": True})["id"]
    time.sleep(1.0)
    slow = get_run(live_server, run_id)["epoch"]
    assert 50 <= slow <= 150, f"{slow} epochs in a second at 100 a second"
    assert control(live_server, run_id, "speed", epochs_per_second=None)["status"] == "running"
    wait_for(lambda: get_run(live_server, run_id)["epoch"] > slow + 2000)
    control(live_server, run_id, "stop")


def test_a_paused_run_steps_and_streams_the_step(live_server):
    run = create(live_server, {"epochs": 1000, "paused": True})
    with open_socket(live_server, run["id"]) as ws:
        stream = Stream()
        stream.until(ws, lambda m: isinstance(m, tuple))  # the untrained net's boundary
        assert stream.snapshot["status"] in ("queued", "paused")
        ws.send(json.dumps({"type": "control", "action": "step", "epochs": 250}))
        stream.until(ws, lambda m: isinstance(m, tuple) and m[0]["epoch"] == 250)
        assert [p[0] for p in stream.history()] == [0, 100, 200, 250]
        ws.send(json.dumps({"type": "control", "action": "resume"}))
        stream.to_end(ws)
    assert [p[0] for p in stream.history()] == [0, 100, 200, 250, 300, 400, 500, 600, 700, 800, 900]
    assert stream.result["status"] == "done" and stream.result["epochs_run"] == 1000


def test_unwatched_runs_are_cancelled_after_the_grace_period(live_server):
    never_watched = create(live_server, LONG)["id"]
    left = create(live_server, LONG)["id"]
    kept = create(live_server, {**LONG, "keep": True})["id"]
    with open_socket(live_server, left) as ws:
        ws.recv(timeout=5)
    time.sleep(GRACE_S / 2)
    assert get_run(live_server, left)["status"] == "running", "still within the grace period"
    for run_id in (never_watched, left):
        wait_for(lambda run_id=run_id: get_run(live_server, run_id)["status"] == "cancelled", timeout=GRACE_S + 5)
    assert get_run(live_server, kept)["status"] == "running", "keep: true runs on unwatched"
    control(live_server, kept, "stop")


def test_a_watcher_arriving_in_time_keeps_the_run(live_server):
    run_id = create(live_server, LONG)["id"]
    with open_socket(live_server, run_id) as ws:
        ws.recv(timeout=5)
        time.sleep(GRACE_S + 0.5)
        assert get_run(live_server, run_id)["status"] == "running"
        ws.send(json.dumps({"type": "control", "action": "stop"}))
        Stream().to_end(ws)
