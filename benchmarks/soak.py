"""A lecture, simulated against a real server (2 workers) this script starts, for --seconds (10 minutes by default):

- a presenter opens a room and switches comparisons every --switch-s seconds (the course's initialization and
  optimization groups, 3 runs each, trained stacked), updating the room and stopping the old runs;
- --watchers phones behind ONE address (a lecture hall's NAT: 127.0.0.2) join the room, watch the presenter's runs
  on their own sockets, leave after 20-90 s and come back (spread over --clients processes);
- --students, each from an address of their own, start small runs, watch them to their end, check them over
  REST, and now and then fork the presenter's setup;
- a few clients send what probing found breaking the server: 3-4 MiB bodies, websocket frames announcing 16 MiB,
  bad sweeps, ids of 300 characters, true for a number, 5e-324 epochs/s, gradient checks in a burst, 405s;
- a prober times GET /api/health 4 times a second.

It prints the 5xx count (target 0), runs lost or wrong (0), the server's and its workers' RSS growth after the
warm-up (< 50 MB), /api/health's p99 (<= 100 ms), the event loop's lag p99 as the server measures it, and the
bad requests' slowest answer and largest 422 (<= 300 ms, <= 16 KB). --json prints the figures as one JSON object
instead (tests/app/test_soak.py runs a 60-second lecture and asserts the invariants, not the times).

    python benchmarks/soak.py [--seconds 600] [--watchers 150] [--students 40] [--clients 2] [--json]
"""

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import random
import struct
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
from live_server import server, socket_url, verdict
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

HALL = "127.0.0.2"  # every phone in the hall, behind one NAT
PRESENTER = "127.0.0.3"
PROBER = "127.0.0.4"
MB = 2**20
GROUPS = {
    "initialization": ["init-zeros", "init-random", "init-he"],
    "optimization": ["opt-gd", "opt-momentum", "opt-adam"],
}
DATASETS = ["circles", "moons", "xor"]
STUDENT_RUN = {"hidden_layers": [8, 4], "report_every": 50}
TARGETS = {"health_p99_ms": 100, "rss_growth_mb": 50, "bad_answer_ms": 300, "bad_422_bytes": 16 * 1024}
# under uvicorn's keep-alive of 5 s: a client that kept idle connections as long as the server races its close,
# and a loaded machine loses that race (an httpx.ReadError on a connection the server had just shut)
KEEPALIVE = httpx.Limits(keepalive_expiry=2.0)


@dataclass
class Tally:
    """What one client process saw."""

    statuses: Counter = field(default_factory=Counter)  # HTTP status → how many
    closes: Counter = field(default_factory=Counter)  # websocket close code → how many
    errors: list[str] = field(default_factory=list)  # what went wrong, in words (the first few)
    clients_stopped: int = 0  # simulated clients that died of an error of their own (see `kept_going`)
    connections_dropped: int = 0  # requests the server's connection failed under (the client started again)
    runs_done: int = 0  # runs a student watched to their end and found so over REST
    runs_lost: int = 0  # answered 201, then never ended, or ended otherwise than REST says
    runs_wrong: int = 0  # a REST result that is not the one the websocket gave
    joins: int = 0  # a watcher's room socket opened
    messages: int = 0  # messages received on run sockets
    bad_ms: list[float] = field(default_factory=list)  # the bad requests' answer times
    bad_sizes: list[int] = field(default_factory=list)  # their 422s' sizes

    def note(self, what: str) -> None:
        if len(self.errors) < 20:
            self.errors.append(what)

    def sent(self) -> dict:
        """The tally as a pipe carries it (plain dicts: dataclasses.asdict would count a Counter's items)."""
        return {name: dict(value) if isinstance(value, Counter) else value for name, value in vars(self).items()}

    def merge(self, other: dict) -> None:
        """Add another process's sent() tally in, each field by its kind (so a new count needs no list here)."""
        for name, value in vars(self).items():
            if isinstance(value, Counter):
                value.update({int(k): v for k, v in other[name].items()})
            elif isinstance(value, list):
                value.extend(other[name])
            else:
                setattr(self, name, value + other[name])


