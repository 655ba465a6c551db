"""The event loop's lag: measured by app/looplag.py, reported by GET /api/health; frames carry their making time."""

import asyncio
import time

from app.looplag import LoopLag
from app.messages import decode_boundary, is_boundary
from tests.aio import run_apart
from tests.app.client import HTTP, control, create, open_socket, wait_for


def test_a_blocked_loop_shows_as_lag():
    async def measure() -> tuple:
        lag = LoopLag(every_s=0.01)
        lag.start()
        deadline = time.monotonic() + 10  # a loaded machine wakes the sampler late: wait for samples, not a time
        while lag.figures().samples < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        calm = lag.figures()
        time.sleep(0.3)  # blocks the loop: the next wake-up is ~0.3 s late
        await asyncio.sleep(0.05)
        await lag.stop()
        return calm, lag.figures()

    calm, blocked = run_apart(measure())
    assert calm.samples >= 3
    assert blocked.max_ms >= 250, blocked
    assert 0 <= blocked.p50_ms <= blocked.p99_ms <= blocked.max_ms


def test_old_samples_leave_the_window():
    async def measure() -> tuple:
        lag = LoopLag(every_s=0.01, window_s=0.1)
        lag.start()
        await asyncio.sleep(0.05)
        time.sleep(0.2)
        await asyncio.sleep(0.3)  # the late sample is now older than the window
        await lag.stop()
        return lag.figures()

    figures = run_apart(measure())
    assert figures.max_ms < 150, figures
    assert figures.samples <= 12


def test_health_reports_the_loop_lag(live_server):
    def sampled() -> dict | None:
        answer = HTTP.get(f"{live_server}/api/health").json()
        return answer if answer["loop_lag"]["samples"] else None

    health = wait_for(sampled)
    figures = health["loop_lag"]
    assert set(figures) == {"p50_ms", "p99_ms", "max_ms", "samples"}
    assert 0 <= figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["samples"] <= 60 / 0.05 + 1  # one a 50 ms over the last minute at most
    assert health["status"] == "ok" and health["workers"]  # the old fields are still there


def test_a_boundary_frame_says_when_it_was_made(live_server):
    run = create(live_server, {"epochs": 500, "speed": 1000, "paused": True})
    with open_socket(live_server, run["id"]) as ws:
        ws.recv(timeout=10)  # the snapshot
        before = time.time()
        control(live_server, run["id"], "resume")
        while not is_boundary(message := ws.recv(timeout=10)) or decode_boundary(message)[0]["epoch"] == 0:
            pass
        received = time.time()
    header, _ = decode_boundary(message)
    assert before <= header["t"] <= received
