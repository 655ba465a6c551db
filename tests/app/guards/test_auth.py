"""TRAINLAB_API_TOKEN: changes need the bearer token, reads stay open; no CORS for other origins."""

from collections.abc import Iterator

import pytest

from tests.app.client import HTTP, Stream, open_socket, wait_for
from tests.conftest import running_server

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SMALL = {"epochs": 200, "keep": True, "paused": True}


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("auth") / "data", TRAINLAB_API_TOKEN=TOKEN) as (base, _):
        yield base


def test_changes_need_the_token(guarded_server: str) -> None:
    base = guarded_server
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        assert HTTP.post(f"{base}/api/runs", json=SMALL, headers=headers).status_code == 401
        assert HTTP.post(f"{base}/api/sweeps", json={"grid": {"seed": [1]}}, headers=headers).status_code == 401
    run_id = HTTP.post(f"{base}/api/runs", json=SMALL, headers=AUTH).json()["id"]
    assert HTTP.post(f"{base}/api/runs/{run_id}/control", json={"action": "resume"}).status_code == 401
    assert HTTP.delete(f"{base}/api/runs/{run_id}").status_code == 401
    wait_for(lambda: HTTP.get(f"{base}/api/runs/{run_id}").json()["status"] == "paused")  # reads stay open
    assert HTTP.get(f"{base}/api/runs").status_code == 200
    assert HTTP.get(f"{base}/api/runs/{run_id}").json()["status"] == "paused"  # the resume was not applied
    assert HTTP.post(f"{base}/api/runs/{run_id}/gradcheck").status_code == 401
    assert HTTP.post(f"{base}/api/runs/{run_id}/gradcheck", headers=AUTH).json()["passed"]
    assert HTTP.delete(f"{base}/api/runs/{run_id}", headers=AUTH).json()["status"] == "cancelled"


def test_websocket_controls_need_the_token(guarded_server: str) -> None:
    base = guarded_server
    run_id = HTTP.post(f"{base}/api/runs", json=SMALL, headers=AUTH).json()["id"]
    with open_socket(base, run_id) as ws:
        stream = Stream()
        assert stream.take(ws)["type"] == "snapshot"  # watching is a read
        wait_for(lambda: HTTP.get(f"{base}/api/runs/{run_id}").json()["status"] == "paused")
        ws.send('{"type": "control", "action": "resume"}')
        stream.until(ws, lambda message: isinstance(message, dict) and message["type"] == "error")
        assert "401" in stream.of_type("error")[0]["message"]
        assert [m["status"] for m in stream.of_type("status")] in ([], ["paused"])
    assert HTTP.get(f"{base}/api/runs/{run_id}").json()["status"] == "paused"
    HTTP.delete(f"{base}/api/runs/{run_id}", headers=AUTH)


def test_other_origins_get_no_cors(live_server: str, guarded_server: str) -> None:
    for base in (live_server, guarded_server):
        preflight = HTTP.options(
            f"{base}/api/runs",
            headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers
