"""The websocket's edges: non-finite numbers, refused messages, unknown runs."""

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.app.client import Stream, create, get_run, open_socket, watch_to_end

# large random weights, a big step, tanh: the cost is inf at report after report, and core calls it diverged
DIVERGING = {"initialization": "random", "init_scale": 10, "learning_rate": 50, "activation": "tanh", "epochs": 3000}


def test_a_diverging_run_ends_diverged_with_inf_as_strings(live_server):
    run = create(live_server, DIVERGING)
    stream = watch_to_end(live_server, run["id"])  # every text message was parsed strictly: no bare Infinity
    result = stream.result
    assert result["status"] == "diverged" and result["epochs_run"] < 3000, result.get("reason")
    assert "inf" in (p[1] for p in stream.history())
    assert any('"inf"' in text for text in stream.raw)
    info = get_run(live_server, run["id"])  # strict too
    assert info["status"] == "diverged" and info["result"]["costs"][1][1] == "inf"


@pytest.mark.parametrize(
    ("message", "complaint"),
    [
        ("not json", "json"),
        (json.dumps({"type": "control", "action": "jump"}), "action"),
        (json.dumps({"action": "pause"}), "control"),
        (json.dumps({"type": "control", "action": "step", "epochs": -1}), "epochs"),
    ],
)
def test_a_bad_control_message_gets_an_error(live_server, message, complaint):
    run = create(live_server, {"epochs": 100, "paused": True})
    with open_socket(live_server, run["id"]) as ws:
        stream = Stream()
        stream.take(ws)
        ws.send(message)
        stream.until(ws, lambda m: isinstance(m, dict) and m["type"] == "error")
        assert complaint in stream.of_type("error")[0]["message"].lower()
        ws.send(json.dumps({"type": "control", "action": "stop"}))
        stream.to_end(ws)
    assert stream.result["status"] == "cancelled"


def test_an_oversized_message_closes_the_socket(live_server):
    run = create(live_server, {"epochs": 100, "paused": True})
    with open_socket(live_server, run["id"]) as ws:
        ws.send(json.dumps({"type": "control", "action": "pause", "pad": "x" * 5000}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=5)
    assert closed.value.rcvd.code == 1009


def test_an_unknown_run_closes_the_socket(live_server):
    with open_socket(live_server, "nonesuch") as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    assert closed.value.rcvd.code == 4404


@pytest.mark.parametrize("path", ["/ws/runs/", "/ws/rooms/"])
def test_an_unknown_long_id_closes_the_socket_as_unknown(live_server, path):
    """A close reason naming the id went over the 123 bytes a close frame allows: the close was a 1006."""
    url = f"ws://{live_server.removeprefix('http://')}{path}{'x' * 300}"
    with connect(url, open_timeout=10) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    assert closed.value.rcvd.code == 4404 and "x" in closed.value.rcvd.reason
