"""The training loop every interface shares: it trains, reports, can be paused, stepped and stopped,
and ends with a result.

`Training` holds one run's state and advances it epoch by epoch; `Training.events()` turns that into
a stream of `Progress`, `Boundary` and finally `Result` events, checking a `Control` between epochs.
"""

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from core.batches import MiniBatches, epoch_costs
from core.config import RunConfig
from core.data import Dataset, bounding_box, resolve_dataset
from core.init import initial_weights
from core.network import Network, Workspace, accuracy, cross_entropy_sum, l2_penalty, with_ones_row
from core.optim import make_optimizer

# Diverged: the weights went non-finite, or the cost went up instead of down — non-finite, or above
# RISE × its first finite value — for this many reports in a row (a sigmoid net's bounded gradients rarely
# reach nan; a too-large learning rate shows as a cost that climbs and stays up).
DIVERGED_AFTER_REPORTS = 20
RISE = 1.5


class Divergence:
    """Has one run diverged (as defined above)? Fed each report's cost; shared by `Training` and the grid."""

    def __init__(self) -> None:
        self.first_finite_cost: float | None = None
        self.rising_reports = 0
        self.diverged = False

    def risen(self, cost: float) -> bool:
        """Is this cost non-finite, or above RISE × the first finite cost?"""
        if self.first_finite_cost is None and np.isfinite(cost):
            self.first_finite_cost = cost
        return not np.isfinite(cost) or (self.first_finite_cost is not None and cost > RISE * self.first_finite_cost)

    def check(self, cost: float, theta: np.ndarray) -> bool:
        """Note a report's cost and the weights after it; has the run diverged?"""
        self.rising_reports = self.rising_reports + 1 if self.risen(cost) else 0
        if not np.isfinite(theta).all() or self.rising_reports >= DIVERGED_AFTER_REPORTS:
            self.diverged = True
        return self.diverged

    def status(self, final_cost: float) -> str:
        """A finished (not cancelled) run's status, given the cost of its final weights."""
        return "diverged" if self.diverged or self.risen(final_cost) else "done"


@dataclass
class Progress:
    epoch: int
    cost: float
    train_accuracy: float
    test_accuracy: float | None
    type: str = "progress"


@dataclass
class Boundary:
    """The net's output a_L over a size × size grid spanning [x_min, x_max] × [y_min, y_max];
    row i is y = y_min + i·(y_max - y_min)/(size - 1)."""

    epoch: int
    x_min: float
    x_max: float
    y_min: float
    y_max: float
    probabilities: np.ndarray
    type: str = "boundary"


@dataclass
class Result:
    status: str  # "done" | "diverged" | "cancelled"
    costs: list[tuple[int, float]]
    final_cost: float
    train_accuracy: float
    test_accuracy: float | None
    epochs_run: int
    duration_s: float
    parameters: dict[str, np.ndarray] | None = field(default=None, repr=False)
    type: str = "result"

    def to_dict(self, with_parameters: bool = False) -> dict:
        out = asdict(self)
        out["costs"] = [[e, c] for e, c in self.costs]
        out["parameters"] = (
            {k: v.tolist() for k, v in self.parameters.items()} if with_parameters and self.parameters else None
        )
        if not with_parameters:
            out.pop("parameters")
        return out


