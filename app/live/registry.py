"""Every run the server knows, and the one service the routes ask about runs: it starts them on the worker
pool, routes the workers' events to the runs' channels, applies controls, stops runs that nobody watches, and
answers for any run, live (from memory) or finished (from the store)."""

import asyncio
import contextlib
import json
import math
import secrets
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from fastapi.concurrency import run_in_threadpool

from app import messages
from app.errors import invalid_field, without_paths
from app.live.history import thinned
from app.live.hub import Channel, Watcher
from app.live.pool import NoWorker, WorkerPool
from app.live.protocol import (
    WATCHED,
    Failed,
    Finished,
    Frame,
    Insight,
    Points,
    RunEvent,
    Start,
    StartGroup,
    Status,
)
from app.models import CostPage, RunInfo, RunPage, RunSummary, WorkerHealth
from app.settings import LIVE_RUNS_PER_WORKER, Settings
from app.store import Store
from core.config import RunConfig, run_seconds
from core.data import Dataset, resolve_dataset
from core.gradcheck import Bug, planted_bug
from core.grid import can_stack, stack_groups
from core.insight import CheckTooLarge, gradient_check_report, stored_training
from core.status import RunStatus
from core.sweep import MAX_STACK

FINISHED_KEPT = 100  # finished runs still answerable by id (and watchable), the newest
STORED_TIMEOUT_S = 5.0  # a stop is answered once the run's end is stored, or after this long
UNWATCHED_VIEWS_S = 2.0  # a new run nobody watches by then trains without its frames and insight until someone does
ROOM_FINISHED_KEPT = 2000  # ... and lecture rooms' finished runs: a hall's crowd sweep shows them all
DEFAULT_EPOCH_S = run_seconds(RunConfig(), 300, 2) / RunConfig().epochs  # what a live run's weight counts in


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
    config_json: str | None = None  # the config encoded (app/messages.py config_json); None: encoded when recorded
    member: str | None = None  # in a room: the member (a student) whose run it is; None: the presenter's

    @property
    def weight(self) -> int:
        return run_weight(self.config, self.dataset)


def run_weight(config: RunConfig, dataset: Dataset) -> int:
    """What a live run counts against the server's capacity: the default runs its epoch is worth (core.config's time
    model: steps, examples × parameters, units, inputs), at least 1 and at most one worker's worth (a run trains on
    one worker)."""
    n_x, m = dataset.X_train.shape
    epoch_s = run_seconds(config, m, n_x) / config.epochs
    return max(1, min(LIVE_RUNS_PER_WORKER, math.ceil(epoch_s / DEFAULT_EPOCH_S - 1e-9)))


def pool_kind(config: RunConfig) -> str | None:
    """Runs of one kind can train stacked on a worker (core.livestack.live_key, before the data is seen): the pool
    places them with their kind where the load allows. None: mini-batches, a run that trains alone."""
    if config.mini_batch_size is not None:
        return None
    return json.dumps([config.model_dump(mode="json")["dataset"], config.hidden_layers, config.activation])


class TooManyRuns(RuntimeError):  # noqa: N818 - reads as a sentence: raise TooManyRuns
    pass


class UnknownRun(LookupError):  # noqa: N818
    pass


class RunLive(RuntimeError):  # noqa: N818
    """What was asked for is there once the run has finished (its weights)."""


class NotCheckable(RuntimeError):  # noqa: N818
    """A gradient check that cannot be made now or at all (no weights, its data gone); the message says why."""


def check_stored(config: RunConfig, data_dir: Path, parameters: dict, bug: Bug | None) -> dict:
    """core.insight.gradient_check_report of stored weights, on the run's data (in a thread: up to ~0.5 s)."""
    training = stored_training(config, resolve_dataset(config.dataset, data_dir), parameters)
    return gradient_check_report(training.view(), bug)


def bug_for(config: RunConfig, spec: str | tuple[str, float] | None) -> Bug | None:
    """The bug a check request names, for the run's net; a block the net does not have is a 422 naming it."""
    try:
        return planted_bug(spec, len(config.hidden_layers) + 1)
    except ValueError as error:
        raise invalid_field(("body", "bug", "param"), str(error)) from None


