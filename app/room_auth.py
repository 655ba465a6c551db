"""Runs that belong to a lecture room: only the room's secret (header X-Room-Secret) may control them."""

from typing import Annotated

from fastapi import Header, HTTPException

from app.deps import RegistryDep, RoomsDep

RoomSecret = Annotated[str | None, Header(alias="X-Room-Secret", max_length=128)]


def require_room_secret(run_id: str, registry: RegistryDep, rooms: RoomsDep, secret: RoomSecret = None) -> None:
    """A route dependency: 403 for a room's run unless the request carries the room's secret."""
    channel = registry.channels.get(run_id)
    if channel is not None and channel.room is not None:
        refusal = rooms.refusal(channel.room, secret)
        if refusal is not None:
            raise HTTPException(403, refusal)
