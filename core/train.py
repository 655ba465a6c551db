"""The training loop every interface shares: it trains, reports, can be paused, stepped and stopped,
and ends with a result.

`Training` holds one run's state and advances it epoch by epoch; `Training.events()` turns that into
a stream of `Progress`, `Boundary` and finally `Result` events, as a `Pace` allows.
"""

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from core.batches import MiniBatches, epoch_costs
from core.boundary import Boundary, Plane
from core.config import RunConfig
from core.data import Dataset, resolve_dataset
from core.init import initial_weights
from core.network import Network, Workspace, accuracy, cost, cross_entropy_sum, weight_squares, with_ones_row
from core.optim import make_optimizer
from core.pace import Pace
from core.schedule import learning_rate_at
from core.status import RunStatus

# Diverged: the weights went non-finite, or the cost went up instead of down — non-finite, or above
# RISE × its first finite value — for this many reports in a row (a sigmoid net's bounded gradients rarely
# reach nan; a too-large learning rate shows as a cost that climbs and stays up).
DIVERGED_AFTER_REPORTS = 20
RISE = 1.5
IDLE_S = 0.05  # how often a paused `events()` loop looks at its pace again


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

    def status(self, final_cost: float) -> RunStatus:
        """A finished (not cancelled) run's status, given the cost of its final weights."""
        return RunStatus.DIVERGED if self.diverged or self.risen(final_cost) else RunStatus.DONE


@dataclass
class Progress:
    epoch: int
    cost: float
    train_accuracy: float
    test_accuracy: float | None
    type: str = "progress"


@dataclass
class Result:
    status: RunStatus  # done, diverged or cancelled
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


@dataclass
class NetView:
    """One net as the views read it, whether it trains alone (`Training.view`) or in a stack
    (`GridTraining.view`): its config, data, weights (a `Network` of its own) and how far it has got, and a
    workspace over the whole training set for passes that must not touch the training's own buffers."""

    config: RunConfig
    data: Dataset
    net: Network
    epoch: int
    X1: np.ndarray  # [X_train; 1]
    Y: np.ndarray
    evaluation: Workspace  # the training set's, without dropout
    X1_test: np.ndarray | None = None  # [X_test; 1], the training's own (no second copy of wide test data)

    @property
    def m(self) -> int:
        return self.Y.shape[1]


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

    def squares(self) -> float:
        """Σ ||W_l||², what L2 penalizes (0 without L2: nothing to compute)."""
        return weight_squares(self.net) if self.config.l2_lambda else 0.0

    def batch_cost(self, cross_entropy: float, squares: float, m: int) -> float:
        return cost(cross_entropy, squares, self.config.l2_lambda, m)

    def train_epoch(self, with_cost: bool) -> float | None:
        """One pass over the training set; returns its cost if asked (computed on the way, before updates)."""
        if self.config.lr_decay != "none":
            self.optimizer.learning_rate = learning_rate_at(self.config, self.epoch)
        full = self.batch == self.m
        batches = [(self.X1, self.Y)] if full else self.minibatches.epoch()
        costs = epoch_costs(batches, self.step, self.squares, self.batch_cost, with_cost)
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
        return self.batch_cost(cross_entropy_sum(ws.AL, self.Y), self.squares(), self.m)

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

    def view(self) -> NetView:
        return NetView(
            self.config, self.data, self.net, self.epoch, self.X1, self.Y, self.evaluation["train"],
            getattr(self, "X1_test", None),
        )  # fmt: skip

    def twin(self) -> "Training":
        """A Training in this one's exact state (weights, optimizer state, random streams, epoch) that shares
        nothing with it: what the twin does next is what this one will do next (the stepper previews on it)."""
        return twin_training(self.config, self.data, self.net.theta, vars(self.optimizer), self.rng, self.epoch,
                             self.minibatches.seed if self.batch < self.m else None)  # fmt: skip

    def boundary(self) -> Boundary:
        """a_L over the data's bounding box, grid_size × grid_size."""
        if not hasattr(self, "plane"):
            self.plane = Plane(self.data, self.config.grid_size, self.net)
        return self.plane.boundary(self.epoch)

    def result(self, status: RunStatus | None = None) -> Result:
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

    def events(self, pace: Pace | None = None) -> Iterator[Progress | Result]:
        """Train to the end as `pace` allows (none: as fast as it goes), yielding progress at report epochs and
        where a finished step landed, and the result last. Between reports nothing is checked per epoch
        (`trained_until`): a pace changed meanwhile (from another thread) is seen at the next report."""
        pace = pace or Pace(now=time.perf_counter())
        with np.errstate(all="ignore"):
            while not self.done and not pace.stopped:
                now = time.perf_counter()
                allowed = pace.allowed(now)
                if not allowed:  # paused, or ahead of its speed
                    due = pace.due()
                    time.sleep(IDLE_S if due is None else min(IDLE_S, max(0.0, due - now)))
                    continue
                progress, epochs = self.trained_until(allowed)
                if pace.ran(epochs) and progress is None:
                    progress = self.progress()  # a finished step always shows where it landed
                if progress is not None:
                    yield progress
            yield self.result(RunStatus.CANCELLED if pace.stopped and not self.done else None)

    def trained_until(self, most: float) -> tuple[Progress | None, int]:
        """Train up to `most` epochs, stopping after the first report or at the end: that report's progress (or
        None), and the epochs trained."""
        epochs = 0
        while epochs < most and not self.done:
            progress = self.advance()
            epochs += 1
            if progress is not None:
                return progress, epochs
        return None, epochs


def twin_training(
    config: RunConfig,
    data: Dataset,
    theta: np.ndarray,
    optimizer_state: dict,
    rng: np.random.Generator,
    epoch: int,
    course_seed: int | None,
) -> Training:
    """A fresh Training put in a given state: weights θ, the optimizer's fields (arrays copied in, numbers set), the
    random stream's state, the epoch and the course's shuffle seed (mini-batches)."""
    twin = Training(config, dataset=data)
    twin.net.theta[...] = theta
    for name, value in optimizer_state.items():
        if isinstance(value, np.ndarray):
            getattr(twin.optimizer, name)[...] = value
        else:
            setattr(twin.optimizer, name, value)
    twin.rng.bit_generator.state = rng.bit_generator.state
    twin.epoch = epoch
    if course_seed is not None:
        twin.minibatches.seed = course_seed
    return twin


def train(config: RunConfig, dataset: Dataset | None = None, data_dir: str | None = None) -> Result:
    """Train to the end and return the result (no events, no control)."""
    training = Training(config, dataset, data_dir)
    with np.errstate(all="ignore"):
        while not training.done:
            training.advance()
        return training.result()
