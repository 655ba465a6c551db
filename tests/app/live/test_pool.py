"""A worker process that dies takes only its own runs with it."""

import os
import signal

from app.live.worker import WORKER_NICENESS
from tests.app.client import HTTP, Stream, create, open_socket, wait_for, watch_to_end


def workers(base: str) -> list[dict]:
    return HTTP.get(f"{base}/api/health").json()["workers"]


def test_a_killed_worker_fails_its_runs_and_is_replaced(live_server):
    run = create(live_server, {"epochs": 100_000, "speed": 2000})
    with open_socket(live_server, run["id"]) as ws:
        stream = Stream()
        stream.until(ws, lambda m: isinstance(m, dict) and m["type"] == "progress")
        (host,) = [w for w in workers(live_server) if run["id"] in w["runs"]]
        os.kill(host["pid"], signal.SIGKILL)
        stream.to_end(ws)
    failed = stream.of_type("status")[-1]
    assert failed["status"] == "failed" and "SIGKILL" in failed["reason"]
    assert stream.result["status"] == "failed" and stream.result["reason"] == failed["reason"]
    assert stream.result["epochs_run"] > 0 and stream.close_code == 1000

    def replaced() -> bool:
        pids = {w["pid"] for w in workers(live_server) if w["alive"] and w["pid"]}
        return len(pids) == 2 and host["pid"] not in pids

    wait_for(replaced)
    after = watch_to_end(live_server, create(live_server, {"epochs": 500})["id"])
    assert after.result["status"] == "done"


def test_workers_yield_the_cores_to_the_servers_event_loop(live_server):
    """Training runs at a lower OS priority than the server: when the cores are full, requests and frames go first."""
    pids = [w["pid"] for w in workers(live_server) if w["alive"] and w["pid"]]
    assert pids
    server = os.getpriority(os.PRIO_PROCESS, 0)  # the test's server runs at the test's own priority
    assert all(os.getpriority(os.PRIO_PROCESS, pid) == min(19, server + WORKER_NICENESS) for pid in pids)
