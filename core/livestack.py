"""Runs that train alone, stepped together: full-batch runs of one network shape on one dataset share a vectorized
pass, whoever started them and whenever, and each keeps everything that is its own.

A run is a `core.train.Training` and stays one: its weights, epoch, report schedule, optimizer state (momentum, Adam's
moments and t), dropout stream and divergence are its own, between slices as alone. `LiveStack.train` takes the runs
that may train now and how many epochs each may run, loads their weights and optimizer state into the rows of a
`core.grid.Stack`, trains, and stores them back. So joining a stack is being in a slice's list and leaving it is not
being in the next one; nothing of a run's stays in the stack between slices.

Rows go in order of the epochs their runs may run: epoch i of a slice steps the first k_i rows (the runs allowed more
than i epochs), views of the stack's buffers, no copies. Each row gets the arithmetic `Training.step` gives its run
alone (core/grid.py: np.matmul calls the BLAS kernel np.dot calls, per net), and what differs per run is done per run,
as alone: a report's accuracies and Σ||W||² come from the run's own evaluation on its own weights, a decaying
learning rate and Adam's bias corrections are Python floats of the run's own epoch and t, L2 is added to the rows
that have it only, and fresh dropout masks are drawn from each run's own generator.
"""

import hashlib
import math
import time
from collections.abc import Sequence

import numpy as np

from core.data import Dataset
from core.grid import Stack, StackWorkspace
from core.network import Network, cross_entropy_sum
from core.schedule import learning_rate_at
from core.train import Progress, Training

MAX_ROWS = 32  # nets per stack: past ~32 of the course's nets a stacked epoch leaves the cache, and costs more per net
BETAS = ("beta", "beta1", "beta2")
MAX_BYTES = 64 * 2**20  # a stack's buffers at most (a big net on 5000 points needs ~80 MB a row: it trains alone)


def data_fingerprint(data: Dataset) -> str:
    """Equal for datasets whose training points are equal: runs that may share the stacked pass's input."""
    digest = hashlib.sha1()
    for array in (data.X_train, data.Y_train):
        digest.update(repr(array.shape).encode())
        digest.update(np.ascontiguousarray(array, dtype=float).tobytes())
    return digest.hexdigest()


def live_key(training: Training, fingerprint: str) -> tuple | None:
    """Runs with equal keys can train in one LiveStack (fingerprint: their data's); None for a run that trains alone:
    mini-batches (each run shuffles with its own stream, at its own epoch)."""
    if training.batch < training.m:
        return None
    return (tuple(training.net.layer_sizes), training.net.activation, fingerprint)


def bytes_per_row(layer_sizes: Sequence[int], m: int) -> int:
    """What one row of a LiveStack's buffers takes: activations, slopes, gradients, masks over m examples."""
    hidden = sum(layer_sizes[1:-1])
    return 8 * m * (6 * hidden + 2 * len(layer_sizes) + layer_sizes[-1] * 2)


