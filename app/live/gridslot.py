"""Runs trained together on one worker: one core.grid.GridTraining steps them all, each is reported as its own run.

A group's members are Slots whose net is their row of the grid (`GridTraining.view`): each keeps its own
report schedule, 20-a-second flushes, feeds, status and result, exactly as a lone run's. They share one pace:
pause, resume, step and speed sent to any member apply to all of them; stop ends that member alone
(cancelled) while the others go on. A member that diverges ends there, as it would alone.
"""

import time
from dataclasses import replace

from app.live.feeds import LandscapeFeed, Planes
from app.live.protocol import WATCHED, Event, Start, StartGroup
from app.live.slot import Slot, steer, train_paced
from core.grid import GridTraining
from core.pace import Pace
from core.status import RunStatus
from core.train import NetView, Progress, Result, Training


class Member(Slot):
    """One run of a group: reported as a lone run is; trained, paused and stepped by its group."""

    def __init__(self, start: Start, group: "GridSlot", k: int, planes: Planes | None = None):
        self.group, self.k = group, k  # k: the net's row in the stack (the grid sorts its nets by update rule)
        super().__init__(start.run_id, group.pace, group.grid.view(k), planes)

    def view(self) -> NetView:
        return self.group.grid.view(self.k)

    @property
    def epoch(self) -> int:
        return self.group.grid.epoch

    @property
    def ended(self) -> bool:
        grid = self.group.grid
        return grid.epoch >= grid.epochs or grid.divergence[self.k].diverged

    @property
    def diverged(self) -> bool:
        return self.group.grid.divergence[self.k].diverged

    def result(self, status: RunStatus | None) -> Result:
        """The net's result, fixed when first asked (a stopped net stays in the stack, no longer reported)."""
        grid = self.group.grid
        if grid.results[self.k] is None:
            grid.finish([self.k], status)
        return grid.results[self.k]

    def twin(self) -> Training:
        return self.group.grid.twin(self.k)

    @property
    def stepped_together(self) -> int:
        return len(self.group.live)

    def apply(self, action: str, value: float | None) -> None:
        if self.over:  # ended (diverged, stopped): what it is sent no longer steers the others
            return
        if action not in ("stop", WATCHED):  # whether someone watches it is each member's own
            self.group.apply(action, value)
            return
        super().apply(action, value)
        if action == "stop":
            self.result(None if self.ended else RunStatus.CANCELLED)  # its numbers as it stops


class GridSlot:
    """A group's shared pace and the GridTraining it drives."""

    def __init__(self, command: StartGroup, planes: Planes | None = None):
        first = command.starts[0]
        self.grid = GridTraining([start.config for start in command.starts], dataset=first.dataset)
        self.pace = Pace(first.paused, first.speed, time.perf_counter())
        rows = {index: k for k, index in enumerate(self.grid.index)}  # the configs' order → stack rows
        self.members = [Member(start, self, rows[i], planes) for i, start in enumerate(command.starts)]
        wanted = command.landscape and len(self.members) > 1
        self.landscape = LandscapeFeed({m.run_id: m.view() for m in self.members}) if wanted else None

    def close(self) -> None:
        """It is over: let go of its members (they point back at it; a cycle would wait for the collector, ~2 MB a
        run, issue 12)."""
        for member in self.members:
            member.group = None
        self.members = []

    def record_paths(self) -> None:
        """Where each member is now, for the landscape's paths (an ended one stays where it ended)."""
        if self.landscape is not None:
            self.landscape.record({m.run_id: self.grid.stack.theta[m.k] for m in self.members}, self.grid.epoch)

    def report(self, now: float, out: list[Event]) -> None:
        """The group's own message, the landscape, to every member when it is due (the members report the rest)."""
        landscape = self.landscape
        if landscape is None:
            return
        if landscape.due(now, self.over):
            self.record_paths()  # every path ends where its run is now
            landscape.start(self.members[0].view())
        if landscape.making is None:
            return
        frame = landscape.advance(now)  # a chunk a round; the last one whole, as the group ends here
        while frame is None and self.over:
            frame = landscape.advance(now)
        if frame is not None:
            out.extend(replace(frame, run_id=m.run_id) for m in self.members)

    @property
    def live(self) -> list[Member]:
        return [member for member in self.members if not member.over]

    @property
    def over(self) -> bool:
        return not self.live

    def apply(self, action: str, value: float | None) -> None:
        """The group's pace changes (every live member's status and feeds follow it)."""
        steer(self.pace, action, value)
        if action == "pause":
            self.show_now()

    def show_now(self) -> None:
        for member in self.live:
            member.show_now()
        if self.landscape is not None:
            self.landscape.beat.now = True

    def train(self, budget_s: float) -> None:
        """Train the whole grid until the budget is spent or the pace allows no more; events go to their members."""
        grid = self.grid
        trained, stepped = train_paced(
            self.pace, budget_s, lambda: self.deliver(grid.advance()), lambda: self.over or grid.done
        )
        if stepped:
            self.deliver(grid.progress())
            self.show_now()
        if grid.done and grid.running:  # the end: every net's result from one evaluation
            grid.finish(grid.running)
        if trained:
            for member in self.live:
                member.trained()

    def deliver(self, events: list[tuple[int, Progress | Result]]) -> None:
        if events:
            self.record_paths()
        for index, event in events:
            member = self.members[index]
            if isinstance(event, Progress) and not member.stopped:
                member.add_point(event)

    def wake_at(self) -> float:
        """When the group next trains (each member's sends are its own)."""
        due = None if self.over else self.pace.due()
        sends = None if self.landscape is None else self.landscape.wake_at()
        return min(float("inf") if t is None else t for t in (due, sends))
