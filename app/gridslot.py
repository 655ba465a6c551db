"""Runs trained together on one worker: one core.grid.GridTraining steps them all, each is reported as its own run.

A group's members are Slots (app/worker.py) whose Training is a view of their row of the grid: each keeps
its own report schedule, 20-a-second flushes, boundary frames, status and result, exactly as a lone run's.
The group is a Slot too, for the one pace they share: pause, resume, step and speed sent to any member apply
to all of them; stop ends that member alone (cancelled) while the others go on. A member that diverges ends
there, as it would alone.
"""

import time

from app.worker import Slot, Start, StartGroup
from core.grid import GridTraining
from core.network import Network, Workspace
from core.train import Boundary, Progress, Result, Training


class MemberTraining:
    """One net of a GridTraining, seen as the Training a Slot reports: its epoch, end, boundary and result."""

    def __init__(self, grid: GridTraining, k: int):
        self.trainer = grid  # not `grid`: Training.boundary keeps its points grid under that name
        self.k = k  # the net's row in the stack (the grid sorts its nets by update rule)
        self.config = grid.configs[k]
        self.data = grid.data
        self.X1, self.Y = grid.X1, grid.Y
        self.m = grid.m
        self.own_net = Network(grid.stack.net.layer_sizes, self.config.activation)
        self.workspaces: dict[str, Workspace] = {}

    def current(self) -> Network:
        """A Network holding this net's current weights, copied from the stack (between epochs)."""
        self.own_net.theta[...] = self.trainer.stack.theta[self.k]
        return self.own_net

    @property
    def net(self) -> Network:
        return self.current()

    @property
    def evaluation(self) -> dict[str, Workspace]:
        """As Training.evaluation: the whole training set's workspace, on the current weights."""
        if not self.workspaces:
            self.workspaces["train"] = self.own_net.workspace(self.Y.shape[1])
        self.current()
        return self.workspaces

    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @property
    def diverged(self) -> bool:
        return self.trainer.divergence[self.k].diverged

    @property
    def done(self) -> bool:
        return self.trainer.epoch >= self.trainer.epochs or self.diverged

    def boundary(self) -> Boundary:
        """Training.boundary of this net's current weights."""
        self.current()  # Training.boundary reads the weights through a workspace it keeps, after the first call
        return Training.boundary(self)  # it reads data, config, net and epoch, which this has

    def result(self, status: str | None = None) -> Result:
        """The net's result, fixed when first asked (a stopped net stays in the stack, no longer reported)."""
        if self.trainer.results[self.k] is None:
            self.trainer.finish([self.k], status)
        return self.trainer.results[self.k]


class Member(Slot):
    """One run of a group: reported as a lone run is; trained, paused and stepped by its group."""

    def __init__(self, start: Start, training: MemberTraining, group: "GridSlot"):
        super().__init__(start, training)
        self.group = group

    def due(self) -> float | None:
        return None  # the group trains it

    def apply(self, action: str, value: float | None) -> None:
        if self.over:  # ended (diverged, stopped): what it is sent no longer steers the others
            return
        if action != "stop":
            self.group.apply(action, value)
            return
        super().apply(action, value)
        self.training.result(None if self.training.done else "cancelled")  # its numbers as it stops


class GridSlot(Slot):
    """The shared pace of a group (Slot's pause / step / speed logic) and the GridTraining it drives."""

    def __init__(self, command: StartGroup):
        first = command.starts[0]
        self.grid = GridTraining([start.config for start in command.starts], dataset=first.dataset)
        rows = {index: k for k, index in enumerate(self.grid.index)}  # the configs' order → stack rows
        self.members = [
            Member(start, MemberTraining(self.grid, rows[i]), self) for i, start in enumerate(command.starts)
        ]
        self.paused, self.step_epochs, self.stopped, self.speed = first.paused, 0, False, first.speed
        self.restart_pace()

    @property
    def live(self) -> list[Member]:
        return [member for member in self.members if not member.over]

    @property
    def over(self) -> bool:
        return not self.live

    def apply(self, action: str, value: float | None) -> None:
        """The group's pace changes, and every live member's paused state mirrors it (its status, its frame)."""
        super().apply(action, value)
        for member in self.live:
            Slot.apply(member, action, value)

    def train(self, budget_s: float) -> None:
        """Slot.train for the whole grid: every event goes to its member."""
        now = time.perf_counter()
        end = now + budget_s
        trained = False
        while now < end and self.may_train(now):
            stepping, trained = self.paused, True
            events = self.grid.advance()
            self.paced_epochs += 1
            self.deliver(events)
            if stepping:
                self.step_epochs -= 1
                if self.step_epochs == 0:  # a finished step shows where it landed, on the report schedule or not
                    self.deliver(self.grid.progress())
                    for member in self.live:
                        member.frame_now, member.next_flush = True, 0.0
            if self.grid.done and self.grid.running:  # the end: every net's result from one evaluation
                self.grid.finish(self.grid.running)
            now = time.perf_counter()
        if trained:
            for member in self.live:
                member.trained_since_frame = True

    def deliver(self, events: list[tuple[int, Progress | Result]]) -> None:
        for index, event in events:
            member = self.members[index]
            if isinstance(event, Progress) and not member.stopped:
                member.add_point(event)

    def wake_at(self) -> float:
        """When the group next trains (each member's sends are its own)."""
        due = self.due()
        return float("inf") if due is None else due
