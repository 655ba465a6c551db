"""asyncio.run for tests that share a process with Playwright's sync API, whose browser fixture leaves an event
loop running in the main thread for the rest of the session (asyncio.run there refuses to start): the coroutine
runs in a thread of its own, with a loop of its own."""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """What asyncio.run(coroutine) returns, run in a fresh thread."""
    with ThreadPoolExecutor(1, thread_name_prefix="asyncio-run") as pool:
        return pool.submit(asyncio.run, coroutine).result()
