"""Freed memory back to the operating system, now and then.

glibc keeps the pages of freed NumPy buffers for the next allocation of their size, and a worker's runs come in many
sizes: one that trained 180 short runs of students' sizes grew by 77 MB and kept it, while trimming after runs end kept
its growth under 1 MB (tests/app/live/test_trim.py; the first trim of a fragmented heap takes ~30 ms, later ones
~0.2 ms). Without glibc (musl, macOS) there is nothing to call and nothing is done.
"""

import ctypes
import ctypes.util
from collections.abc import Callable

TRIM_S = 2.0  # at most this often, and only after some run ended (a trim that follows others takes ~0.2 ms)


def malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where there is none."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


class Trimmer:
    """Trims at most every `every_s` seconds, once something was freed since the last trim."""

    def __init__(self, every_s: float = TRIM_S) -> None:
        self.trim = malloc_trim()
        self.every_s = every_s
        self.due = False
        self.next_at = 0.0

    def freed(self) -> None:
        self.due = self.trim is not None  # without malloc_trim, nothing is ever due

    def wake_at(self) -> float:
        """When the next trim is due (inf: none is)."""
        return self.next_at if self.due else float("inf")

    def tick(self, now: float) -> None:
        if self.due and now >= self.next_at:
            self.trim(0)
            self.due = False
            self.next_at = now + self.every_s