def client(address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=address), timeout=60, limits=KEEPALIVE)


async def kept_going(tally: Tally, who: str, simulated: Callable[[float], Awaitable], seconds: float) -> None:
    """Run one simulated client (`simulated(seconds left)`) for `seconds`. A request whose connection failed starts
    it again, as a phone's browser retries: counted as connections_dropped and said with its request. Any other
    error stops it alone, counted as clients_stopped and said, not its process (whose tally, the other clients'
    too, would then be lost)."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 1:
        try:
            await simulated(left)
            return
        except httpx.TransportError as error:
            tally.connections_dropped += 1
            tally.note(f"{who}: {type(error).__name__} {error} ({named_request(error)})")
        except Exception as error:  # whatever it was is the figure
            tally.clients_stopped += 1
            tally.note(f"{who} stopped: {type(error).__name__} {error}")
            return


def named_request(error: httpx.TransportError) -> str:
    try:
        return f"{error.request.method} {error.request.url}"
    except RuntimeError:  # httpx raises it when the error has no request
        return "no request named"


def ws(url: str, address: str):  # websockets' connect: an async context manager
    return connect(url, local_addr=(address, 0), max_size=None, ping_interval=None, proxy=None, open_timeout=60)


async def counted(tally: Tally, request) -> httpx.Response:  # request: a request's coroutine
    response = await request
    tally.statuses[response.status_code] += 1
    if response.status_code >= 500:
        tally.note(f"{response.status_code} {response.request.method} {response.request.url}: {response.text[:200]}")
    return response


# ---------------------------------------------------------------- the hall: watchers in processes of their own


COMPARISON_VIEWS = json.dumps({"type": "views", "skip": ["network"]})  # what the page says when it shows a comparison


async def watch(url: str, address: str, tally: Tally, end_by: float, views: str | None = None) -> dict | None:
    """Read a run's socket to its end (saying `views` first, as the page does); the result message, if one came."""
    result = None
    try:
        async with ws(url, address) as socket:
            if views:
                await socket.send(views)
            while True:
                message = await asyncio.wait_for(socket.recv(), max(1.0, end_by - time.monotonic()))
                tally.messages += 1
                if isinstance(message, str) and message.startswith('{"type":"result"'):
                    result = json.loads(message)["result"]
    except ConnectionClosed as closed:
        tally.closes[closed.rcvd.code if closed.rcvd else 1006] += 1
    except TimeoutError:
        if time.monotonic() < end_by - 1:  # else: the lecture is over, the run goes on
            tally.note(f"watching {url}: nothing for a while")
    except (OSError, InvalidStatus) as error:
        tally.note(f"watching {url}: {type(error).__name__} {error}")
    return result


async def watcher(base: str, code: str, seconds: float, tally: Tally) -> None:
    stop_at = time.monotonic() + seconds
    room_url = f"ws://{base.removeprefix('http://')}/ws/rooms/{code}"
    await asyncio.sleep(random.uniform(0, 10))  # the hall fills up
    while time.monotonic() < stop_at:
        runs: dict[str, asyncio.Task] = {}
        leave_at = min(stop_at, time.monotonic() + random.uniform(20, 90))
        try:
            async with ws(room_url, HALL) as room:
                tally.joins += 1
                while (left := leave_at - time.monotonic()) > 0:
                    try:
                        state = json.loads(await asyncio.wait_for(room.recv(), left))
                    except TimeoutError:
                        break
                    if state.get("type") != "room":  # presence, polls: the hall's other news
                        continue
                    ids = {run["id"] for run in state["runs"]}
                    for run_id in set(runs) - ids:
                        runs.pop(run_id).cancel()
                    for run_id in ids - set(runs):
                        # the presenter's runs are a comparison's: the page skips their network frames
                        watched = watch(socket_url(base, run_id), HALL, tally, stop_at, COMPARISON_VIEWS)
                        runs[run_id] = asyncio.create_task(watched)
        except ConnectionClosed as closed:
            tally.closes[closed.rcvd.code if closed.rcvd else 1006] += 1
        except (OSError, InvalidStatus, TimeoutError) as error:
            tally.note(f"room socket: {type(error).__name__} {error}")
        finally:
            for task in runs.values():
                task.cancel()
            await asyncio.gather(*runs.values(), return_exceptions=True)
        await asyncio.sleep(random.uniform(2, 10))


