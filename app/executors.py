"""Where a sweep trains away from the server: a local process pool, or a Dask cluster when
TRAINLAB_DASK_ADDRESS names a scheduler (`pip install trainlab[dask]`)."""

import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager


@contextmanager
def sweep_executor() -> Iterator[Executor]:
    """An Executor for core.sweep.run_sweep: Dask's when env TRAINLAB_DASK_ADDRESS is set, else a process pool."""
    address = os.environ.get("TRAINLAB_DASK_ADDRESS")
    if not address:
        with ProcessPoolExecutor() as pool:
            yield pool
        return
    from distributed import Client  # an optional extra: imported only when asked for

    with Client(address) as client:
        yield client.get_executor()
