"""One run on a worker: its pace, its status, and what it has yet to report (cost points, feeds, the end).

`Slot` is what every run shares, however it trains; `LoneSlot` trains a run by itself (a `core.train.Training`),
`app/live/gridslot.py`'s `Member` is one run of a stack. Either says what the net is (`view`) and how it ended
(`result`); the reporting is the same.
"""

import time
from collections.abc import Callable

from app.live.feeds import FLUSH_S, Feed, Planes, feeds_for, next_tick
from app.live.history import thinned
from app.live.protocol import WATCHED, Event, Finished, Frame, Points, Start, Status, describe
from app.messages import dumps, error_message
from core.gradcheck import Bug
from core.insight import gradient_check_report
from core.pace import Pace
from core.status import RunStatus
from core.stepper import iteration
from core.train import NetView, Progress, Result, Training

EPOCH_TICK_S = 0.5  # a running run's epoch reaches its watchers at least this often, report or not


class Slot:
    def __init__(self, run_id: str, pace: Pace, view: NetView, planes: Planes | None = None):
        self.run_id = run_id
        self.pace = pace  # a stack's members share their group's
        self.stopped = False  # this run's own stop (a stack's others go on)
        self.points: list[list] = []
        self.last_point_epoch = -1
        self.next_flush = 0.0
        self.feeds: list[Feed] = feeds_for(view, planes)
        self.watched = True  # someone watches it (the server says when nobody does: its feeds then rest)
        self.sent_status: RunStatus | None = None
        self.said = (0, 0.0)  # the epoch its watchers last heard (a status, a progress batch), and when

    # ---------------------------------------------------------------- what each kind of slot says

    def view(self) -> NetView:
        raise NotImplementedError

    @property
    def epoch(self) -> int:
        raise NotImplementedError

    @property
    def ended(self) -> bool:
        """Trained its epochs, or diverged."""
        raise NotImplementedError

    @property
    def diverged(self) -> bool:
        raise NotImplementedError

    def result(self, status: RunStatus | None) -> Result:
        raise NotImplementedError

    def twin(self) -> Training:
        """The net as a Training alone in its exact state, sharing nothing with the run (core.train.Training.twin)."""
        raise NotImplementedError

    @property
    def stepped_together(self) -> int:
        """How many runs a step moves (a stack's members step together)."""
        return 1

    # ---------------------------------------------------------------- shared

    @property
    def over(self) -> bool:
        return self.stopped or self.ended

    @property
    def status(self) -> RunStatus:
        """The status as of now; a finished run's own (done or diverged) is its Result's."""
        if self.ended:
            return RunStatus.DIVERGED if self.diverged else RunStatus.DONE
        if self.stopped:
            return RunStatus.CANCELLED
        return RunStatus.PAUSED if self.pace.paused else RunStatus.RUNNING

    def apply(self, action: str, value: float | None) -> None:
        """A control: stop ends this run; `watched` (value 0 or 1, the server's) rests or wakes its feeds; the others
        steer its pace (see steer)."""
        if action == "stop":
            self.stopped = True
            return
        if action == WATCHED:
            self.watched = bool(value)
            if self.watched:
                self.show_now()  # a new watcher sees the net as it is now
            return
        steer(self.pace, action, value)
        if action == "pause":
            self.show_now()  # where it stopped, and everything measured before

    def show_now(self) -> None:
        """Send every feed and the pending points at the next report (a pause, a step's end)."""
        for feed in self.feeds:
            feed.now = True
        self.next_flush = 0.0

    def trained(self) -> None:
        for feed in self.feeds:
            feed.stale = True

    def step_done(self, where: Progress) -> None:
        """A finished step shows where it landed, on the report schedule or not."""
        self.add_point(where)
        self.show_now()

    def add_point(self, p: Progress) -> None:
        if p.epoch > self.last_point_epoch:  # a step's extra point may be reported again by the schedule
            self.points.append([p.epoch, p.cost, p.train_accuracy, p.test_accuracy])
            self.last_point_epoch = p.epoch

    @property
    def ticking(self) -> bool:
        """Running, and past the epoch its watchers last heard (at a slow speed reports can be seconds apart)."""
        return self.status == RunStatus.RUNNING and not self.over and self.epoch > self.said[0]

    def wake_at(self) -> float:
        """When this run next needs the worker to send what it holds (training is the trainer's business)."""
        times = [feed.wake_at() for feed in self.feeds] if self.watched or self.over else []  # resting feeds wait
        if self.points:
            times.append(self.next_flush)
        if self.ticking:
            times.append(self.said[1] + EPOCH_TICK_S)
        return min((t for t in times if t is not None), default=float("inf"))

    def due_feeds(self, now: float) -> list[Feed]:
        """The feeds that send now: none while nobody watches, every one at the end (late readers get its last)."""
        over = self.over
        if not over and not self.watched:
            return []
        return [feed for feed in self.feeds if feed.due(now, over)]

    def report(
        self,
        now: float,
        out: list[Event],
        due: list[Feed] | None = None,
        view: NetView | None = None,
        interval: Callable[[Feed], float] | None = None,
    ) -> None:
        """Append what is due: a status change, a progress batch, the feeds' messages, the result. The worker may
        give the feeds due, the net's view and each feed's interval (app/live/feeds.py FeedLoad)."""
        over = self.over
        epoch = self.epoch
        if not over and self.status != self.sent_status:  # running / paused first; a final status comes last
            self.sent_status = self.status
            out.append(Status(self.run_id, self.status, epoch))
            self.said = (epoch, now)
        if self.points and (now >= self.next_flush or over):
            out.append(Points(self.run_id, self.points, dumps(self.points), epoch))
            self.points = []
            self.next_flush = next_tick(self.next_flush, now, FLUSH_S)
            self.said = (epoch, now)
        elif self.ticking and now >= self.said[1] + EPOCH_TICK_S:  # a slow run's epoch moves between its reports
            out.append(Status(self.run_id, self.status, epoch))
            self.said = (epoch, now)
        due = self.due_feeds(now) if due is None else due
        if due:
            view = view or self.view()
            sent = (self.sent_by(feed, view, now, interval and interval(feed)) for feed in due)
            out.extend(event for event in sent if event is not None)
        if over:
            result = self.result(RunStatus.CANCELLED if self.stopped and not self.ended else None)
            fields = result.to_dict()
            fields.pop("type", None)
            fields["costs"] = thinned(fields["costs"])  # what watchers get; the whole history is the store's
            out.append(Status(self.run_id, result.status, epoch))
            parameters = {name: value.tolist() for name, value in (result.parameters or {}).items()}
            out.append(Finished(self.run_id, fields, dumps(fields), parameters))

    def sent_by(self, feed: Feed, view: NetView, now: float, interval_s: float | None) -> Event | None:
        """The feed's message. A feed that fails stops, and its watchers are told why: a view that cannot be drawn
        (a histogram of a diverged layer, say) costs that view, not the run's training."""
        try:
            return feed.send(self.run_id, view, now, interval_s)
        except Exception as error:
            self.feeds.remove(feed)
            notice = f"The {feed.kind} view stopped ({describe(error)}); the run trains on."
            return Frame(self.run_id, "error", error_message(notice), view.epoch, kept=True)  # never dropped

    def preview(self, example: int) -> dict:
        """The next iteration in stages (core.stepper.iteration), on a twin: the run does not move, and its next step
        of one epoch does what the stages show."""
        return {**iteration(self.twin(), example), "runs_stepped": self.stepped_together}

    def check_gradients(self, bug: Bug | None = None) -> dict:
        """A gradient check of the current weights (core.insight.gradient_check_report), the bug planted if any."""
        return gradient_check_report(self.view(), bug)


