"""A run's history is paged, and what carries it whole today carries it thinned: GET /api/runs/{id}'s result and
the websocket's snapshot and result have at most SENT_POINTS points (2.7 MB for a 100,000-point run before)."""

import time
from itertools import pairwise

from app.live.history import SENT_POINTS, thinned
from tests.app.client import HTTP, Stream, create, get_run, open_socket, wait_for, watch_to_end

LONG = {"dataset": "circles", "hidden_layers": [3], "epochs": 6000, "report_every": 1, "keep": True}


def test_thinning_keeps_the_start_the_recent_points_and_the_shape() -> None:
    points = list(range(10_000))
    kept = thinned(points, 1000)
    assert len(kept) == 1000 and kept[0] == 0 and kept[-500:] == points[-500:]
    assert kept == sorted(kept) and max(b - a for a, b in pairwise(kept)) <= 20
    assert thinned(points[:999], 1000) == points[:999]


def test_a_finished_runs_result_carries_its_history_thinned_and_the_costs_are_paged(live_server: str) -> None:
    run = create(live_server, LONG)
    stream = watch_to_end(live_server, run["id"], timeout=120)
    assert stream.close_code == 1000
    info = get_run(live_server, run["id"])
    costs = info["result"]["costs"]
    assert len(costs) == SENT_POINTS and costs[0][0] == 0
    assert stream.result["costs"] == costs
    page = HTTP.get(f"{live_server}/api/runs/{run['id']}/costs", params={"limit": 1000, "offset": 5500}).json()
    assert page["total"] == 6000 and [p[0] for p in page["points"]] == list(range(5500, 6000))
    assert [p[:2] for p in page["points"]] == costs[-500:]
    late = watch_to_end(live_server, run["id"])
    assert len(late.snapshot["costs"]) <= SENT_POINTS and late.result["costs"] == costs


def test_a_live_runs_snapshot_carries_its_history_thinned(live_server: str) -> None:
    run = create(live_server, {**LONG, "epochs": 60_000, "speed": 4000})
    try:
        wait_for(lambda: get_run(live_server, run["id"])["epoch"] > 3 * SENT_POINTS, timeout=60)
        with open_socket(live_server, run["id"]) as ws:
            stream = Stream()
            stream.take(ws)
            snapshot = stream.snapshot
            assert len(snapshot["costs"]) == SENT_POINTS, len(snapshot["costs"])
            epochs = [p[0] for p in snapshot["costs"]]
            assert epochs[0] == 0 and epochs == sorted(epochs) and epochs[-1] >= 3 * SENT_POINTS
            time.sleep(0.3)  # the next progress batch goes on from the snapshot's last point
            stream.until(ws, lambda m: isinstance(m, dict) and m["type"] == "progress")
            assert stream.of_type("progress")[0]["points"][0][0] > epochs[-1]
    finally:
        HTTP.delete(f"{live_server}/api/runs/{run['id']}")
