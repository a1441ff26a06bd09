"""Progress on stderr for long work of the analysis commands (issue 17): a bar with done/total
units and an ETA, or an elapsed-time ticker; drawn only when stderr is a terminal (or
CBEC_PROGRESS=1), never with --quiet, so scripts and pipes see no control codes."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable


def eta_text(elapsed: float, done: int, total: int) -> str:
    """'ETA 12 s' / 'ETA 3 min' / 'ETA < 1 s' from the mean time per done unit (elapsed/done × remaining);
    '' before the first unit and when everything is done."""
    if done <= 0 or done >= total:
        return ""
    left = elapsed / done * (total - done)
    if left < 0.5:
        return "ETA < 1 s"
    return f"ETA {left / 60:.0f} min" if left >= 90 else f"ETA {left:.0f} s"


class Progress:
    """Progress on stderr for long LP work: `step()` after each of `total` units (or
    `update(done, total)`, the `progress=` callback of measures) draws a bar with an ETA
    once some units are done; with total=None it is a ticker showing the elapsed time (one
    monolithic call). `note` is shown after the time (set by the work, e.g. the game
    iteration and its max|Δα|, or the survey stage); `unit` names what is counted
    ("DMUs"); eta=False drops the ETA (units of very unequal cost, e.g. survey stages).

        with Progress("DEA", total=len(periods)) as p:
            for ...: ...; p.step()
    """

    def __init__(self, label: str, total: int | None = None, *, every: float = 0.5,
                 quiet: bool = False, unit: str = "", eta: bool = True):  # fmt: skip
        self.label, self.total, self.every = label, total, every
        self.unit, self.eta = unit, eta
        self.done = 0
        self.note = ""  # shown after the time (e.g. "iteration 3, max|Δα| = 1.2e-03")
        tty = sys.stderr.isatty() or os.environ.get("CBEC_PROGRESS") == "1"
        self.enabled = tty and not quiet  # --quiet: no progress
        self._stop: threading.Event | None = None
        self._t0 = 0.0
        self._width = 0
        self._lock = threading.Lock()

    def line(self, final: bool = False) -> str:
        """The text drawn now (without the carriage return)."""
        dt = time.perf_counter() - self._t0
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
            unit = f" {self.unit}" if self.unit else ""
            msg = f"{self.label} [{bar}] {self.done}/{self.total}{unit}  {dt:5.1f} s"
            eta = eta_text(dt, self.done, self.total) if self.eta and not final else ""
            if eta:
                msg += f"  {eta}"
        else:
            msg = f"{self.label} … {dt:5.1f} s"
        if self.note:
            msg += f"  {self.note}"
        return msg

    def _draw(self, final: bool = False) -> None:
        with self._lock:
            if not final and self._stop is not None and self._stop.is_set():
                return  # the final line is (being) drawn
            msg = self.line(final)
            sys.stderr.write("\r" + msg.ljust(self._width) + ("\n" if final else ""))
            self._width = len(msg)
            sys.stderr.flush()

    def __enter__(self) -> Progress:
        self._t0 = time.perf_counter()
        if self.enabled:
            stop = self._stop = threading.Event()

            def tick() -> None:
                while not stop.wait(self.every):
                    self._draw()

            threading.Thread(target=tick, daemon=True).start()
        return self

    def step(self, n: int = 1) -> None:
        self.done += n

    def update(self, done: int, total: int | None = None) -> None:
        """Set the done units (and the total): a `progress(done, total)` callback."""
        self.done = done
        if total is not None:
            self.total = total

    def stage(self, name: str) -> None:
        """Start the named stage (a `progress(stage)` callback): the note, and one more done
        stage than before (the first call marks none done)."""
        if self.note:
            self.done += 1
        self.note = name

    def finish(self) -> None:
        """Every stage done (the note cleared)."""
        self.done, self.note = self.total or self.done, ""

    def part(self, before: int, size: int) -> Callable[[int, int], None]:
        """A `progress(done, total)` callback for a part of the work worth `size` of this
        bar's units, starting after `before`: shown as before + size·done/total."""
        return lambda done, total: self.update(before + size * done // max(total, 1))

    def __exit__(self, *exc) -> None:
        if self._stop is not None:
            self._stop.set()
            self._draw(final=True)
