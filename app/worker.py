"""A worker process: it hosts many runs and trains them in turn, a few milliseconds each.

Threads would fight over the GIL (two NumPy trainings in two threads train slower than one); one
process per core, each interleaving its runs, keeps every core busy with no oversubscription. The
parent talks to a worker over two one-way pipes: commands down, lists of events up.
"""

import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

import numpy as np

from app.messages import dumps, encode_boundary
from core.config import RunConfig
from core.data import Dataset
from core.insight import CheckTooLarge, gradient_check_report, insight_report
from core.train import Progress, Training

SLICE_S = 0.004  # one run trains this long before the next one's turn
FLUSH_S = 0.05  # progress batches and boundary frames: at most one per run per 50 ms (20 a second)
MAX_LAG_S = 0.25  # a speed-limited run that fell behind catches up at most this much at once
INSIGHT_S = 0.25  # insight reports (a forward and backward pass over the training set): at most 4 a second,
INSIGHT_SHARE = 0.2  # and at most this share of a run's time (a big net on 5000 points takes ~1 s per report)

if TYPE_CHECKING:
    from app.gridslot import GridSlot


# ---------------------------------------------------------------- commands (parent → worker)


@dataclass(frozen=True, slots=True)
class Start:
    run_id: str
    config: RunConfig
    dataset: Dataset
    paused: bool
    speed: float | None  # epochs per second, None: full speed


@dataclass(frozen=True, slots=True)
class StartGroup:
    """Runs that core.grid.can_stack: trained together by one GridSlot, each reported as its own run."""

    starts: list[Start]  # one dataset, the same paused and speed


@dataclass(frozen=True, slots=True)
class Command:
    """pause | resume | stop (no value), step (value: epochs), speed (value: epochs per second or None)."""

    run_id: str
    action: str
    value: float | None = None
    seq: int | None = None  # when set, the worker answers with an Ack carrying it


@dataclass(frozen=True, slots=True)
class Check:
    """Run a gradient check on the run's current weights, between slices; answered by a Checked with seq."""

    run_id: str
    seq: int


# ---------------------------------------------------------------- events (worker → parent)


@dataclass(frozen=True, slots=True)
class Ready:
    pid: int


@dataclass(frozen=True, slots=True)
class Ack:
    seq: int
    status: str | None  # the run's status after the command; None: the worker no longer has the run


@dataclass(frozen=True, slots=True)
class Points:
    run_id: str
    points: list[list]  # [[epoch, cost, train_acc, test_acc], ...]
    points_json: str  # the same, encoded here: the server's event loop only passes it on
    epoch: int  # epochs trained so far


@dataclass(frozen=True, slots=True)
class Frame:
    run_id: str
    frame: bytes  # the encoded boundary frame, ready to send
    epoch: int


@dataclass(frozen=True, slots=True)
class Insight:
    run_id: str
    message_json: str  # the insight message, encoded here (core.insight.insight_report)
    norms: list  # [epoch, [||W_l||, ...], [||dW_l||, ...]]: the point the channel's history keeps
    epoch: int


@dataclass(frozen=True, slots=True)
class Checked:
    seq: int
    answer: dict | None  # core.insight.gradient_check_report; None with an error, or when the run is gone
    error: str | None = None
    too_large: bool = False  # the error is the check's size


@dataclass(frozen=True, slots=True)
class Status:
    run_id: str
    status: str
    epoch: int


@dataclass(frozen=True, slots=True)
class Finished:
    run_id: str
    result: dict  # Result.to_dict() without parameters
    result_json: str
    parameters: dict[str, list] | None = None  # the learned weights, for the store (not for watchers)


@dataclass(frozen=True, slots=True)
class Failed:
    run_id: str
    reason: str


Event = Ready | Ack | Checked | Points | Frame | Insight | Status | Finished | Failed


# ---------------------------------------------------------------- one run


