"""The pool of warm worker processes (app/live/worker.py) that train every run, seen from the server.

Each worker has a writer thread for commands and a reader thread for events, so the event loop never
blocks on a pipe: the reader hands each batch of events to the loop with call_soon_threadsafe. Workers
fork from a forkserver that has already imported NumPy and core, so a replacement starts in milliseconds.
"""

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.context import BaseContext

from app.live import worker as worker_process
from app.live.protocol import Ack, Answer, Check, Command, Event, Failed, Finished, Preview, Ready, Start, StartGroup
from core.gradcheck import Bug
from core.livestack import MAX_ROWS

START_TIMEOUT_S = 60.0
ACK_TIMEOUT_S = 2.0
CHECK_TIMEOUT_S = 10.0  # a gradient check is bounded to ~0.5 s, but waits for its worker's other runs' slices
STOP_TIMEOUT_S = 3.0
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

log = logging.getLogger("trainlab.pool")


class NoWorker(RuntimeError):  # noqa: N818 - reads as a sentence: raise NoWorker
    """Every worker process is down (being replaced)."""


class Worker:
    """One worker process, its two pipes, and the two threads that use them."""

    def __init__(
        self, index: int, context: BaseContext, loop: asyncio.AbstractEventLoop, pool: "WorkerPool", stack_rows: int
    ) -> None:
        self.index = index
        self.runs: set[str] = set()
        self.weights: dict[str, int] = {}  # each run's weight (app/live/registry.py run_weight)
        self.kinds: dict[str, str] = {}  # each run's kind, if it can stack (registry.pool_kind)
        self.pid: int | None = None
        self.alive = True
        self.ready = asyncio.Event()
        commands_in, self._commands = context.Pipe(duplex=False)
        self._events, events_out = context.Pipe(duplex=False)
        self.process = context.Process(
            target=worker_process.serve,
            args=(commands_in, events_out, stack_rows),
            name=f"trainlab-worker-{index}",
            daemon=True,
        )
        self.process.start()
        # drop our copies of the child's ends: only then does a dead child read as EOF
        commands_in.close()
        events_out.close()
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._write, name=f"worker-{index}-writer", daemon=True).start()
        threading.Thread(target=self._read, args=(loop, pool), name=f"worker-{index}-reader", daemon=True).start()

    def send(self, command: Start | StartGroup | Command | Check | Preview | None) -> None:
        """Queue a command (None: finish) for the writer thread."""
        self._outbox.put(command)

    def _write(self) -> None:
        while True:
            command = self._outbox.get()
            try:
                self._commands.send(command)
            except OSError:
                return  # the worker is gone; the reader reports it
            if command is None:
                return

    def _read(self, loop: asyncio.AbstractEventLoop, pool: "WorkerPool") -> None:
        try:
            while True:
                batch = self._events.recv()
                loop.call_soon_threadsafe(pool.on_batch, self, batch)
        except (EOFError, OSError):
            pass
        except RuntimeError:
            return  # the event loop is closed: the server is shutting down
        self.process.join(timeout=5)
        with contextlib.suppress(RuntimeError):  # the event loop is closed
            loop.call_soon_threadsafe(pool.on_exit, self)

    def exit_reason(self) -> str:
        code = self.process.exitcode
        if code is None:
            return "its worker process stopped answering"
        if code < 0:
            return f"its worker process was killed by {signal.Signals(-code).name}"
        return f"its worker process exited with code {code}"


