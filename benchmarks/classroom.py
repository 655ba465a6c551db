"""A lecture hall against a real server (2 workers) this script starts.

A presenter opens a room and names the crowd sweep's setting (learning rate); --students students join as members
and each forks one run of the default He-on-circles setup at the page's 1,000 epochs/s, their settings varied
(learning rate, seed), each watched by its student on the run's socket; the presenter's socket gets the crowd view;
a prober times GET /api/rooms/{code}, GET /api/runs/{id} and GET /api/health 4 times a second. Over --seconds after
a warm-up:
- achieved epochs/s per run (the epochs its watcher's progress points moved): median (target ≥ 500), p5, min;
- boundary frames/s per watcher: min (target: every watcher ≥ 10), median;
- REST latency p99 (target ≤ 100 ms); the event loop's lag p99 (GET /api/health, target ≤ 50 ms);
- the presenter's view: how late its crowd messages are (received − their "t") and how old their news is (a run's
  epoch in the crowd against the epoch its own watcher had then), p95 (target ≤ 1 s behind).
Then at full speed: --full-speed runs, unwatched (kept), their total epochs/s on a server that stacks them and on one
that trains each by itself (TRAINLAB_LIVE_STACK=1), and the ratio (target ≥ 3×).

    python benchmarks/classroom.py [--students 200] [--clients 4] [--seconds 20] [--full-speed 64]
    python benchmarks/classroom.py --smoke      (20 students, 5 s, 8 runs at full speed: does it all work?)
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import struct
import threading
import time
from array import array
from multiprocessing.connection import Connection

import httpx
from live_server import server, socket_url, verdict
from load import cpu_seconds, percentile
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

TARGET_EPOCHS, TARGET_FPS, TARGET_REST_P99_S, TARGET_LAG_P99_MS, TARGET_BEHIND_S, TARGET_RATIO = 500, 10, 0.1, 50, 1, 3
SPEED = 1000  # the page's default
LAG_WINDOW_S = 60  # GET /api/health's loop lag is over the last minute
STUDENT = {"epochs": 100_000, "speed": SPEED}  # the default He-on-circles setup, long enough to outlive the measurement
FULL_SPEED = {"epochs": 100_000, "keep": True}
HEADER_LENGTH = struct.Struct("<I")
EASY_LIMITS = {  # one address plays the whole hall and its prober: its own limits must not be the bottleneck
    "TRAINLAB_CLIENT_MAX_LIVE_RUNS": "1000",
    "TRAINLAB_CLIENT_RUNS_PER_MINUTE": "100000",
    "TRAINLAB_CLIENT_ROOMS_PER_MINUTE": "1000",
}


def varied(i: int) -> dict:
    """Student i's settings: a learning rate between 0.003 and 0.3 (log-spaced), a seed of its own."""
    return {**STUDENT, "learning_rate": round(0.003 * 100 ** ((i % 40) / 39), 5), "seed": i}


# ---------------------------------------------------------------- the students (client processes)


class Student:
    """One member: joins, forks its run, watches it: the times of its frames and of its progress points' epochs."""

    def __init__(self, base: str, code: str, i: int):
        self.base, self.code, self.i = base, code, i
        self.run_id = ""
        self.frames = array("d")
        self.points: tuple[array, array] = (array("d"), array("d"))  # (received, epoch)

    async def start(self, http: httpx.AsyncClient) -> None:
        joined = (await http.post(f"{self.base}/api/rooms/{self.code}/members")).raise_for_status().json()
        body = {**varied(self.i), "room": self.code}
        answer = await http.post(f"{self.base}/api/runs", json=body, headers={"X-Room-Member": joined["token"]})
        self.run_id = answer.raise_for_status().json()["id"]

    async def watch(self, stop: asyncio.Event) -> None:
        try:
            async with connect(socket_url(self.base, self.run_id), max_size=None, ping_interval=None, proxy=None,
                               open_timeout=120) as ws:  # fmt: skip
                while not stop.is_set():
                    try:
                        message = await asyncio.wait_for(ws.recv(), 0.5)
                    except TimeoutError:
                        continue
                    now = time.time()
                    if isinstance(message, bytes):
                        self.frames.append(now)
                    elif message.startswith('{"type":"progress"'):
                        self.points[0].append(now)
                        self.points[1].append(json.loads(message)["points"][-1][0])
        except (ConnectionClosed, OSError):
            pass


async def students(base: str, code: str, indices: list[int], pipe: Connection) -> None:
    group = [Student(base, code, i) for i in indices]
    async with httpx.AsyncClient(timeout=60) as http:
        for k in range(0, len(group), 10):  # a hall does not all press Fork in the same millisecond
            await asyncio.gather(*(s.start(http) for s in group[k : k + 10]))
    stop = asyncio.Event()
    watching = [asyncio.create_task(s.watch(stop)) for s in group]
    pipe.send([s.run_id for s in group])
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "stop"
    stop.set()
    await asyncio.gather(*watching)
    pipe.send([(s.run_id, s.frames, s.points) for s in group])


