"""Lecture rooms: open one, read and update its state, join it, what its presenter does to it (screens, polls, the crowd
sweep, the end), its export, and its viewer link as a QR code (docs/protocol.md)."""

import csv
import io
from typing import Annotated

import segno
from fastapi import APIRouter, Body, Depends, Request, Response

from app.crowd import crowd
from app.deps import RegistryDep, RoomsDep, SettingsDep, StoreDep
from app.errors import answers, file_answer, invalid_field
from app.guards.auth import require_token
from app.guards.limits import room_allowed
from app.guards.room_auth import RoomMember, RoomSecret
from app.messages import dumps
from app.models import (
    CrowdInfo,
    CrowdRequest,
    PollInfo,
    PollRequest,
    RoomCreated,
    RoomInfo,
    RoomJoined,
    RoomOpen,
    RoomUpdate,
    ScreenRequest,
    VoteRequest,
)
from app.rooms import Limits, Room, is_loopback, viewer_url
from app.store import StoreUnwritable
from app.sweeps import csv_cell

router = APIRouter(prefix="/api/rooms", tags=["rooms"])
QR_CACHE = "public, max-age=3600"  # a room's viewer link never changes
PRESENTER = answers(401, (403, "the room's secret is missing or wrong (X-Room-Secret)"), (404, "no such room"),
                    (409, "the room has ended"))  # fmt: skip
CHANGE = {**PRESENTER, **answers(400, 507)}  # the presenter's, with a body
RUN_FIELDS = ("id", "member", "status", "created", "finished", "epochs_run", "final_cost", "train_accuracy",
              "test_accuracy")  # fmt: skip


def room_info(room: Room) -> RoomInfo:
    return RoomInfo.model_validate_json(room.message())


@router.post(
    "",
    status_code=201,
    dependencies=[Depends(require_token), Depends(room_allowed)],
    responses=answers(400, 401, (429, "too many rooms: on this server, or opened by this client this minute"), 507),
)
async def open_room(
    request: Request,
    rooms: RoomsDep,
    settings: SettingsDep,
    store: StoreDep,
    body: Annotated[RoomOpen | None, Body()] = None,
) -> RoomCreated:
    """Open a room; the body (optional) sets the class's limits: each student's live runs, and all of theirs."""
    limits = (body or RoomOpen()).limits
    store.check_writable()
    since = store.failed_writes
    room, secret = rooms.open(Limits(limits.runs_per_member, limits.max_runs))
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


@router.put("/{code}", dependencies=[Depends(require_token)], responses=CHANGE)
async def update_room(
    code: str, update: RoomUpdate, rooms: RoomsDep, store: StoreDep, secret: RoomSecret = None
) -> RoomInfo:
    runs = [run.model_dump() for run in update.runs]
    since = store.failed_writes
    room = rooms.update(code, secret, update.state, runs)
    await store.confirmed(since)  # its viewers have it; a 507 says a restart would not
    return room_info(room)


@router.delete("/{code}", dependencies=[Depends(require_token)], responses=PRESENTER)
async def end_room(code: str, rooms: RoomsDep, registry: RegistryDep, secret: RoomSecret = None) -> RoomInfo:
    """End the lecture: every live run of the room stops (the students' too), viewers are told and let go. The
    room's record stays for its export."""
    room = rooms.end(code, secret)
    for channel in registry.room_channels(room.code):
        if not channel.finished:
            registry.pool.command(channel.id, "stop")
    return room_info(room)


JOIN = answers((404, "no such room"), (409, "the room has ended"), (429, "the room has as many members as it may"))
VOTE = answers(
    400,
    (403, "not a member of the room (X-Room-Member)"),
    (404, "no such room or poll"),
    (409, "this member has voted already, or the poll is closed"),
)


@router.post("/{code}/members", status_code=201, responses=JOIN)
async def join_room(code: str, rooms: RoomsDep) -> RoomJoined:
    """Join as a member (a viewer's page does, once): the token counts this member's runs and votes, whatever
    address it comes from; keep it (X-Room-Member)."""
    member, token = rooms.join(code)
    return RoomJoined(member=member, token=token)


@router.put("/{code}/screen", dependencies=[Depends(require_token)], responses=CHANGE)
async def set_screen(code: str, request: ScreenRequest, rooms: RoomsDep, secret: RoomSecret = None) -> RoomInfo:
    """Blank or freeze every viewer's screen (for a question), or bring them back live."""
    return room_info(rooms.set_screen(code, secret, request.screen))


@router.put("/{code}/crowd", dependencies=[Depends(require_token)], responses=CHANGE)
async def set_crowd(code: str, request: CrowdRequest, rooms: RoomsDep, secret: RoomSecret = None) -> RoomInfo:
    """Name the setting every student forks and changes (the crowd sweep), or none."""
    return room_info(rooms.set_crowd(code, secret, request.setting))


