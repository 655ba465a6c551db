"""A live run has a wall-clock lifetime (TRAINLAB_MAX_LIVE_S; 2 s on this server): past it, it ends cancelled and
says why, so that a slow or paused run cannot hold a live slot forever (5e-324 epochs/s with keep did)."""

from collections.abc import Iterator

import pytest

from tests.app.client import create, get_run, watch_to_end
from tests.conftest import running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("lifetime") / "data", TRAINLAB_MAX_LIVE_S="2") as (base, _):
        yield base


@pytest.mark.parametrize("how", [{"speed": 1}, {"paused": True}])
def test_a_run_past_its_lifetime_ends_cancelled_with_the_reason(server: str, how: dict) -> None:
    run = create(server, {"epochs": 100_000, "keep": True, **how})
    stream = watch_to_end(server, run["id"], timeout=30)
    assert stream.result["status"] == "cancelled" and "TRAINLAB_MAX_LIVE_S" in stream.result["reason"], stream.result
    (status,) = [m for m in stream.of_type("status") if m["status"] == "cancelled"]
    assert "2 s" in status["reason"]
    stored = get_run(server, run["id"])["result"]
    assert stored["status"] == "cancelled" and stored["reason"] == stream.result["reason"]


def test_a_short_run_is_not_touched(server: str) -> None:
    run = create(server, {"epochs": 50})
    assert watch_to_end(server, run["id"]).result["status"] == "done"
