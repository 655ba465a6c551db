"""Several runs of one network shape trained together, as one stack of K nets.

Sweeps and the comparison mode train configs that differ only in their hyper-parameters (learning rate,
λ, keep_prob, optimizer, initialization, seed). Stacked along a first axis, one numpy call steps every net:

    θ          (K, P)                         row k is net k's `Network.theta`
    [W_l|b_l]  (K, n_l, n_{l-1}+1)            views into θ
    Z_l      = [W_l|b_l] @ [A_{l-1}; 1]       np.matmul: one BLAS product per net, all in one call

and per-net hyper-parameters are (K, 1) or (K, 1, 1) columns that broadcast. Each net sees the arithmetic
`Workspace` and `Training` give it alone, the same roundings in the same order, so it gets the numbers it
gets alone (bit for bit on this machine); what the grid saves is the per-call overhead that dominates such
small nets.
"""

import json
import time
from collections.abc import Iterator, Sequence
from itertools import groupby

import numpy as np

from core.batches import MiniBatches, epoch_costs
from core.config import RunConfig, dataset_key
from core.data import Dataset, resolve_dataset
from core.diagnosis import Stall
from core.init import initial_weights
from core.network import Network, cost, cross_entropy_sum, sigmoid_, with_ones_row
from core.optim import OPTIMIZERS, GradientDescent, make_optimizer
from core.pace import Pace
from core.schedule import learning_rate_at
from core.status import RunStatus
from core.train import IDLE_S, Divergence, NetView, Progress, Result, Training, twin_training

# what the nets of one grid share: the network's shape, the data, and when they step and report
SHARED = ("dataset", "hidden_layers", "activation", "epochs", "mini_batch_size", "report_every")
HYPER_PARAMETERS = ("learning_rate", "beta", "beta1", "beta2", "epsilon")  # make_optimizer's, in its order

Event = tuple[int, Progress | Result]  # (the config's index in the list given, what happened to its net)


def can_stack(configs: Sequence[RunConfig]) -> bool:
    """Can these configs train as one grid, each net getting the numbers it gets alone? Besides SHARED,
    their mini-batches must be the same: the course's reseeded shuffles (course_compat), or one seed's
    stream that nothing else draws from (no fresh dropout masks)."""
    if not configs:
        return False
    first = configs[0]
    if any(getattr(config, field) != getattr(first, field) for config in configs for field in SHARED):
        return False
    if first.mini_batch_size is None:
        return True
    return all(config.course_compat for config in configs) or all(
        not config.course_compat and config.seed == first.seed and config.keep_prob == 1 for config in configs
    )


def update_group(config: RunConfig) -> tuple:
    """Nets whose updates run as one: same optimizer and, for Adam, the same β1, β2 — its bias corrections
    1 - β^t must stay Python floats as alone, numpy's vectorized power can differ from them in the last bit."""
    optimizer = OPTIMIZERS.index(config.optimizer)
    return (optimizer, config.beta1, config.beta2) if config.optimizer == "adam" else (optimizer,)


def shared_or_column(configs: Sequence[RunConfig], field: str) -> float | np.ndarray:
    """A hyper-parameter of these nets: one float if they share it, else a (K, 1) column."""
    return one_or_column([getattr(config, field) for config in configs])


def one_or_column(values: Sequence[float]) -> float | np.ndarray:
    """One float if the values are all the same, else a (K, 1) column of them."""
    return float(values[0]) if len(set(values)) == 1 else np.array(values, dtype=float)[:, None]


def matmul(A: np.ndarray, B: np.ndarray, out: np.ndarray) -> np.ndarray:
    """A @ B into out. An inner dimension of 1 makes it an outer product, which np.matmul computes in a slow
    non-BLAS loop: a broadcast product gives the same single roundings, ~8x faster."""
    if A.shape[-1] == 1:
        return np.multiply(A, B, out=out)
    return np.matmul(A, B, out=out)


def transposed(A: np.ndarray) -> np.ndarray:
    return np.swapaxes(A, -1, -2)


