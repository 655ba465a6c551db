"""A worker that trains many short runs of many sizes gives their memory back: its RSS stays flat (app/live/trim.py)."""

import multiprocessing
import random
import threading
import time

import pytest

from app.live import worker
from app.live.protocol import Finished, Ready, Start
from app.live.trim import TRIM_S, malloc_trim
from core.config import RunConfig
from core.data import make_dataset

BATCHES, RUNS = 6, 30  # 180 runs: untrimmed, the worker grew ~75 MB over them; trimmed, under 1 MB
GROWTH_MB = 20
WAIT_S = 120  # for the next message of a batch's runs, on a loaded machine


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


def train_batch(commands, events, rng: random.Random, first: int) -> None:
    """RUNS students' runs of varied sizes and data, started at once and received to their end. The starts go from a
    thread, as the pool's writer sends them: sent from here, a full command pipe would wait on a worker that waits on
    its full event pipe."""
    starts = []
    for n in range(first, first + RUNS):
        name = rng.choice(["circles", "moons", "xor"])
        config = RunConfig(
            dataset=name,
            epochs=rng.choice([50, 100]),
            hidden_layers=rng.choice([[8, 4], [10, 5], [16], [6, 6, 6]]),
            learning_rate=rng.uniform(0.01, 0.5),
            report_every=50,
        )
        starts.append(Start(f"r{n}", config, make_dataset(name), paused=False, speed=None))
    writer = threading.Thread(target=lambda: [commands.send(start) for start in starts], daemon=True)
    writer.start()
    ids = {start.run_id for start in starts}
    while ids:
        assert events.poll(WAIT_S), f"{len(ids)} runs not finished after {WAIT_S} s"
        for event in events.recv():
            if isinstance(event, Finished):
                ids.discard(event.run_id)
    writer.join()


@pytest.mark.skipif(malloc_trim() is None, reason="no glibc malloc_trim here: nothing to trim with")
def test_a_worker_that_trained_180_runs_holds_no_more_memory_than_after_30():
    context = multiprocessing.get_context("spawn")  # a clean process, as the pool's forkserver gives
    commands, commands_in = context.Pipe(duplex=False)[::-1]
    events_in, events = context.Pipe(duplex=False)[::-1]
    process = context.Process(target=worker.serve, args=(commands_in, events_in), daemon=True)
    process.start()
    commands_in.close()  # the child's ends: only then does a dead child read as EOF here
    events_in.close()
    try:
        (ready,) = events.recv()
        assert isinstance(ready, Ready)
        rng = random.Random(0)
        train_batch(commands, events, rng, 0)
        time.sleep(TRIM_S + 1)  # the worker trims at most every TRIM_S, once a run has ended
        warm = rss_mb(process.pid)
        for batch in range(1, BATCHES):
            train_batch(commands, events, rng, batch * RUNS)
        time.sleep(TRIM_S + 1)
        grown = rss_mb(process.pid) - warm
        assert grown < GROWTH_MB, f"the worker grew {grown:.1f} MB (from {warm:.1f}) over {BATCHES * RUNS} runs"
    finally:
        commands.send(None)
        process.join(10)
        if process.is_alive():
            process.kill()
