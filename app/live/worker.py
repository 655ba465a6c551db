"""A worker process: it hosts many runs and trains them in turn, a few milliseconds each.

Threads would fight over the GIL (two NumPy trainings in two threads train slower than one); one
process per core, each interleaving its runs, keeps every core busy with no oversubscription. The
parent talks to a worker over two one-way pipes (app/live/protocol.py): commands down, lists of events up.

Runs that can share a vectorized pass (core.livestack.live_key: full batch, one network shape, one dataset) train in
LiveStack slices: each round, the ones whose pace lets them train now go in, at most a stack's rows at a time; a run
that is paused, stopped or ended is simply not in the next slice. A comparison's group (GridSlot) keeps its one pace.
"""

import os
import signal
import time
from collections import defaultdict
from collections.abc import Callable
from multiprocessing.connection import Connection

import numpy as np

from app.live.feeds import Batch, Feed, FeedLoad, Planes, cpu_time
from app.live.gridslot import GridSlot
from app.live.protocol import Ack, Answer, Check, Command, Event, Failed, Preview, Ready, Start, StartGroup, describe
from app.live.slot import LoneSlot, Slot
from app.live.trim import Trimmer
from core.insight import CheckTooLarge
from core.livestack import MAX_ROWS, LiveStack, data_fingerprint, live_key, rows_for
from core.stepper import NoSuchExample
from core.train import NetView

SLICE_S = 0.004  # one run trains this long before the next one's turn
STACK_SLICE_S = 0.012  # a LiveStack's turn: its runs' slices together, at most this long, so that a round stays short
ROUND_S = 0.005  # the shortest round, from one start to the next (see Host.timeout)


# ---------------------------------------------------------------- the process


