"""A worker stacks the runs it can (full batch, one shape, one dataset), whoever started them and whenever: runs join at
their next slice and leave when paused, stopped or ended, and each sends exactly what it sends trained alone. Stacked
runs leave nothing behind (issue 12: ~2 MB a run used to wait for the garbage collector)."""

import gc
import tracemalloc

import numpy as np
import pytest

from app.live.protocol import Command, Failed, Finished, Frame, Insight, Points, Start, StartGroup
from app.live.worker import Host
from core.config import RunConfig
from core.data import make_dataset
from core.livestack import LiveStack
from core.presets import preset_config
from core.train import Training

DATA = make_dataset("circles")
CONFIGS = [
    {"learning_rate": 0.05, "seed": 1},
    {"initialization": "random", "init_scale": 5, "learning_rate": 0.02, "seed": 2, "report_every": 25},
    {"optimizer": "adam", "learning_rate": 0.01, "epochs": 900},
    {"optimizer": "momentum", "l2_lambda": 0.5, "learning_rate": 0.1, "seed": 4},
    {"initialization": "xavier", "learning_rate": 0.2, "seed": 5, "epochs": 500},
    {"learning_rate": 100.0, "report_every": 5},  # diverges
]


def sent(events: list, run_id: str) -> tuple[list, dict, dict | None]:
    mine = [e for e in events if getattr(e, "run_id", None) == run_id]
    assert not [e for e in mine if isinstance(e, Failed)]
    (finished,) = [e for e in mine if isinstance(e, Finished)]
    return [p for e in mine if isinstance(e, Points) for p in e.points], finished.result, finished.parameters


def assert_as_alone(config: RunConfig, points: list, result: dict, parameters: dict) -> None:
    """Every point is where the run stood alone at that epoch (no dropout: a report's cost is the current cost), and
    so is its end."""
    alone = Training(config, dataset=DATA)
    with np.errstate(all="ignore"):
        for epoch, *numbers in points:
            while alone.epoch < epoch:
                alone.advance()
            progress = alone.progress()
            assert [progress.cost, progress.train_accuracy, progress.test_accuracy] == numbers, epoch
        while alone.epoch < result["epochs_run"]:
            alone.advance()
        end = alone.result()
    assert [result[k] for k in ("final_cost", "train_accuracy", "test_accuracy")] == [
        end.final_cost,
        end.train_accuracy,
        end.test_accuracy,
    ]
    assert {k: np.array(v) for k, v in parameters.items()}.keys() == end.parameters.keys()
    for name, value in end.parameters.items():
        assert np.array_equal(np.array(parameters[name]), value, equal_nan=True), name


def test_runs_join_and_leave_a_stack_mid_run_and_send_what_they_send_alone(monkeypatch) -> None:
    slices = []
    train = LiveStack.train
    monkeypatch.setattr(LiveStack, "train", lambda self, runs, *a: slices.append(len(runs)) or train(self, runs, *a))
    configs = [RunConfig(**{"epochs": 700, "report_every": 10, **c}) for c in CONFIGS]
    host, events = Host(), []

    # what happens when: runs start while others train (joining), one pauses and resumes (leaving, coming back),
    # one steps while paused, one is stopped, one trains at a speed of its own
    def epoch(run_id: str) -> int:
        return host.lone[run_id].training.epoch

    plan = [
        (lambda: True, [Start("r0", configs[0], DATA, False, None), Start("r1", configs[1], DATA, False, None)]),
        (lambda: epoch("r0") >= 50, [Start("r2", configs[2], DATA, False, 3000.0)]),
        (lambda: epoch("r0") >= 100, [Start("r3", configs[3], DATA, False, None), Command("r0", "pause")]),
        (
            lambda: epoch("r1") >= 200,
            [Start("r4", configs[4], DATA, True, None), Start("r5", configs[5], DATA, False, None)],
        ),
        (lambda: True, [Command("r4", "step", 37)]),
        (lambda: epoch("r3") >= 150, [Command("r0", "resume"), Command("r1", "stop")]),
        (lambda: epoch("r4") == 37, [Command("r4", "resume")]),
    ]
    rounds = 0
    with np.errstate(all="ignore"):
        while plan or host.slots:
            if plan and plan[0][0]():
                for command in plan.pop(0)[1]:
                    host.handle(command)
            host.train_round()
            events += host.report()
            rounds += 1
            assert rounds < 20_000
    assert max(slices) >= 4 and len(slices) > 5, "they did train stacked"
    for i, config in enumerate(configs):
        points, result, parameters = sent(events, f"r{i}")
        assert_as_alone(config, points, result, parameters)
    statuses = {i: sent(events, f"r{i}")[1]["status"] for i in range(6)}
    assert statuses == {0: "done", 1: "cancelled", 2: "done", 3: "done", 4: "done", 5: "diverged"}
    assert sent(events, "r4")[0][0][0] == 0 and any(p[0] == 37 for p in sent(events, "r4")[0]), "the step's end"
    assert not host.stacks, "the last run of a kind takes its stack's buffers with it"


