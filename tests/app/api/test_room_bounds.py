"""The rooms' bounds, on a real store: at most `limit` rooms (the longest idle unwatched one makes way, else
TooManyRooms), and a room idle for too long (and unwatched) is gone, from the store too."""

import asyncio
from pathlib import Path

import pytest

from app.rooms import Rooms, TooManyRooms, UnknownRoom
from app.store import Store


def test_rooms_are_bounded_and_idle_ones_go(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path)
        await store.open()
        rooms = Rooms(store, limit=2, idle_s=60)
        first, _ = rooms.open()
        second, _ = rooms.open()
        first.updated -= 30  # idle for a while, but less than idle_s
        watched = rooms.watch(second)
        third, _ = rooms.open()
        assert set(rooms.rooms) == {second.code, third.code}, "the longest idle unwatched room made way"
        with pytest.raises(UnknownRoom):
            rooms.get(first.code)
        rooms.watch(third)
        with pytest.raises(TooManyRooms):
            rooms.open()

        rooms.unwatch(second, watched)
        second.updated -= 61
        with pytest.raises(UnknownRoom):
            rooms.get(second.code)
        rooms.drop_idle()
        reloaded = Rooms(store)
        await reloaded.load()
        assert set(reloaded.rooms) == {third.code}, "the store forgot the dropped rooms"
        await store.close()

    asyncio.run(scenario())
