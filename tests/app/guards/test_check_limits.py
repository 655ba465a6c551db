"""Gradient checks cost up to ~0.5 s of CPU each: a client makes at most TRAINLAB_CLIENT_CHECKS_PER_MINUTE (4 on
one server here), a run is checked once at a time, the server makes at most CHECKS_AT_ONCE at once (16 at once took
9 s of CPU and stalled the server for a second), each past its limit a 429 with Retry-After; and a lecture room's
run is checked only with the room's secret, like any other change of it."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.guards.limits import CHECKS_AT_ONCE
from tests.app.client import HTTP, create, watch_to_end
from tests.conftest import running_server

PER_MINUTE = 4
# a check near the budget (2 · P² · m = 3.9e9 multiply-adds, ~0.4 s), so that checks overlap
SLOW_CHECK = {"hidden_layers": [40, 40], "dataset": {"name": "circles", "n_train": 600}, "epochs": 2}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("checks") / "data") as (base, _):
        yield base


def finished(base: str, config: dict) -> str:
    run = create(base, config)
    assert watch_to_end(base, run["id"]).result["status"] == "done"
    return run["id"]


def check(base: str, run_id: str, **headers: str) -> httpx.Response:
    return HTTP.post(f"{base}/api/runs/{run_id}/gradcheck", headers=headers, timeout=60)


def at_once(base: str, run_ids: list[str]) -> list[httpx.Response]:
    with ThreadPoolExecutor(len(run_ids)) as pool:
        return list(pool.map(lambda run_id: httpx.post(f"{base}/api/runs/{run_id}/gradcheck", timeout=60), run_ids))


def test_a_run_is_checked_once_at_a_time_and_the_server_a_few_at_once(server: str) -> None:
    slow = finished(server, SLOW_CHECK)
    statuses = sorted(r.status_code for r in at_once(server, [slow, slow]))
    assert statuses == [200, 429], statuses
    others = [finished(server, {**SLOW_CHECK, "seed": seed}) for seed in range(CHECKS_AT_ONCE + 1)]
    answers = at_once(server, others)
    assert sorted(r.status_code for r in answers).count(429) >= 1, [r.text for r in answers]
    refused = next(r for r in answers if r.status_code == 429)
    assert int(refused.headers["retry-after"]) >= 1 and "at once" in refused.json()["detail"]


def test_a_client_makes_its_checks_a_minute(tmp_path_factory: pytest.TempPathFactory) -> None:
    env = {"TRAINLAB_CLIENT_CHECKS_PER_MINUTE": str(PER_MINUTE)}
    with running_server(tmp_path_factory.mktemp("per-minute") / "data", **env) as (base, _):
        run_id = finished(base, {"epochs": 5})
        assert [check(base, run_id).status_code for _ in range(PER_MINUTE)] == [200] * PER_MINUTE
        refused = check(base, run_id)
        assert refused.status_code == 429 and "TRAINLAB_CLIENT_CHECKS_PER_MINUTE" in refused.json()["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_a_rooms_run_is_checked_with_its_secret_only(server: str) -> None:
    room = HTTP.post(f"{server}/api/rooms").json()
    secret = {"X-Room-Secret": room["secret"]}
    response = HTTP.post(f"{server}/api/runs", json={"epochs": 5, "room": room["code"], "keep": True}, headers=secret)
    run_id = response.json()["id"]
    assert watch_to_end(server, run_id).result["status"] == "done"
    refused = check(server, run_id)
    assert refused.status_code == 403 and "secret" in refused.json()["detail"]
    assert check(server, run_id, **{"X-Room-Secret": "wrong"}).status_code == 403
    assert check(server, run_id, **secret).status_code == 200
