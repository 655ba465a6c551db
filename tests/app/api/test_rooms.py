"""Lecture rooms on the real server: the presenter's secret guards the room's state and its runs (REST and
websocket), viewers follow over the room's websocket, the QR code carries the viewer link, rooms outlive
a restart."""

import io
import json
import time
from pathlib import Path

import pytest
import segno
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.app.client import HTTP, Stream, create, get_run, open_socket, wait_for
from tests.conftest import running_server

LONG = {"epochs": 100_000, "speed": 2000}  # 50 s: longer than any test waits
# a room as it opens: its screen live, no crowd sweep nor poll, the class's default limits
FRESH = {
    "screen": "live",
    "crowd": None,
    "poll": None,
    "ended": False,
    "limits": {"runs_per_member": 2, "max_runs": 250},
}


def open_room(base: str) -> dict:
    response = HTTP.post(f"{base}/api/rooms")
    assert response.status_code == 201, response.text
    return response.json()


def put(base: str, code: str, body: dict, secret: str | None) -> object:
    headers = {} if secret is None else {"X-Room-Secret": secret}
    return HTTP.put(f"{base}/api/rooms/{code}", json=body, headers=headers)


def room_socket(base: str, code: str):
    return connect(f"ws://{base.removeprefix('http://')}/ws/rooms/{code}", open_timeout=10, close_timeout=5)


def next_message(ws, kind: str = "room", timeout: float = 5) -> dict:
    """The socket's next message of this type (presence messages come and go between them)."""
    while True:
        message = json.loads(ws.recv(timeout=timeout))
        if message["type"] == kind:
            return message


def test_opening_a_room(live_server: str) -> None:
    room = open_room(live_server)
    code = room["code"]
    assert len(code) == 6 and not set(code) & set("0O1IL"), "read off a projector, typed on a phone"
    assert room["viewer_url"] == f"{live_server}/r/{code}"
    assert room["presenter_url"] == f"{live_server}/r/{code}#secret={room['secret']}"
    assert room["loopback"] is True, "127.0.0.1 cannot be reached from a phone: the page says so"
    assert len(room["secret"]) >= 40
    assert HTTP.get(f"{live_server}/api/rooms/{code}").json() == {
        "code": code,
        "state": "",
        "runs": [],
        "rev": 0,
        **FRESH,
    }
    assert HTTP.get(f"{live_server}/api/rooms/{code.lower()}").status_code == 200, "codes are not case-sensitive"
    assert HTTP.get(f"{live_server}/api/rooms/ZZZZZZ").status_code == 404

    page = HTTP.get(f"{live_server}/r/{code}")
    assert page.status_code == 200 and f'"code": "{code}"' in page.text
    assert room["secret"] not in page.text, "the page never carries the secret: only the presenter's link does"
    assert HTTP.get(f"{live_server}/r/ZZZZZZ").status_code == 404


def test_only_the_secret_updates_a_room_and_viewers_follow(live_server: str) -> None:
    room = open_room(live_server)
    code, secret = room["code"], room["secret"]
    body = {"state": "dataset=moons&learning_rate=0.1", "runs": [{"key": "run", "name": "this run", "id": "abc"}]}
    with room_socket(live_server, code) as ws:
        first = json.loads(ws.recv(timeout=5))
        assert first == {"type": "room", "code": code, "state": "", "runs": [], "rev": 0, **FRESH}

        for wrong in (None, "", "not-the-secret", secret[:-1]):
            refused = put(live_server, code, body, wrong)
            assert refused.status_code == 403, refused.text
            assert "secret" in refused.json()["detail"]
        assert put(live_server, "ZZZZZZ", body, secret).status_code == 404

        answer = put(live_server, code, body, secret)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"code": code, **body, "rev": 1, **FRESH}
        update = next_message(ws)
        assert update == {"type": "room", "code": code, **body, "rev": 1, **FRESH}, "refused updates were never sent"
        assert HTTP.get(f"{live_server}/api/rooms/{code}").json() == {"code": code, **body, "rev": 1, **FRESH}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"state": "x" * 8193, "runs": []}, ["body", "state"]),
        ({"state": "", "runs": [{"key": "k", "name": "n", "id": str(i)} for i in range(9)]}, ["body", "runs"]),
        ({"state": "", "runs": [{"key": "k" * 65, "name": "n", "id": "i"}]}, ["body", "runs", 0, "key"]),
        ({"state": "", "runs": [], "extra": 1}, ["body", "extra"]),
    ],
)
def test_room_updates_are_bounded(live_server: str, body: dict, loc: list) -> None:
    room = open_room(live_server)
    answer = put(live_server, room["code"], body, room["secret"])
    assert answer.status_code == 422
    assert [error["loc"] for error in answer.json()["detail"]] == [loc]


