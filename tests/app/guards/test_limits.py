"""Per-client limits (app/limits.py) on a real server with low limits. Each test is its own client: it
connects from its own loopback address (127.0.0.N reaches 127.0.0.1 on Linux), so the server sees
different IPs, as it would for different machines."""

from collections.abc import Iterator

import httpx
import pytest

from tests.app.client import wait_for
from tests.conftest import running_server

LIMITS = {
    "TRAINLAB_MAX_LIVE_RUNS": "5",
    "TRAINLAB_CLIENT_MAX_LIVE_RUNS": "3",
    "TRAINLAB_CLIENT_RUNS_PER_MINUTE": "6",
    "TRAINLAB_CLIENT_UPLOADS_PER_MINUTE": "2",
    "TRAINLAB_CLIENT_ROOMS_PER_MINUTE": "2",
    "TRAINLAB_CLIENT_MAX_QUEUED_RUNS": "64",
}
PAUSED = {"epochs": 100, "keep": True, "paused": True}  # live, but costs no CPU
TOKEN = "limits-token"
CSV = b"0,0,0\n1,1,1\n"


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("limits") / "data", **LIMITS) as (base, _):
        yield base


def client_at(address: str) -> httpx.Client:
    """An HTTP client whose connections come from this loopback address."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def start(http: httpx.Client, base: str) -> httpx.Response:
    return http.post(f"{base}/api/runs", json=PAUSED)


def stop_all(http: httpx.Client, base: str, run_ids: list[str]) -> None:
    """Stop the runs and wait until they no longer count as live."""
    for run_id in run_ids:
        assert http.delete(f"{base}/api/runs/{run_id}").status_code == 200
    for run_id in run_ids:
        wait_for(lambda r=run_id: http.get(f"{base}/api/runs/{r}").json()["status"] == "cancelled")


def refused(response: httpx.Response, words: str) -> int:
    """Check a 429 names its limit; its Retry-After in seconds."""
    assert response.status_code == 429, response.text
    assert words in response.json()["detail"], response.json()
    return int(response.headers["retry-after"])


def test_runs_at_once_per_client_and_clients_are_independent(limited_server: str) -> None:
    base = limited_server
    with client_at("127.0.0.2") as one, client_at("127.0.0.3") as other:
        ids = [start(one, base).json()["id"] for _ in range(3)]
        retry = refused(start(one, base), "runs at once per client")
        assert "at most 3" in start(one, base).json()["detail"]
        assert 1 <= retry <= 60
        # another client is not held back by the first one's runs
        other_run = start(other, base)
        assert other_run.status_code == 201, other_run.text
        # a run that ends makes room again
        stop_all(one, base, ids[:1])
        again = start(one, base)
        assert again.status_code == 201, again.text
        stop_all(one, base, [*ids[1:], again.json()["id"]])
        stop_all(other, base, [other_run.json()["id"]])


def test_runs_per_minute_per_client(limited_server: str) -> None:
    base = limited_server
    with client_at("127.0.0.4") as http:
        for _ in range(2):  # 6 starts, never more than 3 at once
            ids = [start(http, base).json()["id"] for _ in range(3)]
            stop_all(http, base, ids)
        retry = refused(start(http, base), "runs started per minute per client: at most 6")
        assert 1 <= retry <= 60
        with client_at("127.0.0.5") as other:  # the window is per client
            fresh = start(other, base)
            assert fresh.status_code == 201, fresh.text
            stop_all(other, base, [fresh.json()["id"]])


README_SWEEP = {"base": {"preset": "init-he"}, "grid": {"initialization": ["zeros", "random", "he"], "seed": [1, 2, 3]}}


def sweep_of(http: httpx.Client, base: str, sweep_id: str) -> dict:
    return http.get(f"{base}/api/sweeps/{sweep_id}").json()


def test_a_sweep_is_batch_work_queued_beside_the_clients_own_runs(limited_server: str) -> None:
    """The README's 9-run sweep, without a token: more than the client may have live (3) or start a minute (6), it
    is accepted and queued; it trains on at most half the server's live slots, and the client's own runs still
    have their 3. Its queued runs stop without training."""
    base = limited_server
    with client_at("127.0.0.6") as http:
        created = http.post(f"{base}/api/sweeps", json=README_SWEEP)
        assert created.status_code == 201, created.text
        sweep_id, run_ids = created.json()["id"], created.json()["runs"]
        sweep = sweep_of(http, base, sweep_id)
        assert sweep["total"] == 9 and sweep["running"] <= 2 and sweep["queued"] >= 6, sweep
        assert sweep["queued"] + sweep["running"] + sweep["finished"] == 9
        assert http.get(f"{base}/api/health").json()["queued_runs"] == sweep["queued"]
        own = [start(http, base) for _ in range(3)]
        assert [r.status_code for r in own] == [201] * 3, [r.text for r in own]
        whole = {"base": {"epochs": 5}, "grid": {"seed": list(range(64))}}  # 64 more: over the client's 64 queued
        refused(http.post(f"{base}/api/sweeps", json=whole), "TRAINLAB_CLIENT_MAX_QUEUED_RUNS")
        for run_id in reversed(run_ids):  # the last first: they are still queued (a stopped live run frees a slot)
            assert http.delete(f"{base}/api/runs/{run_id}").json()["status"] in ("cancelled", "deleted")
        stop_all(http, base, [r.json()["id"] for r in own])
        rows = wait_for(lambda: (s := sweep_of(http, base, sweep_id))["finished"] == 9 and s["rows"])
        queued_ones = [http.get(f"{base}/api/runs/{row['id']}").json() for row in rows if row["status"] == "cancelled"]
        assert any("queued" in ((run["result"] or {}).get("reason") or "") for run in queued_ones), queued_ones


def test_a_whole_sweep_trains_through_the_queue(limited_server: str) -> None:
    """64 runs (the most a sweep has), no token, trained two at a time (half of this server's 5 live slots)."""
    base = limited_server
    with client_at("127.0.0.15") as http:
        body = {"base": {"epochs": 3000, "hidden_layers": [2]}, "grid": {"seed": list(range(64))}}
        created = http.post(f"{base}/api/sweeps", json=body)
        assert created.status_code == 201, created.text
        most_running = 0

        def finished() -> bool:
            nonlocal most_running
            sweep = sweep_of(http, base, created.json()["id"])
            most_running = max(most_running, sweep["running"])
            return sweep["finished"] == 64

        wait_for(finished, timeout=120, interval=0.1)
        rows = sweep_of(http, base, created.json()["id"])["rows"]
        assert {row["status"] for row in rows} == {"done"} and 1 <= most_running <= 2


def test_a_comparison_counts_as_its_runs(limited_server: str) -> None:
    base = limited_server
    with client_at("127.0.0.14") as http:
        body = {"runs": [{"preset": "init-he"}] * 4, "keep": True, "paused": True}
        refused(http.post(f"{base}/api/comparisons", json=body), "4 runs in one request")
        created = http.post(f"{base}/api/comparisons", json={**body, "runs": body["runs"][:3]})
        assert created.status_code == 201, created.text
        refused(start(http, base), "runs at once per client")
        stop_all(http, base, [run["id"] for run in created.json()["runs"]])


def test_the_global_cap_still_applies(limited_server: str) -> None:
    base = limited_server
    with client_at("127.0.0.7") as one, client_at("127.0.0.8") as other:
        ids = [start(one, base).json()["id"] for _ in range(3)]
        other_ids = [start(other, base).json()["id"] for _ in range(2)]
        refused(start(other, base), "at most 5 may be at once")
        stop_all(one, base, ids)
        stop_all(other, base, other_ids)


def test_uploads_per_minute_per_client(limited_server: str) -> None:
    base = limited_server
    with client_at("127.0.0.9") as http:
        assert http.post(f"{base}/api/datasets?name=a", content=CSV).status_code == 201
        assert http.post(f"{base}/api/datasets?name=b", content=b"not,a,csv").status_code == 422  # counts too
        retry = refused(http.post(f"{base}/api/datasets?name=c", content=CSV), "uploads per minute per client")
        assert 1 <= retry <= 60


def test_rooms_opened_per_minute_per_client(limited_server: str) -> None:
    base = limited_server
    with client_at("127.0.0.12") as http, client_at("127.0.0.13") as other:
        assert [http.post(f"{base}/api/rooms").status_code for _ in range(2)] == [201, 201]
        retry = refused(http.post(f"{base}/api/rooms"), "rooms opened per minute per client")
        assert 1 <= retry <= 60
        assert other.post(f"{base}/api/rooms").status_code == 201


def test_the_token_holder_is_exempt(tmp_path_factory: pytest.TempPathFactory) -> None:
    env = {**LIMITS, "TRAINLAB_API_TOKEN": TOKEN}
    data_dir = tmp_path_factory.mktemp("limits-token") / "data"
    with running_server(data_dir, **env) as (base, _), client_at("127.0.0.10") as http:
        http.headers["Authorization"] = f"Bearer {TOKEN}"
        ids = [start(http, base).json()["id"] for _ in range(5)]  # past the client's 3, up to the global 5
        refused(start(http, base), "at most 5 may be at once")
        stop_all(http, base, ids)


def test_a_forwarded_for_header_from_a_client_is_not_believed(limited_server: str) -> None:
    """uvicorn takes X-Forwarded-For from 127.0.0.1 only (a proxy on this host): anyone else cannot pose as
    another client to get fresh limits."""
    base = limited_server
    with client_at("127.0.0.11") as http:
        ids = [start(http, base).json()["id"] for _ in range(3)]
        posing = http.post(f"{base}/api/runs", json=PAUSED, headers={"X-Forwarded-For": "10.9.9.9"})
        refused(posing, "runs at once per client")
        stop_all(http, base, ids)
