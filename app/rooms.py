"""Lecture rooms: a presenter's setup and runs, shown live and read-only to everyone with the room's code.

A room keeps a hash of its secret, never the secret: the presenter's link carries it (in the URL's fragment,
which no server log sees), and a copy of the data dir does not let anyone steer a lecture. The secret is
32 random bytes, so a plain SHA-256 is as good as a slow hash here.
"""

import hashlib
import ipaddress
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from app import messages
from app.live.hub import Kind, Watcher
from app.settings import Settings
from app.store import Store

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: a code read off a projector is typed right
CODE_LENGTH = 6
MAX_ROOMS = 200  # beyond it, the longest idle unwatched room makes way; if every room is watched: 429
IDLE_S = 24 * 3600.0  # a room nobody has updated for a day (and nobody watches) is gone


class UnknownRoom(LookupError):  # noqa: N818 - reads as a sentence: raise UnknownRoom
    pass


class RoomRefused(PermissionError):  # noqa: N818
    pass


class TooManyRooms(RuntimeError):  # noqa: N818
    pass


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class Room:
    code: str
    secret_hash: str
    state: str = ""  # the presenter's settings, as the page's URL query string
    runs: list[dict] = field(default_factory=list)  # [{"key", "name", "id"}]: the presenter's current runs
    rev: int = 0
    updated: float = field(default_factory=time.time)
    watchers: set[Watcher] = field(default_factory=set)

    def message(self) -> str:
        fields = {"code": self.code, "state": self.state, "runs": self.runs, "rev": self.rev}
        return messages.dumps({"type": "room", **fields})

    def opens_with(self, secret: str | None) -> bool:
        return secret is not None and secrets.compare_digest(secret_hash(secret), self.secret_hash)


class Rooms:
    """Every room, in memory and in the store (so that presenter and viewer links survive a restart)."""

    def __init__(self, store: Store, limit: int = MAX_ROOMS, idle_s: float = IDLE_S):
        self.store = store
        self.limit = limit
        self.idle_s = idle_s
        self.rooms: dict[str, Room] = {}

    async def load(self) -> None:
        for row in await self.store.rooms():
            self.rooms[row["code"]] = Room(**row)
        self.drop_idle()

    def open(self) -> tuple[Room, str]:
        """A new room and its secret (the only time the secret is known here)."""
        self.drop_idle()
        if len(self.rooms) >= self.limit:
            unwatched = [room for room in self.rooms.values() if not room.watchers]
            if not unwatched:
                raise TooManyRooms(f"{len(self.rooms)} rooms are open and watched: try again after a lecture ends")
            self.drop(min(unwatched, key=lambda room: room.updated))
        code = new_code()
        while code in self.rooms:
            code = new_code()
        secret = secrets.token_urlsafe(32)
        room = Room(code, secret_hash(secret))
        self.rooms[code] = room
        self.save(room)
        return room, secret

    def get(self, code: str) -> Room:
        room = self.rooms.get(code.upper())  # a code typed in lower case is the same room
        if room is None or self.idle(room):
            raise UnknownRoom(f"no room {code!r} (a room closes after a day without its presenter)")
        return room

    def update(self, code: str, secret: str | None, state: str, runs: list[dict]) -> Room:
        room = self.get(code)
        self.check(room, secret)
        room.state, room.runs = state, runs
        room.rev += 1
        room.updated = time.time()
        self.save(room)
        message = room.message()
        for watcher in room.watchers:
            # each room message is whole, so an outbox that is full may lose the older ones (they are
            # queued as droppable progress): a slow viewer skips to the newest state
            watcher.put(Kind.PROGRESS, message)
        return room

    def check(self, room: Room, secret: str | None) -> None:
        """Raise RoomRefused unless secret is the room's."""
        if not room.opens_with(secret):
            given = "a wrong" if secret else "no"
            raise RoomRefused(
                f"room {room.code} is its presenter's, and {given} secret was given "
                '(header X-Room-Secret; on a websocket, "secret" in the control)'
            )

    def refusal(self, code: str, secret: str | None) -> str | None:
        """Why a control of a run owned by room `code` is refused, or None when secret opens the room."""
        try:
            self.check(self.get(code), secret)
        except (UnknownRoom, RoomRefused) as error:
            return f"this run belongs to a lecture room: {error}"
        return None

    def watch(self, room: Room) -> Watcher:
        watcher = Watcher()
        watcher.put(Kind.KEEP, room.message())
        room.watchers.add(watcher)
        return watcher

    def unwatch(self, room: Room, watcher: Watcher) -> None:
        room.watchers.discard(watcher)

    def idle(self, room: Room) -> bool:
        return not room.watchers and time.time() - room.updated > self.idle_s

    def drop_idle(self) -> None:
        for room in [room for room in self.rooms.values() if self.idle(room)]:
            self.drop(room)

    def drop(self, room: Room) -> None:
        del self.rooms[room.code]
        self.store.delete_room(room.code)
        for watcher in room.watchers:
            watcher.put(Kind.CLOSE)

    def save(self, room: Room) -> None:
        self.store.save_room(room.code, room.secret_hash, room.state, room.runs, room.rev, room.updated)


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
