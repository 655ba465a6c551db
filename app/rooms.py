"""Lecture rooms: a presenter's setup and runs, shown live and read-only to everyone with the room's code, and the
class's own runs, polls and crowd sweep.

A room keeps a hash of its secret, never the secret: the presenter's link carries it (in the URL's fragment,
which no server log sees), and a copy of the data dir does not let anyone steer a lecture. The secret is
32 random bytes, so a plain SHA-256 is as good as a slow hash here. Each viewer joins as a member with a token of its
own (kept by its page): a hall behind one NAT address is 200 members, each with its own quota of runs, its own vote.
"""

import hashlib
import ipaddress
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from app import messages
from app.live.hub import Kind, Watcher
from app.polls import Poll, UnknownPoll
from app.settings import Settings
from app.store import Store
from core.config import RunConfig

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: a code read off a projector is typed right
CODE_LENGTH = 6
MAX_ROOMS = 200  # beyond it, the longest idle room that may go makes way (see Rooms.evictable); none: 429
IDLE_S = 24 * 3600.0  # a room nobody has updated for a day (and nobody watches) is gone
RECENT_S = 3600.0  # a presenter seen within the hour (an update, a control, its socket): the room is never evicted
MAX_MEMBERS = 1000  # members one room may have (a big hall, its phones reconnecting)
RUNS_PER_MEMBER, MAX_RUNS_PER_MEMBER = 2, 8  # a student's live runs at once: the default, and what a presenter may set
CLASS_RUNS, MAX_CLASS_RUNS = 250, 1000  # the class's live runs at once: the default, the most a presenter may set
CROWD_SETTINGS = tuple(name for name in RunConfig.model_fields if name != "dataset")  # what a crowd sweep may vary
SCREENS = ("live", "blank", "frozen")  # what viewers' screens show: the room, nothing (a question), the room held still
MAX_SETUPS = 200  # the presenter's setups a room remembers for its export
MAX_POLLS = 50


class UnknownRoom(LookupError):  # noqa: N818 - reads as a sentence: raise UnknownRoom
    pass


class RoomRefused(PermissionError):  # noqa: N818
    pass


class RoomEnded(RuntimeError):  # noqa: N818
    pass


class TooManyRooms(RuntimeError):  # noqa: N818
    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class Limits:
    """The class's runs, as the presenter set them when opening the room."""

    runs_per_member: int = RUNS_PER_MEMBER  # live at once, per student
    max_runs: int = CLASS_RUNS  # live at once, all students together


@dataclass
class Room:
    code: str
    secret_hash: str
    state: str = ""  # the presenter's settings, as the page's URL query string
    runs: list[dict] = field(default_factory=list)  # [{"key", "name", "id"}]: the presenter's current runs
    rev: int = 0
    updated: float = field(default_factory=time.time)  # the presenter's last action
    limits: Limits = field(default_factory=Limits)
    screen: str = "live"
    crowd: str | None = None  # the setting every student varies (the crowd sweep), None: no sweep
    polls: list[Poll] = field(default_factory=list)
    votes_moved: bool = False  # a vote came since the room's last message (the ticker sends the new count)
    ended: bool = False
    members: dict[str, str] = field(default_factory=dict)  # token hash → member id
    watchers: set[Watcher] = field(default_factory=set)
    presenters: set[Watcher] = field(default_factory=set)  # the sockets that showed the secret

    @property
    def poll(self) -> Poll | None:
        """The current poll: the latest."""
        return self.polls[-1] if self.polls else None

    def message(self) -> str:
        fields = {
            "code": self.code, "state": self.state, "runs": self.runs, "rev": self.rev, "screen": self.screen,
            "crowd": self.crowd, "poll": self.poll.public() if self.poll else None, "ended": self.ended,
            "limits": {"runs_per_member": self.limits.runs_per_member, "max_runs": self.limits.max_runs},
        }  # fmt: skip
        return messages.dumps({"type": "room", **fields})

    def opens_with(self, secret: str | None) -> bool:
        return secret is not None and secrets.compare_digest(secret_hash(secret), self.secret_hash)

    def member(self, token: str | None) -> str | None:
        """The member id this token is (None: not a member of this room)."""
        return None if token is None else self.members.get(secret_hash(token))

    def find_poll(self, poll_id: str) -> Poll:
        for poll in self.polls:
            if poll.id == poll_id:
                return poll
        raise UnknownPoll(f"room {self.code} has no poll {poll_id!r}")

    def extra(self) -> dict:
        """What the store keeps besides the state: the room's settings and polls (votes and setups have tables)."""
        return {
            "limits": {"runs_per_member": self.limits.runs_per_member, "max_runs": self.limits.max_runs},
            "screen": self.screen, "crowd": self.crowd, "polls": [poll.stored() for poll in self.polls],
            "ended": self.ended,
        }  # fmt: skip


