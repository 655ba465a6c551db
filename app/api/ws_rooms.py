"""WS /ws/rooms/{code}: a lecture room's state to one viewer, now and on every change (docs/protocol.md).

Viewers then watch the room's runs on their own sockets (/ws/runs/{id}); this one says which runs and which settings,
the screen (live, blank, frozen), the current poll, who is there. The one message a client may send is the presenter's
`{"type": "present", "secret": ...}`: that socket then also gets the crowd sweep. Anything else is ignored.
"""

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket

from app import messages
from app.crowd import crowd, presence
from app.deps import RegistryDep, RoomsDep, SettingsDep
from app.guards.limits import client_socket
from app.live.hub import Kind, Watcher
from app.live.registry import Registry
from app.rooms import Room, Rooms, UnknownRoom
from app.sockets import MAX_CONTROL_BYTES, UNKNOWN_RUN, close, first_to_end, send

router = APIRouter()


@router.websocket("/ws/rooms/{code}")
async def watch_room(
    websocket: WebSocket, code: str, rooms: RoomsDep, registry: RegistryDep, settings: SettingsDep
) -> None:
    async with client_socket(websocket, settings) as admitted:
        if admitted:
            await stream_room(websocket, code, rooms, registry)


async def stream_room(websocket: WebSocket, code: str, rooms: Rooms, registry: Registry) -> None:
    """The room's state to an accepted socket, now and on every change, until either side ends."""
    try:
        room = rooms.get(code)
    except UnknownRoom as error:
        await close(websocket, UNKNOWN_RUN, str(error))  # the same "not here" code as for an unknown run
        return
    watcher = rooms.watch(room)
    watcher.put(Kind.PROGRESS, messages.dumps({"type": "presence", **presence(room, registry)}))
    tasks = {
        asyncio.create_task(send(websocket, watcher)),
        asyncio.create_task(listen(websocket, rooms, room, watcher, registry)),
    }
    try:
        close_code = await first_to_end(tasks)
    finally:
        rooms.unwatch(room, watcher)
    with contextlib.suppress(Exception):  # the client may be gone already
        await websocket.close(close_code or 1000)


async def listen(websocket: WebSocket, rooms: Rooms, room: Room, watcher: Watcher, registry: Registry) -> int | None:
    """Read until the viewer leaves (None), or sends more than a control's worth (1009: close it); a presenter's
    `present` with the room's secret makes this socket the presenter's."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        text = message.get("text") or ""
        if len(text) + len(message.get("bytes") or b"") > MAX_CONTROL_BYTES:
            return 1009
        try:
            said = json.loads(text)
        except ValueError:
            continue
        if isinstance(said, dict) and said.get("type") == "present" and isinstance(said.get("secret"), str):
            if rooms.present(room, watcher, said["secret"]):
                watcher.put(Kind.PROGRESS, messages.dumps({"type": "crowd", **crowd(room, registry)}))
            else:
                watcher.put(Kind.KEEP, messages.error_message("403: that is not this room's secret"))
