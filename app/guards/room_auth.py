"""Runs that belong to a lecture room: only the room's secret (header X-Room-Secret) may control them."""

from typing import Annotated

from fastapi import Header, HTTPException

from app.deps import RegistryDep, RoomsDep
from app.errors import invalid_field
from app.rooms import Rooms, UnknownRoom

RoomSecret = Annotated[str | None, Header(alias="X-Room-Secret", max_length=128)]


def require_room_secret(run_id: str, registry: RegistryDep, rooms: RoomsDep, secret: RoomSecret = None) -> None:
    """A route dependency: 403 for a room's run unless the request carries the room's secret."""
    room = registry.room_of(run_id)
    if room is not None:
        refusal = rooms.refusal(room, secret)
        if refusal is not None:
            raise HTTPException(403, refusal)


def owning_room(code: str | None, rooms: Rooms, secret: str | None) -> str | None:
    """The code (as the room spells it) of the room new runs are asked to belong to, None for none: an unknown
    room is a 422 naming ["body", "room"], a missing or wrong secret a 403."""
    if code is None:
        return None
    try:
        found = rooms.get(code)
    except UnknownRoom as error:
        raise invalid_field(("body", "room"), str(error)) from None
    rooms.check(found, secret)
    return found.code
