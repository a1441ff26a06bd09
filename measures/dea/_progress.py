"""Reporting of done LP units through an optional `progress(done, total)` callback (no
printing here: the command draws). Thread-safe, one call per block of units."""

from __future__ import annotations

import threading
from collections.abc import Callable

ProgressFn = Callable[[int, int], None]
BLOCK = 32  # units (DMUs) between two calls


class Counter:
    """Counts done units over threads and calls progress(done, total) once per `block`
    units and when all are done; with progress=None `add` does nothing."""

    def __init__(self, progress: ProgressFn | None, total: int, block: int = BLOCK):
        self.progress, self.total, self.block = progress, int(total), max(1, int(block))
        self.done = 0
        self._last = 0
        self._lock = threading.Lock()

    def add(self, n: int = 1) -> None:
        if self.progress is None:
            return
        with self._lock:
            self.done += n
            if self.done - self._last < self.block and self.done < self.total:
                return
            self._last = self.done
            done = self.done
        self.progress(done, self.total)


def shifted(progress: ProgressFn | None, before: int, total: int) -> ProgressFn | None:
    """A callback for a part of the work: its `done` reported as before + done of `total`."""
    if progress is None:
        return None
    return lambda done, _n: progress(before + done, total)
