"""A run's stream over the websocket: snapshot, progress, boundary frames, result; several watchers."""

import base64
import json
import os
import socket
import time

import pytest

from app.messages import decode_boundary, is_boundary
from core.presets import preset_config
from core.train import train
from tests.app.client import Stream, control, create, get_run, open_socket, strict_loads
from tests.reference import published, reference

FRAME_LIMIT = 10_240  # a 100×100 frame: 10,000 values and its header


def course_cost_at_1000() -> float:
    reference("expected.json")
    return published()["initialization"]["he"]["published"]["costs"]["1000"]


def test_a_run_streams_snapshot_progress_frames_and_result(live_server):
    run = create(live_server, {"preset": "init-he", "overrides": {"epochs": 2000}, "paused": True})
    assert run["status"] in ("queued", "paused")
    assert run["config"]["epochs"] == 2000 and run["config"]["course_compat"] is True
    with open_socket(live_server, run["id"]) as ws:
        stream = Stream()
        snapshot = stream.take(ws)
        assert snapshot["type"] == "snapshot" and snapshot["id"] == run["id"]
        assert len(snapshot["dataset"]["X_train"]) == 300 and len(snapshot["dataset"]["y_test"]) == 100
        ws.send(json.dumps({"type": "control", "action": "resume"}))
        stream.to_end(ws)

    assert stream.close_code == 1000
    assert stream.order[-1] == "result" and stream.of_type("status")[-1]["status"] == "done"
    assert stream.of_type("progress"), "the points arrive as progress messages"
    assert stream.frames, "boundary frames arrive as binary messages"
    for header, length in stream.frames:
        assert header["type"] == "boundary" and header["size"] == 100
        assert header["x_min"] < header["x_max"] and header["y_min"] < header["y_max"]
        assert length <= FRAME_LIMIT
    assert stream.frames[-1][0]["epoch"] == 2000

    points = {epoch: cost for epoch, cost, *_ in stream.history()}
    assert sorted(points) == list(range(0, 2000, 100))
    assert points[1000] == pytest.approx(course_cost_at_1000(), rel=1e-9)
    expected = train(preset_config("init-he", {"epochs": 2000}))
    result = stream.result
    assert result["status"] == "done" and result["epochs_run"] == 2000
    assert result["train_accuracy"] == expected.train_accuracy
    assert result["test_accuracy"] == expected.test_accuracy
    assert result["final_cost"] == pytest.approx(expected.final_cost, rel=1e-12)
    assert [[e, c] for e, c, *_ in stream.history()] == result["costs"]

    info = get_run(live_server, run["id"])
    assert info["status"] == "done" and info["epoch"] == 2000
    assert info["last"][0] == 1900 and info["result"]["train_accuracy"] == expected.train_accuracy


def test_two_watchers_get_the_same_stream(live_server):
    run = create(live_server, {"epochs": 3000, "speed": 10_000, "paused": True})
    with open_socket(live_server, run["id"]) as a, open_socket(live_server, run["id"]) as b:
        first, second = Stream(), Stream()
        first.take(a)
        second.take(b)
        control(live_server, run["id"], "resume")
        first.to_end(a)
        second.to_end(b)
    assert first.history() == second.history() == [p for p in first.history()]
    assert len(first.history()) == 30
    assert [m["points"] for m in first.of_type("progress")] == [m["points"] for m in second.of_type("progress")]
    assert first.result == second.result and first.result["status"] == "done"


def test_a_late_watcher_gets_the_history_first(live_server):
    run = create(live_server, {"epochs": 4000, "speed": 4000})
    with open_socket(live_server, run["id"]) as early:
        first = Stream()
        first.until(early, lambda m: isinstance(m, dict) and m["type"] == "progress" and m["points"][-1][0] >= 1000)
        with open_socket(live_server, run["id"]) as late:
            second = Stream()
            snapshot = second.take(late)
            assert snapshot["type"] == "snapshot" and snapshot["status"] == "running"
            assert snapshot["costs"][-1][0] >= 1000
            assert isinstance(second.take(late), tuple), "the latest boundary frame follows the snapshot"
            second.to_end(late)
        first.to_end(early)
    # the snapshot is the history so far: it may hold points the early watcher had not yet read when it came
    assert snapshot["costs"] == first.history()[: len(snapshot["costs"])]
    assert second.history() == first.history()
    assert second.result == first.result