def steer(pace: Pace, action: str, value: float | None) -> None:
    """Apply a pace control: pause, resume, step (value: epochs), speed (value: epochs per second or None)."""
    now = time.perf_counter()
    if action == "pause":
        pace.pause()
    elif action == "resume":
        pace.resume(now)
    elif action == "step":
        pace.step(int(value or 1), now)
    elif action == "speed":
        pace.set_speed(value, now)
    else:
        raise ValueError(f"unknown action {action!r}")


class LoneSlot(Slot):
    """A run with a training of its own: trained by itself, or in a LiveStack's slices with others (the worker's
    choice, app/live/worker.py); either way its numbers are its own."""

    def __init__(self, start: Start, planes: Planes | None = None):
        self.training = Training(start.config, dataset=start.dataset)
        pace = Pace(start.paused, start.speed, time.perf_counter())
        super().__init__(start.run_id, pace, self.training.view(), planes)

    def view(self) -> NetView:
        return self.training.view()

    @property
    def epoch(self) -> int:
        return self.training.epoch

    @property
    def ended(self) -> bool:
        return self.training.done

    @property
    def diverged(self) -> bool:
        return self.training.diverged

    def result(self, status: RunStatus | None) -> Result:
        return self.training.result(status)

    def twin(self) -> Training:
        return self.training.twin()

    def wake_at(self) -> float:
        due = None if self.over else self.pace.due()
        return min(super().wake_at(), float("inf") if due is None else due)

    def train(self, budget_s: float) -> None:
        """Train epochs until the budget is spent or the pace allows no more (paused, ahead of its speed, over)."""

        def epoch() -> None:
            progress = self.training.advance()
            if progress is not None:
                self.add_point(progress)

        trained, stepped = train_paced(self.pace, budget_s, epoch, lambda: self.over)
        self.after(trained, stepped)

    def trained_with_others(self, points: list[Progress], epochs: int) -> None:
        """It trained `epochs` in a LiveStack slice, reporting these points: its pace and feeds follow."""
        for point in points:
            self.add_point(point)
        self.after(epochs, self.pace.ran(epochs))

    def after(self, trained: int, stepped: bool) -> None:
        if trained:
            self.trained()
        if stepped:
            self.step_done(self.training.progress())


def train_paced(
    pace: Pace, budget_s: float, epoch: Callable[[], object], ended: Callable[[], bool]
) -> tuple[int, bool]:
    """Run epoch() as often as the pace allows, until the budget is spent, the pace allows no more (paused, ahead of
    its speed) or ended(): how many epochs ran, and whether they finished a step (the pace is paused again then)."""
    now = time.perf_counter()
    end = now + budget_s
    total, stepped = 0, False
    while now < end and not ended():
        allowed = pace.allowed(now)
        if not allowed:
            break
        ran = 0
        while ran < allowed and now < end and not ended():
            epoch()
            ran += 1
            now = time.perf_counter()
        total += ran
        stepped = pace.ran(ran)
    return total, stepped
