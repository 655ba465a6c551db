"""Lecture rooms: open one, read and update its state, and its viewer link as a QR code (docs/protocol.md)."""

import io

import segno
from fastapi import APIRouter, Depends, Request, Response

from app.deps import RoomsDep, SettingsDep, StoreDep
from app.errors import answers, file_answer
from app.guards.auth import require_token
from app.guards.limits import room_allowed
from app.guards.room_auth import RoomSecret
from app.models import RoomCreated, RoomInfo, RoomUpdate
from app.rooms import Room, is_loopback, viewer_url
from app.store import StoreUnwritable

router = APIRouter(prefix="/api/rooms", tags=["rooms"])
QR_CACHE = "public, max-age=3600"  # a room's viewer link never changes


def room_info(room: Room) -> RoomInfo:
    return RoomInfo(code=room.code, state=room.state, runs=room.runs, rev=room.rev)


@router.post(
    "",
    status_code=201,
    dependencies=[Depends(require_token), Depends(room_allowed)],
    responses=answers(401, (429, "too many rooms: on this server, or opened by this client this minute"), 507),
)
async def open_room(request: Request, rooms: RoomsDep, settings: SettingsDep, store: StoreDep) -> RoomCreated:
    store.check_writable()
    since = store.failed_writes
    room, secret = rooms.open()
    try:
        await store.confirmed(since)  # answered only once it is stored: its links must outlive a restart
    except StoreUnwritable:
        rooms.drop(room)
        raise
    viewer = viewer_url(request, settings, room.code)
    return RoomCreated(
        code=room.code,
        secret=secret,
        presenter_url=f"{viewer}#secret={secret}",  # a fragment: never sent to a server, never in a log
        viewer_url=viewer,
        loopback=is_loopback(viewer),
    )


@router.get("/{code}", responses=answers((404, "no such room")))
async def get_room(code: str, rooms: RoomsDep) -> RoomInfo:
    return room_info(rooms.get(code))


@router.put(
    "/{code}",
    dependencies=[Depends(require_token)],
    responses=answers(
        400, 401, (403, "the room's secret is missing or wrong (X-Room-Secret)"), (404, "no such room"), 507
    ),
)
async def update_room(
    code: str, update: RoomUpdate, rooms: RoomsDep, store: StoreDep, secret: RoomSecret = None
) -> RoomInfo:
    runs = [run.model_dump() for run in update.runs]
    since = store.failed_writes
    room = rooms.update(code, secret, update.state, runs)
    await store.confirmed(since)  # its viewers have it; a 507 says a restart would not
    return room_info(room)


@router.get(
    "/{code}/qr.svg",
    response_class=Response,
    responses={**file_answer("image/svg+xml"), **answers((404, "no such room"))},
)
async def room_qr(code: str, request: Request, rooms: RoomsDep, settings: SettingsDep) -> Response:
    room = rooms.get(code)
    url = viewer_url(request, settings, room.code)
    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", scale=8, border=2, title=f"QR code: {url}")
    return Response(svg.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": QR_CACHE})
