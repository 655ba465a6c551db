"""How late the event loop runs: a periodic wake-up's delay past its due time, over the last minute.

Everything the server does for watchers and requests runs on one event loop; when the loop is busy, every
answer and every frame waits. A wake-up every 50 ms that comes late by x was behind work lasting about x.
"""

import asyncio
import time
from collections import deque
from dataclasses import dataclass

from app.background import Background

EVERY_S = 0.05
WINDOW_S = 60.0


@dataclass(frozen=True, slots=True)
class LagFigures:
    p50_ms: float
    p99_ms: float
    max_ms: float
    samples: int


class LoopLag(Background):
    """Samples the running loop's lag while started; figures() sums up the last WINDOW_S."""

    def __init__(self, every_s: float = EVERY_S, window_s: float = WINDOW_S):
        self.every_s = every_s
        self.window_s = window_s
        self.samples: deque[tuple[float, float]] = deque()  # (when, lag in seconds), oldest first

    async def run(self) -> None:
        while True:
            due = time.perf_counter() + self.every_s
            await asyncio.sleep(self.every_s)
            now = time.perf_counter()
            self.samples.append((now, max(0.0, now - due)))
            while self.samples[0][0] < now - self.window_s:
                self.samples.popleft()

    def figures(self) -> LagFigures:
        """Median, 99th percentile and max lag in ms over the window (zeros before the first sample)."""
        lags = sorted(lag for _, lag in self.samples)
        if not lags:
            return LagFigures(0.0, 0.0, 0.0, 0)

        def ms(q: float) -> float:
            return round(lags[min(len(lags) - 1, int(q * len(lags)))] * 1e3, 2)

        return LagFigures(ms(0.5), ms(0.99), round(lags[-1] * 1e3, 2), len(lags))