class Registry:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store  # every run is written there: created, status changes, finished
        self.pool = WorkerPool(settings.workers, self.on_event, settings.live_stack_rows)
        self.channels: dict[str, Channel] = {}
        self.live: set[str] = set()
        self.weights: dict[str, int] = {}  # each live run's run_weight
        self.finished: deque[str] = deque()
        self.room_finished: deque[str] = deque()
        self.by_room: dict[str, dict[str, None]] = {}  # a lecture room's runs in memory, in the order they came
        self.grace: dict[str, asyncio.TimerHandle] = {}
        self.lifetimes: dict[str, asyncio.TimerHandle] = {}  # each live run's end, TRAINLAB_MAX_LIVE_S after its start
        self.end_reasons: dict[str, str] = {}  # why the server stopped a run (said in its status and result)
        # batch runs (sweeps') recorded but not yet on a worker, in order: run id → (channel, start, owner)
        self.waiting: dict[str, tuple[Channel, Start, str | None]] = {}
        self.waiting_owners: Counter[str | None] = Counter()
        self.batch_live: set[str] = set()  # batch runs on the workers

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self.pool.start()

    async def close(self) -> None:
        for timer in [*self.grace.values(), *self.lifetimes.values()]:
            timer.cancel()
        await self.pool.close()

    @property
    def load(self) -> int:
        """The live runs' weights: how many default runs' worth are live."""
        return sum(self.weights.values())

    def make_room(self, runs: "int | list[NewRun]") -> None:
        """Raise TooManyRuns unless these runs (or n default runs) may go live (Settings.live_capacity)."""
        wanted = runs if isinstance(runs, int) else sum(run.weight for run in runs)
        capacity = self.settings.live_capacity
        if self.load + wanted > capacity:
            raise TooManyRuns(
                f"{len(self.live)} runs are live ({self.load} default runs' worth) and at most {capacity} may be "
                "at once (TRAINLAB_MAX_LIVE_RUNS; a bigger run counts as more): wait for some to finish, or stop some"
            )

    def create(self, run: NewRun) -> Channel:
        self.make_room([run])
        (channel,) = self.launch([self.record(run)])
        return channel

    def create_group(self, runs: list[NewRun], landscape: bool = False) -> list[Channel]:
        """Runs that core.grid.can_stack (one pace: the same paused and speed), trained together as one group on
        one worker; each is its own run, with its own id, channel and record. `landscape`: a comparison's, which
        sends its loss landscape to each run."""
        if not can_stack([run.config for run in runs]):
            raise ValueError("these runs cannot train stacked (see core.grid.can_stack): create them one by one")
        self.make_room(runs)
        return self.launch([self.record(run) for run in runs], landscape)

    def create_stacked(self, runs: list[NewRun]) -> list[Channel]:
        """Runs started together, at once (a comparison's seed bands): those that can stack train in groups of up to
        MAX_STACK, at least one per worker where there are enough (core.grid.stack_groups), the others alone; their
        channels in order."""
        self.make_room(runs)
        channels: list[Channel | None] = [None] * len(runs)
        recorded = [self.record(run) for run in runs]
        for indices in stack_groups([run.config for run in runs], MAX_STACK, self.settings.workers):
            for i, channel in zip(indices, self.launch([recorded[i] for i in indices]), strict=True):
                channels[i] = channel
        return channels

    def launch(self, recorded: list[tuple[Channel, Start]], landscape: bool = False) -> list[Channel]:
        """Put recorded runs on a worker, as one group if several (they can_stack), and make them live."""
        starts = [start for _, start in recorded]
        weights = [run_weight(start.config, start.dataset) for start in starts]
        if len(starts) == 1:
            self.pool.submit(starts[0], weights[0], pool_kind(starts[0].config))
        else:
            self.pool.submit(StartGroup(starts, landscape), sum(weights))
        for (channel, _), weight in zip(recorded, weights, strict=True):
            self.admit(channel, weight)
        return [channel for channel, _ in recorded]

    # ---------------------------------------------------------------- batch work: a queue

    @property
    def batch_share(self) -> int:
        """Live room queued runs may take (in default runs' worth): half, so that a page's runs always find room
        beside a sweep."""
        return max(1, self.settings.live_capacity // 2)

    def enqueue(self, runs: list[NewRun], owner: str | None) -> list[Channel]:
        """Batch runs (a sweep's), recorded now and queued: they go live in order as live room frees up, at most
        batch_share at once, those that can stack in groups (core.grid.stack_groups). owner: the client asking
        (None: exempt, the token holder), who may have TRAINLAB_CLIENT_MAX_QUEUED_RUNS waiting. TooManyRuns past
        the server's TRAINLAB_MAX_QUEUED_RUNS or the owner's."""
        waiting, most = len(self.waiting), self.settings.max_queued_runs
        if waiting + len(runs) > most:
            raise TooManyRuns(f"{waiting} runs are queued and at most {most} may be (TRAINLAB_MAX_QUEUED_RUNS): "
                              "wait for some to train")  # fmt: skip
        mine, my_most = self.waiting_owners[owner], self.settings.client_max_queued_runs
        if owner is not None and mine + len(runs) > my_most:
            raise TooManyRuns(f"you have {mine} runs queued and may have at most {my_most} "
                              "(TRAINLAB_CLIENT_MAX_QUEUED_RUNS): wait for them to train")  # fmt: skip
        recorded = [self.record(run) for run in runs]
        for channel, start in recorded:
            self.channels[channel.id] = channel
            self.waiting[channel.id] = (channel, start, owner)
        self.waiting_owners[owner] += len(runs)
        self.release()
        return [channel for channel, _ in recorded]

    def release(self) -> None:
        """Queued runs onto the workers, in order, as many as there is free live room for (their weights)."""
        free = min(
            self.settings.live_capacity - self.load,
            self.batch_share - sum(self.weights.get(run_id, 0) for run_id in self.batch_live),
        )
        taken = []
        for run_id, (_, start, _) in self.waiting.items():
            weight = run_weight(start.config, start.dataset)
            if weight > free:
                break
            free -= weight
            taken.append(run_id)
        if not taken:
            return
        batch = [self.unqueue(run_id) for run_id in taken]
        for indices in stack_groups([start.config for _, start, _ in batch], MAX_STACK, self.settings.workers):
            group = [batch[i] for i in indices]
            try:
                self.launch([(channel, start) for channel, start, _ in group])
            except NoWorker:  # every worker is being replaced: back to the queue's head, their owners' still
                self.waiting = {queued[0].id: queued for queued in group} | self.waiting
                self.waiting_owners.update(owner for _, _, owner in group)
                continue
            self.batch_live.update(channel.id for channel, _, _ in group)

    def unqueue(self, run_id: str) -> tuple[Channel, Start, str | None]:
        channel, start, owner = self.waiting.pop(run_id)
        self.waiting_owners[owner] -= 1
        return channel, start, owner

    def cancel_queued(self, channel: Channel) -> None:
        """A queued run stopped (or deleted) before it trained: cancelled, recorded so."""
        self.unqueue(channel.id)
        channel.end(RunStatus.CANCELLED, "stopped while queued, before it trained")
        self.store.finish(channel.id, channel.result, None, [])
        self.retire(channel)

    def record(self, run: NewRun) -> tuple[Channel, Start]:
        """A new run's channel, written to the store, and the Start that puts it on a worker. StoreUnwritable
        while the store cannot write: a run it could not keep is not taken."""
        self.store.check_writable()
        run_id = secrets.token_hex(6)
        config_json = run.config_json or messages.config_json(run.config)
        channel = Channel(run_id, run.config, config_json, run.dataset_json, run.keep, run.room, run.member)
        written = self.store.add_run(run_id, config_json, channel.status, run.keep, run.room, run.member)
        written.add_done_callback(self.on_loop(self.recorded, channel))
        return channel, Start(run_id, run.config, run.dataset, run.paused, run.speed)

    def on_loop(self, then: Callable[..., None], *args: object) -> Callable[[Future], None]:
        """A store future's done callback (it runs on the store's thread) that calls then(*args, future) on the
        event loop, where the runs are."""
        return lambda done: self.loop.call_soon_threadsafe(then, *args, done)

    def recorded(self, channel: Channel, written: "Future[list[str]]") -> None:
        """A new run's record is written: the finished runs the store's retention bound removed for it are gone.
        Not written: the run cannot be kept, so it ends failed, saying so."""
        error = written.exception()
        if error is not None:
            self.lose(channel, f"the server could not store it ({type(error).__name__}: {error})")
            return
        for run_id in written.result():
            self.forget(run_id)

    def status_written(self, channel: Channel, written: "Future[None]") -> None:
        error = written.exception()
        if error is not None:
            self.lose(channel, f"the server could not store its status ({type(error).__name__}: {error})")

    def lose(self, channel: Channel, reason: str) -> None:
        """End a run whose record the store could not write: failed, and said so (nothing is answered done that
        is not stored)."""
        if channel.finished:
            return
        if channel.id in self.waiting:
            self.unqueue(channel.id)
        self.pool.command(channel.id, "stop")
        channel.fail(reason)
        self.retire(channel)

    def admit(self, channel: Channel, weight: int) -> None:
        """A submitted run: live, and answerable by id."""
        self.channels[channel.id] = channel
        self.live.add(channel.id)
        self.weights[channel.id] = weight
        if channel.room is not None:
            self.by_room.setdefault(channel.room, {})[channel.id] = None
        if not channel.keep:  # it has until the grace period's end to get its first watcher
            self.arm_grace(channel)
        loop = asyncio.get_running_loop()
        self.lifetimes[channel.id] = loop.call_later(self.settings.max_live_s, self.expire, channel)
        # a run nobody comes to watch (a REST or sweep user's) soon trains without its views
        loop.call_later(UNWATCHED_VIEWS_S, self.quieten, channel)

    def expire(self, channel: Channel) -> None:
        """A run live for TRAINLAB_MAX_LIVE_S: stop it, cancelled, saying why (a slow or paused run would hold its
        live slot for days)."""
        self.lifetimes.pop(channel.id, None)
        if not channel.finished:
            limit = f"{self.settings.max_live_s:g} s"
            self.end_reasons[channel.id] = f"stopped after {limit}, the longest a run may be live (TRAINLAB_MAX_LIVE_S)"
            self.pool.command(channel.id, "stop")

    def get(self, run_id: str) -> Channel:
        """A run in memory (live, or among the newest finished), to watch or control."""
        try:
            return self.channels[run_id]
        except KeyError:
            raise UnknownRun(f"no run {run_id!r}") from None

    def live_channel(self, run_id: str) -> Channel | None:
        """The run's channel while it is live, else None."""
        channel = self.channels.get(run_id)
        return None if channel is None or channel.finished else channel

    async def owner(self, run_id: str) -> tuple[str | None, str | None]:
        """(the lecture room a run belongs to, the member whose run it is): (None, None) for a run in no room or an
        unknown one. From memory, else from the store: a room's run keeps its protection when it leaves memory."""
        channel = self.channels.get(run_id)
        if channel is not None:
            return channel.room, channel.member
        return await self.store.owner(run_id) or (None, None)

    def room_channels(self, code: str) -> list[Channel]:
        """A lecture room's runs in memory (live, and finished a while), oldest first."""
        return [self.channels[run_id] for run_id in self.by_room.get(code, {})]

    def room_live(self, code: str, member: str | None = None, students: bool = False) -> int:
        """How many of a room's runs are live: all of them, the students' (students), or one member's."""
        channels = [c for c in self.room_channels(code) if not c.finished]
        if member is not None:
            return sum(c.member == member for c in channels)
        return sum(c.member is not None for c in channels) if students else len(channels)

    # ---------------------------------------------------------------- reading runs

    async def find(self, run_id: str) -> RunInfo:
        """A run as the API shows it: from memory while the server holds it, else from the store."""
        channel = self.channels.get(run_id)
        if channel is not None:
            return RunInfo(
                id=channel.id, status=channel.status, config=channel.config, epoch=channel.epoch,
                last=channel.last, result=channel.result,
            )  # fmt: skip
        row = await self.store.run(run_id)
        if row is None:
            raise UnknownRun(f"no run {run_id!r}")
        result = row["result"]
        if result is not None:  # a run stored before results carried their history thinned
            result["costs"] = thinned(result["costs"])
        return RunInfo(
            id=row["id"], status=row["status"], config=row["config"], epoch=result["epochs_run"] if result else 0,
            last=await self.store.last_cost(run_id), result=result,
        )  # fmt: skip

    async def page(self, status: RunStatus | None, limit: int, offset: int) -> RunPage:
        """Newest first; the store has every run, a live one's status is its channel's (the freshest)."""
        total, rows = await self.store.runs(status, limit, offset)
        runs = []
        for row in rows:
            channel = self.channels.get(row["id"])
            result = row["result"] or {}
            runs.append(
                RunSummary(
                    **{k: row[k] for k in ("id", "config", "created", "finished")},
                    status=channel.status if channel else row["status"],
                    final_cost=result.get("final_cost"),
                    train_accuracy=result.get("train_accuracy"),
                    test_accuracy=result.get("test_accuracy"),
                )
            )
        return RunPage(total=total, limit=limit, offset=offset, runs=runs)

    async def costs(self, run_id: str, limit: int, offset: int) -> CostPage:
        """A live run's history is in memory; a finished one's in the store."""
        channel = self.live_channel(run_id)
        if channel is not None:
            history = channel.history
            return CostPage(total=len(history), limit=limit, offset=offset, points=history.page(offset, limit))
        await self.find(run_id)  # UnknownRun for an unknown run
        total, points = await self.store.costs(run_id, limit, offset)
        return CostPage(total=total, limit=limit, offset=offset, points=points)

    async def parameters(self, run_id: str) -> dict[str, list] | None:
        """A finished run's learned weights; None when it ended without them (failed, interrupted). RunLive while
        it is live, UnknownRun for an unknown run."""
        info = await self.find(run_id)
        if info.status.live:
            raise RunLive(f"run {run_id} is {info.status}: its weights are there once it finishes")
        stored = await self.store.parameters(run_id)
        return None if stored is None else json.loads(stored)

    async def check(self, run_id: str, bug: str | tuple[str, float] | None = None) -> dict:
        """A gradient check of the run's weights as they are, with `bug` (core.gradcheck.planted_bug) planted in
        backprop's gradient: a live run's by its worker (the run does not move), a finished one's stored weights
        here. CheckTooLarge for a check over the budget, NotCheckable when it cannot be made (now, or at all),
        UnknownRun for an unknown run."""
        if run_id in self.waiting:
            raise NotCheckable(f"run {run_id} is queued: it has no weights to check yet")
        channel = self.live_channel(run_id)
        if channel is not None:
            checked = await self.pool.check(run_id, bug_for(channel.config, bug))
            if checked is None:
                raise NotCheckable(f"run {run_id} could not be checked now (it may have just ended): try again")
            if checked.answer is None:
                if checked.refused:
                    raise CheckTooLarge(checked.error)
                raise NotCheckable(checked.error or f"run {run_id} is gone")
            return checked.answer
        info = await self.find(run_id)
        planted = bug_for(info.config, bug)
        stored = await self.store.parameters(run_id)
        if stored is None:
            raise NotCheckable(f"run {run_id} ended {info.status} without weights: there is nothing to check")
        try:
            answer = await run_in_threadpool(
                check_stored, info.config, self.settings.data_dir, json.loads(stored), planted
            )
        except CheckTooLarge:
            raise
        except ValueError as error:  # its dataset cannot be had any more (a deleted upload, football's file gone)
            reason = without_paths(str(error), self.settings.data_dir)
            raise NotCheckable(f"run {run_id}'s data cannot be had: {reason}") from None
        return {**answer, "epoch": info.epoch}

    async def preview(self, run_id: str, example: int) -> dict:
        """A live run's next iteration in stages (core.stepper), by its worker: the run does not move. NotCheckable
        for a run that has finished (or just did), a 422 naming `example` for an example not in the batch."""
        if self.live_channel(run_id) is None:
            info = await self.find(run_id)  # UnknownRun for an unknown run
            raise NotCheckable(f"run {run_id} is {info.status}: the stepper shows a live run's next iteration")
        previewed = await self.pool.preview(run_id, example)
        if previewed is None:
            raise NotCheckable(f"run {run_id} could not be previewed now (it may have just ended): try again")
        if previewed.answer is None:
            if previewed.refused:
                raise invalid_field(("body", "example"), previewed.error)
            raise NotCheckable(previewed.error or f"run {run_id} is gone")
        return previewed.answer

    async def delete(self, run_id: str) -> RunStatus | None:
        """Stop a live run (CANCELLED: its record stays) or delete a finished one (None: gone, costs and weights
        with it). UnknownRun for an unknown run."""
        if self.live_channel(run_id) is not None:
            await self.control(run_id, "stop")
            return RunStatus.CANCELLED
        self.forget(run_id)
        if not await self.store.delete_run(run_id):
            raise UnknownRun(f"no run {run_id!r}")
        return None

    def workers(self) -> list[WorkerHealth]:
        return [WorkerHealth(pid=w.pid, alive=w.alive, runs=sorted(w.runs)) for w in self.pool.workers]

    async def control(self, run_id: str, action: str, value: float | None = None) -> RunStatus:
        """Apply a control; the run's status afterwards. A finished run ignores controls."""
        channel = self.get(run_id)
        if channel.finished:
            return channel.status
        if run_id in self.waiting:  # not on a worker yet: stop ends it, the others wait with it
            if action == "stop":
                self.cancel_queued(channel)
            return channel.status
        status = await self.pool.control(run_id, action, value)
        if status is not None and RunStatus(status).finished:  # answered once its end is stored (finished_stored)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(channel.ended.wait(), STORED_TIMEOUT_S)
        return channel.status if status is None or channel.finished else status

    def watch(self, channel: Channel) -> Watcher:
        self.disarm_grace(channel.id)
        if not channel.watchers and channel.quiet and not channel.finished:  # its views were resting: wake them
            channel.quiet = False
            self.pool.command(channel.id, WATCHED, 1)
        return channel.subscribe()

    def unwatch(self, channel: Channel, watcher: Watcher) -> None:
        channel.unsubscribe(watcher)
        if not channel.watchers and not channel.finished:
            self.quieten(channel)
            if not channel.keep:
                self.arm_grace(channel)

    def quieten(self, channel: Channel) -> None:
        """Nobody watches the run: its worker stops making its frames and insight (a sweep's 64 kept runs train on;
        the last picture of each is sent at its end, and a new watcher wakes them at once)."""
        if not channel.watchers and not channel.finished and not channel.quiet:
            channel.quiet = True
            self.pool.command(channel.id, WATCHED, 0)

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

    def on_event(self, event: RunEvent) -> None:
        """A worker's report about one run (called on the event loop)."""
        channel = self.channels.get(event.run_id)
        if channel is None or channel.finished:  # a late report of a run ended here (its record lost, say)
            return
        match event:
            case Points():
                channel.add_points(event.points, event.points_json, event.epoch)
            case Frame():
                channel.set_frame(event.view, event.payload, event.epoch, event.kept)
            case Insight():
                channel.set_insight(event.message_json, event.norms, event.epoch)
            case Status() if event.status.finished:
                pass  # said with the result, once that is stored (finished_stored)
            case Status():
                if event.status != channel.status:
                    written = self.store.set_status(channel.id, event.status)
                    written.add_done_callback(self.on_loop(self.status_written, channel))
                channel.set_status(event.status, event.epoch)
            case Finished():
                result, result_json = event.result, event.result_json
                reason = self.end_reasons.pop(channel.id, None)
                if reason is not None and result["status"] == RunStatus.CANCELLED:
                    result = {**result, "reason": reason}
                    result_json = messages.dumps(result)
                # watchers hear the end once it is stored: nothing is answered done that a restart would lose
                written = self.store.finish(channel.id, result, event.parameters, channel.history.copy())
                written.add_done_callback(
                    lambda done: self.loop.call_soon_threadsafe(
                        self.finished_stored, channel, result, result_json, done
                    )
                )
            case Failed():
                channel.fail(event.reason)
                self.store.finish(channel.id, channel.result, None, channel.history.copy())
                self.retire(channel)

    def finished_stored(self, channel: Channel, result: dict, result_json: str, written: "Future[None]") -> None:
        """A run's end is stored (its result goes to its watchers) or could not be (it ends failed, saying so)."""
        error = written.exception()
        if error is not None:
            self.lose(channel, f"the server could not store its result ({type(error).__name__}: {error})")
            return
        if not channel.finished:
            channel.set_status(RunStatus(result["status"]), result["epochs_run"], result.get("reason"))
            channel.finish(result, result_json)
            self.retire(channel)

    def forget(self, run_id: str) -> None:
        """Drop a finished run from memory (it is being deleted)."""
        channel = self.channels.pop(run_id, None)
        if channel is not None:
            (self.finished if channel.room is None else self.room_finished).remove(run_id)
            self.by_room.get(channel.room, {}).pop(run_id, None)

    def retire(self, channel: Channel) -> None:
        """An ended run leaves the live ones (what it had to store is posted: its end, or nothing)."""
        self.live.discard(channel.id)
        self.batch_live.discard(channel.id)
        self.weights.pop(channel.id, None)
        self.disarm_grace(channel.id)
        lifetime = self.lifetimes.pop(channel.id, None)
        if lifetime is not None:
            lifetime.cancel()
        self.end_reasons.pop(channel.id, None)
        kept, most = (
            (self.finished, FINISHED_KEPT) if channel.room is None else (self.room_finished, ROOM_FINISHED_KEPT)
        )
        kept.append(channel.id)
        while len(kept) > most:
            old = self.channels.pop(kept.popleft(), None)
            if old is not None and old.room is not None:
                runs = self.by_room.get(old.room, {})
                runs.pop(old.id, None)
                if not runs:
                    self.by_room.pop(old.room, None)
        self.release()  # live room is free
