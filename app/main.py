"""The web app: create_app(settings) wires the routes, the lifespan starts and stops the worker pool,
and serve() is what `trainlab serve` runs."""

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.routing import Match

from app import messages
from app.api import (
    bands,
    comparisons,
    datasets,
    exports,
    health,
    insight,
    pages,
    presets,
    rooms,
    runs,
    sweeps,
    ws_rooms,
    ws_runs,
)
from app.cluster import ClusterSweeps
from app.crowd import RoomTicker
from app.errors import validation_failed
from app.guards.body_limit import BodyLimit
from app.guards.headers import SecurityHeaders
from app.guards.limits import AT_ONCE_RETRY_S
from app.live.pool import NoWorker
from app.live.registry import NotCheckable, Registry, RunLive, TooManyRuns, UnknownRun
from app.looplag import LoopLag
from app.polls import AlreadyVoted, PollClosed, UnknownPoll
from app.rooms import RoomEnded, RoomRefused, Rooms, TooManyRooms, UnknownRoom, retry_header
from app.settings import Settings
from app.sockets import MAX_CONTROL_BYTES
from app.store import Store, StoreUnwritable
from core.insight import CheckTooLarge


class TrainLabJSON(JSONResponse):
    """JSON as the protocol has it: a non-finite cost or accuracy travels as "inf", "-inf" or "nan"."""

    def render(self, content: Any) -> bytes:
        return messages.dumps(content).encode()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.data_dir, settings.max_stored_runs)
    await store.open()
    registry = Registry(settings, store)
    await registry.start()
    app.state.store = store
    app.state.registry = registry
    app.state.rooms = Rooms(store)
    app.state.rooms.live_runs = registry.room_live  # a room with live runs is never dropped nor evicted
    await app.state.rooms.load()
    ticker = RoomTicker(app.state.rooms, registry)
    ticker.start()
    app.state.loop_lag = LoopLag()
    app.state.loop_lag.start()
    app.state.cluster = None
    if settings.dask_address:  # connecting blocks: off the event loop
        app.state.cluster = await asyncio.to_thread(ClusterSweeps, settings.dask_address, store, str(settings.data_dir))
    warm = asyncio.create_task(asyncio.to_thread(pages.plotly_asset))  # gzip Plotly before the first page asks
    # what start-up made (modules, routes, models: ~90,000 objects) lives as long as the server: out of the
    # collector's sight, so that a full collection under load pauses the loop for a few ms, not ~100 (load.py)
    gc.freeze()
    try:
        yield
    finally:
        await warm
        await ticker.stop()
        await app.state.loop_lag.stop()
        if app.state.cluster is not None:
            await asyncio.to_thread(app.state.cluster.close)
        await registry.close()
        await store.close()


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def answer_with(
    status: int, headers: dict[str, str] | None = None
) -> Callable[[Request, Exception], Awaitable[TrainLabJSON]]:
    """An exception handler answering `status` with the exception's message as the detail."""

    async def handler(request: Request, exc: Exception) -> TrainLabJSON:
        detail = str(exc.args[0]) if exc.args else str(exc)
        return TrainLabJSON({"detail": detail}, status_code=status, headers=headers)

    return handler


async def method_not_allowed(request: Request, exc: Exception) -> TrainLabJSON:
    """405 with every method the path takes in Allow (the router names only the first route's it tried)."""
    scope = request.scope
    allowed = ", ".join(
        method for method in HTTP_METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in request.app.routes)
    )  # fmt: skip
    detail = f"{request.method} is not allowed here: {allowed}"
    return TrainLabJSON({"detail": detail}, status_code=405, headers={"Allow": allowed})


async def too_many_rooms(request: Request, exc: TooManyRooms) -> TrainLabJSON:
    return TrainLabJSON({"detail": str(exc)}, status_code=429, headers=retry_header(exc.retry_after_s))


def create_app(settings: Settings | None = None) -> FastAPI:
    # the API's docs (/docs, /redoc) with their scripts served from here: a lecture hall's Wi-Fi may have no internet
    app = FastAPIOffline(title="TrainLab", lifespan=lifespan, default_response_class=TrainLabJSON)
    app.state.settings = settings or Settings.from_env()
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: on the body limit's own 413s and 422s too
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_exception_handler(405, method_not_allowed)
    app.add_exception_handler(UnknownRun, answer_with(404))
    app.add_exception_handler(TooManyRuns, answer_with(429, {"Retry-After": str(AT_ONCE_RETRY_S)}))
    app.add_exception_handler(NoWorker, answer_with(503))
    app.add_exception_handler(StoreUnwritable, answer_with(507, {"Retry-After": str(AT_ONCE_RETRY_S)}))
    app.add_exception_handler(UnknownRoom, answer_with(404))
    app.add_exception_handler(RoomRefused, answer_with(403))
    app.add_exception_handler(TooManyRooms, too_many_rooms)
    app.add_exception_handler(RoomEnded, answer_with(409))
    app.add_exception_handler(AlreadyVoted, answer_with(409))
    app.add_exception_handler(PollClosed, answer_with(409))
    app.add_exception_handler(UnknownPoll, answer_with(404))
    app.add_exception_handler(RunLive, answer_with(409))
    app.add_exception_handler(NotCheckable, answer_with(409))
    app.add_exception_handler(CheckTooLarge, answer_with(422))
    modules = (
        runs, comparisons, exports, insight, sweeps, bands, rooms, presets, datasets, health, ws_runs, ws_rooms, pages,
    )  # fmt: skip
    for module in modules:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    return app


SERVER_OPTIONS = {
    # no per-message deflate: compressing each frame for each watcher (~0.35 ms of CPU for a 10 KB frame) is more
    # than one event loop can do for 200 watchers at 20 frames/s (benchmarks/load.py); the worker deflates each
    # boundary frame once instead (app/messages.py encode_boundary)
    "ws_per_message_deflate": False,
    # a client's frame is a control (docs/protocol.md): a bigger one is refused from its header (1009), not
    # buffered up to uvicorn's 16 MiB first (20 sockets held 515 MB); with the 32 frames uvicorn queues per
    # socket, a socket's unread input is at most 128 KB
    "ws_max_size": MAX_CONTROL_BYTES,
}


def serve(host: str, port: int, data_dir: str | None = None) -> None:
    """Run the server until interrupted (for `trainlab serve`, and how the tests and benchmarks start it); data_dir,
    if given, overrides the environment's."""
    settings = Settings.from_env()
    settings = replace(settings, host=host, port=port, data_dir=Path(data_dir) if data_dir else settings.data_dir)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, **SERVER_OPTIONS)


app = create_app()