def test_the_qr_code_carries_the_viewer_link(live_server: str) -> None:
    room = open_room(live_server)
    answer = HTTP.get(f"{live_server}/api/rooms/{room['code']}/qr.svg")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    svg = answer.text
    qr = segno.make(room["viewer_url"], error="m")
    side = qr.symbol_size(scale=8, border=2)[0]
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg and f'width="{side}"' in svg and f'height="{side}"' in svg
    expected = io.BytesIO()
    qr.save(expected, kind="svg", scale=8, border=2, title=f"QR code: {room['viewer_url']}")
    assert svg == expected.getvalue().decode(), "the very QR code of the viewer link"
    assert HTTP.get(f"{live_server}/api/rooms/ZZZZZZ/qr.svg").status_code == 404


def test_a_rooms_run_obeys_only_the_rooms_secret(live_server: str) -> None:
    room = open_room(live_server)
    code, secret = room["code"], room["secret"]
    key = {"X-Room-Secret": secret}
    body = {**LONG, "keep": True, "room": code}
    assert HTTP.post(f"{live_server}/api/runs", json=body).status_code == 403
    assert HTTP.post(f"{live_server}/api/runs", json=body, headers={"X-Room-Secret": "wrong"}).status_code == 403
    unknown = HTTP.post(f"{live_server}/api/runs", json={**body, "room": "ZZZZZZ"}, headers=key)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "room"]
    created = HTTP.post(f"{live_server}/api/runs", json=body, headers=key)
    assert created.status_code == 201, created.text
    run_id = created.json()["id"]
    wait_for(lambda: get_run(live_server, run_id)["epoch"] > 100)

    for headers in ({}, {"X-Room-Secret": "wrong"}):
        refused = HTTP.post(f"{live_server}/api/runs/{run_id}/control", json={"action": "pause"}, headers=headers)
        assert refused.status_code == 403 and f"room {code}" in refused.json()["detail"]
        assert HTTP.delete(f"{live_server}/api/runs/{run_id}", headers=headers).status_code == 403

    with open_socket(live_server, run_id) as ws:
        stream = Stream()
        assert stream.take(ws)["type"] == "snapshot", "watching is open to all"
        for control in ({"action": "pause"}, {"action": "stop", "secret": "wrong"}):
            ws.send(json.dumps({"type": "control", **control}))
            stream.until(ws, lambda m: isinstance(m, dict) and m["type"] == "error")
            assert stream.of_type("error")[-1]["message"].startswith("403")
        assert stream.of_type("status") == [], "neither control was applied"
        before = get_run(live_server, run_id)["epoch"]
        time.sleep(0.3)
        assert get_run(live_server, run_id)["status"] == "running" and get_run(live_server, run_id)["epoch"] > before

        ws.send(json.dumps({"type": "control", "action": "pause", "secret": secret}))
        stream.until(ws, lambda m: isinstance(m, dict) and m["type"] == "status")
        assert stream.of_type("status")[-1]["status"] == "paused"

    resumed = HTTP.post(f"{live_server}/api/runs/{run_id}/control", json={"action": "resume"}, headers=key)
    assert resumed.status_code == 200 and resumed.json()["status"] == "running"
    assert HTTP.delete(f"{live_server}/api/runs/{run_id}", headers=key).json()["status"] == "cancelled"


