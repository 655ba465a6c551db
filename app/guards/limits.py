"""Limits per client (the connection's IP), in memory: live runs at once, runs started per minute, uploads,
lecture rooms and gradient checks a minute, websockets open; and gradient checks at once, per run and on the
server. Past one: 429 with a detail naming the limit and a Retry-After header (a socket: closed with 4429).

A comparison counts as its number of runs (what costs the machine is runs, not requests); a sweep is batch work,
queued by the registry with bounds of its own. A request carrying the API token, on a server that has one, is
exempt: the token holder runs the server, and the global cap on live runs (TRAINLAB_MAX_LIVE_RUNS) still applies
to everyone."""

import math
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Annotated

from fastapi import Depends, HTTPException, WebSocket
from starlette.requests import HTTPConnection

from app.deps import RegistryDep, SettingsDep
from app.guards.auth import authorized

WINDOW_S = 60.0
AT_ONCE_RETRY_S = 10  # a live run has no known end: ask again a little later
TOO_MANY_SOCKETS = 4429  # the close code of a socket past its address's TRAINLAB_CLIENT_MAX_SOCKETS
CHECKS_AT_ONCE = 2  # gradient checks the server makes at once (each up to ~0.5 s of CPU; a stored run's is ours)


def too_many(message: str, retry_after_s: float) -> HTTPException:
    return HTTPException(429, message, headers={"Retry-After": str(max(1, math.ceil(retry_after_s)))})


@dataclass
class Client:
    """What one client has done lately."""

    run_ids: set[str] = field(default_factory=set)  # runs it started that may still be live
    starts: deque[float] = field(default_factory=deque)  # monotonic times of its run starts in the window
    recent: defaultdict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))  # other actions'

    def forget_old(self, now: float, live: set[str]) -> None:
        for times in (self.starts, *self.recent.values()):
            while times and times[0] <= now - WINDOW_S:
                times.popleft()
        self.run_ids &= live

    @property
    def idle(self) -> bool:
        return not (self.run_ids or self.starts or any(self.recent.values()))


class ClientLimits:
    """Every client's counts; checks are synchronous, so a check and the start it admits are atomic."""

    def __init__(self) -> None:
        self.clients: dict[str, Client] = {}

    def client(self, host: str, live: set[str]) -> Client:
        now = time.monotonic()
        for other in [h for h, c in self.clients.items() if h != host]:  # drop idle clients: memory stays bounded
            self.clients[other].forget_old(now, live)
            if self.clients[other].idle:
                del self.clients[other]
        found = self.clients.setdefault(host, Client())
        found.forget_old(now, live)
        return found


@dataclass
class RunQuota:
    """One request's view of its client's run limits: `admit(n)` before starting n runs, `record(ids)` after.
    The client's counts are looked up at each call: the request awaits in between, and meanwhile an idle
    entry may have been dropped."""

    limits: ClientLimits | None  # None: exempt
    host: str
    live: set[str]
    max_live: int
    per_minute: int
    who: str = "per client"
    live_setting: str = "TRAINLAB_CLIENT_MAX_LIVE_RUNS"

    def for_member(self, room: str, member: str, max_live: int) -> "RunQuota":
        """A lecture room's student's quota instead of its address's (a hall shares one NAT address): its own count,
        as many live at once as the room's presenter allows."""
        return replace(
            self, host=f"room {room} member {member}", max_live=max_live, who=f"per student of room {room}",
            live_setting="set by the room's presenter",
        )  # fmt: skip

    def admit(self, n: int) -> None:
        """Raise a 429 unless the client may start n more runs now."""
        if self.limits is None:
            return
        client = self.limits.client(self.host, self.live)
        if n > min(self.max_live, self.per_minute):
            raise too_many(
                f"{n} runs in one request: {self.who}, at most {self.max_live} may be live at once "
                f"({self.live_setting}) and at most {self.per_minute} started a minute "
                f"(TRAINLAB_CLIENT_RUNS_PER_MINUTE); ask for fewer",
                WINDOW_S,
            )
        live = len(client.run_ids)
        if live + n > self.max_live:
            raise too_many(
                f"runs at once {self.who}: you have {live} live and may have at most {self.max_live} "
                f"({self.live_setting}); stop some or wait for them to finish",
                AT_ONCE_RETRY_S,
            )
        starts = client.starts
        if len(starts) + n > self.per_minute:
            # the oldest starts must leave the window until n more fit
            wait = starts[len(starts) + n - self.per_minute - 1] + WINDOW_S - time.monotonic()
            raise too_many(
                f"runs started per minute {self.who}: at most {self.per_minute} "
                f"(TRAINLAB_CLIENT_RUNS_PER_MINUTE); you started {len(starts)} in the last minute, "
                f"try again in {max(1, math.ceil(wait))} s",
                wait,
            )

    def record(self, run_ids: Iterable[str]) -> None:
        if self.limits is None:
            return
        client = self.limits.client(self.host, self.live)
        now = time.monotonic()
        for run_id in run_ids:
            client.run_ids.add(run_id)
            client.starts.append(now)


