"""WS /ws/rooms/{code}: a lecture room's state to one viewer, now and on every change (docs/protocol.md).

Viewers then watch the room's runs on their own sockets (/ws/runs/{id}); this one only says which runs
and which settings. Nothing a viewer sends here is read as a command.
"""

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket

from app.deps import RoomsDep, SettingsDep
from app.guards.limits import client_socket
from app.rooms import Rooms, UnknownRoom
from app.sockets import MAX_CONTROL_BYTES, UNKNOWN_RUN, close, first_to_end, send

router = APIRouter()


@router.websocket("/ws/rooms/{code}")
async def watch_room(websocket: WebSocket, code: str, rooms: RoomsDep, settings: SettingsDep) -> None:
    async with client_socket(websocket, settings) as admitted:
        if admitted:
            await stream_room(websocket, code, rooms)


async def stream_room(websocket: WebSocket, code: str, rooms: Rooms) -> None:
    """The room's state to an accepted socket, now and on every change, until either side ends."""
    try:
        room = rooms.get(code)
    except UnknownRoom as error:
        await close(websocket, UNKNOWN_RUN, str(error))  # the same "not here" code as for an unknown run
        return
    watcher = rooms.watch(room)
    tasks = {asyncio.create_task(send(websocket, watcher)), asyncio.create_task(drain(websocket))}
    try:
        close_code = await first_to_end(tasks)
    finally:
        rooms.unwatch(room, watcher)
    with contextlib.suppress(Exception):  # the client may be gone already
        await websocket.close(close_code or 1000)


async def drain(websocket: WebSocket) -> int | None:
    """Read and ignore until the viewer leaves (None), or sends more than a control's worth (1009: close it)."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        if len(message.get("text") or "") + len(message.get("bytes") or b"") > MAX_CONTROL_BYTES:
            return 1009