def test_runs_outside_rooms_need_no_secret(live_server: str) -> None:
    run_id = create(live_server, {**LONG, "keep": True})["id"]
    answer = HTTP.post(f"{live_server}/api/runs/{run_id}/control", json={"action": "pause"})
    assert answer.status_code == 200 and answer.json()["status"] == "paused"
    assert HTTP.delete(f"{live_server}/api/runs/{run_id}").json()["status"] == "cancelled"


def test_rooms_outlive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data) as (base, _):
        room = open_room(base)
        body = {"state": "dataset=moons", "runs": []}
        assert put(base, room["code"], body, room["secret"]).status_code == 200
    with running_server(data) as (base, _):
        assert HTTP.get(f"{base}/api/rooms/{room['code']}").json() == {"code": room["code"], **body, "rev": 1, **FRESH}
        assert put(base, room["code"], body, "wrong").status_code == 403
        assert put(base, room["code"], body, room["secret"]).json()["rev"] == 2, "the secret still opens it"
        stored = b"".join(path.read_bytes() for path in data.glob("trainlab.sqlite3*"))
        assert room["secret"].encode() not in stored and b"dataset=moons" in stored, "only the secret's hash is kept"


def test_with_an_api_token_opening_and_updating_a_room_need_it_too(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", TRAINLAB_API_TOKEN="tok") as (base, _):
        assert HTTP.post(f"{base}/api/rooms").status_code == 401
        room = HTTP.post(f"{base}/api/rooms", headers={"Authorization": "Bearer tok"}).json()
        body = {"state": "", "runs": []}
        assert put(base, room["code"], body, room["secret"]).status_code == 401
        both = {"X-Room-Secret": room["secret"], "Authorization": "Bearer tok"}
        assert HTTP.put(f"{base}/api/rooms/{room['code']}", json=body, headers=both).status_code == 200
        assert HTTP.get(f"{base}/api/rooms/{room['code']}").status_code == 200, "reads stay open"


def test_the_room_socket_refuses_unknown_rooms_and_big_frames(live_server: str) -> None:
    with room_socket(live_server, "ZZZZZZ") as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    assert closed.value.rcvd.code == 4404
    room = open_room(live_server)
    with room_socket(live_server, room["code"].lower()) as ws:
        assert json.loads(ws.recv(timeout=5))["code"] == room["code"]
        ws.send("hello")  # ignored: a viewer has nothing to say here
        ws.send("x" * 5000)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=5)
    assert closed.value.rcvd.code == 1009


def test_a_rooms_comparison_obeys_only_the_rooms_secret(live_server: str) -> None:
    room = open_room(live_server)
    key = {"X-Room-Secret": room["secret"]}
    body = {
        "runs": [{"preset": "init-he"}, {"preset": "init-random"}],
        "keep": True,
        "paused": True,
        "room": room["code"],
    }
    assert HTTP.post(f"{live_server}/api/comparisons", json=body).status_code == 403
    created = HTTP.post(f"{live_server}/api/comparisons", json=body, headers=key)
    assert created.status_code == 201, created.text
    assert created.json()["stacked"]
    run_ids = [run["id"] for run in created.json()["runs"]]
    for run_id in run_ids:
        wait_for(lambda r=run_id: get_run(live_server, r)["status"] == "paused")
        refused = HTTP.post(f"{live_server}/api/runs/{run_id}/control", json={"action": "resume"})
        assert refused.status_code == 403 and f"room {room['code']}" in refused.json()["detail"]
        assert get_run(live_server, run_id)["status"] == "paused"
    for run_id in run_ids:
        assert HTTP.delete(f"{live_server}/api/runs/{run_id}", headers=key).json()["status"] == "cancelled"