def rows_for(layer_sizes: Sequence[int], m: int) -> int:
    """How many nets one LiveStack of this shape holds (at most MAX_ROWS, within MAX_BYTES)."""
    return max(1, min(MAX_ROWS, MAX_BYTES // bytes_per_row(layer_sizes, m)))


def rows(indices: list[int]) -> slice | list[int]:
    """The rows as a slice (a view: updated in place) when they follow each other, else as an index list."""
    if indices and indices[-1] - indices[0] + 1 == len(indices):
        return slice(indices[0], indices[-1] + 1)
    return indices


def column(values: Sequence[float]) -> np.ndarray:
    return np.array(values, dtype=float)[:, None]


class LiveStack:
    """Up to `capacity` nets of one shape, trained on one dataset's [X; 1], Y."""

    def __init__(self, first: Training, capacity: int):
        self.net = Network(first.net.layer_sizes, first.net.activation)  # the layout every row has
        self.X1, self.Y, self.m = first.X1, first.Y, first.m
        self.capacity = capacity
        self.stack = Stack(self.net, capacity)
        self.buffers = StackWorkspace(self.stack, self.m)
        self.prefixes: dict[int, tuple[Stack, StackWorkspace]] = {}  # the first k rows, made when first used
        self.v, self.s = np.zeros_like(self.stack.theta), np.zeros_like(self.stack.theta)  # optimizers' moments
        hidden = self.net.layer_sizes[1:-1]
        self.uniform = [np.empty((capacity, n, self.m)) for n in hidden]  # the draws dropout masks are made from
        self.keep = [np.empty((capacity, n, self.m)) for n in hidden]
        # the course's fixed masks come from seed 1 on every forward pass (Training.workspace): one set for all
        draws = np.random.RandomState(1)
        self.fixed = [draws.rand(n, self.m) for n in hidden]

    def prefix(self, k: int) -> tuple[Stack, StackWorkspace]:
        if k not in self.prefixes:
            stack = self.stack.rows(k)
            self.prefixes[k] = (stack, StackWorkspace(stack, self.m, within=self.buffers))
        return self.prefixes[k]

    def train(self, runs: Sequence[Training], limits: Sequence[float], budget_s: float) -> tuple[list[int], list]:
        """Train each run up to limits[i] epochs (and at most to its last), all together, until budget_s is spent or
        a run diverges (it ends there, as alone). Returns the epochs each ran and its progress at report epochs."""
        limits = [min(limit, run.config.epochs - run.epoch) for run, limit in zip(runs, limits, strict=True)]
        order = sorted(range(len(runs)), key=lambda i: (-limits[i], runs[i].config.optimizer))
        slice_ = Slice(self, [runs[i] for i in order], [limits[i] for i in order])
        iterations = slice_.run(time.perf_counter() + budget_s)
        ran, progress = [0] * len(runs), [[] for _ in runs]
        for row, i in enumerate(order):
            ran[i] = slice_.store(row, iterations)
            progress[i] = slice_.progress[row]
        return ran, progress


class Slice:
    """One LiveStack slice: its runs in row order, their hyper-parameters as columns, and what they reported."""

    def __init__(self, live: LiveStack, runs: list[Training], limits: list[float]):
        if len(runs) > live.capacity:
            raise ValueError(f"{len(runs)} runs in a stack of {live.capacity}")
        self.live, self.runs = live, runs
        self.limits = limits  # in decreasing order
        self.start = [run.epoch for run in runs]
        self.every = [run.config.report_every for run in runs]
        self.progress: list[list[Progress]] = [[] for _ in runs]
        configs = [run.config for run in runs]
        K, theta = len(runs), live.stack.theta
        theta[:K] = [run.net.theta for run in runs]
        kinds = {kind: [r for r, c in enumerate(configs) if c.optimizer == kind] for kind in ("gd", "momentum", "adam")}
        self.kinds = {kind: members for kind, members in kinds.items() if members}
        for r in kinds["momentum"] + kinds["adam"]:
            live.v[r] = runs[r].optimizer.v
        for r in kinds["adam"]:
            live.s[r] = runs[r].optimizer.s
        self.t = [runs[r].optimizer.t for r in kinds["adam"]]
        self.learning_rate = column([c.learning_rate for c in configs])  # decaying rows: set each epoch
        self.decaying = [r for r, c in enumerate(configs) if c.lr_decay != "none"]
        self.beta, self.beta1, self.beta2 = (column([getattr(c, name) for c in configs]) for name in BETAS)
        self.l2_rows = [r for r, c in enumerate(configs) if c.l2_lambda]
        if self.l2_rows:  # λ/m on the weights, 0 on the biases, as Workspace.backward scales them
            self.l2_scale = np.stack([configs[r].l2_lambda / live.m * live.net.weight_mask for r in self.l2_rows])
        self.fresh = [r for r, c in enumerate(configs) if c.keep_prob < 1 and not c.course_compat]
        self.dropout = any(c.keep_prob < 1 for c in configs)
        if self.dropout:  # rows without fresh masks keep the course's draws (keep_prob 1 keeps every unit)
            for uniform, fixed in zip(live.uniform, live.fixed, strict=True):
                uniform[:K] = fixed
            self.keep_prob = np.array([c.keep_prob for c in configs])[:, None, None]

    def run(self, end: float) -> int:
        """Epochs until the end time, every run's limit or a divergence; how many iterations ran."""
        limits = self.limits
        k, i = len(self.runs), 0
        while True:
            while k and limits[k - 1] <= i:
                k -= 1
            if not k:
                return i
            diverged = self.epoch(k, i)
            i += 1
            if diverged or time.perf_counter() >= end:
                return i

    def epoch(self, k: int, i: int) -> bool:
        """Iteration i: one epoch of the first k rows; has a run diverged?"""
        live, runs = self.live, self.runs
        stack, ws = live.prefix(k)
        reports = [r for r in range(k) if (self.start[r] + i) % self.every[r] == 0]
        measured = {}
        for r in reports:  # measured before the update, by the run itself: Training.advance's numbers
            run = runs[r]
            run.net.theta[...] = stack.theta[r]
            measured[r] = (run.accuracies(), run.squares())
        if self.dropout:
            for r in self.fresh:
                if r < k:
                    for uniform in live.uniform:
                        runs[r].rng.random(out=uniform[r])
            masks = zip(live.uniform, live.keep, strict=True)
            ws.keep = [np.less(uniform[:k], self.keep_prob[:k], out=keep[:k]) for uniform, keep in masks]
            ws.keep_prob = self.keep_prob[:k]
        else:
            ws.keep = None  # a prefix is kept between slices: the last one's masks are not this one's
        for r in self.decaying:  # the rate Training.train_epoch sets for this epoch: a Python float of its own
            if r < k:
                self.learning_rate[r, 0] = learning_rate_at(runs[r].config, self.start[r] + i)
        ws.forward(live.X1)
        entropies = {r: cross_entropy_sum(ws.AL[r], live.Y) for r in reports}
        grad = ws.backward(live.X1, live.Y)
        self.add_l2(stack.theta, grad, k)
        self.update(stack.theta, grad, k)
        diverged = False
        for r in reports:
            run, epoch = runs[r], self.start[r] + i
            accuracies, squares = measured[r]
            cost = run.batch_cost(entropies[r], squares, live.m)
            run.costs.append((epoch, cost))
            diverged |= run.divergence.check(cost, stack.theta[r])
            self.progress[r].append(Progress(epoch, cost, *accuracies))
        return diverged

    def add_l2(self, theta: np.ndarray, grad: np.ndarray, k: int) -> None:
        """grad += (λ/m)·W on the rows whose runs have L2 (alone, a run without adds nothing, not even a 0)."""
        active = [j for j, r in enumerate(self.l2_rows) if r < k]
        if active:
            at = rows([self.l2_rows[j] for j in active])
            grad[at] += theta[at] * self.l2_scale[rows(active)]

    def update(self, theta: np.ndarray, grad: np.ndarray, k: int) -> None:
        """Each active row's optimizer rule, with its own hyper-parameters (core/optim.py's order of operations)."""
        live = self.live
        for kind, members in self.kinds.items():
            active = [r for r in members if r < k]
            if not active:
                continue
            at = rows(active)
            g, lr = grad[at], self.learning_rate[at]
            if kind == "gd":
                theta[at] -= g * lr
            elif kind == "momentum":
                beta = self.beta[at]
                v = live.v[at]
                v *= beta
                v += g * (1 - beta)
                live.v[at] = v
                theta[at] -= v * lr
            else:
                self.adam(theta, g, at, active, live)

    def adam(self, theta: np.ndarray, g: np.ndarray, at: slice | list[int], active: list[int], live: LiveStack) -> None:
        epsilon, scale = [], []
        for j, r in enumerate(active):  # the bias corrections as Adam.update computes them: Python floats of its t
            self.t[j] += 1
            config = self.runs[r].config
            c1, sqrt_c2 = 1 - config.beta1 ** self.t[j], math.sqrt(1 - config.beta2 ** self.t[j])
            epsilon.append(config.epsilon * sqrt_c2)
            scale.append(float(self.learning_rate[r, 0]) * sqrt_c2 / c1)
        beta1, beta2 = self.beta1[at], self.beta2[at]
        v, s = live.v[at], live.s[at]
        v *= beta1
        v += g * (1 - beta1)
        s *= beta2
        s += np.square(g) * (1 - beta2)
        denominator = np.sqrt(s)
        denominator += column(epsilon)
        step = v / denominator
        step *= column(scale)
        theta[at] -= step
        live.v[at], live.s[at] = v, s

    def store(self, row: int, iterations: int) -> int:
        """Put the row's weights and optimizer state back into its run; the epochs it ran."""
        run, live = self.runs[row], self.live
        ran = int(min(self.limits[row], iterations))
        run.net.theta[...] = live.stack.theta[row]
        optimizer = run.optimizer
        if hasattr(optimizer, "v"):
            optimizer.v[...] = live.v[row]
        if hasattr(optimizer, "s"):
            optimizer.s[...] = live.s[row]
            optimizer.t += ran
        if ran and run.config.lr_decay != "none":  # as Training.train_epoch leaves it: its last epoch's rate
            optimizer.learning_rate = learning_rate_at(run.config, run.epoch + ran - 1)
        run.epoch += ran
        return ran