class Slot:
    """One run on this worker: its Training, its controls, and what it has yet to report."""

    def __init__(self, start: Start, training: Training | None = None):
        self.run_id = start.run_id
        self.training = training or Training(start.config, dataset=start.dataset)  # a grid's member gives its own
        self.paused = start.paused
        self.step_epochs = 0
        self.stopped = False
        self.speed = start.speed
        self.pace_from, self.paced_epochs = time.perf_counter(), 0
        self.points: list[list] = []
        self.last_point_epoch = -1
        self.next_flush = 0.0
        self.next_frame = 0.0
        self.frame_now = True  # the untrained net's boundary, first
        self.trained_since_frame = False
        self.next_insight = 0.0
        self.insight_now = True  # the untrained net's, first (zeros init: symmetric from the start)
        self.trained_since_insight = False
        self.sent_status: str | None = None

    @property
    def over(self) -> bool:
        return self.stopped or self.training.done

    @property
    def status(self) -> str:
        """The status as of now; a finished run's own (done or diverged) is its Result's."""
        if self.training.done:
            return "diverged" if self.training.diverged else "done"
        if self.stopped:
            return "cancelled"
        return "paused" if self.paused else "running"

    def apply(self, action: str, value: float | None) -> None:
        if action == "pause":
            self.paused, self.step_epochs = True, 0
            self.frame_now = self.insight_now = True  # show where it stopped, and everything measured before
            self.next_flush = 0.0
        elif action == "resume":
            self.paused, self.step_epochs = False, 0
            self.restart_pace()
        elif action == "step":
            self.paused = True
            self.step_epochs += int(value or 1)
            self.restart_pace()
        elif action == "speed":
            self.speed = value
            self.restart_pace()
        elif action == "stop":
            self.stopped = True
        else:
            raise ValueError(f"unknown action {action!r}")

    def restart_pace(self) -> None:
        self.pace_from, self.paced_epochs = time.perf_counter(), 0

    def due(self) -> float | None:
        """When the next epoch may train: None while none may (over, paused); a speed spaces epochs out."""
        if self.over or (self.paused and self.step_epochs == 0):
            return None
        return self.pace_from + self.paced_epochs / self.speed if self.speed else 0.0

    def may_train(self, now: float) -> bool:
        due = self.due()
        if due is None or now < due:
            return False
        if self.speed and now - due > MAX_LAG_S:  # behind (the worker was busy): go on from here, no burst
            self.pace_from = now - self.paced_epochs / self.speed
        return True

    def train(self, budget_s: float) -> None:
        """Train epochs until the budget is spent or the run may not go on (paused, paced, over)."""
        now = time.perf_counter()
        end = now + budget_s
        while now < end and self.may_train(now):
            stepping = self.paused
            progress = self.training.advance()
            self.paced_epochs += 1
            self.trained_since_frame = self.trained_since_insight = True
            if progress is not None:
                self.add_point(progress)
            if stepping:
                self.step_epochs -= 1
                if self.step_epochs == 0:  # a finished step shows where it landed, on the report schedule or not
                    self.add_point(self.training.progress())
                    self.frame_now = self.insight_now = True
                    self.next_flush = 0.0
            now = time.perf_counter()

    def add_point(self, p: Progress) -> None:
        if p.epoch > self.last_point_epoch:  # a step's extra point may be reported again by the schedule
            self.points.append([p.epoch, p.cost, p.train_accuracy, p.test_accuracy])
            self.last_point_epoch = p.epoch

    def wake_at(self) -> float:
        """When this run next needs the worker: to train, or to send what it holds."""
        times = [float("inf")]
        due = self.due()
        if due is not None:
            times.append(due)
        if self.points:
            times.append(self.next_flush)
        if self.frame_now or self.trained_since_frame:
            times.append(0.0 if self.frame_now else self.next_frame)
        if self.insight_now or self.trained_since_insight:
            times.append(0.0 if self.insight_now else self.next_insight)
        return min(times)

    def report(self, now: float, out: list[Event]) -> None:
        """Append what is due: a progress batch, a boundary frame, a status change, the result."""
        over = self.over
        epoch = self.training.epoch
        if not over and self.status != self.sent_status:  # running / paused first; a final status comes last
            self.sent_status = self.status
            out.append(Status(self.run_id, self.status, epoch))
        if self.points and (now >= self.next_flush or over):
            out.append(Points(self.run_id, self.points, dumps(self.points), epoch))
            self.points = []
            self.next_flush = next_tick(self.next_flush, now)
        if self.frame_now or over or (self.trained_since_frame and now >= self.next_frame):
            out.append(Frame(self.run_id, encode_boundary(self.training.boundary()), epoch))
            self.frame_now = self.trained_since_frame = False
            self.next_frame = next_tick(self.next_frame, now)
        if self.insight_now or over or (self.trained_since_insight and now >= self.next_insight):
            started = time.perf_counter()
            out.append(self.insight())
            self.insight_now = self.trained_since_insight = False
            self.next_insight = now + max(INSIGHT_S, (time.perf_counter() - started) / INSIGHT_SHARE)
        if over:
            result = self.training.result("cancelled" if self.stopped and not self.training.done else None)
            fields = result.to_dict()
            fields.pop("type", None)
            out.append(Status(self.run_id, result.status, epoch))
            parameters = {name: value.tolist() for name, value in (result.parameters or {}).items()}
            out.append(Finished(self.run_id, fields, dumps(fields), parameters))

    def insight(self) -> Insight:
        report = insight_report(self.training)
        norms = [report["epoch"], [n["W"] for n in report["norms"]], [n["dW"] for n in report["norms"]]]
        return Insight(self.run_id, dumps(report), norms, report["epoch"])

    def check_gradients(self) -> dict:
        """A gradient check of the current weights (core.insight.gradient_check_report)."""
        return gradient_check_report(self.training)