def watchers_process(base: str, code: str, n: int, seconds: float, pipe: Connection) -> None:
    async def hall() -> None:
        await asyncio.gather(
            *(kept_going(tally, "a watcher", lambda left: watcher(base, code, left, tally), seconds) for _ in range(n))
        )

    tally = Tally()
    asyncio.run(hall())
    pipe.send(tally.sent())


# ---------------------------------------------------------------- the front of the room: presenter and students


async def presenter(base: str, room: dict, seconds: float, switch_s: float, tally: Tally) -> None:
    secret = {"X-Room-Secret": room["secret"]}
    stop_at = time.monotonic() + seconds
    current: list[str] = []
    watching: list[asyncio.Task] = []
    async with client(PRESENTER) as http:
        for group, names in itertools.cycle(GROUPS.items()):
            if time.monotonic() >= stop_at:
                break
            body = {"runs": [{"preset": name, "overrides": {"epochs": 8000}} for name in names], "speed": 1000,
                    "room": room["code"]}  # fmt: skip
            created = await counted(tally, http.post(f"{base}/api/comparisons", json=body, headers=secret))
            if created.status_code != 201:
                await asyncio.sleep(2)
                continue
            made = created.json()["runs"]
            runs = [{"key": name, "name": name, "id": run["id"]} for name, run in zip(names, made, strict=True)]
            await counted(
                tally,
                http.put(
                    f"{base}/api/rooms/{room['code']}", json={"state": f"group={group}", "runs": runs}, headers=secret
                ),
            )
            for task in watching:
                task.cancel()
            for run_id in current:  # the old comparison stops (the page's switch)
                await counted(tally, http.delete(f"{base}/api/runs/{run_id}", headers=secret))
            current = [run["id"] for run in runs]
            watching = [asyncio.create_task(watch(socket_url(base, i), PRESENTER, tally, stop_at)) for i in current]
            await asyncio.sleep(min(switch_s, max(0.0, stop_at - time.monotonic())))
        for task in watching:
            task.cancel()


async def student(base: str, n: int, code: str, seconds: float, tally: Tally) -> None:
    address = f"127.0.1.{n + 1}"
    stop_at = time.monotonic() + seconds
    await asyncio.sleep(random.uniform(0, 5))
    async with client(address) as http:
        while time.monotonic() < stop_at - 10:
            config = {**STUDENT_RUN, "epochs": random.randint(1000, 3000), "seed": random.randint(0, 99),
                      "dataset": random.choice(DATASETS), "speed": random.choice([1000, 4000])}  # fmt: skip
            if random.random() < 0.25:  # fork the presenter's setup
                state = (await counted(tally, http.get(f"{base}/api/rooms/{code}"))).json()
                if state.get("runs"):
                    shown = (await counted(tally, http.get(f"{base}/api/runs/{state['runs'][0]['id']}"))).json()
                    config = {**shown["config"], "epochs": 2000, "speed": 2000}
            created = await counted(tally, http.post(f"{base}/api/runs", json=config))
            if created.status_code == 429:
                await asyncio.sleep(min(10.0, float(created.headers.get("retry-after", 5))))
                continue
            if created.status_code != 201:
                tally.note(f"student run refused: {created.status_code} {created.text[:200]}")
                await asyncio.sleep(2)
                continue
            run_id = created.json()["id"]
            result = await watch(socket_url(base, run_id), address, tally, time.monotonic() + 120)
            stored = await counted(tally, http.get(f"{base}/api/runs/{run_id}"))
            if result is None or stored.status_code != 200:
                tally.runs_lost += 1
                tally.note(f"run {run_id}: result {result}, REST {stored.status_code}")
            elif (
                stored.json()["status"] != result["status"]
                or stored.json()["result"]["final_cost"] != result["final_cost"]
            ):
                tally.runs_wrong += 1
                tally.note(f"run {run_id}: the websocket said {result['status']}, REST {stored.text[:200]}")
            elif result["status"] in ("failed", "interrupted"):
                tally.runs_wrong += 1
                tally.note(f"run {run_id} {result['status']}: {result.get('reason')}")
            else:
                tally.runs_done += 1
            await asyncio.sleep(random.uniform(1, 4))


