"""Bytes and encode time of a boundary frame (app/messages.py encode_boundary) per zlib level, on real
boundaries: an untrained He-initialised net and the same net after a few hundred and a few thousand epochs.

    python benchmarks/frame_encoding.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import app.messages as messages
from core.boundary import Boundary
from core.config import RunConfig
from core.train import Training

EPOCHS = (0, 300, 3000)
LEVELS = (1, 2, 3, 6)
REPEATS = 200


def boundaries(size: int) -> list[Boundary]:
    """The boundary of one run on circles at each of EPOCHS."""
    training = Training(RunConfig(grid_size=size, initialization="he", epochs=max(EPOCHS), seed=1))
    out = []
    for epoch in EPOCHS:
        while training.epoch < epoch:
            training.advance()
        out.append(training.boundary())
    return out


def encode_us(boundary: Boundary) -> float:
    """Median µs of one encode_boundary call."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        messages.encode_boundary(boundary)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def main() -> None:
    for size in (100, 200):
        frames = boundaries(size)
        print(f"{size}×{size}: raw {size * size} bytes of values")
        for level in LEVELS:
            messages.DEFLATE_LEVEL = level
            cells = [f"epoch {b.epoch}: {len(messages.encode_boundary(b)):6d} B {encode_us(b):6.0f} µs" for b in frames]
            print(f"  level {level}  " + "   ".join(cells))


if __name__ == "__main__":
    main()
