"""Runs that belong to a lecture room: only the room's secret (header X-Room-Secret) may control them, and a student's
run also its student's member token (X-Room-Member). The owner is stored with the run, so this holds for a run the
server no longer has in memory (after a restart, or once newer runs pushed it out)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, HTTPException

from app.deps import RegistryDep, RoomsDep
from app.errors import invalid_field
from app.guards.limits import AT_ONCE_RETRY_S, RunQuota, too_many
from app.live.registry import Registry
from app.rooms import Room, RoomEnded, Rooms, UnknownRoom

RoomSecret = Annotated[str | None, Header(alias="X-Room-Secret", max_length=128)]
RoomMember = Annotated[str | None, Header(alias="X-Room-Member", max_length=128)]


async def require_room_secret(
    run_id: str, registry: RegistryDep, rooms: RoomsDep, secret: RoomSecret = None, member: RoomMember = None
) -> None:
    """A route dependency: 403 for a room's run unless the request carries the room's secret (or, for a student's
    run, that student's member token)."""
    room, owner = await registry.owner(run_id)
    if room is not None:
        refusal = rooms.refusal(room, secret, member, owner)
        if refusal is not None:
            raise HTTPException(403, refusal)


@dataclass(frozen=True)
class Owner:
    """Whose new runs these are: a room's (its presenter's, or member's, a student's)."""

    room: Room
    member: str | None


def owning_room(code: str | None, rooms: Rooms, secret: str | None, member_token: str | None = None) -> Owner | None:
    """The owner new runs are asked to have (None: no room). The room's secret makes them the presenter's, a member's
    token that student's; else 403. An unknown room (or one that has ended) is a 422 naming ["body", "room"]."""
    if code is None:
        return None
    try:
        found = rooms.get(code)
        if found.ended:
            raise RoomEnded(f"room {found.code} has ended: its runs are over")
    except (UnknownRoom, RoomEnded) as error:
        raise invalid_field(("body", "room"), str(error)) from None
    if secret is None and member_token is not None:
        member = found.member(member_token)
        if member is None:
            raise HTTPException(403, f"that member token is not one of room {found.code}'s (X-Room-Member)")
        return Owner(found, member)
    rooms.check(found, secret)
    return Owner(found, None)


def room_quota(
    quota: RunQuota, rooms: Rooms, registry: Registry, room: str | None, member: str | None, n: int
) -> RunQuota:
    """The quota n new runs count against: a room's student's own (after the class's total, as the presenter set it:
    else 429), else the request's address's."""
    if room is None or member is None:
        return quota
    found = rooms.get(room)
    live, most = registry.room_live(found.code, students=True), found.limits.max_runs
    if live + n > most:
        raise too_many(
            f"room {found.code}'s students have {live} runs live and may have at most {most} "
            "(set by the presenter when opening the room): stop one, or wait",
            AT_ONCE_RETRY_S,
        )
    return quota.for_member(found.code, member, found.limits.runs_per_member)
