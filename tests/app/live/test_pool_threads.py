"""Worker processes train with one BLAS thread: the pool is already a process per core (app/jobs.py)."""

from pathlib import Path

import pytest

from tests.app.client import HTTP, create, wait_for


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_worker_training_a_wide_net_runs_one_thread(live_server):
    run = create(live_server, {"hidden_layers": [64, 64], "epochs": 3000, "speed": 1000, "keep": True})

    def training_pid() -> int | None:
        workers = HTTP.get(f"{live_server}/api/health").json()["workers"]
        return next((w["pid"] for w in workers if run["id"] in w["runs"]), None)

    pid = wait_for(training_pid)
    wait_for(lambda: HTTP.get(f"{live_server}/api/runs/{run['id']}").json()["epoch"] > 100)  # BLAS has been used
    status = Path(f"/proc/{pid}/status").read_text()
    threads = int(next(line for line in status.splitlines() if line.startswith("Threads:")).split()[1])
    HTTP.delete(f"{live_server}/api/runs/{run['id']}")
    assert threads == 1
