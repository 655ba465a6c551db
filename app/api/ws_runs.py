"""WS /ws/runs/{id}: a run's live stream to one watcher, and its controls back (docs/protocol.md).

Each socket has a sender task draining the watcher's outbox and a receiver task reading controls;
neither waits for the other, so a client that stops reading only fills (and overflows) its own outbox.
"""

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket
from pydantic import ValidationError

from app import messages
from app.deps import RegistryDep, RoomsDep, SettingsDep
from app.guards.auth import authorized
from app.guards.limits import client_socket
from app.live.hub import Channel, Kind, Watcher
from app.live.registry import Registry, UnknownRun
from app.models import ControlRequest, ViewsRequest
from app.rooms import Rooms
from app.settings import Settings
from app.sockets import MAX_CONTROL_BYTES, UNKNOWN_RUN, close, first_to_end, send

LINGER_S = 10.0  # after the run ends, a watcher that has not taken its last messages is dropped

router = APIRouter()


@router.websocket("/ws/runs/{run_id}")
async def watch_run(
    websocket: WebSocket, run_id: str, registry: RegistryDep, settings: SettingsDep, rooms: RoomsDep
) -> None:
    async with client_socket(websocket, settings) as admitted:
        if admitted:
            await stream_run(websocket, run_id, registry, settings, rooms)


async def stream_run(websocket: WebSocket, run_id: str, registry: Registry, settings: Settings, rooms: Rooms) -> None:
    """The run's stream to an accepted socket, its controls back, until either side ends."""
    try:
        channel = registry.get(run_id)
    except UnknownRun as error:
        await close(websocket, UNKNOWN_RUN, str(error))
        return
    watcher = registry.watch(channel)
    may_control = authorized(websocket, settings.api_token)
    tasks = {
        asyncio.create_task(send(websocket, watcher)),
        asyncio.create_task(receive(websocket, registry, run_id, watcher, may_control, rooms, channel)),
        asyncio.create_task(linger(watcher)),
    }
    try:
        close_code = await first_to_end(tasks)
    finally:
        registry.unwatch(channel, watcher)
    if close_code is not None:
        with contextlib.suppress(Exception):  # the client may be gone already
            await websocket.close(close_code)


async def receive(
    websocket: WebSocket,
    registry: Registry,
    run_id: str,
    watcher: Watcher,
    may_control: bool,
    rooms: Rooms,
    channel: Channel,
) -> int | None:
    """Apply the client's controls (and the views it skips) until it leaves (None) or sends too much (1009: close it).
    may_control: the handshake carried the API token (or none is needed); a lecture room's run needs the room's
    secret in each control (or, for a student's run, that student's member token)."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        text = message.get("text")
        size = len(text.encode()) if text is not None else len(message.get("bytes") or b"")
        if size > MAX_CONTROL_BYTES:
            return 1009
        if text is None:
            watcher.put(Kind.KEEP, messages.error_message("binary messages are not understood here"))
            continue
        try:
            control = client_message(text)
        except (ValidationError, ValueError) as error:
            watcher.put(Kind.KEEP, messages.error_message(describe(error)))
            continue
        if isinstance(control, ViewsRequest):
            watcher.skipped = frozenset(control.skip)
            continue
        if not may_control:
            watcher.put(Kind.KEEP, messages.error_message("401: controls need Authorization: Bearer <token>"))
            continue
        room = channel.room
        refusal = rooms.refusal(room, control.secret, control.member, channel.member) if room is not None else None
        if refusal is not None:
            watcher.put(Kind.KEEP, messages.error_message(f"403: {refusal}"))
            continue
        await registry.control(run_id, *control.command())


def client_message(text: str) -> ControlRequest | ViewsRequest:
    """A watcher's message: a control, or the views it skips (ValueError, ValidationError: neither)."""
    try:
        said = json.loads(text)
    except ValueError:
        raise ValueError(f"not JSON: {text[:40]!r}") from None
    if isinstance(said, dict) and said.get("type") == "views":
        return ViewsRequest.model_validate(said)
    control = ControlRequest.model_validate_json(text)
    if control.type != "control":
        raise ValueError('expected {"type": "control", "action": ...} or {"type": "views", "skip": [...]}')
    return control


async def linger(watcher: Watcher) -> None:
    """Finish LINGER_S after the run did, whatever the client is doing: a stalled socket is not kept forever."""
    await watcher.closing.wait()
    await asyncio.sleep(LINGER_S)


def describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(str(part) for part in e['loc']) or 'message'}: {e['msg']}" for e in error.errors())
    return str(error)
