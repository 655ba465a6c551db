"""Kill -9 mid-sweep, restart on the same data dir: finished runs are intact, the rest `interrupted`."""

import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from app.store import FILE_NAME
from tests.app.client import HTTP, create, get_run, strict_loads, wait_for
from tests.conftest import running_server

LONG_SWEEP = {"base": {"preset": "init-he", "overrides": {"epochs": 100_000}}, "grid": {"seed": [1, 2, 3, 4]}}


def test_a_killed_server_keeps_its_finished_runs_and_marks_the_rest_interrupted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with running_server(data_dir) as (base, process):
        done_ids = [create(base, {"epochs": 200, "seed": seed, "keep": True})["id"] for seed in (1, 2)]
        # init-random's first costs are inf: stored as "inf", read back as such
        done_ids.append(create(base, {"preset": "init-random", "overrides": {"epochs": 200}, "keep": True})["id"])
        before = {run_id: wait_for(lambda r=run_id: (run := get_run(base, r))["result"] and run) for run_id in done_ids}
        sweep = HTTP.post(f"{base}/api/sweeps", json=LONG_SWEEP).json()
        wait_for(lambda: get_run(base, sweep["runs"][0])["epoch"] > 0, timeout=20)
        time.sleep(0.3)  # the sweep's row and status changes reach the store (a queued write, ~ms)
        process.send_signal(signal.SIGKILL)
        process.wait()

    with running_server(data_dir) as (base, _):
        for run_id, run in before.items():
            again = get_run(base, run_id)
            assert again["status"] == "done" and again["result"] == run["result"]
            costs = strict_loads(HTTP.get(f"{base}/api/runs/{run_id}/costs").text)
            assert [p[:2] for p in costs["points"]] == run["result"]["costs"]
            assert HTTP.get(f"{base}/api/runs/{run_id}/parameters").status_code == 200
        assert get_run(base, done_ids[-1])["result"]["costs"][0] == [0, "inf"]
        rows = HTTP.get(f"{base}/api/sweeps/{sweep['id']}").json()["rows"]
        assert [row["id"] for row in rows] == sweep["runs"]
        assert {row["status"] for row in rows} == {"interrupted"}
        assert get_run(base, sweep["runs"][0])["result"] is None
        gone = HTTP.get(f"{base}/api/runs/{sweep['runs'][0]}/parameters")
        assert gone.status_code == 404 and "interrupted without weights" in gone.json()["detail"], gone.text
        listed = HTTP.get(f"{base}/api/runs", params={"status": "interrupted"}).json()
        assert listed["total"] == len(sweep["runs"])

    with closing(sqlite3.connect(data_dir / FILE_NAME)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
