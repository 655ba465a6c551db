"""The registry's queue of batch runs, in process: runs that cannot go on a worker now (every worker is being
replaced) go back to the queue's head, still their owner's."""

import asyncio
from pathlib import Path

from app.live.pool import NoWorker
from app.live.registry import NewRun, Registry
from app.settings import Settings
from app.store import Store
from core.config import RunConfig
from core.data import make_dataset
from tests.aio import run_apart


def test_runs_that_find_no_worker_stay_queued_and_their_owners(tmp_path: Path):
    async def scenario(data_dir: Path) -> tuple[list[str], list[str], dict]:
        store = Store(data_dir)
        await store.open()
        registry = Registry(Settings(data_dir=data_dir, workers=1), store)
        registry.loop = asyncio.get_running_loop()  # its pool is never started: no worker is there to take them

        def no_worker(*args: object, **kwargs: object) -> None:
            raise NoWorker("every worker is being replaced")

        registry.pool.submit = no_worker
        dataset = make_dataset("circles")
        runs = [NewRun(RunConfig(seed=seed), dataset, "{}", True, None, False) for seed in range(3)]
        queued = [channel.id for channel in registry.enqueue(runs, "10.0.0.7")]
        registry.release()  # tried again (as when a run ends): still no worker
        waiting = list(registry.waiting)
        owners = {owner: n for owner, n in registry.waiting_owners.items() if n}
        await store.close()
        return queued, waiting, owners

    queued, waiting, owners = run_apart(scenario(tmp_path))
    assert waiting == queued, "in their order, at the queue's head"
    assert owners == {"10.0.0.7": 3}, "still counted as their owner's, nobody else's"