# ---------------------------------------------------------------- what probing found


def raw_frame_header(length: int) -> bytes:
    """A masked text frame's header announcing `length` bytes."""
    return struct.pack("!BBQ", 0x81, 0x80 | 127, length) + os.urandom(4)


async def bad_client(base: str, n: int, code: str, seconds: float, tally: Tally) -> None:
    address = f"127.0.2.{n + 1}"
    stop_at = time.monotonic() + seconds
    big = json.dumps({"dataset": {"X_train": [[0, 0]] * 2, "y_train": [2] * 1_000_000}})
    nested = '{"dataset": {"y_train": [0], "X_train": [' + ",".join(["[0]"] * 1_300_000) + "]}}"
    zeros = '{"dataset": {"X_train": [[0,0],[0,0]], "y_train": [' + ",".join(["0"] * 2_000_000) + "]}}"
    bodies = [
        ("/api/runs", big), ("/api/runs", nested[: 4 * MB - 8] + "]]}}"), ("/api/runs", zeros),
        ("/api/runs", '{"epochs": true}'), ("/api/runs", '{"speed": 5e-324, "keep": true}'),
        ("/api/runs", '{"dataset": {"name": "circles", "noise": -0.0}, "epochs": 10}'),
        ("/api/sweeps", '{"base": {"preset": ["init-he"]}, "grid": {"seed": [1]}}'),
        ("/api/sweeps", '{"base": {"preset": "init-he", "overrides": [1]}, "grid": {"seed": [1]}}'),
    ]  # fmt: skip
    async with client(address) as http:
        while time.monotonic() < stop_at:
            for path, body in bodies:
                started = time.perf_counter()
                answer = await counted(tally, http.post(f"{base}{path}", content=body,
                                                        headers={"content-type": "application/json"}))  # fmt: skip
                if len(body) > MB:
                    tally.bad_ms.append(1000 * (time.perf_counter() - started))
                    tally.bad_sizes.append(len(answer.content))
                if answer.status_code == 201 and path == "/api/runs":
                    await counted(tally, http.delete(f"{base}/api/runs/{answer.json()['id']}"))
            await counted(tally, http.put(f"{base}/api/runs/nonesuch"))  # a 405
            await watch(socket_url(base, "x" * 300), address, tally, time.monotonic() + 10)  # a long unknown id
            try:  # a frame announcing 16 MiB: refused from its header
                async with ws(f"ws://{base.removeprefix('http://')}/ws/rooms/{code}", address) as room:
                    await room.recv()
                    room.transport.write(raw_frame_header(16 * MB) + b"x" * 8192)
                    await asyncio.wait_for(room.recv(), 10)
            except ConnectionClosed as closed:
                tally.closes[closed.rcvd.code if closed.rcvd else 1006] += 1
            except (TimeoutError, OSError) as error:
                tally.note(f"oversized frame: {type(error).__name__} {error}")
            listed = (await counted(tally, http.get(f"{base}/api/runs", params={"limit": 5}))).json()["runs"]
            checks = [http.post(f"{base}/api/runs/{run['id']}/gradcheck") for run in listed[:4]]
            for answer in await asyncio.gather(*checks):  # a burst: the limits answer 429s, nothing stalls
                tally.statuses[answer.status_code] += 1
            await asyncio.sleep(random.uniform(3, 6))


def bad_process(base: str, code: str, n: int, seconds: float, pipe: Connection) -> None:
    """The bad clients in a process of their own: their answer times are the server's, not a busy client's."""

    async def bad() -> None:
        clients = [lambda left, i=i: bad_client(base, i, code, left, tally) for i in range(n)]
        await asyncio.gather(*(kept_going(tally, "a bad client", simulated, seconds) for simulated in clients))

    tally = Tally()
    asyncio.run(bad())
    pipe.send(tally.sent())