class Control:
    """Switches a trainer checks between epochs; safe to flip from another thread."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.paused = False
        self.stopped = False
        self.step_epochs = 0
        self.epochs_per_second: float | None = None  # None: as fast as it goes

    def _set(self, **values: object) -> None:
        with self._changed:
            for name, value in values.items():
                setattr(self, name, value)
            self._changed.notify_all()

    def pause(self) -> None:
        self._set(paused=True)

    def resume(self) -> None:
        self._set(paused=False, step_epochs=0)

    def stop(self) -> None:
        self._set(stopped=True)

    def step(self, epochs: int = 1) -> None:
        """While paused: train this many more epochs, then pause again."""
        self._set(paused=True, step_epochs=self.step_epochs + epochs)

    def set_speed(self, epochs_per_second: float | None) -> None:
        self._set(epochs_per_second=epochs_per_second)

    def may_train(self, timeout: float) -> bool:
        """Wait (up to timeout) until an epoch may run; consumes one step while paused."""
        with self._changed:
            if not self.stopped and self.paused and self.step_epochs == 0:
                self._changed.wait(timeout)
            if self.stopped or (self.paused and self.step_epochs == 0):
                return False
            if self.paused:
                self.step_epochs -= 1
            return True


class Training:
    """One run: data, network, optimizer, and how far it has got."""

    def __init__(self, config: RunConfig, dataset: Dataset | None = None, data_dir: str | None = None):
        self.config = config
        self.data = dataset if dataset is not None else resolve_dataset(config.dataset, data_dir)
        self.net = Network([self.data.X_train.shape[0], *config.hidden_layers, 1], config.activation)
        weights = initial_weights(self.net.layer_sizes, config.initialization, config.seed, config.init_scale)
        for l, W in enumerate(weights, 1):
            self.net.W(l)[...] = W
        self.optimizer = make_optimizer(
            config.optimizer, self.net.theta.size, config.learning_rate,
            config.beta, config.beta1, config.beta2, config.epsilon,
        )  # fmt: skip
        self.X1, self.Y = with_ones_row(self.data.X_train), self.data.Y_train
        self.m = self.Y.shape[1]
        self.batch = min(config.mini_batch_size or self.m, self.m)
        self.workspaces: dict[int, Workspace] = {}
        self.evaluation = {"train": self.net.workspace(self.m)}
        if self.data.X_test is not None:
            self.evaluation["test"] = self.net.workspace(self.data.X_test.shape[1])
            self.X1_test = with_ones_row(self.data.X_test)
        # fresh randomness (shuffles, dropout masks) from the run's seed, unless the course's reseeding is asked
        self.rng = np.random.default_rng(config.seed)
        if self.batch < self.m:
            self.minibatches = MiniBatches(self.X1, self.Y, self.batch, config.course_compat, self.rng)
        self.epoch = 0
        self.costs: list[tuple[int, float]] = []
        self.divergence = Divergence()
        self.started = time.perf_counter()

    @property
    def diverged(self) -> bool:
        return self.divergence.diverged

    @property
    def done(self) -> bool:
        return self.epoch >= self.config.epochs or self.diverged

    def workspace(self, m: int) -> Workspace:
        """The buffers for batches of m examples, with the course's fixed dropout masks if asked."""
        if m not in self.workspaces:
            ws = self.workspaces[m] = self.net.workspace(m)
            if self.config.keep_prob < 1:
                ws.keep_prob = self.config.keep_prob
                hidden = self.net.layer_sizes[1:-1]
                if self.config.course_compat:  # the notebook reseeds with 1 on every forward: always these masks
                    rs = np.random.RandomState(1)
                    ws.keep = [(rs.rand(n, m) < self.config.keep_prob).astype(float) for n in hidden]
                else:
                    ws.keep = [np.empty((n, m)) for n in hidden]
                    ws.uniform = [np.empty((n, m)) for n in hidden]  # the draws fresh masks come from
        return self.workspaces[m]

    def draw_masks(self, ws: Workspace) -> None:
        """Fresh dropout masks for this batch (sound dropout; course_compat keeps the notebook's fixed ones)."""
        for uniform, keep in zip(ws.uniform, ws.keep, strict=True):
            self.rng.random(out=uniform)
            np.less(uniform, self.config.keep_prob, out=keep)

    def step(self, X1: np.ndarray, Y: np.ndarray, with_cost: bool) -> float | None:
        """One update on one batch; returns Σ of the batch's cross-entropy terms if asked."""
        ws = self.workspaces.get(Y.shape[1]) or self.workspace(Y.shape[1])
        if ws.uniform is not None:
            self.draw_masks(ws)
        ws.forward(X1)
        total = cross_entropy_sum(ws.AL, Y) if with_cost else None
        self.optimizer.update(self.net.theta, ws.backward(X1, Y, self.config.l2_lambda))
        return total

    def penalty(self, m: int) -> float:
        """The L2 term λ/(2m) Σ ||W||² for a batch of m examples (0 without L2)."""
        return l2_penalty(self.net, self.config.l2_lambda, m) if self.config.l2_lambda else 0.0

    def train_epoch(self, with_cost: bool) -> float | None:
        """One pass over the training set; returns its cost if asked (computed on the way, before updates)."""
        full = self.batch == self.m
        batches = [(self.X1, self.Y)] if full else self.minibatches.epoch()
        costs = epoch_costs(batches, self.step, self.penalty, with_cost)
        self.epoch += 1
        if costs is None:
            return None
        mean, last = costs
        return last if full or self.config.minibatch_cost == "last_batch" else mean

    def accuracies(self) -> tuple[float, float | None]:
        train = self.evaluation["train"]
        train.forward(self.X1)
        if "test" not in self.evaluation:
            return accuracy(train.AL, self.Y), None
        test = self.evaluation["test"]
        test.forward(self.X1_test)
        return accuracy(train.AL, self.Y), accuracy(test.AL, self.data.Y_test)

    def current_cost(self) -> float:
        """The cost of the current weights on the whole training set, without dropout."""
        ws = self.evaluation["train"]
        ws.forward(self.X1)
        return 1.0 / self.m * cross_entropy_sum(ws.AL, self.Y) + self.penalty(self.m)

    def advance(self) -> Progress | None:
        """Train one epoch; at a report epoch return the progress measured before its update."""
        report = self.epoch % self.config.report_every == 0
        accuracies = self.accuracies() if report else None
        cost = self.train_epoch(with_cost=report)
        if not report:
            return None
        self.costs.append((self.epoch - 1, cost))
        self.divergence.check(cost, self.net.theta)
        return Progress(self.epoch - 1, cost, *accuracies)

    def progress(self) -> Progress:
        """Where the run stands now, measured on the current weights."""
        return Progress(self.epoch, self.current_cost(), *self.accuracies())

    def boundary(self) -> Boundary:
        """a_L over the data's bounding box, grid_size × grid_size."""
        if not hasattr(self, "grid"):
            x_min, x_max, y_min, y_max = bounding_box(self.data)
            n = self.config.grid_size
            xx, yy = np.meshgrid(np.linspace(x_min, x_max, n), np.linspace(y_min, y_max, n))
            self.grid = with_ones_row(np.vstack([xx.ravel(), yy.ravel()]))
            self.grid_workspace = self.net.workspace(n * n)
            self.grid_box = (x_min, x_max, y_min, y_max)
        a = self.grid_workspace.forward(self.grid)
        n = self.config.grid_size
        return Boundary(self.epoch, *self.grid_box, a.reshape(n, n).copy())

    def result(self, status: str | None = None) -> Result:
        final = self.progress()
        return Result(
            status=status or self.divergence.status(final.cost),
            costs=list(self.costs),
            final_cost=final.cost,
            train_accuracy=final.train_accuracy,
            test_accuracy=final.test_accuracy,
            epochs_run=self.epoch,
            duration_s=time.perf_counter() - self.started,
            parameters=self.net.parameters(),
        )

    def events(
        self, control: Control | None = None, boundary_interval: float | None = None
    ) -> Iterator[Progress | Boundary | Result]:
        """Train to the end, yielding progress at report epochs, a boundary at most every
        boundary_interval seconds (never, if None), and the result last. Honours `control`."""
        control = control or Control()
        last_boundary = -np.inf
        with np.errstate(all="ignore"):
            for stepping, step_done in paced_epochs(control, lambda: self.done):
                progress = self.advance()
                if progress is None and step_done:
                    progress = self.progress()  # a finished step always shows where it landed
                if progress is not None:
                    yield progress
                now = time.perf_counter()
                if boundary_interval is not None and (now - last_boundary >= boundary_interval or stepping):
                    last_boundary = now
                    yield self.boundary()
            yield self.result("cancelled" if control.stopped and not self.done else None)


def paced_epochs(control: Control, done: Callable[[], bool]) -> Iterator[tuple[bool, bool]]:
    """One item per epoch that may run now: (stepping, the step's last epoch). Waits while paused, ends when
    `done()` or stopped, and keeps to the control's epochs per second."""
    while not done():
        if not control.may_train(timeout=0.25):
            if control.stopped:
                return
            continue
        stepping, started = control.paused, time.perf_counter()
        yield stepping, stepping and control.step_epochs == 0
        if control.epochs_per_second:
            time.sleep(max(0.0, 1 / control.epochs_per_second - (time.perf_counter() - started)))


def train(config: RunConfig, dataset: Dataset | None = None, data_dir: str | None = None) -> Result:
    """Train to the end and return the result (no events, no control)."""
    training = Training(config, dataset, data_dir)
    with np.errstate(all="ignore"):
        while not training.done:
            training.advance()
        return training.result()
