"""One year's radial DEA evaluated in blocks of DMUs against the whole year's technology
(METHODS §9.1, "Blocks of DMUs"), so that a large year fans out over many workers.

Each block's rows are the same LPs as in the one-shot `measures.dea.dea_model` /
`measures.dea.scale_efficiency` (phase-2 slacks, λ and peers are per evaluated DMU, the
reference set is every DMU of the year), solved by `measures.dea.radial_efficiency` with
``X_eval``/``Y_eval`` on an engine of its own. The HiGHS engine warm-starts each LP from the
previous DMU's basis, so a block's values agree with the one-shot run's to rounding only
(θ ~1e-13, slacks ~1e-9 in original units; the same peers): the blocked run is therefore
defined by its block bounds, and `block_bounds` is the one place they come from — the same
blocks give the same bits whether they run in one process or on many workers.

``block_bounds(n, block_size) -> [(start, stop), …]``
``dea_model_block(X, Y, start, stop, model=, orientation=, rts=) -> DEAModelResult``
``scale_efficiency_block(X, Y, start, stop, orientation=) -> dict``
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from measures.dea import DEAModelResult, scale_efficiency
from measures.dea.models import radial_model

RADIAL_MODELS = ("ccr", "bcc")


def block_bounds(n: int, block_size: int) -> list[tuple[int, int]]:
    """Contiguous (start, stop) row ranges covering 0..n: one range when n ≤ block_size, else
    ⌈n / block_size⌉ ranges whose sizes differ by at most one (no small remainder block)."""
    if block_size < 1:
        raise ValueError(f"block_size must be ≥ 1, got {block_size}")
    k = max(1, math.ceil(n / block_size))
    edges = [n * i // k for i in range(k + 1)]
    return [(edges[i], edges[i + 1]) for i in range(k)]


def _xy(X: ArrayLike, Y: ArrayLike, start: int,
        stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    if not 0 <= start < stop <= X.shape[0]:
        raise ValueError(f"block [{start}, {stop}) outside 0..{X.shape[0]}")
    return X, Y, X[start:stop], Y[start:stop]


def dea_model_block(
    X: ArrayLike,
    Y: ArrayLike,
    start: int,
    stop: int,
    *,
    model: str = "ccr",
    orientation: str = "input",
    rts: str | None = None,
) -> DEAModelResult:
    """`dea_model(X, Y, model, orientation, rts)` for the DMUs start..stop−1 only (METHODS §9.1:
    two-phase radial CCR/BCC, any rts): score, φ, status, slacks, targets, λ (n_block × n) and
    peers (indices into all n DMUs), with the same clipping of round-off slacks."""
    if model not in RADIAL_MODELS:
        raise ValueError(f"blocks support the radial models {RADIAL_MODELS}, got {model!r}")
    X, Y, Xe, Ye = _xy(X, Y, start, stop)
    rts = rts or ("vrs" if model == "bcc" else "crs")
    return radial_model(X, Y, Xe, Ye, model=model, orientation=orientation, rts=rts)


def scale_efficiency_block(
    X: ArrayLike,
    Y: ArrayLike,
    start: int,
    stop: int,
    *,
    orientation: str = "input",
    tol: float = 1e-9,
) -> dict:
    """`scale_efficiency(X, Y, orientation)` for the DMUs start..stop−1 against all n DMUs
    (METHODS §9.1: θ_CRS, θ_VRS, θ_NIRS, SE = θ_CRS/θ_VRS, the Färe–Grosskopf–Lovell RTS
    class and the status)."""
    X, Y, Xe, Ye = _xy(X, Y, start, stop)
    return scale_efficiency(X, Y, orientation=orientation, tol=tol, X_eval=Xe, Y_eval=Ye)