class Host:
    """All of one worker's runs, trained round-robin. stack_rows: the most runs one LiveStack slice trains (1: every
    run by itself, as one run per slot)."""

    def __init__(self, stack_rows: int = MAX_ROWS) -> None:
        self.slots: dict[str, Slot] = {}  # by run id; a grid's members are here too, trained by their group
        self.lone: dict[str, LoneSlot] = {}  # the runs with a training of their own (alone or in LiveStack slices)
        self.groups: list[GridSlot] = []  # runs trained together, stacked, with one pace
        self.keys: dict[str, tuple] = {}  # each lone run that can share a LiveStack: its core.livestack.live_key
        self.stacks: dict[tuple, LiveStack] = {}  # by key: buffers kept while a run with that key is here
        self.stack_rows = stack_rows
        self.planes = Planes()  # the boundary planes the runs share
        self.load = FeedLoad()
        self.out: list[Event] = []
        self.round_started = 0.0
        self.trimmer = Trimmer()  # an ended run's buffers go back to the OS (app/live/trim.py)

    def handle(self, command: Start | StartGroup | Command | Check | Preview) -> None:
        if isinstance(command, Check | Preview):
            self.out.append(self.answer(command))
            return
        if isinstance(command, Start):
            self.start(command)
            return
        if isinstance(command, StartGroup):
            self.start_group(command)
            return
        slot = self.slots.get(command.run_id)
        if slot is not None:
            self.guarded(slot, lambda s: s.apply(command.action, command.value))
            slot = self.slots.get(command.run_id)
        if command.seq is not None:
            self.out.append(Ack(command.seq, slot.status if slot else None))

    def answer(self, command: Check | Preview) -> Answer:
        """A gradient check, or the next iteration in stages; a failure is an error for the asker, not the run's."""
        slot = self.slots.get(command.run_id)
        if slot is None:
            return Answer(command.seq, None)
        try:
            if isinstance(command, Check):
                return Answer(command.seq, slot.check_gradients(command.bug))
            if slot.over:
                return Answer(command.seq, None, f"run {command.run_id} has ended: there is no next iteration")
            return Answer(command.seq, slot.preview(command.example))
        except (CheckTooLarge, NoSuchExample) as error:
            return Answer(command.seq, None, str(error), refused=True)
        except Exception as error:
            return Answer(command.seq, None, describe(error))

    def start(self, command: Start) -> None:
        try:
            slot = LoneSlot(command, self.planes)
            key = live_key(slot.training, data_fingerprint(command.dataset)) if self.stack_rows > 1 else None
        except Exception as error:  # a run that cannot start fails alone
            self.out.append(Failed(command.run_id, describe(error)))
            return
        self.slots[command.run_id] = self.lone[command.run_id] = slot
        if key is not None:
            self.keys[command.run_id] = key

    def start_group(self, command: StartGroup) -> None:
        try:
            group = GridSlot(command, self.planes)
        except Exception as error:  # a group that cannot start fails, each of its runs
            self.out.extend(Failed(start.run_id, describe(error)) for start in command.starts)
            return
        self.groups.append(group)
        self.slots.update((member.run_id, member) for member in group.members)

    def train_round(self) -> None:
        self.round_started = now = time.perf_counter()
        ready: dict[tuple, list[LoneSlot]] = defaultdict(list)  # runs that may share a stack and may train now
        for run_id, slot in list(self.lone.items()):
            key = self.keys.get(run_id)
            if key is None or slot.over:
                self.guarded(slot, lambda s: s.train(SLICE_S))
            elif slot.pace.allowed(now):
                ready[key].append(slot)
            # else: its pace says not yet; it trains in a later round, with its kind (not alone, a moment later)
        for key, slots in ready.items():
            if len(slots) == 1:
                self.guarded(slots[0], lambda s: s.train(SLICE_S))
                continue
            stack = self.stack(key, slots[0])
            for chunk in chunks(slots, stack.capacity):
                self.train_stacked(stack, chunk)
        for group in list(self.groups):
            try:
                group.train(SLICE_S)
            except Exception as error:  # the group's live runs fail together: they share one training
                self.groups.remove(group)
                for member in group.members:
                    if self.slots.pop(member.run_id, None) is not None:
                        self.out.append(Failed(member.run_id, describe(error)))
                group.close()

    def stack(self, key: tuple, first: LoneSlot) -> LiveStack:
        if key not in self.stacks:
            training = first.training
            rows = min(self.stack_rows, rows_for(training.net.layer_sizes, training.m))
            self.stacks[key] = LiveStack(training, rows)
        return self.stacks[key]

    def train_stacked(self, stack: LiveStack, slots: list[LoneSlot]) -> None:
        """One LiveStack slice for these runs; a failure of the shared pass fails them all."""
        now = time.perf_counter()
        limits = [slot.pace.allowed(now) for slot in slots]
        try:
            budget = min(STACK_SLICE_S, SLICE_S * len(slots))
            ran, progress = stack.train([slot.training for slot in slots], limits, budget)
        except Exception as error:
            for slot in slots:
                self.forget(slot.run_id)
                self.out.append(Failed(slot.run_id, describe(error)))
            return
        for slot, epochs, points in zip(slots, ran, progress, strict=True):
            self.guarded(slot, lambda s, points=points, epochs=epochs: s.trained_with_others(points, epochs))

    def report(self) -> list[Event]:
        """Every run's due messages; the feeds that one pass makes for many runs are made together first."""
        now = time.perf_counter()
        for group in self.groups:  # before its members: a last landscape goes before their results
            group.report(now, self.out)
        slots = list(self.slots.values())
        training = sum(not slot.over and not slot.pace.idle and slot.watched for slot in slots)  # feeds that send
        due: dict[str, tuple[list[Feed], NetView | None]] = {}
        batches: dict[Batch, tuple[str, list[NetView]]] = {}
        for slot in slots:
            feeds = slot.due_feeds(now)
            view = slot.view() if feeds else None
            due[slot.run_id] = feeds, view
            for feed in feeds:
                if feed.batch is not None:
                    batches.setdefault(feed.batch, (feed.kind, []))[1].append(view)
        spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        for batch, (kind, views) in batches.items():
            started = cpu_time()
            try:
                batch.prepare(views)
            except Exception:  # each feed then makes its own, and a failure is its run's
                batch.clear()
            spent[kind][0] += cpu_time() - started

        def interval(feed: Feed) -> float:
            return self.load.interval(feed, training)

        for slot in slots:
            feeds, view = due[slot.run_id]
            self.guarded(slot, lambda s, feeds=feeds, view=view: s.report(now, self.out, feeds, view, interval))
            for feed in feeds:
                spent[feed.kind][0] += feed.took
                spent[feed.kind][1] += 1
            if slot.over:
                self.forget(slot.run_id)
        for batch in batches:
            batch.clear()
        for kind, (seconds, messages) in spent.items():
            self.load.spent(kind, seconds, int(messages))
        for group in self.groups:
            if group.over:
                group.close()
        self.groups = [group for group in self.groups if not group.over]
        out, self.out = self.out, []
        return out

    def forget(self, run_id: str) -> None:
        self.trimmer.freed()
        self.slots.pop(run_id, None)
        self.lone.pop(run_id, None)
        key = self.keys.pop(run_id, None)
        if key is not None and key not in self.keys.values():  # the last run of its kind: its buffers go
            self.stacks.pop(key, None)

    def guarded(self, slot: Slot, work: Callable[[Slot], object]) -> None:
        """Run work(slot); an exception fails that run only, and the worker carries on."""
        try:
            work(slot)
        except Exception as error:
            self.forget(slot.run_id)
            self.out.append(Failed(slot.run_id, describe(error)))

    def timeout(self) -> float | None:
        """How long to wait for a command before the next round: None (forever) with nothing to do."""
        if self.out:
            return 0.0
        now = time.perf_counter()
        wake = min((slot.wake_at() for slot in [*self.slots.values(), *self.groups]), default=float("inf"))
        wake = min(wake, self.trimmer.wake_at())
        if wake == float("inf"):
            return None
        # rounds at least ROUND_S apart: runs at a speed then train a few epochs a round, not one each (a round
        # costs its reports and a stack's loading whatever it trains: 10 runs at 1,000 epochs/s took 80 % of a core
        # in rounds of one epoch, ~20 % in rounds of five)
        return max(0.0, wake - now, self.round_started + ROUND_S - now)