# ---------------------------------------------------------------- the measuring side


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Probe:
    latencies: list = field(default_factory=list)  # (when, seconds it took)
    lag_p99: list[float] = field(default_factory=list)
    workers: list[int] = field(default_factory=list)
    degraded: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


def prober_process(base: str, seconds: float, pipe: Connection) -> None:
    """GET /api/health 4 times a second from a process of its own (in the clients' event loop, their work would
    count as the server's), and the worker pids it names."""
    probe = Probe()
    stop_at = time.monotonic() + seconds
    with httpx.Client(transport=httpx.HTTPTransport(local_address=PROBER), timeout=60, limits=KEEPALIVE) as http:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            answer = http.get(f"{base}/api/health")
            probe.latencies.append((time.monotonic(), time.perf_counter() - started))
            probe.statuses[answer.status_code] = probe.statuses.get(answer.status_code, 0) + 1
            health = answer.json()
            probe.lag_p99.append(health["loop_lag"]["p99_ms"])
            probe.workers = sorted(set(probe.workers) | {w["pid"] for w in health["workers"] if w["pid"]})
            probe.degraded += health["status"] != "ok"
            time.sleep(0.25)
    pipe.send(vars(probe))


def rss_of(pids: list[int]) -> float:
    return sum(rss_mb(pid) for pid in pids)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def lecture(base: str, pid: int, args: argparse.Namespace) -> dict:
    tally = Tally()
    async with client(PRESENTER) as http:
        room = (await counted(tally, http.post(f"{base}/api/rooms"))).json()
        workers = [w["pid"] for w in (await http.get(f"{base}/api/health")).json()["workers"]]
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for i in range(args.clients):
        n = args.watchers // args.clients + (i < args.watchers % args.clients)
        mine, theirs = context.Pipe(duplex=False)
        process = context.Process(target=watchers_process, args=(base, room["code"], n, args.seconds, theirs))
        process.start()
        pipes.append(mine)
        processes.append(process)
    if args.bad:
        mine, theirs = context.Pipe(duplex=False)
        processes.append(context.Process(target=bad_process, args=(base, room["code"], args.bad, args.seconds, theirs)))
        processes[-1].start()
        pipes.append(mine)
    probe_pipe, theirs = context.Pipe(duplex=False)
    probing = context.Process(target=prober_process, args=(base, args.seconds, theirs))
    probing.start()
    tasks = [
        asyncio.create_task(
            kept_going(
                tally, "the presenter", lambda left: presenter(base, room, left, args.switch_s, tally), args.seconds
            )
        ),
        *(
            asyncio.create_task(
                kept_going(
                    tally, f"student {i}", lambda left, i=i: student(base, i, room["code"], left, tally), args.seconds
                )
            )
            for i in range(args.students)
        ),
    ]
    await asyncio.sleep(args.warmup)
    warm_at = time.monotonic()
    warm_server, warm_workers = rss_mb(pid), rss_of(workers)
    await asyncio.gather(*tasks)
    end_server, end_workers = rss_mb(pid), rss_of(workers)
    probe = Probe(**await asyncio.to_thread(probe_pipe.recv))
    probing.join(30)
    for pipe, process in zip(pipes, processes, strict=True):
        tally.merge(await asyncio.to_thread(pipe.recv))
        process.join(30)
    tally.statuses.update(probe.statuses)
    after_warmup = [took for when, took in probe.latencies if when >= warm_at]
    return {
        "seconds": args.seconds, "watchers": args.watchers, "students": args.students,
        "server_5xx": sum(n for status, n in tally.statuses.items() if status >= 500),
        "internal_error_closes": tally.closes.get(1011, 0), "too_many_sockets_closes": tally.closes.get(4429, 0),
        "runs_done": tally.runs_done, "runs_lost": tally.runs_lost, "runs_wrong": tally.runs_wrong,
        "clients_stopped": tally.clients_stopped, "connections_dropped": tally.connections_dropped,
        "watcher_joins": tally.joins, "run_messages": tally.messages,
        "server_rss_warm_mb": round(warm_server, 1), "server_rss_growth_mb": round(end_server - warm_server, 1),
        "workers_rss_warm_mb": round(warm_workers, 1), "workers_rss_growth_mb": round(end_workers - warm_workers, 1),
        "rss_growth_mb": round(end_server + end_workers - warm_server - warm_workers, 1),
        "workers_replaced": len(set(probe.workers) - set(workers)),
        "health_p50_ms": round(1000 * percentile(after_warmup, 0.5), 1),
        "health_p99_ms": round(1000 * percentile(after_warmup, 0.99), 1),
        "loop_lag_p99_ms": max(probe.lag_p99, default=0.0), "store_degraded_probes": probe.degraded,
        "bad_answer_max_ms": round(max(tally.bad_ms, default=0.0), 1),
        "bad_422_max_bytes": max(tally.bad_sizes, default=0),
        "statuses": dict(sorted(tally.statuses.items())), "closes": dict(sorted(tally.closes.items())),
        "errors": tally.errors,
    }  # fmt: skip


