"""The data dir does not grow without bound: past TRAINLAB_MAX_STORED_RUNS finished runs (3 here) the oldest go,
runs started without "keep" before kept ones, their costs with them; past TRAINLAB_MAX_UPLOADS uploads (2 here)
the oldest go."""

import time
from collections.abc import Iterator

import pytest

from tests.app.client import HTTP, create, watch_to_end
from tests.conftest import running_server

CSV = b"x1,x2,label\n0,0,0\n1,1,1\n0.5,0.2,0\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"TRAINLAB_MAX_STORED_RUNS": "3", "TRAINLAB_MAX_UPLOADS": "2"}
    with running_server(tmp_path_factory.mktemp("retention") / "data", **env) as (base, _):
        yield base


def finished(base: str, **extra: object) -> str:
    run = create(base, {"epochs": 5, **extra})
    assert watch_to_end(base, run["id"]).result["status"] == "done"
    return run["id"]


def test_the_oldest_unkept_runs_go_first(server: str) -> None:
    kept = finished(server, keep=True)
    unkept = [finished(server) for _ in range(4)]
    listed = HTTP.get(f"{server}/api/runs").json()
    assert listed["total"] == 3, listed
    assert {run["id"] for run in listed["runs"]} == {kept, *unkept[-2:]}
    for gone in unkept[:2]:
        assert HTTP.get(f"{server}/api/runs/{gone}").status_code == 404
        assert HTTP.get(f"{server}/api/runs/{gone}/costs").status_code == 404


def test_the_oldest_uploads_go(server: str) -> None:
    names = []
    for i in range(3):
        response = HTTP.post(f"{server}/api/datasets", params={"name": f"mine {i}"}, content=CSV)
        assert response.status_code == 201, response.text
        names.append(response.json()["name"])
        time.sleep(0.01)  # distinct modification times
    listed = [d["name"] for d in HTTP.get(f"{server}/api/datasets").json()]
    assert names[0] not in listed and set(names[1:]) <= set(listed)
