"""Green productivity: Malmquist–Luenberger and Luenberger indicators with bad outputs on
directional distance functions (METHODS §9.10), as Stata's gtfpch and deaR's malmluen.

Public API
----------
``green_tfp(X, Y, B, *, index="ml", technology="contemporaneous", nonradial=False,
weights=None, direction="output", rts="crs", bad="weak", dmus=None, periods=None)
-> GreenTFPResult``; X (T, n, m), Y (T, n, s), B (T, n, k) balanced panels, periods in order.
``green_tfp_panel(df, dmu=, period=, inputs=, outputs=, bad_outputs=, ...)`` from a long frame
(checks of `measures.malmquist.panel_arrays`: balanced, strictly positive, natural period order).

D^a(b): DDF (`measures.dea.ddf`) of the period-b observation against technology a.

ML (Chung, Färe & Grosskopf 1997), contemporaneous/sequential technologies A_t:
    ML = {[(1 + D^t(t)) / (1 + D^t(t+1))] · [(1 + D^{t+1}(t)) / (1 + D^{t+1}(t+1))]}^½
    EC = (1 + D^t(t)) / (1 + D^{t+1}(t+1)),  TC = ML / EC
Global ML (Oh 2010): ML = (1 + D^G(t)) / (1 + D^G(t+1)), EC as above, TC = ML / EC (best-
practice gap change). Luenberger (Chambers, Chung & Färe 1996) — differences instead of ratios:
    L = ½[(D^t(t) − D^t(t+1)) + (D^{t+1}(t) − D^{t+1}(t+1))],  global L = D^G(t) − D^G(t+1),
    LEC = D^t(t) − D^{t+1}(t+1),  LTC = L − LEC.
ML > 1 and L > 0 mean growth. Non-radial DDFs support the Luenberger indicator only (as
gtfpch). A cross-period LP can be infeasible: the affected values are NaN with status
"infeasible" (never 1 or 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from measures.dea.ddf import ddf

INDICES = ("ml", "luenberger")
TECHNOLOGIES = ("contemporaneous", "global", "sequential")
DIRECTIONS = ("output", "full", "input")


@dataclass
class GreenTFPResult:
    """Arrays (n, T−1) for DMU i and the pair (periods[p], periods[p+1]); d_own (T, n)."""

    dmus: list
    periods: list
    tfpch: np.ndarray
    ec: np.ndarray
    tc: np.ndarray
    status: np.ndarray
    index: str
    technology: str
    nonradial: bool
    d_own: np.ndarray
    distances: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def table(self) -> pl.DataFrame:
        n, P = self.tfpch.shape
        return pl.DataFrame(
            {
                "dmu": [str(d) for d in self.dmus for _ in range(P)],
                "period_from": [str(self.periods[p]) for _ in range(n) for p in range(P)],
                "period_to": [str(self.periods[p + 1]) for _ in range(n) for p in range(P)],
                "index": [self.index] * (n * P),
                "tfpch": self.tfpch.ravel(),
                "ec": self.ec.ravel(),
                "tc": self.tc.ravel(),
                "d_from": self.d_own[:-1].T.ravel(),
                "d_to": self.d_own[1:].T.ravel(),
                "status": self.status.ravel().tolist(),
            }
        )


def _direction(direction, X, Y, B):
    if isinstance(direction, str):
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS} or arrays")
        z = {"x": np.zeros_like(X), "y": np.zeros_like(Y), "b": np.zeros_like(B)}
        if direction in ("output", "full"):
            z["y"], z["b"] = Y, B
        if direction in ("input", "full"):
            z["x"] = X
        return z["x"], z["y"], z["b"]
    gx, gy, gb = direction
    return [np.broadcast_to(np.asarray(g, dtype=float), a.shape) for g, a in
            ((gx, X), (gy, Y), (gb, B))]  # fmt: skip


def _reference(tech_t: int | None, kind: str, X, Y, B):
    """Pooled reference data of technology `tech_t` (None = global)."""
    if kind == "global" or tech_t is None:
        sl = slice(None)
    elif kind == "sequential":
        sl = slice(0, tech_t + 1)
    else:
        sl = slice(tech_t, tech_t + 1)
    return tuple(a[sl].reshape(-1, a.shape[2]) for a in (X, Y, B))


def _distance(t_eval: int, tech: int | None, kind: str, X, Y, B, G, opts, tick=None) -> tuple:
    Xr, Yr, Br = _reference(tech, kind, X, Y, B)
    r = ddf(X[t_eval], Y[t_eval], B[t_eval], X_ref=Xr, Y_ref=Yr, B_ref=Br,
            gx=G[0][t_eval], gy=G[1][t_eval], gb=G[2][t_eval], **opts)  # fmt: skip
    if tick is not None:
        tick(len(r.value))
    return r.value, r.status


def _ticker(progress: Callable[[int, int], None] | None, total: int):
    """A counter of done DDF LPs that reports progress(done, total) after each period's set."""
    if progress is None:
        return None
    done = [0]

    def tick(k: int) -> None:
        done[0] += k
        progress(done[0], total)

    return tick


