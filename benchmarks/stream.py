"""The live stream, measured against a real server this script starts (uvicorn in a subprocess).

- boundary frames a second one watcher receives from a run at full speed, and bytes per 100×100 frame
  (deflated in the worker, docs/protocol.md: ~2 KB, was ~10.2 KB raw);
- the same with six runs at once (a comparison), with the server's HTTP latency meanwhile;
- the time from POST /api/runs to the first cost point on the run's websocket (connected right after).

Targets: ≥ 20 frames/s, ≤ 10 KB a frame, first point ≤ 200 ms.

    python benchmarks/stream.py [--tries 10] [--workers N]
"""

import argparse
import json
import statistics
import threading
import time

import httpx
from live_server import server, socket_url, verdict
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

TARGET_FPS, TARGET_FRAME_BYTES, TARGET_FIRST_POINT_S = 20, 10_240, 0.200


def boundary(frame: bytes) -> bool:
    """Is this binary frame a boundary frame (docs/protocol.md: its header's type)?"""
    length = int.from_bytes(frame[:4], "little")
    return json.loads(frame[4 : 4 + length])["type"] == "boundary"


def watch(base: str, run_id: str, http: httpx.Client | None = None) -> dict:
    """Resume the (paused) run once watching, then receive to the end: frame arrival times and sizes."""
    frames, sizes = [], []
    with connect(socket_url(base, run_id), max_size=None) as ws:
        ws.recv()  # the snapshot
        if http is not None:
            http.post(f"{base}/api/runs/{run_id}/control", json={"action": "resume"})
        try:
            while True:
                message = ws.recv(timeout=120)
                if isinstance(message, bytes) and boundary(message):  # network frames are not counted
                    frames.append(time.perf_counter())
                    sizes.append(len(message))
                elif json.loads(message)["type"] == "result":
                    result = json.loads(message)["result"]
        except ConnectionClosed:
            pass
    frames = frames[1:]  # the first is the untrained net's, sent while the run was still paused
    fps = (len(frames) - 1) / (frames[-1] - frames[0])
    return {"fps": fps, "bytes": max(sizes), "median_bytes": statistics.median(sizes), "result": result}


def one_run(base: str, http: httpx.Client) -> dict:
    run = http.post(f"{base}/api/runs", json={"epochs": 100_000, "paused": True}).json()
    return watch(base, run["id"], http)


def six_runs(base: str, http: httpx.Client) -> tuple[list[dict], list[float], float]:
    """Six runs at full speed at once, one watcher each; meanwhile, GET /api/health every 50 ms."""
    runs = [http.post(f"{base}/api/runs", json={"epochs": 30_000, "paused": True}).json() for _ in range(6)]
    outcomes: list[dict] = []
    threads = [threading.Thread(target=lambda r=r: outcomes.append(watch(base, r["id"], http))) for r in runs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    latencies = []
    while any(thread.is_alive() for thread in threads):
        t = time.perf_counter()
        http.get(f"{base}/api/health")
        latencies.append(time.perf_counter() - t)
        time.sleep(0.05)
    return outcomes, latencies, time.perf_counter() - started


def first_point(base: str, http: httpx.Client) -> float:
    """POST a run, connect at once, wait for its first cost point; then let it finish before the next try."""
    started = time.perf_counter()
    run = http.post(f"{base}/api/runs", json={"epochs": 2000}).json()
    took = None
    with connect(socket_url(base, run["id"]), max_size=None) as ws:
        try:
            while True:
                message = ws.recv(timeout=10)
                if took is None and isinstance(message, str):
                    decoded = json.loads(message)
                    if decoded.get("costs") or decoded.get("points"):  # in the snapshot, or streamed
                        took = time.perf_counter() - started
        except ConnectionClosed:
            return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=10, help="runs timed for the first point")
    parser.add_argument("--workers", type=int, help="worker processes (default: the server's, one per core)")
    args = parser.parse_args()
    with server(args.workers) as (base, _), httpx.Client(timeout=30) as http:
        first_point(base, http)  # warm up: connections, first requests
        single = one_run(base, http)
        fps, size = single["fps"], single["bytes"]
        rate = single["result"]["epochs_run"] / single["result"]["duration_s"]
        print(f"one run      {fps:6.1f} boundary frames/s (target ≥ {TARGET_FPS})  {verdict(fps >= TARGET_FPS)}")
        print(
            f"frame size   {size:6d} bytes for 100×100, the largest; median {single['median_bytes']:.0f} "
            f"(sub-deflate; target ≤ {TARGET_FRAME_BYTES})  {verdict(size <= TARGET_FRAME_BYTES)}"
        )
        outcomes, latencies, wall = six_runs(base, http)
        slowest = min(o["fps"] for o in outcomes)
        print(
            f"six runs     {slowest:6.1f} boundary frames/s for the slowest watcher (target ≥ {TARGET_FPS})  "
            f"{verdict(slowest >= TARGET_FPS)}"
        )
        total = sum(o["result"]["epochs_run"] for o in outcomes) / wall
        print(f"throughput   {rate:8.0f} epochs/s one run alone, {total:8.0f} epochs/s for six at once")
        print(
            f"HTTP latency {statistics.median(latencies) * 1e3:6.1f} ms median, {max(latencies) * 1e3:.1f} ms max "
            "(GET /api/health while six runs stream)"
        )
        times = [first_point(base, http) for _ in range(args.tries)]
        median = statistics.median(times)
        print(
            f"first point  {median * 1e3:6.1f} ms median, {max(times) * 1e3:.1f} ms max over {args.tries} runs, "
            f"from POST to the socket (target ≤ {TARGET_FIRST_POINT_S * 1e3:.0f})  "
            f"{verdict(median <= TARGET_FIRST_POINT_S)}"
        )


if __name__ == "__main__":
    main()
