"""What a lecture room's presenter sees of the room: who is there (presence), and the crowd sweep: every student's run
as a point, the setting the presenter named against the run's current cost, coloured by its status.

A ticker sends both to the room's sockets twice a second, each only when it changed: presence to everyone watching,
the crowd to the presenter's sockets (a whole hall's runs, ~80 bytes each: the viewers do not need it).
"""

import asyncio
import time

from app import messages
from app.background import Background
from app.live.hub import Channel, Kind
from app.live.registry import Registry
from app.rooms import Room, Rooms

TICK_S = 0.5


def crowd_run(channel: Channel, setting: str | None) -> dict:
    """A student's run as the crowd view plots it: its setting's value, where it stands (its result's numbers once it
    has one), its status."""
    result, last = channel.result or {}, channel.last or [None, None, None, None]
    numbers = {
        "cost": result.get("final_cost", last[1]),
        "train_accuracy": result.get("train_accuracy", last[2]),
        "test_accuracy": result.get("test_accuracy", last[3]),
    }
    value = getattr(channel.config, setting) if setting else None  # a config field, dataset excepted: JSON as it is
    return {"id": channel.id, "member": channel.member, "value": value, "status": channel.status,
            "epoch": channel.epoch, **numbers}  # fmt: skip


def crowd(room: Room, registry: Registry) -> dict:
    runs = [crowd_run(c, room.crowd) for c in registry.room_channels(room.code) if c.member is not None]
    return {"setting": room.crowd, "t": round(time.time(), 3), "runs": runs}


def presence(room: Room, registry: Registry) -> dict:
    return {
        "viewers": len(room.watchers - room.presenters),
        "presenters": len(room.presenters),
        "members": len(room.members),
        "student_runs": registry.room_live(room.code, students=True),
    }


class RoomTicker(Background):
    def __init__(self, rooms: Rooms, registry: Registry):
        self.rooms, self.registry = rooms, registry
        self.sent: dict[str, tuple] = {}  # per room: what its last presence and crowd messages said

    async def run(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self.tick()

    def tick(self) -> None:
        for room in list(self.rooms.rooms.values()):
            if not room.watchers:
                self.sent.pop(room.code, None)
                continue
            if room.votes_moved:
                self.rooms.send(room)
            was_presence, was_crowd = self.sent.get(room.code, (None, None))
            now = presence(room, self.registry)
            if now != was_presence:
                message = messages.dumps({"type": "presence", **now})
                for watcher in room.watchers:
                    watcher.put(Kind.PROGRESS, message)
            shown = was_crowd
            if room.presenters and room.crowd is not None:
                view = crowd(room, self.registry)
                shown = (view["setting"], [(r["id"], r["epoch"], r["status"]) for r in view["runs"]])
                if shown != was_crowd:
                    message = messages.dumps({"type": "crowd", **view})
                    for watcher in room.presenters:
                        watcher.put(Kind.PROGRESS, message)
            self.sent[room.code] = (now, shown)
        for code in [code for code in self.sent if code not in self.rooms.rooms]:
            del self.sent[code]
