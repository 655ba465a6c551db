"""A worker process: it hosts many runs and trains them in turn, a few milliseconds each.

Threads would fight over the GIL (two NumPy trainings in two threads train slower than one); one
process per core, each interleaving its runs, keeps every core busy with no oversubscription. The
parent talks to a worker over two one-way pipes (app/live/protocol.py): commands down, lists of events up.
"""

import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

import numpy as np

from app.live.gridslot import GridSlot
from app.live.protocol import Ack, Answer, Check, Command, Event, Failed, Preview, Ready, Start, StartGroup
from app.live.slot import LoneSlot, Slot
from core.insight import CheckTooLarge
from core.stepper import NoSuchExample

SLICE_S = 0.004  # one run trains this long before the next one's turn


# ---------------------------------------------------------------- the process


class Host:
    """All of one worker's runs, trained round-robin."""

    def __init__(self) -> None:
        self.slots: dict[str, Slot] = {}  # by run id; a grid's members are here too, trained by their group
        self.lone: dict[str, LoneSlot] = {}  # the runs trained by themselves
        self.groups: list[GridSlot] = []  # runs trained together, stacked
        self.out: list[Event] = []

    def handle(self, command: Start | StartGroup | Command | Check | Preview) -> None:
        if isinstance(command, Check | Preview):
            self.out.append(self.answer(command))
            return
        if isinstance(command, Start):
            try:
                self.slots[command.run_id] = self.lone[command.run_id] = LoneSlot(command)
            except Exception as error:  # a run that cannot start fails alone
                self.out.append(Failed(command.run_id, describe(error)))
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

    def start_group(self, command: StartGroup) -> None:
        try:
            group = GridSlot(command)
        except Exception as error:  # a group that cannot start fails, each of its runs
            self.out.extend(Failed(start.run_id, describe(error)) for start in command.starts)
            return
        self.groups.append(group)
        self.slots.update((member.run_id, member) for member in group.members)

    def train_round(self) -> None:
        for slot in list(self.lone.values()):
            self.guarded(slot, lambda s: s.train(SLICE_S))
        for group in list(self.groups):
            try:
                group.train(SLICE_S)
            except Exception as error:  # the group's live runs fail together: they share one training
                self.groups.remove(group)
                for member in group.members:
                    if self.slots.pop(member.run_id, None) is not None:
                        self.out.append(Failed(member.run_id, describe(error)))

    def report(self) -> list[Event]:
        now = time.perf_counter()
        for group in self.groups:  # before its members: a last landscape goes before their results
            group.report(now, self.out)
        for slot in list(self.slots.values()):
            self.guarded(slot, lambda s: s.report(now, self.out))
            if slot.over:
                self.forget(slot.run_id)
        self.groups = [group for group in self.groups if not group.over]
        out, self.out = self.out, []
        return out

    def forget(self, run_id: str) -> None:
        self.slots.pop(run_id, None)
        self.lone.pop(run_id, None)

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
        return None if wake == float("inf") else max(0.0, wake - now)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def serve(commands: Connection, events: Connection) -> None:
    """The worker's main loop; returns when the parent says so (None) or goes away."""
    # Ctrl-C, or a SIGTERM sent to the whole process group (systemd does), is for the server, which then stops
    # us by command; if the server is gone for good, the pipe's EOF ends us below
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    host = Host()
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
        except (EOFError, OSError):
            return  # the parent is gone