def next_tick(previous: float, now: float) -> float:
    """The next send time on a fixed 50 ms beat, so a slightly late send keeps the average rate."""
    return previous + FLUSH_S if now - previous < FLUSH_S else now + FLUSH_S


# ---------------------------------------------------------------- the process


class Host:
    """All of one worker's runs, trained round-robin."""

    def __init__(self) -> None:
        self.slots: dict[str, Slot] = {}  # by run id; a grid's members are here too, trained by their group
        self.groups: list[GridSlot] = []  # runs trained together, stacked
        self.out: list[Event] = []

    def handle(self, command: Start | StartGroup | Command | Check) -> None:
        if isinstance(command, Check):
            self.out.append(self.check(command))
            return
        if isinstance(command, Start):
            try:
                self.slots[command.run_id] = Slot(command)
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

    def check(self, command: Check) -> Checked:
        """Answer a gradient check; a failing check is an error for the asker, not the run's failure."""
        slot = self.slots.get(command.run_id)
        if slot is None:
            return Checked(command.seq, None)
        try:
            return Checked(command.seq, slot.check_gradients())
        except CheckTooLarge as error:
            return Checked(command.seq, None, str(error), too_large=True)
        except Exception as error:
            return Checked(command.seq, None, describe(error))

    def start_group(self, command: StartGroup) -> None:
        from app.gridslot import GridSlot  # its members are Slots: it imports this module

        try:
            group = GridSlot(command)
        except Exception as error:  # a group that cannot start fails, each of its runs
            self.out.extend(Failed(start.run_id, describe(error)) for start in command.starts)
            return
        self.groups.append(group)
        self.slots.update((member.run_id, member) for member in group.members)

    def train_round(self) -> None:
        for slot in list(self.slots.values()):
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
        for slot in list(self.slots.values()):
            self.guarded(slot, lambda s: s.report(now, self.out))
            if slot.over:
                self.slots.pop(slot.run_id, None)
        self.groups = [group for group in self.groups if not group.over]
        out, self.out = self.out, []
        return out

    def guarded(self, slot: Slot, work) -> None:
        """Run work(slot); an exception fails that run only, and the worker carries on."""
        try:
            work(slot)
        except Exception as error:
            self.slots.pop(slot.run_id, None)
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