def room_of(row: dict) -> Room:
    """A room as the store keeps it (app/store.py rooms)."""
    extra = row["extra"]
    polls = [Poll(**poll) for poll in extra.get("polls", [])]
    by_id = {poll.id: poll for poll in polls}
    for poll_id, member, answer in row["votes"]:
        if poll_id in by_id:
            by_id[poll_id].votes[member] = answer
    return Room(
        row["code"], row["secret_hash"], row["state"], row["runs"], row["rev"], row["updated"],
        limits=Limits(**extra.get("limits", {})), screen=extra.get("screen", "live"), crowd=extra.get("crowd"),
        polls=polls, ended=extra.get("ended", False), members=row["members"],
    )  # fmt: skip


class Rooms:
    """Every room, in memory and in the store (so that presenter and viewer links survive a restart).
    live_runs(code): how many of a room's runs are live (the run registry knows; none without one)."""

    def __init__(self, store: Store, limit: int = MAX_ROOMS, idle_s: float = IDLE_S):
        self.store = store
        self.limit = limit
        self.idle_s = idle_s
        self.rooms: dict[str, Room] = {}
        self.live_runs: Callable[[str], int] = lambda code: 0

    async def load(self) -> None:
        for row in await self.store.rooms():
            self.rooms[row["code"]] = room_of(row)
        self.drop_idle()

    def open(self, limits: Limits | None = None) -> tuple[Room, str]:
        """A new room and its secret (the only time the secret is known here)."""
        self.drop_idle()
        if len(self.rooms) >= self.limit:
            candidates = [room for room in self.rooms.values() if self.evictable(room)]
            if not candidates:
                raise TooManyRooms(
                    f"{len(self.rooms)} rooms are open, each watched, with live runs or its presenter here within "
                    f"the hour: try again later",
                    self.retry_after_s(),
                )
            self.drop(min(candidates, key=lambda room: room.updated))
        code = new_code()
        while code in self.rooms:
            code = new_code()
        secret = secrets.token_urlsafe(32)
        room = Room(code, secret_hash(secret), limits=limits or Limits())
        self.rooms[code] = room
        self.save(room)
        return room, secret

    def evictable(self, room: Room) -> bool:
        """A room may make way for a new one unless someone watches it, it has live runs or its presenter is recent."""
        recent = time.time() - room.updated < RECENT_S
        return not room.watchers and not recent and not self.live_runs(room.code)

    def retry_after_s(self) -> float:
        """When a room may next make way: the soonest that only its presenter's recency keeps."""
        now = time.time()
        rooms = [room for room in self.rooms.values() if not room.watchers and not self.live_runs(room.code)]
        return max(60.0, min((room.updated + RECENT_S - now for room in rooms), default=RECENT_S))

    def get(self, code: str) -> Room:
        room = self.rooms.get(code.upper())  # a code typed in lower case is the same room
        if room is None or self.idle(room):
            raise UnknownRoom(f"no room {code!r} (a room closes after a day without its presenter)")
        return room

    def presented(self, code: str, secret: str | None) -> Room:
        """The room, for its presenter: RoomRefused without its secret, RoomEnded once it has ended."""
        room = self.get(code)
        self.check(room, secret)
        if room.ended:
            raise RoomEnded(f"room {room.code} has ended")
        room.updated = time.time()
        return room

    def update(self, code: str, secret: str | None, state: str, runs: list[dict]) -> Room:
        room = self.presented(code, secret)
        if state != room.state and state:
            self.store.add_setup(room.code, state, room.updated, MAX_SETUPS)
        room.state, room.runs = state, runs
        room.rev += 1
        self.changed(room)
        return room

    def changed(self, room: Room) -> None:
        """Save the room and send its whole state to everyone watching it."""
        self.save(room)
        self.send(room)

    def check(self, room: Room, secret: str | None) -> None:
        """Raise RoomRefused unless secret is the room's."""
        if not room.opens_with(secret):
            given = "a wrong" if secret else "no"
            raise RoomRefused(
                f"room {room.code} is its presenter's, and {given} secret was given "
                '(header X-Room-Secret; on a websocket, "secret" in the control)'
            )

    def refusal(
        self, code: str, secret: str | None, member_token: str | None = None, owner: str | None = None
    ) -> str | None:
        """Why a control of a run of room `code` is refused, or None: the room's secret opens any of its runs, a
        student's run (owner: its member id) also opens with that member's token (X-Room-Member)."""
        room = self.rooms.get(code.upper())
        if room is None:
            return f"this run belongs to lecture room {code}, which is gone: nobody may change it"
        if room.opens_with(secret) or (owner is not None and room.member(member_token) == owner):
            return None
        if owner is not None:
            return (
                f"this run is a student's in lecture room {room.code}: only that student (header X-Room-Member) or "
                "the room's presenter (X-Room-Secret) may change it"
            )
        try:
            self.check(room, secret)
        except RoomRefused as error:
            return f"this run belongs to a lecture room: {error}"
        return None

    # ---------------------------------------------------------------- members

    def join(self, code: str) -> tuple[str, str]:
        """A new member of the room: (its id, its token). The token is given once; the room keeps its hash."""
        room = self.get(code)
        if room.ended:
            raise RoomEnded(f"room {room.code} has ended")
        if len(room.members) >= MAX_MEMBERS:
            raise TooManyRooms(f"room {room.code} has {MAX_MEMBERS} members, as many as a room may have", 60)
        token = secrets.token_urlsafe(24)
        member = secrets.token_hex(4)
        while member in room.members.values():
            member = secrets.token_hex(4)
        room.members[secret_hash(token)] = member
        self.store.add_member(room.code, member, secret_hash(token))
        return member, token

    # ---------------------------------------------------------------- what the presenter does to the room

    def set_screen(self, code: str, secret: str | None, screen: str) -> Room:
        room = self.presented(code, secret)
        room.screen = screen
        self.changed(room)
        return room

    def set_crowd(self, code: str, secret: str | None, setting: str | None) -> Room:
        room = self.presented(code, secret)
        room.crowd = setting
        self.changed(room)
        return room

    def ask(self, code: str, secret: str | None, question: str, answers: list[dict], kind: str | None) -> Poll:
        room = self.presented(code, secret)
        poll = Poll.new(question, answers, kind)
        room.polls = [*room.polls, poll][-MAX_POLLS:]
        self.changed(room)
        return poll

    def reveal(self, code: str, secret: str | None, poll_id: str) -> Poll:
        room = self.presented(code, secret)
        poll = room.find_poll(poll_id)
        poll.revealed = True
        self.changed(room)
        return poll

    def vote(self, code: str, token: str | None, poll_id: str, answer: str) -> Poll:
        """A member's one vote (RoomRefused for a token that is no member's)."""
        room = self.get(code)
        member = room.member(token)
        if member is None:
            raise RoomRefused(
                f"only a member of room {room.code} may vote (header X-Room-Member: the token of its join)"
            )
        poll = room.find_poll(poll_id)
        poll.vote(member, answer)
        self.store.add_vote(room.code, poll.id, member, answer)
        room.votes_moved = True  # the count on everyone's screen: sent by the ticker, not once per vote to all
        return poll

    def send(self, room: Room) -> None:
        """The room's whole state to everyone watching it."""
        room.votes_moved = False
        message = room.message()
        for watcher in room.watchers:
            # each room message is whole, so an outbox that is full may lose the older ones (they are
            # queued as droppable progress): a slow viewer skips to the newest state
            watcher.put(Kind.PROGRESS, message)

    def end(self, code: str, secret: str | None) -> Room:
        """The lecture is over: viewers are told and let go (the room's runs are the registry's to stop)."""
        room = self.presented(code, secret)
        room.ended = True
        room.screen, room.crowd = "live", None
        self.changed(room)
        for watcher in room.watchers:
            watcher.put(Kind.CLOSE)
        return room

    # ---------------------------------------------------------------- watchers

    def watch(self, room: Room) -> Watcher:
        watcher = Watcher()
        watcher.put(Kind.KEEP, room.message())
        room.watchers.add(watcher)
        if room.ended:
            watcher.put(Kind.CLOSE)
        return watcher

    def present(self, room: Room, watcher: Watcher, secret: str | None) -> bool:
        """A socket showing the room's secret is the presenter's: it gets the crowd view and the room's presence."""
        if not room.opens_with(secret):
            return False
        room.presenters.add(watcher)
        room.updated = time.time()
        return True

    def unwatch(self, room: Room, watcher: Watcher) -> None:
        room.watchers.discard(watcher)
        room.presenters.discard(watcher)

    def idle(self, room: Room) -> bool:
        return not room.watchers and time.time() - room.updated > self.idle_s and not self.live_runs(room.code)

    def drop_idle(self) -> None:
        for room in [room for room in self.rooms.values() if self.idle(room)]:
            self.drop(room)

    def drop(self, room: Room) -> None:
        del self.rooms[room.code]
        self.store.delete_room(room.code)
        for watcher in room.watchers:
            watcher.put(Kind.CLOSE)

    def save(self, room: Room) -> None:
        self.store.save_room(
            {"code": room.code, "secret_hash": room.secret_hash, "state": room.state, "runs": room.runs,
             "rev": room.rev, "updated": room.updated, "extra": room.extra()}
        )  # fmt: skip


def public_base(connection: HTTPConnection, settings: Settings) -> str:
    """How others reach this server: TRAINLAB_PUBLIC_URL, else what this request was sent to."""
    return (settings.public_url or str(connection.base_url)).rstrip("/")


def viewer_url(connection: HTTPConnection, settings: Settings, code: str) -> str:
    return f"{public_base(connection, settings)}/r/{code}"


def is_loopback(url: str) -> bool:
    """Whether url names this machine only (127.0.0.1, localhost, ::1): a phone in the room cannot reach it."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def retry_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