def cross_entropy_sums(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """`cross_entropy_sum` of every net's (1, m) output; (K,)"""
    return np.array([cross_entropy_sum(a, Y) for a in AL])


def accuracies(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Every net's share of examples where (a > 0.5) equals the label; (K,)"""
    return np.mean((AL > 0.5) == (Y > 0.5), axis=(1, 2))


class Stack:
    """K nets laid out like one `Network`: θ (K, P) and per-layer [W | b] views (K, n_l, n_{l-1}+1)."""

    def __init__(self, net: Network, K: int, theta: np.ndarray | None = None, dtype: type = np.float64):
        self.net = net  # one net's layout (sizes, activation, slices, weight mask); scratch for its parameters
        self.theta = np.zeros((K, net.theta.size), dtype) if theta is None else theta
        self.layers = self.views(self.theta)

    def rows(self, k: int) -> "Stack":
        """The first k nets, as a stack of their own: views into this one's θ."""
        return Stack(self.net, k, self.theta[:k], self.theta.dtype)

    def views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per-layer views into any (K, P) array laid out like theta (a gradient)."""
        return [
            flat[:, s].reshape(len(flat), *layer.shape)
            for s, layer in zip(self.net.slices, self.net.layers, strict=True)
        ]

    def parameters(self, k: int) -> dict[str, np.ndarray]:
        """Net k's {"W1": …, "b1": …, …} as copies, in the course's shapes."""
        self.net.theta[...] = self.theta[k]
        return self.net.parameters()


class StackWorkspace:
    """`Workspace` for a stack: the same buffers with a leading K axis, the same operations on every net."""

    def __init__(self, stack: Stack, m: int, within: "StackWorkspace | None" = None, backward: bool = True):
        """Buffers of its own, or (within) the first len(stack.theta) rows of a bigger workspace's; without the
        backward pass's (a forward-only workspace: boundaries), and then without tanh's slopes."""
        self.stack = stack
        self.m = m
        K, sizes = len(stack.theta), stack.net.layer_sizes
        relu = stack.net.activation == "relu"
        if within is None:
            hidden, dtype = sizes[1:-1], stack.theta.dtype  # float64, or (a boundary's picture) float32
            self.A = [np.ones((K, n + 1, m), dtype) for n in hidden] + [np.empty((K, sizes[-1], m), dtype)]
            self.dZ = [np.empty((K, n, m), dtype) for n in sizes[1:]] if backward else []
            self.dA = [np.empty((K, n, m), dtype) for n in hidden] if backward else []
            # ReLU' as booleans: comparing into them is ~4x faster than into floats, and x·True is x·1.0 exactly
            slope = bool if relu else dtype
            self.slope = [np.empty((K, n, m), slope) for n in hidden] if backward else [None] * len(hidden)
            self.zeros = [np.zeros((K, n, m), dtype) for n in hidden]  # max(Z, 0) against same-shaped zeros: fastest
            self.grad = np.zeros_like(stack.theta)
        else:
            self.A, self.dZ, self.dA, self.slope, self.zeros = (
                [None if buffer is None else buffer[:K] for buffer in buffers]
                for buffers in (within.A, within.dZ, within.dA, within.slope, within.zeros)
            )
            self.grad = within.grad[:K]
        self.A_T = [transposed(A) for A in self.A[:-1]]  # [A_l; 1]^T for dθ_{l+1}
        self.W_T = [transposed(layer[:, :, :-1]) for layer in stack.layers]  # W_l^T for dA_{l-1}
        self.relu = relu
        self.grad_layers = stack.views(self.grad)
        self.keep: list[np.ndarray] | None = None  # dropout masks (K, n_l, m); all ones for a net without
        self.uniform: list[np.ndarray] | None = None  # the draws masks are made from
        self.keep_prob: np.ndarray | None = None  # (K, 1, 1)
        self.l2_scale: np.ndarray | None = None  # (K, P): λ/m on weights, 0 on biases; None: no net has L2
        self.l2_term: np.ndarray | None = None

    @property
    def AL(self) -> np.ndarray:
        return self.A[-1]

    def forward(self, X1: np.ndarray) -> np.ndarray:
        """Every net's a_L (K, 1, m) for the shared input [X; 1]; applies the dropout masks, if any."""
        A_prev = X1
        for l, layer in enumerate(self.stack.layers[:-1]):
            Z = self.A[l][:, :-1]
            matmul(layer, A_prev, out=Z)
            if self.relu:
                np.maximum(Z, self.zeros[l], out=Z)
            else:  # tanh' = 1 - A², before dropout changes A
                np.tanh(Z, out=Z)
                if self.slope[l] is not None:
                    np.multiply(Z, Z, out=self.slope[l])
                    np.subtract(1, self.slope[l], out=self.slope[l])
            if self.keep is not None:
                np.multiply(Z, self.keep[l], out=Z)
                np.divide(Z, self.keep_prob, out=Z)
            A_prev = self.A[l]
        matmul(self.stack.layers[-1], A_prev, out=self.AL)
        return sigmoid_(self.AL)

    def backward(self, X1: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Every net's dJ/dθ (K, P) after a forward pass on the same [X; 1]."""
        L = len(self.stack.layers)
        dZ = self.dZ[-1]
        np.subtract(self.AL, Y, out=dZ)
        dZ *= 1.0 / self.m
        for l in range(L - 1, -1, -1):
            matmul(dZ, self.A_T[l - 1] if l > 0 else X1.T, out=self.grad_layers[l])
            if l == 0:
                break
            dA = self.dA[l - 1]
            matmul(self.W_T[l], dZ, out=dA)
            if self.keep is not None:
                np.multiply(dA, self.keep[l - 1], out=dA)
                np.divide(dA, self.keep_prob, out=dA)
            dZ = self.dZ[l - 1]
            if self.relu:  # ReLU' is A > 0 (dropout's zeros agree)
                np.greater(self.A[l - 1][:, :-1], 0.0, out=self.slope[l - 1])
            np.multiply(dA, self.slope[l - 1], out=dZ)
        if self.l2_scale is not None:
            np.multiply(self.stack.theta, self.l2_scale, out=self.l2_term)
            self.grad += self.l2_term
        return self.grad


class GridTraining:
    """Runs that can_stack, trained together; each net's progress and result are the ones `Training` gives
    it alone. Events name a net by its config's index in the list given."""

    def __init__(self, configs: Sequence[RunConfig], dataset: Dataset | None = None, data_dir: str | None = None):
        if not can_stack(configs):
            raise ValueError("these configs cannot share a grid (see can_stack): train them one by one")
        # nets grouped by update, so that each group's update works on a block of rows, a view
        self.index = sorted(range(len(configs)), key=lambda i: update_group(configs[i]))
        self.configs = [configs[i] for i in self.index]
        first = self.configs[0]
        self.epochs, self.report_every = first.epochs, first.report_every
        self.data = dataset if dataset is not None else resolve_dataset(first.dataset, data_dir)
        net = Network([self.data.X_train.shape[0], *first.hidden_layers, 1], first.activation)
        self.stack = Stack(net, len(configs))
        for k, config in enumerate(self.configs):  # each net starts exactly as it would alone
            weights = initial_weights(net.layer_sizes, config.initialization, config.seed, config.init_scale)
            for layer, W in zip(self.stack.layers, weights, strict=True):
                layer[k, :, :-1] = W
        self.l2_lambda = np.array([config.l2_lambda for config in self.configs])
        self.keep_prob = np.array([config.keep_prob for config in self.configs])[:, None, None]
        self.last_batch_cost = np.array([config.minibatch_cost == "last_batch" for config in self.configs])
        self.updates = self.optimizers()
        self.decaying = any(config.lr_decay != "none" for config in self.configs)
        self.X1, self.Y = with_ones_row(self.data.X_train), self.data.Y_train
        self.m = self.Y.shape[1]
        self.batch = min(first.mini_batch_size or self.m, self.m)
        self.workspaces: dict[int, StackWorkspace] = {}
        self.evaluation = {"train": StackWorkspace(self.stack, self.m)}
        if self.data.X_test is not None:
            self.evaluation["test"] = StackWorkspace(self.stack, self.data.X_test.shape[1])
            self.X1_test = with_ones_row(self.data.X_test)
        # each net's own stream, as alone: its fresh dropout masks, and (one seed, see can_stack) the shuffles
        self.rngs = [np.random.default_rng(config.seed) for config in self.configs]
        self.fresh_masks = [k for k, c in enumerate(self.configs) if c.keep_prob < 1 and not c.course_compat]
        if self.batch < self.m:
            self.minibatches = MiniBatches(self.X1, self.Y, self.batch, first.course_compat, self.rngs[0])
        self.epoch = 0
        self.costs: list[list[tuple[int, float]]] = [[] for _ in configs]
        self.divergence = [Divergence() for _ in configs]
        self.stall = [Stall() for _ in configs]
        # a net's result, once it has ended; an ended (diverged) net stays in the stack, computed but no longer
        # reported: taking it out would mean re-slicing every stacked array and optimizer state
        self.results: list[Result | None] = [None] * len(configs)
        self.views: dict[int, NetView] = {}  # by row, made when first asked
        self.started = time.perf_counter()

    def optimizers(self) -> list[tuple[slice, GradientDescent]]:
        """One core.optim rule per update group, on its block of rows: the rules broadcast, so a (k, P) size and
        (k, 1) hyper-parameters update k nets at once, each with its own numbers."""
        updates, start = [], 0
        for _, members in groupby(self.configs, key=update_group):
            group = list(members)
            rows, start = slice(start, start + len(group)), start + len(group)
            hyper = [shared_or_column(group, field) for field in HYPER_PARAMETERS]
            updates.append((rows, make_optimizer(group[0].optimizer, (len(group), self.stack.theta.shape[1]), *hyper)))
        return updates

    @property
    def running(self) -> list[int]:
        return [k for k, result in enumerate(self.results) if result is None]

    @property
    def done(self) -> bool:
        return self.epoch >= self.epochs or not self.running

    def workspace(self, m: int) -> StackWorkspace:
        """The buffers for batches of m examples, with every net's L2 scale and dropout masks."""
        if m not in self.workspaces:
            ws = self.workspaces[m] = StackWorkspace(self.stack, m)
            if self.l2_lambda.any():
                ws.l2_scale = self.l2_lambda[:, None] / m * self.stack.net.weight_mask
                ws.l2_term = np.empty_like(ws.grad)
            if (self.keep_prob < 1).any():
                # every net starts from the course's fixed draws (the notebook reseeds with 1 on every forward);
                # nets with fresh masks redraw their rows every step, and keep_prob 1 keeps every unit
                rs, K = np.random.RandomState(1), len(self.configs)
                ws.uniform = [np.repeat(rs.rand(1, n, m), K, axis=0) for n in self.stack.net.layer_sizes[1:-1]]
                ws.keep = [np.less(uniform, self.keep_prob).astype(float) for uniform in ws.uniform]
                ws.keep_prob = self.keep_prob
        return self.workspaces[m]

    def draw_masks(self, ws: StackWorkspace) -> None:
        """Fresh masks for the nets that draw them, each from its own stream as `Training.draw_masks`."""
        for k in self.fresh_masks:
            for uniform in ws.uniform:
                self.rngs[k].random(out=uniform[k])
        for uniform, keep in zip(ws.uniform, ws.keep, strict=True):
            np.less(uniform, self.keep_prob, out=keep)

    def step(self, X1: np.ndarray, Y: np.ndarray, with_cost: bool) -> np.ndarray | None:
        """One update of every net on one batch; returns each net's Σ of cross-entropy terms if asked."""
        ws = self.workspaces.get(Y.shape[1]) or self.workspace(Y.shape[1])
        if self.fresh_masks:
            self.draw_masks(ws)
        ws.forward(X1)
        totals = cross_entropy_sums(ws.AL, Y) if with_cost else None
        grad = ws.backward(X1, Y)
        for rows, optimizer in self.updates:
            optimizer.update(self.stack.theta[rows], grad[rows])
        return totals

    def squares(self) -> np.ndarray | float:
        """Every net's Σ ||W_l||², as `weight_squares` (0 when no net has L2: nothing to compute)."""
        if not self.l2_lambda.any():
            return 0.0
        return sum(np.sum(np.square(layer[:, :, :-1]), axis=(1, 2)) for layer in self.stack.layers)

    def batch_costs(self, cross_entropy: np.ndarray, squares: np.ndarray | float, m: int) -> np.ndarray:
        return cost(cross_entropy, squares, self.l2_lambda, m)

    def train_epoch(self, with_cost: bool) -> np.ndarray | None:
        """One pass over the training set; every net's cost if asked, as `Training.train_epoch` reports it."""
        if self.decaying:  # each net's rate as alone: Python floats, one per net (a column) or one for its group
            for rows, optimizer in self.updates:
                optimizer.learning_rate = one_or_column(
                    [learning_rate_at(config, self.epoch) for config in self.configs[rows]]
                )
        full = self.batch == self.m
        batches = [(self.X1, self.Y)] if full else self.minibatches.epoch()
        costs = epoch_costs(batches, self.step, self.squares, self.batch_costs, with_cost)
        self.epoch += 1
        if costs is None:
            return None
        mean, last = costs
        return last if full else np.where(self.last_batch_cost, last, mean)

    def accuracies(self) -> tuple[np.ndarray, np.ndarray | None]:
        train = self.evaluation["train"]
        train.forward(self.X1)
        if "test" not in self.evaluation:
            return accuracies(train.AL, self.Y), None
        test = self.evaluation["test"]
        test.forward(self.X1_test)
        return accuracies(train.AL, self.Y), accuracies(test.AL, self.data.Y_test)

    def current_costs(self) -> np.ndarray:
        """Every net's cost on the whole training set, without dropout."""
        ws = self.evaluation["train"]
        ws.forward(self.X1)
        return self.batch_costs(cross_entropy_sums(ws.AL, self.Y), self.squares(), self.m)

    def progress_events(self, epoch: int, costs: np.ndarray, train: np.ndarray, test: np.ndarray | None) -> list[Event]:
        return [
            (self.index[k], Progress(epoch, float(costs[k]), float(train[k]), None if test is None else float(test[k])))
            for k in self.running
        ]

    def advance(self) -> list[Event]:
        """Train one epoch; at a report epoch return each running net's progress, measured before its update,
        then the result of any net that has now diverged: it ends there, as it would alone."""
        report = self.epoch % self.report_every == 0
        accuracies = self.accuracies() if report else None
        costs = self.train_epoch(with_cost=report)
        if not report:
            return []
        events = self.progress_events(self.epoch - 1, costs, *accuracies)
        diverged = []
        for k, (_, progress) in zip(self.running, events, strict=True):
            self.costs[k].append((progress.epoch, progress.cost))
            self.stall[k].check(progress.epoch, progress.cost)
            if self.divergence[k].check(progress.cost, self.stack.theta[k]):
                diverged.append(k)
        return events + self.finish(diverged)

    def progress(self) -> list[Event]:
        """Where each running net stands now, measured on its current weights."""
        return self.progress_events(self.epoch, self.current_costs(), *self.accuracies())

    def finish(self, rows: list[int], status: RunStatus | None = None) -> list[Event]:
        """End these nets here, with the result `Training.result` would give each."""
        if not rows:
            return []
        costs, (train, test) = self.current_costs(), self.accuracies()
        for k in rows:
            self.results[k] = Result(
                status=status or self.divergence[k].status(float(costs[k])),
                costs=list(self.costs[k]),
                final_cost=float(costs[k]),
                train_accuracy=float(train[k]),
                test_accuracy=None if test is None else float(test[k]),
                epochs_run=self.epoch,
                duration_s=time.perf_counter() - self.started,  # the grid's time: the nets trained together
                parameters=self.stack.parameters(k),
                diagnosis=self.view(k).diagnosis(),
            )
        return [(self.index[k], self.results[k]) for k in rows]

    def events(self, pace: Pace | None = None) -> Iterator[Event]:
        """Train to the end, yielding each running net's progress at report epochs and each net's result when
        it ends (a diverged net at once, the others last). Honours `pace` as `Training.events` does; a grid
        draws no boundaries."""
        pace = pace or Pace(now=time.perf_counter())
        with np.errstate(all="ignore"):
            while not self.done and not pace.stopped:
                now = time.perf_counter()
                if not pace.allowed(now):
                    due = pace.due()
                    time.sleep(IDLE_S if due is None else min(IDLE_S, max(0.0, due - now)))
                    continue
                events = self.advance()
                if pace.ran(1) and not events:
                    events = self.progress()  # a finished step always shows where it landed
                yield from events
            yield from self.finish(self.running, RunStatus.CANCELLED if pace.stopped and not self.done else None)

    def view(self, k: int) -> NetView:
        """Net k (its row in the stack) as the views read one net: its own Network, holding a copy of its current
        weights, and a workspace of its own over the training set. Between epochs."""
        if k not in self.views:
            net = Network(self.stack.net.layer_sizes, self.configs[k].activation)
            ws, divergence, stall = net.workspace(self.m), self.divergence[k], self.stall[k]
            X1_test = getattr(self, "X1_test", None)
            self.views[k] = NetView(self.configs[k], self.data, net, 0, self.X1, self.Y, ws, divergence, stall, X1_test)
        view = self.views[k]
        view.net.theta[...] = self.stack.theta[k]
        view.epoch = self.epoch
        return view

    def twin(self, k: int) -> Training:
        """Net k (its row) as a Training alone in its exact state: its weights, its rows of the optimizer state (a
        column's entry as a number), its random stream, the epoch. What the twin does next, net k does next."""
        rows, optimizer = next((rows, optimizer) for rows, optimizer in self.updates if rows.start <= k < rows.stop)
        state = {}
        for name, value in vars(optimizer).items():
            row = value[k - rows.start] if isinstance(value, np.ndarray) else value
            state[name] = float(row[0]) if isinstance(row, np.ndarray) and row.shape == (1,) else row
        # mini-batches of one seed (can_stack) are shuffled by the first net's stream, which the twin's then is
        shuffles = self.batch < self.m and not self.configs[k].course_compat
        rng = self.rngs[0] if shuffles else self.rngs[k]
        seed = self.minibatches.seed if self.batch < self.m else None
        return twin_training(self.configs[k], self.data, self.stack.theta[k], state, rng, self.epoch, seed)

    def results_in_order(self) -> list[Result | None]:
        """The results so far, in the order the configs were given."""
        ordered: list[Result | None] = [None] * len(self.results)
        for k, result in enumerate(self.results):
            ordered[self.index[k]] = result
        return ordered


def train_grid(
    configs: Sequence[RunConfig], dataset: Dataset | None = None, data_dir: str | None = None
) -> list[Result]:
    """Train configs that can_stack together to the end; their results in the configs' order."""
    grid = GridTraining(configs, dataset, data_dir)
    with np.errstate(all="ignore"):
        while not grid.done:
            grid.advance()
        grid.finish(grid.running)
    return grid.results_in_order()


def stack_key(config: RunConfig, index: int) -> str:
    """Configs whose keys are equal can_stack together; `index` makes a key of its own for a config that can only
    stack with itself (fresh dropout masks on mini-batches draw from its own stream)."""
    shared = config.model_dump(mode="json", include=set(SHARED) - {"dataset"})
    if config.mini_batch_size is None:
        batches = None
    elif config.course_compat:
        batches = "course"
    else:
        batches = f"seed {config.seed}" if config.keep_prob == 1 else f"alone {index}"
    return json.dumps([shared, dataset_key(config.dataset), batches], sort_keys=True)


def stack_groups(configs: Sequence[RunConfig], max_size: int, parts: int = 1) -> list[list[int]]:
    """The configs' indices in groups that can_stack, each of at most max_size and, where there are enough, at
    least `parts` groups of one kind (so that that many workers share them); a group of one trains alone."""
    kinds: dict[str, list[int]] = {}
    for i, config in enumerate(configs):
        kinds.setdefault(stack_key(config, i), []).append(i)
    groups = []
    for indices in kinds.values():
        n = max(-(-len(indices) // max_size), min(parts, len(indices) // 2) or 1)
        groups.extend(indices[j::n] for j in range(n))  # n near-equal groups
    return groups