def report(figures: dict) -> None:
    print(f"a {figures['seconds']:.0f} s lecture: {figures['watchers']} watchers on one address, "
          f"{figures['students']} students, {figures['watcher_joins']} room joins, "
          f"{figures['run_messages']} run messages")  # fmt: skip
    print(f"  5xx answers:        {figures['server_5xx']} (1011 closes: {figures['internal_error_closes']})  "
          f"{verdict(figures['server_5xx'] == 0 and figures['internal_error_closes'] == 0)}")  # fmt: skip
    print(f"  simulated clients stopped by an error: {figures['clients_stopped']}  "
          f"{verdict(figures['clients_stopped'] == 0)}; connections dropped (the client retried): "
          f"{figures['connections_dropped']}")  # fmt: skip
    lost = figures["runs_lost"] + figures["runs_wrong"]
    print(f"  runs lost or wrong: {figures['runs_lost']} lost, {figures['runs_wrong']} wrong, of "
          f"{figures['runs_done'] + lost} watched to their end  {verdict(lost == 0)}")  # fmt: skip
    growth = figures["rss_growth_mb"]
    print(f"  RSS growth after the warm-up: {growth:+.1f} MB: the server {figures['server_rss_growth_mb']:+.1f} "
          f"(from {figures['server_rss_warm_mb']} MB), its workers {figures['workers_rss_growth_mb']:+.1f} (from "
          f"{figures['workers_rss_warm_mb']} MB; {figures['workers_replaced']} replaced)  "
          f"{verdict(growth < TARGETS['rss_growth_mb'])}")  # fmt: skip
    p99 = figures["health_p99_ms"]
    print(f"  /api/health:        p50 {figures['health_p50_ms']} ms, p99 {p99} ms  "
          f"{verdict(p99 <= TARGETS['health_p99_ms'])}")  # fmt: skip
    print(f"  event loop lag p99: {figures['loop_lag_p99_ms']} ms (the worst minute the server reported)")
    slow, size = figures["bad_answer_max_ms"], figures["bad_422_max_bytes"]
    print(f"  bad bodies (3-4 MiB): slowest answer {slow} ms, largest 422 {size} bytes  "
          f"{verdict(slow <= TARGETS['bad_answer_ms'] and size <= TARGETS['bad_422_bytes'])}")  # fmt: skip
    print(f"  statuses {figures['statuses']}; closes {figures['closes']}; 4429 closes "
          f"{figures['too_many_sockets_closes']}")  # fmt: skip
    for error in figures["errors"]:
        print(f"  ! {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--warmup", type=float, help="seconds before RSS is first read (default: a sixth, ≤ 60)")
    parser.add_argument("--watchers", type=int, default=150)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--bad", type=int, default=2, help="clients sending bad input")
    parser.add_argument("--clients", type=int, default=2, help="processes the watchers are spread over")
    parser.add_argument("--switch-s", type=float, default=20, help="the presenter's time on one comparison")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    args.warmup = args.warmup if args.warmup is not None else min(60.0, args.seconds / 6)
    with server(workers=2) as (base, pid):
        figures = asyncio.run(lecture(base, pid, args))
    if args.json:
        print(json.dumps(figures))
    else:
        report(figures)
    ok = figures["server_5xx"] == 0 and figures["runs_lost"] + figures["runs_wrong"] + figures["clients_stopped"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