def raw_watcher(base: str, run_id: str) -> socket.socket:
    """A websocket client that completes the handshake and then never reads: a stalled browser tab."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET /ws/runs/{run_id} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)  # byte by byte: leave every frame after the headers unread
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock


def read_frames(sock: socket.socket, timeout: float) -> list[tuple[int, bytes]]:
    """Drain a raw socket: its websocket frames as (opcode, payload), up to and including the close."""
    sock.settimeout(timeout)
    data, frames = b"", []

    def need(n: int) -> None:
        nonlocal data
        while len(data) < n:
            chunk = sock.recv(1 << 16)
            if not chunk:
                raise EOFError
            data += chunk

    while not frames or frames[-1][0] != 0x8:
        need(2)
        opcode, length, at = data[0] & 0x0F, data[1] & 0x7F, 2
        if length == 126:
            need(4)
            length, at = int.from_bytes(data[2:4]), 4
        elif length == 127:
            need(10)
            length, at = int.from_bytes(data[2:10]), 10
        need(at + length)
        frames.append((opcode, data[at : at + length]))
        data = data[at + length :]
    return frames


def test_a_stalled_watcher_does_not_slow_the_run_or_the_others(live_server):
    # 200×200 frames at 20 a second; deflated (~5 KB, docs/protocol.md) they may all fit in the kernel's socket
    # buffers of a 6 s run (40 KB raw ones filled them): which frames the hub drops is test_outbox.py's
    epochs, speed = 12_000, 2000
    run = create(live_server, {"epochs": epochs, "speed": speed, "grid_size": 200, "paused": True})
    stalled = raw_watcher(live_server, run["id"])
    try:
        with open_socket(live_server, run["id"]) as ws:
            healthy = Stream()
            healthy.take(ws)
            started = time.monotonic()
            control(live_server, run["id"], "resume")
            healthy.to_end(ws)
            took = time.monotonic() - started
        result = healthy.result
        assert result["status"] == "done"
        # the stall costs the healthy watcher no waiting: its result comes as soon as the run ends, and
        # the run itself kept its pace (loosely: other work on this machine slows it too)
        assert took < result["duration_s"] + 1.0, f"the healthy watcher waited {took:.2f} s"
        assert result["duration_s"] < 2 * epochs / speed
        assert len(healthy.history()) == epochs // 100, "the healthy watcher lost nothing"
        assert len(healthy.frames) >= 15 * epochs / speed

        # the stalled one may lose old frames, never the end of the run
        frames = read_frames(stalled, timeout=10)
        texts = [strict_loads(payload) for opcode, payload in frames if opcode == 0x1]
        binary = [payload for opcode, payload in frames if opcode == 0x2 and is_boundary(payload)]
        assert texts[0]["type"] == "snapshot" and texts[-1]["type"] == "result"
        assert texts[-1]["result"] == healthy.result
        epochs_seen = [decode_boundary(payload)[0]["epoch"] for payload in binary]
        assert epochs_seen == sorted(epochs_seen) and epochs_seen[-1] == epochs
        assert len(binary) <= len(healthy.frames)
        assert int.from_bytes(frames[-1][1][:2]) == 1000
    finally:
        stalled.close()


def test_a_watcher_that_skips_views_gets_none_of_their_frames(live_server):
    """{"type": "views", "skip": [...]}: that watcher, and only it, stops getting those views; a skip list that names
    no view it knows is an error message, and changes nothing."""
    run = create(live_server, {"epochs": 3000, "speed": 3000, "paused": True})
    with open_socket(live_server, run["id"]) as a, open_socket(live_server, run["id"]) as b:
        skipping, everything = Stream(), Stream()
        skipping.take(a)
        everything.take(b)
        a.send(json.dumps({"type": "views", "skip": ["network", "insight"]}))
        a.send(json.dumps({"type": "views", "skip": ["boundary"]}))  # refused: boundaries are what a page is for
        skipping.until(a, lambda m: isinstance(m, dict) and m["type"] == "error")  # both are read by now
        assert "skip" in skipping.of_type("error")[-1]["message"]
        before = len(skipping.order)
        control(live_server, run["id"], "resume")
        skipping.to_end(a)
        everything.to_end(b)
    after = skipping.order[before:]
    assert "network" not in after and "insight" not in after
    assert "boundary" in after and after[-1] == "result"
    assert "network" in everything.order and "insight" in everything.order
    assert skipping.result == everything.result
