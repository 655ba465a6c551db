"""Work the server runs beside its requests, from start-up to shut-down: a coroutine as a task (the loop-lag sampler,
the lecture rooms' ticker)."""

import asyncio
import contextlib


class Background:
    task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def run(self) -> None:
        raise NotImplementedError
