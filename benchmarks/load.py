"""Many watchers on one live run while two other runs train, against a real server (2 workers) this script starts.

One run trains at the page's speed (1000 epochs/s) with 200 websocket watchers, spread over client processes;
two more runs train at full speed unwatched (as a REST or sweep user's would); a prober times GET /api/runs/{id}
and GET /api/health 4 times a second. Measured twice, each over --seconds after a warm-up: without, then with 10
more watchers that stop reading (their TCP windows fill). Per measurement:
- boundary frames a second per watcher: median, 5th percentile, min (target: median ≥ 10);
- delay from the server making a frame (its header's "t") to a watcher receiving it: p50, p95, p99
  (target: p95 ≤ 250 ms);
- REST latency p50, p99 (target: p99 ≤ 100 ms); the event loop's lag as GET /api/health reports it;
- CPU used by the server, its workers and the client processes (who is the bottleneck), and the runs' pace.

    python benchmarks/load.py [--watchers 200] [--stalled 10] [--clients 2] [--seconds 25]
                              [--uvicorn-args="--ws-per-message-deflate false"]   (compare server settings)
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import shlex
import socket
import statistics
import struct
import threading
import time
from array import array
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from live_server import server, socket_url, verdict
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

TARGET_FPS, TARGET_DELAY_P95_S, TARGET_REST_P99_S = 10, 0.250, 0.100
# the page's speed, up to 100 s; kept: created paused, it must outlive its watchers' slow arrival
WATCHED = {"hidden_layers": [32, 32], "epochs": 100_000, "speed": 1000, "keep": True}
# full speed, nobody watching; a run may last ~40 s at full speed (the server's work budget): replaced when over
OTHER = {"hidden_layers": [32, 32], "epochs": 100_000, "keep": True}
PROBE_EVERY_S = 0.25
SETTLE_S = 5.0  # after the stalled watchers connect, before measuring again
STALLED_RCVBUF = 4096  # bytes: a stalled watcher's kernel buffer, so that its TCP window closes soon
HEADER_LENGTH = struct.Struct("<I")

# per boundary frame: its receive time, its header's "t" (unix seconds); arrays: no work for the garbage collector
Arrivals = tuple[array, array]


# ---------------------------------------------------------------- client processes


class Watchers:
    """n watchers of one run in this process; `connected` counts those that have had their snapshot."""

    def __init__(self, url: str, n: int):
        self.url, self.n = url, n
        self.connected = 0

    async def watch(self) -> tuple[Arrivals, bool]:
        """Receive the run's stream to its end: the frames' arrivals, and whether it ended normally (1000)."""
        arrivals: Arrivals = (array("d"), array("d"))
        try:
            # like a browser: per-message compression offered, no pings
            async with connect(self.url, max_size=None, ping_interval=None, proxy=None, open_timeout=120) as ws:
                await ws.recv()  # the snapshot
                self.connected += 1
                async for message in ws:
                    if isinstance(message, bytes):
                        received = time.time()
                        (length,) = HEADER_LENGTH.unpack_from(message)
                        header = json.loads(message[4 : 4 + length])
                        if header["type"] != "boundary":  # a network frame (docs/protocol.md): not counted
                            continue
                        arrivals[0].append(received)
                        arrivals[1].append(header["t"])
        except (ConnectionClosed, OSError, TimeoutError):
            return arrivals, False
        return arrivals, True

    async def stall(self) -> None:
        """Connect, then never read: the client's queue and kernel buffer fill, then its TCP window closes."""
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STALLED_RCVBUF)
        sock.setblocking(False)
        parts = urlsplit(self.url)
        await asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port))
        await connect(self.url, sock=sock, max_size=None, max_queue=1, ping_interval=None, proxy=None)
        self.connected += 1
        await asyncio.Event().wait()  # until this process is ended

    async def run(self, reading: bool, pipe: Connection) -> None:
        """Say "ready" once all are connected; reading watchers then send their arrivals when the run ends."""
        tasks = [asyncio.create_task(self.watch() if reading else self.stall()) for _ in range(self.n)]
        while self.connected < self.n and not any(task.done() for task in tasks):
            await asyncio.sleep(0.05)
        pipe.send("ready")
        pipe.send(await asyncio.gather(*tasks))


def client_process(url: str, n: int, reading: bool, pipe: Connection) -> None:
    asyncio.run(Watchers(url, n).run(reading, pipe))