@router.get("/{code}/crowd", responses=PRESENTER)
async def get_crowd(code: str, rooms: RoomsDep, registry: RegistryDep, secret: RoomSecret = None) -> CrowdInfo:
    """The crowd sweep as the presenter's socket gets it: every student's run with the setting's value."""
    return CrowdInfo(**crowd(rooms.presented(code, secret), registry))


@router.post("/{code}/polls", status_code=201, dependencies=[Depends(require_token)], responses=CHANGE)
async def ask(code: str, request: PollRequest, rooms: RoomsDep, secret: RoomSecret = None) -> PollInfo:
    """Ask the room a question whose answers are a comparison's runs: it becomes the room's current poll."""
    answers_ = [answer.model_dump() for answer in request.answers]
    if len({answer["key"] for answer in answers_}) < len(answers_):
        raise invalid_field(("body", "answers"), "each answer needs a key of its own")
    return PollInfo(**rooms.ask(code, secret, request.question, answers_, request.kind).public())


@router.post("/{code}/polls/{poll_id}/votes", status_code=201, responses=VOTE)
async def vote(code: str, poll_id: str, request: VoteRequest, rooms: RoomsDep, member: RoomMember = None) -> PollInfo:
    """A member's one vote; the answer names one of the poll's answers by its key. The counts stay hidden."""
    try:
        poll = rooms.vote(code, member, poll_id, request.answer)
    except ValueError as error:
        raise invalid_field(("body", "answer"), str(error)) from None
    return PollInfo(**poll.public())


@router.post("/{code}/polls/{poll_id}/reveal", dependencies=[Depends(require_token)], responses=PRESENTER)
async def reveal(code: str, poll_id: str, rooms: RoomsDep, secret: RoomSecret = None) -> PollInfo:
    """Show everyone the counts (and close the vote)."""
    return PollInfo(**rooms.reveal(code, secret, poll_id).public())


async def session(code: str, rooms: RoomsDep, store: StoreDep, secret: str | None) -> dict:
    """The room's lecture as data: its setups, every run of the room (the presenter's and the students') with its
    config and result, and the polls with every vote."""
    room = rooms.get(code)
    rooms.check(room, secret)
    runs = []
    for row in await store.room_runs(room.code):
        result = row["result"] or {}
        runs.append({
            **{k: row[k] for k in ("id", "member", "status", "created", "finished", "config")},
            "role": "presenter" if row["member"] is None else "student",
            **{k: result.get(k) for k in ("epochs_run", "final_cost", "train_accuracy", "test_accuracy")},
        })  # fmt: skip
    polls = [{**poll.public(), "counts": poll.counts(), "votes": poll.ballots()} for poll in room.polls]
    limits = {"runs_per_member": room.limits.runs_per_member, "max_runs": room.limits.max_runs}
    return {"code": room.code, "ended": room.ended, "limits": limits, "members": len(room.members),
            "setups": await store.room_setups(room.code), "runs": runs, "polls": polls}  # fmt: skip


def attachment(body: str, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


EXPORT = {
    **file_answer("application/json"),
    **answers((403, "the room's secret is missing or wrong"), (404, "no such room")),
}


@router.get("/{code}/export.json", response_class=Response, responses=EXPORT)
async def export_json(code: str, rooms: RoomsDep, store: StoreDep, secret: RoomSecret = None) -> Response:
    """The session (see `session`), as one JSON file: for the presenter (X-Room-Secret)."""
    data = await session(code, rooms, store, secret)
    return attachment(dumps(data), "application/json", f"trainlab-room-{data['code']}.json")


@router.get("/{code}/export.csv", response_class=Response, responses={**EXPORT, **file_answer("text/csv")})
async def export_csv(code: str, rooms: RoomsDep, store: StoreDep, secret: RoomSecret = None) -> Response:
    """One row per run: who, how it ended, then its config's fields; then one row per vote (kind "vote")."""
    data = await session(code, rooms, store, secret)
    config_fields = sorted({field for run in data["runs"] for field in run["config"]})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", *RUN_FIELDS, "role", *config_fields, "poll", "question", "answer"])
    for run in data["runs"]:
        config = [run["config"].get(field) for field in config_fields]
        cells = ["run", *(run[k] for k in RUN_FIELDS), run["role"], *(c if not isinstance(c, dict | list) else
                 str(c) for c in config), "", "", ""]  # fmt: skip
        writer.writerow([csv_cell(cell) for cell in cells])
    for poll in data["polls"]:
        for vote_ in poll["votes"]:
            blank = [""] * (len(RUN_FIELDS) + 1 + len(config_fields))
            blank[1] = vote_["member"]
            writer.writerow([csv_cell(c) for c in ["vote", *blank, poll["id"], poll["question"], vote_["answer"]]])
    return attachment(out.getvalue(), "text/csv", f"trainlab-room-{data['code']}.csv")


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
