"""Sweeps on a Dask cluster: with TRAINLAB_DASK_ADDRESS set, the server sends a sweep's runs to the
cluster's workers instead of its own pool. They are kept in the store as they finish (not streamed live:
the cluster's workers have no line back to the watchers)."""

import secrets
from concurrent.futures import Executor, Future
from typing import Any

import numpy as np

from app.live.history import thinned
from app.messages import dumps
from app.store import Store
from core.config import RunConfig
from core.jsonable import jsonable
from core.status import RunStatus
from core.train import Training


def trained(config: dict[str, Any], data_dir: str) -> tuple[dict, dict, list[list]]:
    """On a worker: the run's result, learned weights and reported points [epoch, cost, train, test]."""
    training = Training(RunConfig.model_validate(config), data_dir=data_dir)
    points = []
    with np.errstate(all="ignore"):
        while not training.done:
            progress = training.advance()
            if progress is not None:
                points.append([progress.epoch, progress.cost, progress.train_accuracy, progress.test_accuracy])
        result = training.result()
    parameters = {name: value.tolist() for name, value in (result.parameters or {}).items()}
    fields = result.to_dict()
    fields["costs"] = thinned(fields["costs"])  # the whole history is the costs table's
    return jsonable(fields), parameters, jsonable(points)


class ClusterSweeps:
    def __init__(self, address: str, store: Store, data_dir: str):
        from distributed import Client  # an optional extra: imported only when a cluster is configured

        self.client = Client(address)
        self.executor: Executor = self.client.get_executor()
        self.store, self.data_dir = store, data_dir

    def submit(self, configs: list[RunConfig]) -> list[str]:
        """Queue each config on the cluster; its result goes to the store when it finishes."""
        run_ids = []
        for config in configs:
            run_id = secrets.token_hex(6)
            fields = config.model_dump(mode="json")
            self.store.add_run(run_id, dumps(fields), RunStatus.QUEUED, kept=True)
            future = self.executor.submit(trained, fields, self.data_dir)
            future.add_done_callback(lambda done, run_id=run_id: self.keep(run_id, done))
            run_ids.append(run_id)
        return run_ids

    def keep(self, run_id: str, done: Future) -> None:
        if done.cancelled():  # the server is stopping: the run stays queued, and is marked interrupted at start
            return
        if done.exception() is not None:
            failure = {
                "status": RunStatus.FAILED, "reason": str(done.exception()), "costs": [], "final_cost": None,
                "train_accuracy": None, "test_accuracy": None, "epochs_run": 0, "duration_s": 0.0,
            }  # fmt: skip
            self.store.finish(run_id, failure, None, [])
            return
        self.store.finish(run_id, *done.result())

    def close(self) -> None:
        self.client.close()