# ---------------------------------------------------------------- the server side, sampled


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc); 0 where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Prober(threading.Thread):
    """GET /api/runs/{id} and GET /api/health in turn, every PROBE_EVERY_S: (time, latency, path) each; inf: failed."""

    def __init__(self, base: str, run_id: str):
        super().__init__(daemon=True)
        self.base = base
        self.paths = [f"/api/runs/{run_id}", "/api/health"]
        self.samples: list[tuple[float, float, str]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=10) as http:
            i = 0
            while not self.stopping.wait(PROBE_EVERY_S):
                started = time.perf_counter()
                path = self.paths[i % 2]
                try:
                    http.get(self.base + path).raise_for_status()
                    latency = time.perf_counter() - started
                except httpx.HTTPError:
                    latency = float("inf")  # counted, as a miss
                self.samples.append((time.time(), latency, path))
                i += 1


class OtherRuns(threading.Thread):
    """Keeps n unwatched runs training at full speed, starting a new one as one ends; trained[i]: slot i's epochs."""

    def __init__(self, base: str, n: int):
        super().__init__(daemon=True)
        self.base = base
        self.http = httpx.Client(timeout=30)
        self.current = [self.start_one() for _ in range(n)]
        self.trained = [0] * n
        self.before = [0] * n  # epochs of the slot's runs that have ended
        self.replaced = 0
        self.stopping = threading.Event()

    def start_one(self) -> str:
        return self.http.post(f"{self.base}/api/runs", json=OTHER).raise_for_status().json()["id"]

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            for i, run_id in enumerate(self.current):
                info = self.http.get(f"{self.base}/api/runs/{run_id}").json()
                self.trained[i] = self.before[i] + info["epoch"]
                if info["status"] not in ("queued", "running"):
                    self.before[i] = self.trained[i]
                    self.current[i] = self.start_one()
                    self.replaced += 1

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        for run_id in self.current:
            self.http.delete(f"{self.base}/api/runs/{run_id}")


@dataclass
class Window:
    """One measurement: its wall-clock span and what was sampled at its edges."""

    start: float
    end: float = 0.0
    cpu: dict[str, list[float]] | None = None  # name → [cpu seconds at start, at end]
    epochs: dict[str, list[int]] | None = None  # run → [epoch at start, at end]
    health: dict | None = None  # GET /api/health at the end
    load: float = 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class Bench:
    def __init__(self, base: str, server_pid: int, args: argparse.Namespace):
        self.base, self.args = base, args
        self.http = httpx.Client(timeout=30)
        self.pids = {"server": server_pid}
        self.watched = ""
        self.others: OtherRuns | None = None

    def start_runs(self) -> None:
        self.watched = self.http.post(f"{self.base}/api/runs", json={**WATCHED, "paused": True}).json()["id"]
        self.others = OtherRuns(self.base, 2)
        self.others.start()
        workers = self.http.get(f"{self.base}/api/health").json()["workers"]
        self.pids |= {f"worker {i + 1}": worker["pid"] for i, worker in enumerate(workers)}

    def start_clients(self, n: int, processes: int, reading: bool) -> list[tuple[multiprocessing.Process, Connection]]:
        """n watchers over `processes` processes; returns once all are connected."""
        context = multiprocessing.get_context("spawn")
        started = []
        url = socket_url(self.base, self.watched)
        for i in range(processes):
            mine, theirs = context.Pipe()
            count = n // processes + (i < n % processes)
            process = context.Process(target=client_process, args=(url, count, reading, theirs), daemon=True)
            process.start()
            started.append((process, mine))
            self.pids[f"client {i + 1}" if reading else "stalled"] = process.pid
        for _, pipe in started:
            if not pipe.poll(180):
                raise RuntimeError("the watchers did not connect within 3 minutes")
            pipe.recv()
        return started

    def edge(self) -> tuple[dict[str, float], dict[str, int]]:
        cpu = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        epochs = {"watched": self.http.get(f"{self.base}/api/runs/{self.watched}").json()["epoch"]}
        epochs |= {f"other {i + 1}": trained for i, trained in enumerate(self.others.trained)}
        return cpu, epochs

    def measure(self, warmup_s: float) -> Window:
        time.sleep(warmup_s)
        cpu, epochs = self.edge()
        window = Window(start=time.time())
        time.sleep(self.args.seconds)
        window.end = time.time()
        cpu_end, epochs_end = self.edge()
        window.cpu = {name: [cpu.get(name, 0.0), cpu_end[name]] for name in cpu_end}
        window.epochs = {name: [epochs[name], epochs_end[name]] for name in epochs}
        window.health = self.http.get(f"{self.base}/api/health").json()
        window.load = os.getloadavg()[0]
        return window

    def stop_runs(self) -> None:
        self.http.delete(f"{self.base}/api/runs/{self.watched}")
        self.others.stop()