class WorkerPool:
    """N worker processes; a new run goes to the one hosting the fewest."""

    def __init__(self, size: int, on_event: Callable[[Event], None], stack_rows: int = MAX_ROWS):
        self.size = size
        self.stack_rows = stack_rows  # what each worker's LiveStacks hold at most (1: every run by itself)
        self.on_event = on_event  # called on the event loop for every run event (not Ready / Ack)
        self.workers: list[Worker] = []
        self.placement: dict[str, Worker] = {}
        self.acks: dict[int, tuple[Worker, asyncio.Future]] = {}
        self.sequence = itertools.count()
        self.closing = False
        self.replacing: set[asyncio.Task] = set()

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        # one BLAS thread per worker: the pool is already a process per core, and BLAS threads on top of it
        # oversubscribe the cores; a 32-32 net's 100×100 boundary took 3-12 ms of CPU instead of 1.1 (load.py)
        for name in BLAS_THREADS:
            os.environ.setdefault(name, "1")  # before the forkserver starts: its NumPy reads them on import
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["app.live.worker"])
        # the first start also boots the forkserver (imports NumPy, SciPy, core: ~1-2 s): off the loop
        self.workers = [await asyncio.to_thread(self.spawn, i) for i in range(self.size)]
        await asyncio.wait_for(asyncio.gather(*(w.ready.wait() for w in self.workers)), START_TIMEOUT_S)

    def spawn(self, index: int) -> Worker:
        return Worker(index, self.context, self.loop, self, self.stack_rows)

    def submit(self, start: Start | StartGroup, weight: int = 1, kind: str | None = None) -> None:
        """Start a run, or a group of runs trained together, on the worker with the least work (its runs' weights);
        between workers as loaded, where more runs of its kind are (they train stacked there, app/live/worker.py)."""
        alive = [w for w in self.workers if w.alive]
        if not alive:
            raise NoWorker("no worker process is running (one is being restarted): try again in a moment")
        worker = min(alive, key=lambda w: (sum(w.weights.values()), -list(w.kinds.values()).count(kind)))
        runs = start.starts if isinstance(start, StartGroup) else [start]
        for run in runs:  # each member's id finds the group
            worker.runs.add(run.run_id)
            worker.weights[run.run_id] = max(1, weight // len(runs))
            if kind is not None:
                worker.kinds[run.run_id] = kind
            self.placement[run.run_id] = worker
        worker.send(start)

    def release(self, worker: Worker, run_id: str) -> None:
        worker.runs.discard(run_id)
        worker.weights.pop(run_id, None)
        worker.kinds.pop(run_id, None)
        self.placement.pop(run_id, None)

    def command(self, run_id: str, action: str, value: float | None = None) -> None:
        """Send a control command without waiting for its answer."""
        worker = self.placement.get(run_id)
        if worker is not None:
            worker.send(Command(run_id, action, value))

    async def control(self, run_id: str, action: str, value: float | None = None) -> str | None:
        """Send a control command; the run's status once the worker applied it (None: not there any more)."""
        return await self.ask(run_id, lambda seq: Command(run_id, action, value, seq), ACK_TIMEOUT_S)

    async def check(self, run_id: str, bug: Bug | None = None) -> Answer | None:
        """A gradient check of the run's current weights, by its worker (None: the run is not there any more)."""
        return await self.ask(run_id, lambda seq: Check(run_id, seq, bug), CHECK_TIMEOUT_S)

    async def preview(self, run_id: str, example: int) -> Answer | None:
        """The run's next iteration in stages, by its worker (None: the run is not there any more)."""
        return await self.ask(run_id, lambda seq: Preview(run_id, seq, example), CHECK_TIMEOUT_S)

    async def ask(self, run_id: str, command: Callable[[int], Command | Check | Preview], timeout: float) -> object:
        """Send command(seq) to the run's worker and wait for the answer carrying seq (None: no answer)."""
        worker = self.placement.get(run_id)
        if worker is None:
            return None
        seq = next(self.sequence)
        answer = self.loop.create_future()
        self.acks[seq] = (worker, answer)
        worker.send(command(seq))
        try:
            return await asyncio.wait_for(answer, timeout)
        except TimeoutError:
            return None
        finally:
            self.acks.pop(seq, None)

    def on_batch(self, worker: Worker, batch: list[Event]) -> None:
        for event in batch:
            if isinstance(event, Ready):
                worker.pid = event.pid
                worker.ready.set()
            elif isinstance(event, Ack | Answer):
                _, answer = self.acks.get(event.seq, (None, None))
                if answer is not None and not answer.done():
                    answer.set_result(event.status if isinstance(event, Ack) else event)
            else:
                if isinstance(event, Finished | Failed):
                    self.release(worker, event.run_id)
                self.on_event(event)

    def on_exit(self, worker: Worker) -> None:
        """A worker died: its runs fail, everything else carries on, and a fresh worker takes its place."""
        worker.alive = False
        if self.closing:
            return
        reason = worker.exit_reason()
        log.warning("worker process %s died: %s", worker.pid, reason)
        for run_id in sorted(worker.runs):
            self.release(worker, run_id)
            self.on_event(Failed(run_id, reason))
        for owner, answer in list(self.acks.values()):
            if owner is worker and not answer.done():
                answer.set_result(None)
        task = asyncio.create_task(self.replace(worker))
        self.replacing.add(task)
        task.add_done_callback(self.replacing.discard)

    async def replace(self, dead: Worker) -> None:
        try:
            self.workers[dead.index] = await asyncio.to_thread(self.spawn, dead.index)
        except Exception:
            log.exception("could not start a worker process to replace %s", dead.pid)

    async def close(self) -> None:
        self.closing = True
        for worker in self.workers:
            worker.send(None)
        await asyncio.to_thread(self.join_all)

    def join_all(self) -> None:
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(1)
