"""Every run the server knows: it starts them on the worker pool, routes the workers' events to the
runs' channels, applies controls, and stops runs that nobody watches."""

import asyncio
import secrets
from collections import deque
from dataclasses import dataclass

from app.hub import Channel, Watcher
from app.jobs import WorkerPool
from app.settings import Settings
from app.store import Store
from app.worker import Event, Failed, Finished, Frame, Insight, Points, Start, StartGroup, Status
from core.config import RunConfig
from core.data import Dataset
from core.grid import can_stack

FINISHED_KEPT = 100  # finished runs still answerable by id (and watchable), the newest


@dataclass(frozen=True)
class NewRun:
    """A run to start: its validated config, its data, and how it should go."""

    config: RunConfig
    dataset: Dataset
    dataset_json: str  # the points as the snapshot carries them, encoded once
    keep: bool
    speed: float | None
    paused: bool
    room: str | None = None  # the lecture room the run belongs to


class TooManyRuns(RuntimeError):  # noqa: N818 - reads as a sentence: raise TooManyRuns
    pass


class UnknownRun(LookupError):  # noqa: N818
    pass


class Registry:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store  # every run is written there: created, status changes, finished
        self.pool = WorkerPool(settings.workers, self.on_event)
        self.channels: dict[str, Channel] = {}
        self.live: set[str] = set()
        self.finished: deque[str] = deque()
        self.grace: dict[str, asyncio.TimerHandle] = {}

    async def start(self) -> None:
        await self.pool.start()

    async def close(self) -> None:
        for timer in self.grace.values():
            timer.cancel()
        await self.pool.close()

    def make_room(self, n: int) -> None:
        """Raise TooManyRuns unless n more runs may go live."""
        if len(self.live) + n > self.settings.max_live_runs:
            raise TooManyRuns(
                f"{len(self.live)} runs are live and at most {self.settings.max_live_runs} may be at once: "
                "wait for some to finish, or stop some"
            )

    def create(self, run: NewRun) -> Channel:
        self.make_room(1)
        channel, start = self.record(run)
        self.pool.submit(start)
        self.admit(channel)
        return channel

    def create_group(self, runs: list[NewRun]) -> list[Channel]:
        """Runs that core.grid.can_stack (one pace: the same paused and speed), trained together as one group on
        one worker; each is its own run, with its own id, channel and record."""
        if not can_stack([run.config for run in runs]):
            raise ValueError("these runs cannot train stacked (see core.grid.can_stack): create them one by one")
        self.make_room(len(runs))
        recorded = [self.record(run) for run in runs]
        self.pool.submit(StartGroup([start for _, start in recorded]))
        for channel, _ in recorded:
            self.admit(channel)
        return [channel for channel, _ in recorded]

    def record(self, run: NewRun) -> tuple[Channel, Start]:
        """A new run's channel, written to the store, and the Start that puts it on a worker."""
        run_id = secrets.token_hex(6)
        channel = Channel(run_id, run.config, run.dataset_json, run.keep, run.room)
        self.store.post("_add_run", run_id, channel.config_json, channel.status)
        return channel, Start(run_id, run.config, run.dataset, run.paused, run.speed)

    def admit(self, channel: Channel) -> None:
        """A submitted run: live, and answerable by id."""
        self.channels[channel.id] = channel
        self.live.add(channel.id)
        if not channel.keep:  # it has until the grace period's end to get its first watcher
            self.arm_grace(channel)

    def get(self, run_id: str) -> Channel:
        try:
            return self.channels[run_id]
        except KeyError:
            raise UnknownRun(f"no run {run_id!r}") from None

    async def control(self, run_id: str, action: str, value: float | None = None) -> str:
        """Apply a control; the run's status afterwards. A finished run ignores controls."""
        channel = self.get(run_id)
        if channel.finished:
            return channel.status
        status = await self.pool.control(run_id, action, value)
        return channel.status if status is None or channel.finished else status

    def watch(self, channel: Channel) -> Watcher:
        self.disarm_grace(channel.id)
        return channel.subscribe()

    def unwatch(self, channel: Channel, watcher: Watcher) -> None:
        channel.unsubscribe(watcher)
        if not channel.watchers and not channel.keep and not channel.finished:
            self.arm_grace(channel)

    def arm_grace(self, channel: Channel) -> None:
        self.disarm_grace(channel.id)
        loop = asyncio.get_running_loop()
        self.grace[channel.id] = loop.call_later(self.settings.unwatched_grace_s, self.stop_unwatched, channel)

    def disarm_grace(self, run_id: str) -> None:
        timer = self.grace.pop(run_id, None)
        if timer is not None:
            timer.cancel()

    def stop_unwatched(self, channel: Channel) -> None:
        self.grace.pop(channel.id, None)
        if not channel.watchers and not channel.finished:
            self.pool.command(channel.id, "stop")

    def on_event(self, event: Event) -> None:
        """A worker's report about one run (called on the event loop)."""
        channel = self.channels.get(event.run_id)
        if channel is None:
            return
        match event:
            case Points():
                channel.add_points(event.points, event.points_json, event.epoch)
            case Frame():
                channel.set_frame(event.frame, event.epoch)
            case Insight():
                channel.set_insight(event.message_json, event.norms, event.epoch)
            case Status():
                if not channel.finished and event.status != channel.status:
                    self.store.post("_set_status", channel.id, event.status)
                channel.set_status(event.status, event.epoch)
            case Finished():
                costs = channel.costs  # finish() compacts the history: keep it for the store first
                channel.finish(event.result, event.result_json)
                self.retire(channel, costs, event.parameters)
            case Failed():
                costs = channel.costs
                channel.fail(event.reason)
                self.retire(channel, costs, None)

    def forget(self, run_id: str) -> None:
        """Drop a finished run from memory (it is being deleted)."""
        if self.channels.pop(run_id, None) is not None:
            self.finished.remove(run_id)

    def retire(self, channel: Channel, costs: list[list], parameters: dict | None) -> None:
        if channel.id in self.live:
            self.store.post("_finish", channel.id, channel.result, parameters, costs)
        self.live.discard(channel.id)
        self.disarm_grace(channel.id)
        self.finished.append(channel.id)
        while len(self.finished) > FINISHED_KEPT:
            self.channels.pop(self.finished.popleft(), None)