def report(
    title: str, window: Window, streams: list[tuple[Arrivals, bool]], probes: list[tuple[float, float, str]]
) -> None:
    span = window.end - window.start
    rates, delays = [], []
    for arrivals, _ in streams:
        inside = [pair for pair in zip(*arrivals, strict=True) if window.start <= pair[0] < window.end]
        rates.append(len(inside) / span)
        delays.extend(received - made for received, made in inside)
    inside = [(latency, path) for when, latency, path in probes if window.start <= when < window.end]
    rest = [latency for latency, _ in inside]
    worst = max(inside, default=(float("nan"), "none"))
    median_fps, delay_p95, rest_p99 = statistics.median(rates), percentile(delays, 0.95), percentile(rest, 0.99)
    lag = window.health["loop_lag"]
    cpu = ", ".join(f"{name} {100 * (b - a) / span:.0f}%" for name, (a, b) in window.cpu.items())
    pace = ", ".join(f"{name} {(b - a) / span:.0f}" for name, (a, b) in window.epochs.items())
    print(f"{title}: {len(streams)} watchers, {span:.0f} s, load average {window.load:.1f}")
    print(
        f"  frames/s per watcher  median {median_fps:5.1f}, p5 {percentile(rates, 0.05):5.1f}, min {min(rates):5.1f} "
        f"(target median ≥ {TARGET_FPS})  {verdict(median_fps >= TARGET_FPS)}"
    )
    print(
        f"  frame delay           p50 {percentile(delays, 0.5) * 1e3:6.1f} ms, p95 {delay_p95 * 1e3:6.1f} ms, "
        f"p99 {percentile(delays, 0.99) * 1e3:6.1f} ms over {len(delays)} frames "
        f"(target p95 ≤ {TARGET_DELAY_P95_S * 1e3:.0f} ms)  {verdict(delay_p95 <= TARGET_DELAY_P95_S)}"
    )
    print(
        f"  REST latency          p50 {percentile(rest, 0.5) * 1e3:6.1f} ms, p99 {rest_p99 * 1e3:6.1f} ms "
        f"over {len(rest)} requests, max {worst[0] * 1e3:.1f} ms ({worst[1].split('/')[2]}) "
        f"(target p99 ≤ {TARGET_REST_P99_S * 1e3:.0f} ms)  "
        f"{verdict(rest_p99 <= TARGET_REST_P99_S)}"
    )
    print(
        f"  event-loop lag        p50 {lag['p50_ms']:6.1f} ms, p99 {lag['p99_ms']:6.1f} ms, max {lag['max_ms']:.1f} ms "
        "(GET /api/health: the last minute)"
    )
    server_cpu = window.cpu["server"][1] - window.cpu["server"][0]
    print(f"  CPU, % of one core    {cpu}; the server's per frame delivered: {server_cpu / len(delays) * 1e6:.0f} µs")
    print(f"  epochs/s              {pace}")


def arrivals_of(pipe: Connection) -> list[tuple[Arrivals, bool]]:
    """What a client process's watchers received, sent once the run has ended for them all."""
    if not pipe.poll(120):
        raise RuntimeError("the watchers' streams did not end within 2 minutes of the run")
    return pipe.recv()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=200)
    parser.add_argument("--stalled", type=int, default=10, help="watchers that stop reading (0: measure once)")
    parser.add_argument("--clients", type=int, default=2, help="processes the watchers are spread over")
    parser.add_argument("--seconds", type=float, default=25, help="each measurement's length")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--uvicorn-args", help="serve with `uvicorn app.main:app` and these options instead")
    args = parser.parse_args()
    uvicorn_args = shlex.split(args.uvicorn_args) if args.uvicorn_args is not None else None
    with server(workers=2, uvicorn_args=uvicorn_args) as (base, pid):
        bench = Bench(base, pid, args)
        bench.start_runs()
        watchers = bench.start_clients(args.watchers, args.clients, reading=True)
        resumed = bench.http.post(f"{base}/api/runs/{bench.watched}/control", json={"action": "resume"})
        if resumed.json()["status"] != "running":
            raise RuntimeError(f"the watched run did not resume: {resumed.text}")
        prober = Prober(base, bench.watched)
        prober.start()
        windows = [("without stalled watchers", bench.measure(args.warmup))]
        stalled = []
        if args.stalled:
            stalled = bench.start_clients(args.stalled, 1, reading=False)
            windows.append((f"with {args.stalled} stalled watchers", bench.measure(SETTLE_S)))
        prober.stopping.set()
        bench.stop_runs()
        streams = [stream for _, pipe in watchers for stream in arrivals_of(pipe)]
        for process, _ in stalled:
            process.terminate()
    for title, window in windows:
        report(title, window, streams, prober.samples)
    lost = sum(1 for _, normal in streams if not normal)
    print(f"watchers whose stream did not end normally: {lost} of {len(streams)}")
    print(f"other runs started as one ended (each may train ~40 s at full speed): {bench.others.replaced}")


if __name__ == "__main__":
    main()