def chunks(slots: list[LoneSlot], size: int) -> list[list[LoneSlot]]:
    """At most `size` runs each, near-equal, runs that may train about as long next to each other (a stack's slice
    lasts as long as its longest)."""
    n = -(-len(slots) // size)
    now = time.perf_counter()
    ordered = sorted(slots, key=lambda slot: -slot.pace.allowed(now))
    return [ordered[i * len(slots) // n : (i + 1) * len(slots) // n] for i in range(n)]


WORKER_NICENESS = 5  # the OS's priority: a worker at 5 gets a third of the CPU the server gets when both want it


def serve(commands: Connection, events: Connection, stack_rows: int = MAX_ROWS) -> None:
    """The worker's main loop; returns when the parent says so (None) or goes away."""
    # Ctrl-C, or a SIGTERM sent to the whole process group (systemd does), is for the server, which then stops
    # us by command; if the server is gone for good, the pipe's EOF ends us below
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # when the cores are full (a hall's runs), the server's event loop (every request, every watcher's frames) goes
    # first and training takes what is left: a lecture waits for no answer, a run only trains a little slower
    os.nice(WORKER_NICENESS)
    host = Host(stack_rows)
    with np.errstate(all="ignore"):  # overflow and nan are results here (a diverging run), not errors
        try:
            events.send([Ready(os.getpid())])
            while True:
                if commands.poll(host.timeout()):
                    while True:
                        command = commands.recv()
                        if command is None:
                            return
                        host.handle(command)
                        if not commands.poll(0):
                            break
                host.train_round()
                batch = host.report()
                if batch:
                    events.send(batch)
                host.trimmer.tick(time.perf_counter())  # after the report: the ended runs' last references are gone
        except (EOFError, OSError):
            return  # the parent is gone
