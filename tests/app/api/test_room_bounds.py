"""The rooms' bounds, on a real store: at most `limit` rooms; a new one makes way for the longest idle room that may go,
never for one that is watched, has live runs or whose presenter was here within the hour (else TooManyRooms, with
when to try again); a room idle for too long (and unwatched, without live runs) is gone, from the store too."""

from pathlib import Path

import pytest

from app.rooms import RECENT_S, Rooms, TooManyRooms, UnknownRoom
from app.store import Store
from tests.aio import run_apart


def test_rooms_are_bounded_and_only_rooms_nobody_needs_make_way(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path)
        await store.open()
        rooms = Rooms(store, limit=3, idle_s=2 * RECENT_S)
        live = set()
        rooms.live_runs = lambda code: int(code in live)
        first, _ = rooms.open()
        second, _ = rooms.open()
        third, _ = rooms.open()
        with pytest.raises(TooManyRooms) as refused:
            rooms.open()  # every presenter is here: nobody's room goes
        assert 60 <= refused.value.retry_after_s <= RECENT_S

        for room in (first, second, third):
            room.updated -= RECENT_S + 60  # their presenters left an hour ago
        live.add(first.code)  # ... but first still has a run training
        watched = rooms.watch(second)  # ... and second is watched
        fourth, _ = rooms.open()
        assert set(rooms.rooms) == {first.code, second.code, fourth.code}, "the one room nobody needed made way"
        with pytest.raises(UnknownRoom):
            rooms.get(third.code)
        with pytest.raises(TooManyRooms):
            rooms.open()

        rooms.unwatch(second, watched)
        second.updated -= 2 * RECENT_S
        with pytest.raises(UnknownRoom):
            rooms.get(second.code)
        first.updated -= 2 * RECENT_S
        rooms.drop_idle()
        assert first.code in rooms.rooms, "a room with a live run is not idle, however long its presenter is gone"
        reloaded = Rooms(store)
        await reloaded.load()
        assert set(reloaded.rooms) == {first.code, fourth.code}, "the store forgot the dropped rooms"
        await store.close()

    run_apart(scenario())