def student_process(base: str, code: str, indices: list[int], pipe: Connection) -> None:
    asyncio.run(students(base, code, indices, pipe))


# ---------------------------------------------------------------- the presenter and the prober (threads here)


class Presenter(threading.Thread):
    """The presenter's room socket: each crowd message's receive time, its "t", and its runs' epochs."""

    def __init__(self, base: str, code: str, secret: str):
        super().__init__(daemon=True)
        self.url = f"ws://{base.removeprefix('http://')}/ws/rooms/{code}"
        self.secret = secret
        self.crowds: list[tuple[float, float, dict[str, int]]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        asyncio.run(self.listen())

    async def listen(self) -> None:
        async with connect(self.url, max_size=None, ping_interval=None, proxy=None) as ws:
            await ws.send(json.dumps({"type": "present", "secret": self.secret}))
            while not self.stopping.is_set():
                try:
                    text = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                if text.startswith('{"type":"crowd"'):
                    message = json.loads(text)
                    epochs = {run["id"]: run["epoch"] for run in message["runs"]}
                    self.crowds.append((time.time(), message["t"], epochs))


class Prober(threading.Thread):
    def __init__(self, base: str, paths: list[str]):
        super().__init__(daemon=True)
        self.base, self.paths = base, paths
        self.samples: list[tuple[float, float]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=10) as http:
            i = 0
            while not self.stopping.wait(0.25):
                started = time.perf_counter()
                try:
                    http.get(self.base + self.paths[i % len(self.paths)]).raise_for_status()
                    latency = time.perf_counter() - started
                except httpx.HTTPError:
                    latency = float("inf")
                self.samples.append((time.time(), latency))
                i += 1


def epoch_at(points: tuple[array, array], when: float) -> float | None:
    """The latest epoch a watcher had heard of at `when`."""
    received, epochs = points
    latest = None
    for t, epoch in zip(received, epochs, strict=True):
        if t > when:
            break
        latest = epoch
    return latest


def hall(args: argparse.Namespace) -> None:
    with server(workers=2, env=EASY_LIMITS) as (base, pid):
        http = httpx.Client(timeout=30)
        room = http.post(f"{base}/api/rooms").raise_for_status().json()
        code, secret = room["code"], room["secret"]
        http.put(f"{base}/api/rooms/{code}/crowd", json={"setting": "learning_rate"}, headers={"X-Room-Secret": secret})
        presenter = Presenter(base, code, secret)
        presenter.start()
        context = multiprocessing.get_context("spawn")
        pipes, processes = [], []
        for c in range(args.clients):
            mine, theirs = context.Pipe()
            indices = list(range(c, args.students, args.clients))
            process = context.Process(target=student_process, args=(base, code, indices, theirs), daemon=True)
            process.start()
            pipes.append(mine)
            processes.append(process)
        started = time.time()
        run_ids = [run_id for pipe in pipes for run_id in (pipe.recv() if pipe.poll(600) else [])]
        print(f"{len(run_ids)} students joined and forked in {time.time() - started:.1f} s")
        workers = http.get(f"{base}/api/health").json()["workers"]
        pids = {"server": pid, **{f"worker {i + 1}": w["pid"] for i, w in enumerate(workers)},
                **{f"students {i + 1}": p.pid for i, p in enumerate(processes)}}  # fmt: skip
        prober = Prober(base, [f"/api/rooms/{code}", f"/api/runs/{run_ids[0]}", "/api/health"])
        prober.start()
        # the server reports its loop's lag over the last minute: that minute is the hall's steady state
        time.sleep(args.warmup if args.smoke else max(args.warmup, LAG_WINDOW_S - args.seconds))
        cpu = {name: cpu_seconds(p) for name, p in pids.items()}
        start = time.time()
        time.sleep(args.seconds)
        end = time.time()
        cpu = {name: cpu_seconds(p) - cpu[name] for name, p in pids.items()}
        health = http.get(f"{base}/api/health").json()
        load = os.getloadavg()[0]
        for pipe in pipes:
            pipe.send("stop")
        watched = [stream for pipe in pipes for stream in pipe.recv()]
        prober.stopping.set()
        presenter.stopping.set()
        for run_id in run_ids:
            http.delete(f"{base}/api/runs/{run_id}", headers={"X-Room-Secret": secret})
    span = end - start
    epochs, fps = [], []
    for _, frames, (received, points) in watched:
        inside = [e for t, e in zip(received, points, strict=True) if start <= t < end]
        epochs.append((inside[-1] - inside[0]) / span if len(inside) > 1 else 0.0)
        fps.append(sum(start <= t < end for t in frames) / span)
    rest = [latency for when, latency in prober.samples if start <= when < end]
    points_of = {run_id: points for run_id, _, points in watched}
    late, behind = [], []
    for received, made, crowd_epochs in presenter.crowds:
        if not start <= received < end:
            continue
        late.append(received - made)
        for run_id in run_ids[:: max(1, len(run_ids) // 20)]:  # 20 students' own view of their runs, against it
            own = epoch_at(points_of[run_id], received)
            if own is not None and run_id in crowd_epochs:
                behind.append(max(0.0, own - crowd_epochs[run_id]) / SPEED + (received - made))
    median_epochs, rest_p99, lag = statistics.median(epochs), percentile(rest, 0.99), health["loop_lag"]
    behind_p95 = percentile(behind, 0.95)
    print(f"a hall of {len(watched)} students at {SPEED} epochs/s each, {span:.0f} s, load average {load:.1f}")
    show(
        "epochs/s per run",
        f"median {median_epochs:6.0f}, p5 {percentile(epochs, 0.05):6.0f}, min {min(epochs):6.0f}",
        f"median ≥ {TARGET_EPOCHS}",
        median_epochs >= TARGET_EPOCHS,
    )
    show(
        "frames/s per watcher",
        f"min {min(fps):5.1f}, p5 {percentile(fps, 0.05):5.1f}, median {statistics.median(fps):5.1f}",
        f"every watcher ≥ {TARGET_FPS}",
        min(fps) >= TARGET_FPS,
    )
    show(
        "REST latency",
        f"p50 {percentile(rest, 0.5) * 1e3:6.1f} ms, p99 {rest_p99 * 1e3:6.1f} ms over {len(rest)} requests",
        f"p99 ≤ {TARGET_REST_P99_S * 1e3:.0f} ms",
        rest_p99 <= TARGET_REST_P99_S,
    )
    show(
        "event-loop lag",
        f"p50 {lag['p50_ms']:6.1f} ms, p99 {lag['p99_ms']:6.1f} ms, max {lag['max_ms']:.1f} ms"
        + (" (the last minute: with --smoke, the hall's start too)" if args.smoke else " (the last minute)"),
        f"p99 ≤ {TARGET_LAG_P99_MS} ms",
        lag["p99_ms"] <= TARGET_LAG_P99_MS,
    )
    show(
        "presenter's view",
        f"{len(late)} crowd messages, late p50 {percentile(late, 0.5) * 1e3:.0f} ms; behind the students' own "
        f"p50 {percentile(behind, 0.5):.2f} s, p95 {behind_p95:.2f} s",
        f"≤ {TARGET_BEHIND_S} s behind",
        behind_p95 <= TARGET_BEHIND_S,
    )
    print("  CPU, % of one core     " + ", ".join(f"{name} {100 * used / span:.0f}%" for name, used in cpu.items()))


def show(what: str, figures: str, target: str, ok: bool) -> None:
    print(f"  {what:22} {figures} (target {target})  {verdict(ok)}")


# ---------------------------------------------------------------- at full speed: stacked or each by itself


def full_speed(runs: int, seconds: float, stack: bool) -> float:
    env = {**EASY_LIMITS, **({} if stack else {"TRAINLAB_LIVE_STACK": "1"})}
    with server(workers=2, env=env) as (base, _):
        http = httpx.Client(timeout=30)
        ids = [http.post(f"{base}/api/runs", json={**FULL_SPEED, "seed": i}).raise_for_status().json()["id"]
               for i in range(runs)]  # fmt: skip
        time.sleep(2)  # every run on its worker, stacks formed
        before = {run_id: http.get(f"{base}/api/runs/{run_id}").json()["epoch"] for run_id in ids}
        started = time.perf_counter()
        time.sleep(seconds)
        after = {run_id: http.get(f"{base}/api/runs/{run_id}").json()["epoch"] for run_id in ids}
        span = time.perf_counter() - started
        for run_id in ids:
            http.delete(f"{base}/api/runs/{run_id}")
    return sum(after[run_id] - before[run_id] for run_id in ids) / span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4, help="processes the students are spread over")
    parser.add_argument("--seconds", type=float, default=20, help="the measurement's length")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--full-speed", type=int, default=64, help="runs at full speed, stacked vs one per slot")
    parser.add_argument("--smoke", action="store_true", help="a short run: does it all work?")
    args = parser.parse_args()
    if args.smoke:
        args.students, args.clients, args.seconds, args.warmup, args.full_speed = 20, 2, 5, 3, 8
    hall(args)
    stacked = full_speed(args.full_speed, args.seconds, stack=True)
    alone = full_speed(args.full_speed, args.seconds, stack=False)
    ratio = stacked / alone if alone else float("nan")
    print(f"{args.full_speed} runs at full speed, unwatched, load average {os.getloadavg()[0]:.1f}:")
    show(
        "total epochs/s",
        f"stacked {stacked:,.0f}, one run per slot {alone:,.0f}, ratio {ratio:.2f}×",
        f"≥ {TARGET_RATIO}×",
        ratio >= TARGET_RATIO,
    )


if __name__ == "__main__":
    main()