def green_tfp(
    X: ArrayLike,
    Y: ArrayLike,
    B: ArrayLike,
    *,
    index: str = "ml",
    technology: str = "contemporaneous",
    nonradial: bool = False,
    weights: ArrayLike | None = None,
    direction: Any = "output",
    rts: str = "crs",
    bad: str = "weak",
    dmus: list | None = None,
    periods: list | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GreenTFPResult:
    """ML or Luenberger indicator and its EC × TC (ML) / EC + TC (Luenberger) decomposition
    (module docstring). direction: "output" (DEFAULT, g = (0, y, b): gtfpch), "full"
    (g = (x, y, b): teddf), "input" (g = (x, 0, 0)) or a tuple (gx, gy, gb) of (T, n, ·)
    arrays. weights: non-radial weights in the order inputs, good, bad outputs.
    progress: optional progress(done, total) over the DDF LPs, after each period's set."""
    if index not in INDICES:
        raise ValueError(f"index must be one of {INDICES}, got {index!r}")
    if technology not in TECHNOLOGIES:
        raise ValueError(f"technology must be one of {TECHNOLOGIES}, got {technology!r}")
    if nonradial and index == "ml":
        raise ValueError("the Malmquist–Luenberger index needs the radial DDF; use "
                         "index='luenberger' with non-radial DDFs (as gtfpch)")  # fmt: skip
    X, Y, B = (np.asarray(a, dtype=float) for a in (X, Y, B))
    if X.ndim != 3 or Y.ndim != 3 or B.ndim != 3 or not (X.shape[:2] == Y.shape[:2] == B.shape[:2]):
        raise ValueError("X, Y, B must be (T periods, n DMUs, variables) arrays of equal T, n")
    T, n = X.shape[:2]
    if T < 2:
        raise ValueError("a productivity index needs at least two periods")
    G = _direction(direction, X, Y, B)
    if weights is None and nonradial and direction == "output":
        weights = np.r_[np.zeros(X.shape[2]), np.ones(Y.shape[2] + B.shape[2])]
    kind = technology
    sets = T + (T if kind == "global" else 2 * (T - 1))  # own, then global or cross-period
    opts = {"rts": rts, "nonradial": nonradial, "weights": weights, "bad": bad}
    tick = _ticker(progress, sets * n)
    own_kind = "sequential" if kind == "sequential" else "contemporaneous"
    own, own_st = np.empty((T, n)), np.empty((T, n), dtype=object)
    for t in range(T):
        own[t], own_st[t] = _distance(t, t, own_kind, X, Y, B, G, opts, tick)
    P = T - 1
    status = np.full((n, P), "optimal", dtype=object)
    tfp, bad_lp, dist = _cross_period(kind, own_kind, index, own, X, Y, B, G, opts, tick)
    bad_lp |= (own_st[:-1] != "optimal") | (own_st[1:] != "optimal")
    with np.errstate(invalid="ignore", divide="ignore"):
        ec = (1 + own[:-1]) / (1 + own[1:]) if index == "ml" else own[:-1] - own[1:]
        tc = tfp / ec if index == "ml" else tfp - ec
    status[bad_lp.T] = "infeasible"
    out = [np.where(bad_lp, np.nan, a).T.copy() for a in (tfp, ec, tc)]
    notes = []
    if bad_lp.any():
        notes.append(f"{int(bad_lp.sum())} DMU-period pair(s) with an infeasible DDF LP (NaN)")
    return GreenTFPResult(
        dmus=list(range(n)) if dmus is None else list(dmus),
        periods=list(range(T)) if periods is None else list(periods),
        tfpch=out[0], ec=out[1], tc=out[2], status=status.astype(str), index=index,
        technology=technology, nonradial=nonradial, d_own=own, distances=dist, notes=notes,
    )  # fmt: skip


def _cross_period(kind, own_kind, index, own, X, Y, B, G, opts, tick=None):
    """The index from the cross-period (or global) distances: (tfp (P, n), bad LP mask, the
    distances used)."""
    T, n = X.shape[:2]
    P = T - 1
    dist: dict[str, np.ndarray] = {"own": own}
    if kind == "global":
        dg, st = np.empty((T, n)), np.empty((T, n), dtype=object)
        for t in range(T):
            dg[t], st[t] = _distance(t, None, "global", X, Y, B, G, opts, tick)
        dist["global"] = dg
        bad_lp = (st[:-1] != "optimal") | (st[1:] != "optimal")
        a0, a1 = dg[:-1], dg[1:]
        tfp = (1 + a0) / (1 + a1) if index == "ml" else a0 - a1
        return tfp, bad_lp, dist
    fwd, bwd = np.empty((P, n)), np.empty((P, n))  # D^t(t+1), D^{t+1}(t)
    bad_lp = np.zeros((P, n), dtype=bool)
    for p in range(P):
        fwd[p], s1 = _distance(p + 1, p, own_kind, X, Y, B, G, opts, tick)
        bwd[p], s2 = _distance(p, p + 1, own_kind, X, Y, B, G, opts, tick)
        bad_lp[p] = (s1 != "optimal") | (s2 != "optimal")
    dist["forward"], dist["backward"] = fwd, bwd
    d0, d1 = own[:-1], own[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        if index == "ml":
            tfp = np.sqrt((1 + d0) / (1 + fwd) * (1 + bwd) / (1 + d1))
        else:
            tfp = 0.5 * ((d0 - fwd) + (bwd - d1))
    return tfp, bad_lp, dist


def green_tfp_panel(
    df: pl.DataFrame,
    *,
    dmu: str,
    period: str,
    inputs: list[str],
    outputs: list[str],
    bad_outputs: list[str],
    unbalanced: str = "raise",
    zero_replace: float | None = None,
    period_order: list | None = None,
    **kwargs: Any,
) -> GreenTFPResult:
    """`green_tfp` on a long frame, one row per DMU and period (checks of
    `measures.malmquist.panel_arrays`, which raise `PanelDataError` naming DMU and period)."""
    from measures.malmquist import panel_arrays

    if not bad_outputs:
        raise ValueError("green productivity needs at least one bad output")
    X, YB, dmus, periods, info = panel_arrays(
        df, dmu=dmu, period=period, inputs=inputs, outputs=[*outputs, *bad_outputs],
        unbalanced=unbalanced, zero_replace=zero_replace, period_order=period_order,
    )  # fmt: skip
    s = len(outputs)
    res = green_tfp(X, YB[:, :, :s], YB[:, :, s:], dmus=dmus, periods=periods, **kwargs)
    if info["dropped_dmus"]:
        res.notes.append(f"dropped unbalanced DMUs: {', '.join(map(str, info['dropped_dmus']))}")
    if info["replaced"]:
        res.notes.append(f"{len(info['replaced'])} zero cell(s) replaced by {zero_replace}")
    return res