def client_limits(connection: HTTPConnection) -> ClientLimits:
    state = connection.app.state
    if not hasattr(state, "client_limits"):
        state.client_limits = ClientLimits()
    return state.client_limits


def exempt(connection: HTTPConnection, token: str | None) -> bool:
    return token is not None and authorized(connection, token)


def client_host(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"


async def run_quota(connection: HTTPConnection, settings: SettingsDep, registry: RegistryDep) -> RunQuota:
    """A route dependency: this client's run quota (unlimited for a token holder)."""
    limits = None if exempt(connection, settings.api_token) else client_limits(connection)
    host = client_host(connection)
    return RunQuota(limits, host, registry.live, settings.client_max_live_runs, settings.client_runs_per_minute)


def per_minute(action: str, setting: str, variable: str) -> Callable[..., Awaitable[None]]:
    """A route dependency that counts this request as one of the client's `action`s: 429 past the
    settings' `setting` a minute (named by its environment `variable`)."""

    async def allowed(connection: HTTPConnection, settings: SettingsDep, registry: RegistryDep) -> None:
        if exempt(connection, settings.api_token):
            return
        times = client_limits(connection).client(client_host(connection), registry.live).recent[action]
        limit = getattr(settings, setting)
        if len(times) >= limit:
            wait = times[len(times) - limit] + WINDOW_S - time.monotonic()
            raise too_many(
                f"{action} per minute per client: at most {limit} ({variable}); "
                f"try again in {max(1, math.ceil(wait))} s",
                wait,
            )
        times.append(time.monotonic())

    return allowed


upload_allowed = per_minute("uploads", "client_uploads_per_minute", "TRAINLAB_CLIENT_UPLOADS_PER_MINUTE")
check_allowed = per_minute("gradient checks", "client_checks_per_minute", "TRAINLAB_CLIENT_CHECKS_PER_MINUTE")
room_allowed = per_minute("rooms opened", "client_rooms_per_minute", "TRAINLAB_CLIENT_ROOMS_PER_MINUTE")


RunQuotaDep = Annotated[RunQuota, Depends(run_quota)]


@asynccontextmanager
async def client_socket(websocket: WebSocket, settings: SettingsDep) -> AsyncIterator[bool]:
    """Accept a websocket, counted among its address's open ones while it lasts: False (and closed with
    TOO_MANY_SOCKETS) when the address already has its TRAINLAB_CLIENT_MAX_SOCKETS open. A lecture hall is one
    NAT address for every phone in it (a room's socket and a few runs' each): the bound is against abuse, and a
    socket's cost is small (its frames are at most 4 KB: app.main SERVER_OPTIONS)."""
    state = websocket.app.state
    if not hasattr(state, "open_sockets"):
        state.open_sockets = Counter()
    counts: Counter[str] = state.open_sockets
    host = client_host(websocket)
    await websocket.accept()
    if counts[host] >= settings.client_max_sockets:
        reason = (
            f"too many sockets from your address: at most {settings.client_max_sockets} (TRAINLAB_CLIENT_MAX_SOCKETS)"
        )
        await websocket.close(TOO_MANY_SOCKETS, reason)
        yield False
        return
    counts[host] += 1
    try:
        yield True
    finally:
        counts[host] -= 1
        if not counts[host]:
            del counts[host]


async def check_slot(run_id: str, connection: HTTPConnection) -> AsyncIterator[None]:
    """A route dependency held while a gradient check runs: 429 when the run is being checked already, or the
    server is making CHECKS_AT_ONCE checks (16 at once took 9 s of CPU and stalled everyone's answers)."""
    state = connection.app.state
    if not hasattr(state, "checking"):
        state.checking = set()
    checking: set[str] = state.checking
    if run_id in checking:
        raise too_many(f"run {run_id} is being checked already: one check of a run at a time", 1)
    if len(checking) >= CHECKS_AT_ONCE:
        raise too_many(f"the server is making {len(checking)} gradient checks at once, its most: try again", 1)
    checking.add(run_id)
    try:
        yield
    finally:
        checking.discard(run_id)
