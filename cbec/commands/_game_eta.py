"""Time estimate and per-iteration progress of `cbec crosseff --method game` (stderr only).

Each game iteration solves n² LPs; the Anderson-accelerated iteration typically stops after
about TYPICAL_ITERATIONS of them at tol 1e-6 (8–10 measured at n = 30–100). The cost of one
LP is measured on this machine by solving the game LPs of a few DMUs against all n players.
"""

from __future__ import annotations

import sys
import time

TYPICAL_ITERATIONS = 12
WARN_SECONDS = 60.0  # print the estimate when the run is likely to take longer
MIN_N = 100  # below this the game takes seconds: no calibration at all
SAMPLE = 4  # evaluated DMUs in the calibration (SAMPLE × n LPs)


def estimate_seconds(n: int, per_lp: float, iterations: int = TYPICAL_ITERATIONS) -> float:
    """Expected seconds of a game of n DMUs: n² LPs per iteration × iterations × per-LP cost."""
    return n * n * iterations * per_lp


def estimate_line(n: int, per_lp: float, iterations: int = TYPICAL_ITERATIONS) -> str:
    """The one-line estimate printed before a long game."""
    sec = estimate_seconds(n, per_lp, iterations)
    took = f"~{sec / 60:.0f} min" if sec >= 90 else f"~{sec:.0f} s"
    return (f"game cross-efficiency: n = {n} DMUs, about {n * n:,} LPs per iteration, "
            f"estimated {took} for ~{iterations} iterations (measured {per_lp * 1e3:.3g} ms "
            "per LP on this machine)")  # fmt: skip


def measure_per_lp(X, Y, sample: int = SAMPLE) -> float:
    """Seconds per game LP: the LPs of `sample` evaluated DMUs against all n players."""
    from measures.dea.game import game_lp_values
    from measures.dea.radial import radial_efficiency

    theta = radial_efficiency(X, Y).score
    k = min(sample, X.shape[0])
    t0 = time.perf_counter()
    game_lp_values(X, Y, theta, X[:k], Y[:k])
    return (time.perf_counter() - t0) / (k * X.shape[0])


def announce(X, Y, max_iter: int, per_lp: float | None = None) -> float | None:
    """Print the estimate to stderr when the game is likely to exceed WARN_SECONDS; returns
    the estimated seconds (None when n < MIN_N and nothing was measured)."""
    n = X.shape[0]
    if per_lp is None:
        if n < MIN_N:
            return None
        per_lp = measure_per_lp(X, Y)
    iterations = min(TYPICAL_ITERATIONS, max_iter)
    sec = estimate_seconds(n, per_lp, iterations)
    if sec >= WARN_SECONDS:
        print(estimate_line(n, per_lp, iterations), file=sys.stderr, flush=True)
    return sec


def iteration_note(progress):
    """A game `progress` callback showing "iteration k, max|Δα| = …" in a Progress ticker."""

    def note(iteration: int, max_delta: float) -> None:
        progress.note = f"iteration {iteration}, max|Δα| = {max_delta:.2e}"

    return note
