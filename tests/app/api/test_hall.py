"""A lecture hall on the real server: members behind one address each get their own quota, a late joiner sees the
runs as they are, a student's run obeys its student and the presenter, polls are voted once per member and stay hidden
until revealed, the crowd sweep shows the students' runs, blank / freeze / end reach the viewers, the session exports;
a room's run keeps its protection after a restart (issue 12 item 3), and 200 rooms opened by anyone do not evict a
presenter's (item 4)."""

import csv
import io
import json
import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from tests.app.api.test_rooms import LONG, next_message, open_room, room_socket
from tests.app.client import HTTP, Stream, open_socket, wait_for
from tests.conftest import running_server

SMALL = {"epochs": 200, "report_every": 20, "grid_size": 20}


def join(base: str, code: str) -> dict:
    answer = HTTP.post(f"{base}/api/rooms/{code}/members")
    assert answer.status_code == 201, answer.text
    return answer.json()


def start(base: str, body: dict, member: dict | None = None, secret: str | None = None) -> object:
    headers = {"X-Room-Member": member["token"]} if member else {}
    if secret:
        headers["X-Room-Secret"] = secret
    return HTTP.post(f"{base}/api/runs", json=body, headers=headers)


def message_until(ws, kind: str, holds, timeout: float = 30) -> dict:
    """The first message of this type for which holds(message)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = next_message(ws, kind, timeout=max(0.1, deadline - time.monotonic()))
        if holds(message):
            return message
    raise AssertionError(f"no {kind} message as wanted within {timeout} s")


def as_presenter(room: dict) -> dict:
    return {"X-Room-Secret": room["secret"]}


def finished(base: str, run_id: str) -> dict:
    return wait_for(lambda: (info := HTTP.get(f"{base}/api/runs/{run_id}").json())["status"] != "running"
                    and info["result"] and info, timeout=60)  # fmt: skip


def test_members_behind_one_address_each_get_their_own_quota(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", TRAINLAB_CLIENT_MAX_LIVE_RUNS="1") as (base, _):
        room = HTTP.post(f"{base}/api/rooms", json={"limits": {"runs_per_member": 2, "max_runs": 4}}).json()
        code = room["code"]
        assert HTTP.get(f"{base}/api/rooms/{code}").json()["limits"] == {"runs_per_member": 2, "max_runs": 4}
        ann, bob, cat = join(base, code), join(base, code), join(base, code)
        assert ann["member"] != bob["member"] and ann["token"] != bob["token"]
        body = {**LONG, "paused": True, "room": code}
        for member in (ann, ann, bob):  # three runs from one address: each member within its own 2
            assert start(base, body, member).status_code == 201
        third = start(base, body, ann)
        assert third.status_code == 429 and "per student" in third.json()["detail"] and third.headers["Retry-After"]
        assert start(base, body, bob).status_code == 201
        whole = start(base, body, cat)
        assert whole.status_code == 429 and "at most 4" in whole.json()["detail"], "the class's total, as set"
        assert start(base, {**LONG, "paused": True}).status_code == 201, "the address's own quota is its own"
        assert start(base, {**LONG, "paused": True}).status_code == 429, "... and it is 1"
        assert start(base, body, {"token": "not-a-member"}).status_code == 403
        bounds = HTTP.post(f"{base}/api/rooms", json={"limits": {"runs_per_member": 9}})
        assert bounds.status_code == 422 and bounds.json()["detail"][0]["loc"] == ["body", "limits", "runs_per_member"]


def test_a_students_run_obeys_its_student_and_the_presenter(live_server: str) -> None:
    room = open_room(live_server)
    ann, bob = join(live_server, room["code"]), join(live_server, room["code"])
    run_id = start(live_server, {**LONG, "keep": True, "room": room["code"]}, ann).json()["id"]
    control = f"{live_server}/api/runs/{run_id}/control"
    for headers in ({}, {"X-Room-Member": bob["token"]}):
        refused = HTTP.post(control, json={"action": "pause"}, headers=headers)
        assert refused.status_code == 403 and "student" in refused.json()["detail"]
    assert (
        HTTP.post(control, json={"action": "pause"}, headers={"X-Room-Member": ann["token"]}).json()["status"]
        == "paused"
    )
    with open_socket(live_server, run_id) as ws:
        stream = Stream()
        stream.take(ws)
        ws.send(json.dumps({"type": "control", "action": "resume", "member": bob["token"]}))
        stream.until(ws, lambda m: isinstance(m, dict) and m["type"] == "error")
        assert stream.of_type("error")[0]["message"].startswith("403")
        ws.send(json.dumps({"type": "control", "action": "resume", "member": ann["token"]}))
        stream.until(ws, lambda m: isinstance(m, dict) and m["type"] == "status" and m["status"] == "running")
    assert HTTP.delete(f"{live_server}/api/runs/{run_id}", headers=as_presenter(room)).json()["status"] == "cancelled"


def test_a_late_joiner_sees_the_current_runs_at_once(live_server: str) -> None:
    room = open_room(live_server)
    code = room["code"]
    run_id = start(live_server, {**LONG, "dataset": "moons", "room": code}, secret=room["secret"]).json()["id"]
    state = {"state": "dataset=moons", "runs": [{"key": "run", "name": "this run", "id": run_id}]}
    assert HTTP.put(f"{live_server}/api/rooms/{code}", json=state, headers=as_presenter(room)).status_code == 200
    with open_socket(live_server, run_id) as ws:  # the presenter's page watches it train a while
        Stream().until(ws, lambda m: isinstance(m, dict) and m["type"] == "progress" and m["points"][-1][0] >= 400)
        with room_socket(live_server, code) as late:  # ... then a student joins
            shown = next_message(late)
            assert shown["state"] == "dataset=moons" and [r["id"] for r in shown["runs"]] == [run_id]
            with open_socket(live_server, run_id) as own:
                stream = Stream()
                stream.take(own)
                stream.take(own)
                snapshot = stream.snapshot
                assert snapshot["costs"][-1][0] >= 400, "the cost history so far"
                assert len(snapshot["dataset"]["X_train"]) == 300, "the dataset's points"
                assert stream.order == ["snapshot", "boundary"], "and the latest frame, at once"
    HTTP.delete(f"{live_server}/api/runs/{run_id}", headers=as_presenter(room))


def test_a_poll_is_voted_once_per_member_and_hidden_until_revealed(live_server: str) -> None:
    room = open_room(live_server)
    code, key = room["code"], as_presenter(room)
    question = {
        "question": "Which will reach the lowest cost?",
        "answers": [
            {"key": "he", "name": "He"},
            {"key": "random", "name": "random × 10"},
            {"key": "zeros", "name": "zeros"},
        ],
        "kind": "lowest_cost",
    }
    assert HTTP.post(f"{live_server}/api/rooms/{code}/polls", json=question).status_code == 403, "the presenter asks"
    poll = HTTP.post(f"{live_server}/api/rooms/{code}/polls", json=question, headers=key).json()
    assert poll["votes"] == 0 and poll["counts"] is None and not poll["revealed"]
    members = [join(live_server, code) for _ in range(3)]
    votes = f"{live_server}/api/rooms/{code}/polls/{poll['id']}/votes"
    with room_socket(live_server, code) as viewer:
        assert next_message(viewer)["poll"]["id"] == poll["id"]
        for member, answer in zip(members, ["he", "he", "zeros"], strict=True):
            voted = HTTP.post(votes, json={"answer": answer}, headers={"X-Room-Member": member["token"]})
            assert voted.status_code == 201 and voted.json()["counts"] is None, "a voter sees no counts"
        again = HTTP.post(votes, json={"answer": "random"}, headers={"X-Room-Member": members[0]["token"]})
        assert again.status_code == 409 and "voted already" in again.json()["detail"]
        assert HTTP.post(votes, json={"answer": "he"}).status_code == 403, "a vote needs a member"
        bad = HTTP.post(votes, json={"answer": "xavier"}, headers={"X-Room-Member": join(live_server, code)["token"]})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "answer"]
        seen = message_until(viewer, "room", lambda m: m["poll"]["votes"] == 3)
        assert seen["poll"]["counts"] is None, "the viewers see how many voted, not what"
        assert HTTP.get(f"{live_server}/api/rooms/{code}").json()["poll"]["counts"] is None
        assert HTTP.post(f"{live_server}/api/rooms/{code}/polls/{poll['id']}/reveal").status_code == 403
        revealed = HTTP.post(f"{live_server}/api/rooms/{code}/polls/{poll['id']}/reveal", headers=key).json()
        assert revealed["counts"] == {"he": 2, "random": 0, "zeros": 1}
        assert message_until(viewer, "room", lambda m: m["poll"]["revealed"])["poll"]["counts"] == revealed["counts"]
    late = HTTP.post(votes, json={"answer": "he"}, headers={"X-Room-Member": join(live_server, code)["token"]})
    assert late.status_code == 409, "revealed: the vote is closed"
    exported = HTTP.get(f"{live_server}/api/rooms/{code}/export.json", headers=key).json()
    (stored,) = exported["polls"]
    assert sorted((v["member"], v["answer"]) for v in stored["votes"]) == sorted(
        (m["member"], a) for m, a in zip(members, ["he", "he", "zeros"], strict=True)
    )


def test_the_crowd_sweep_shows_the_students_runs_to_the_presenter(live_server: str) -> None:
    room = open_room(live_server)
    code, key = room["code"], as_presenter(room)
    assert (
        HTTP.put(f"{live_server}/api/rooms/{code}/crowd", json={"setting": "learning_rate"}, headers=key).json()[
            "crowd"
        ]
        == "learning_rate"
    )
    bad = HTTP.put(f"{live_server}/api/rooms/{code}/crowd", json={"setting": "dataset"}, headers=key)
    assert bad.status_code == 422
    students = [join(live_server, code) for _ in range(3)]
    rates = [0.003, 0.03, 0.3]
    ids = [start(live_server, {**SMALL, "keep": True, "room": code, "learning_rate": rate}, member).json()["id"]
           for member, rate in zip(students, rates, strict=True)]  # fmt: skip
    start(live_server, {**SMALL, "keep": True, "room": code}, secret=room["secret"])  # the presenter's: not a point
    with room_socket(live_server, code) as presenter, room_socket(live_server, code) as viewer:
        presenter.send(json.dumps({"type": "present", "secret": room["secret"]}))
        shown = message_until(presenter, "crowd", lambda m: len(m["runs"]) == 3)
        assert {(r["id"], r["member"], r["value"]) for r in shown["runs"]} == {
            (run_id, s["member"], rate) for run_id, s, rate in zip(ids, students, rates, strict=True)
        }
        for run_id in ids:
            finished(live_server, run_id)
        done = message_until(presenter, "crowd", lambda m: all(r["status"] == "done" for r in m["runs"]))
        assert all(isinstance(r["cost"], float) and r["epoch"] == 200 for r in done["runs"])
        viewer_saw = []
        with pytest.raises(TimeoutError):
            while True:
                viewer_saw.append(json.loads(viewer.recv(timeout=1.5))["type"])
        assert "crowd" not in viewer_saw, "a viewer's screen does not carry the whole hall"
    view = HTTP.get(f"{live_server}/api/rooms/{code}/crowd", headers=key).json()
    assert view["setting"] == "learning_rate" and len(view["runs"]) == 3
    assert HTTP.get(f"{live_server}/api/rooms/{code}/crowd").status_code == 403


def test_blank_freeze_and_end_reach_the_viewers(live_server: str) -> None:
    room = open_room(live_server)
    code, key = room["code"], as_presenter(room)
    student = join(live_server, code)
    own = start(live_server, {**LONG, "room": code, "keep": True}, student).json()["id"]
    presenters = start(live_server, {**LONG, "room": code, "keep": True}, secret=room["secret"]).json()["id"]
    with room_socket(live_server, code) as viewer:
        assert next_message(viewer)["screen"] == "live"
        presence = next_message(viewer, "presence")
        assert presence["members"] == 1 and presence["student_runs"] == 1
        for screen in ("blank", "frozen", "live"):
            assert HTTP.put(f"{live_server}/api/rooms/{code}/screen", json={"screen": screen}).status_code == 403
            assert (
                HTTP.put(f"{live_server}/api/rooms/{code}/screen", json={"screen": screen}, headers=key).status_code
                == 200
            )
            assert next_message(viewer)["screen"] == screen
        assert HTTP.delete(f"{live_server}/api/rooms/{code}").status_code == 403
        ended = HTTP.delete(f"{live_server}/api/rooms/{code}", headers=key)
        assert ended.status_code == 200 and ended.json()["ended"] is True
        assert next_message(viewer)["ended"] is True
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                viewer.recv(timeout=5)
        assert closed.value.rcvd.code == 1000
    for run_id in (own, presenters):
        assert finished(live_server, run_id)["status"] == "cancelled", "the room's runs stopped"
    refused = start(live_server, {**SMALL, "room": code}, secret=room["secret"])
    assert refused.status_code == 422 and "ended" in refused.json()["detail"][0]["msg"]
    assert HTTP.post(f"{live_server}/api/rooms/{code}/members").status_code == 409


def test_the_session_exports_every_run_and_vote(live_server: str) -> None:
    room = open_room(live_server)
    code, key = room["code"], as_presenter(room)
    HTTP.put(f"{live_server}/api/rooms/{code}", json={"state": "dataset=moons", "runs": []}, headers=key)
    student = join(live_server, code)
    mine = start(live_server, {**SMALL, "room": code, "keep": True}, secret=room["secret"]).json()["id"]
    theirs = start(live_server, {**SMALL, "room": code, "keep": True, "seed": 7}, student).json()["id"]
    start(live_server, {**SMALL, "keep": True})  # no room's
    for run_id in (mine, theirs):
        finished(live_server, run_id)
    assert HTTP.get(f"{live_server}/api/rooms/{code}/export.json").status_code == 403
    data = HTTP.get(f"{live_server}/api/rooms/{code}/export.json", headers=key).json()
    assert data["setups"][0]["state"] == "dataset=moons" and data["members"] == 1
    runs = {run["id"]: run for run in data["runs"]}
    assert set(runs) == {mine, theirs}
    assert runs[mine]["role"] == "presenter" and runs[theirs]["member"] == student["member"]
    assert runs[theirs]["config"]["seed"] == 7 and runs[theirs]["status"] == "done" and runs[theirs]["final_cost"] > 0
    answer = HTTP.get(f"{live_server}/api/rooms/{code}/export.csv", headers=key)
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {row["id"] for row in rows if row["kind"] == "run"} == {mine, theirs}
    assert {row["seed"] for row in rows if row["id"] == theirs} == {"7"}


def test_a_rooms_run_keeps_its_protection_after_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data) as (base, _):
        room = open_room(base)
        run_id = start(base, {**SMALL, "keep": True, "room": room["code"]}, secret=room["secret"]).json()["id"]
        finished(base, run_id)
    with running_server(data) as (base, _):  # the run is in the store only now
        refused = HTTP.delete(f"{base}/api/runs/{run_id}")
        assert refused.status_code == 403 and room["code"] in refused.json()["detail"]
        assert HTTP.get(f"{base}/api/runs/{run_id}").status_code == 200, "still there"
        deleted = HTTP.delete(f"{base}/api/runs/{run_id}", headers=as_presenter(room))
        assert deleted.json() == {"id": run_id, "status": "deleted"}


def test_two_hundred_rooms_do_not_evict_a_presenters_room(tmp_path: Path) -> None:
    with running_server(tmp_path / "data") as (base, _):
        room = open_room(base)
        run_id = start(
            base, {**LONG, "keep": True, "paused": True, "room": room["code"]}, secret=room["secret"]
        ).json()["id"]
        answers = [HTTP.post(f"{base}/api/rooms") for _ in range(200)]
        assert [a.status_code for a in answers[:199]] == [201] * 199
        assert answers[199].status_code == 429 and int(answers[199].headers["Retry-After"]) >= 60
        assert HTTP.get(f"{base}/api/rooms/{room['code']}").status_code == 200, "the presenter's room is still there"
        control = f"{base}/api/runs/{run_id}/control"
        assert HTTP.post(control, json={"action": "resume"}).status_code == 403
        assert HTTP.post(control, json={"action": "stop"}, headers=as_presenter(room)).status_code == 200