def test_a_worker_that_stacks_nothing_trains_each_run_by_itself(monkeypatch) -> None:
    slices = []
    monkeypatch.setattr(LiveStack, "train", lambda *a: slices.append(1))
    host = Host(stack_rows=1)
    for i in range(3):
        host.handle(Start(f"r{i}", RunConfig(epochs=50, seed=i), DATA, False, None))
    events = []
    while host.slots:
        host.train_round()
        events += host.report()
    assert not slices and sum(isinstance(e, Finished) for e in events) == 3


def test_each_run_of_a_stack_gets_its_boundary_frames() -> None:
    host = Host()
    for i in range(5):
        host.handle(Start(f"r{i}", RunConfig(epochs=3000, seed=i, grid_size=30), DATA, False, 2000.0))
    events = []
    while host.slots:
        host.train_round()
        events += host.report()
    frames = {f"r{i}": [e for e in events if isinstance(e, Frame) and e.run_id == f"r{i}"] for i in range(5)}
    assert all(len(mine) >= 10 for mine in frames.values()), {k: len(v) for k, v in frames.items()}


def stacked_runs(host: Host, n: int, first: int) -> None:
    """n runs through the host, as a comparison's groups of three and as runs stacked in LiveStack slices."""
    names = ("init-zeros", "init-random", "init-he")
    for g in range(n // 6):
        starts = [
            Start(f"g{first}-{g}-{i}", preset_config(p, {"epochs": 40}), DATA, False, None) for i, p in enumerate(names)
        ]
        host.handle(StartGroup(starts))
        for i in range(3):
            host.handle(Start(f"l{first}-{g}-{i}", RunConfig(epochs=40, seed=i), DATA, False, None))
        with np.errstate(all="ignore"):
            while host.slots:
                host.train_round()
                host.report()


@pytest.mark.parametrize("runs", [102])
def test_stacked_runs_leave_nothing_behind(runs: int) -> None:
    host = Host()
    tracemalloc.start()
    try:
        stacked_runs(host, 12, 0)  # warm up: buffers, caches
        before = tracemalloc.get_traced_memory()[0]
        stacked_runs(host, runs, 1)
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert gc.isenabled()
    # a stacked run held ~2 MB until a full collection, which rarely came: 100 runs grew a worker by ~190 MB
    assert growth < 4 * 2**20, f"{growth / 2**20:.1f} MiB after {runs} stacked runs"


def test_a_run_nobody_watches_trains_without_its_views_until_someone_does() -> None:
    host = Host()
    host.handle(Start("quiet", RunConfig(epochs=4000, grid_size=20), DATA, False, 4000.0))
    host.handle(Start("other", RunConfig(epochs=4000, grid_size=20, seed=1), DATA, False, 4000.0))
    host.handle(Command("quiet", "watched", 0))

    def views(events: list) -> list:
        return [e for e in events if isinstance(e, Frame | Insight) and e.run_id == "quiet"]

    events = []
    while host.lone["quiet"].training.epoch < 1500:
        host.train_round()
        events += host.report()
    assert len(views(events)) <= 2, "the untrained net's, made before the server said"
    assert any(isinstance(e, Points) and e.run_id == "quiet" for e in events), "its costs still come"
    host.handle(Command("quiet", "pause"))  # a pause asks for the views at once: they wait for a watcher
    host.report()
    assert host.slots["quiet"].wake_at() == float("inf"), "a paused run nobody watches does not keep its worker awake"
    host.handle(Command("quiet", "resume"))
    host.handle(Command("quiet", "watched", 1))
    host.train_round()
    woken = host.report()
    assert {e.view if isinstance(e, Frame) else "insight" for e in views(woken)} == {
        "boundary",
        "network",
        "insight",
    }, "at once"
    host.handle(Command("quiet", "watched", 0))
    events = []
    while host.slots:
        host.train_round()
        events += host.report()
    ends = [e for e in views(events) if isinstance(e, Frame)]
    assert sorted(e.view for e in ends) == ["boundary", "network"], "unwatched: only its end's pictures"
    assert all(e.epoch == 4000 for e in ends), "its end shows where it ended"
