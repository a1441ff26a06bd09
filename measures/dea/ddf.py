"""Directional distance functions with undesirable (bad) outputs — METHODS §9.9.

Public API
----------
``ddf(X, Y, B=None, *, X_ref=None, Y_ref=None, B_ref=None, gx=None, gy=None, gb=None,
rts="crs", nonradial=False, weights=None, bad="weak") -> DDFResult``

Technology (Chung, Färe & Grosskopf 1997; Färe & Grosskopf 2010): reference DMUs j with
inputs x_j, good outputs y_j, bad outputs b_j span

    Σ λ_j x_j ≤ x,   Σ λ_j y_j ≥ y,   Σ λ_j b_j = b  (weak disposability of bads; "strong": ≤)
    λ ≥ 0 (CRS), Σ λ = 1 (VRS), Σ λ ≤ 1 (NIRS), Σ λ ≥ 1 (NDRS).

Radial DDF  D(x, y, b; g) = max β with (x − β g_x, y + β g_y, b − β g_b) in the technology;
β is free (negative for points outside the technology; Stata teddf/gtfpch convention).
Non-radial DDF (Zhou, Ang & Wang 2012) = max Σ_k w_k β_k with one β_k ≥ 0 per variable:
x_i − β_i g_xi, y_r + β_r g_yr, b_k − β_k g_bk.

Directions g ≥ 0 are magnitudes (the contraction/expansion is built into the constraints);
Stata's signed vector (−K, −L, Y, −CO2) is gx = x, gy = y, gb = b here. Data are scaled by
the reference column means inside (β is invariant to units). Non-optimal LPs give NaN with
their status (never 0, never Inf).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from measures.dea._highs import INF, new_highs, pass_lp, run_with_retry
from measures.dea._progress import Counter, ProgressFn

DDF_RTS = ("crs", "vrs", "nirs", "ndrs")
BAD_DISPOSABILITY = ("weak", "strong")


@dataclass
class DDFResult:
    """value: D (radial β* or Σ w_k β_k*), NaN unless optimal; beta (n, m+s+k): the
    per-variable β_k* of the non-radial model (radial: β* repeated where g ≠ 0); status per
    evaluated DMU; lambdas (n_eval, n_ref)."""

    value: np.ndarray
    beta: np.ndarray
    status: np.ndarray
    lambdas: np.ndarray
    nonradial: bool
    rts: str


def _arr(a, n: int | None = None) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if n is not None and a.shape[0] != n:
        raise ValueError("all arrays must have one row per DMU")
    return a


def _prepare(X, Y, B, X_ref, Y_ref, B_ref):
    X = _arr(X)
    n = X.shape[0]
    Y = _arr(Y, n)
    B = np.zeros((n, 0)) if B is None else _arr(B, n)
    if X_ref is None and Y_ref is None and B_ref is None:
        X_ref, Y_ref, B_ref = X, Y, B
    else:
        X_ref = _arr(X_ref)
        Y_ref = _arr(Y_ref, X_ref.shape[0])
        B_ref = np.zeros((X_ref.shape[0], 0)) if B_ref is None else _arr(B_ref, X_ref.shape[0])
    for a, r in ((X, X_ref), (Y, Y_ref), (B, B_ref)):
        if a.shape[1] != r.shape[1]:
            raise ValueError("evaluated and reference data must have the same variables")
    for a in (X, Y, B, X_ref, Y_ref, B_ref):
        if not np.all(np.isfinite(a)):
            raise ValueError("DDF data must be finite (no NaN/Inf)")
        if np.any(a < 0):
            raise ValueError("DDF data must be non-negative")
    return X, Y, B, X_ref, Y_ref, B_ref


def _directions(gx, gy, gb, X, Y, B):
    """Default direction (x, y, b) — Stata teddf's (−x, y, −b)."""
    n = X.shape[0]
    out = []
    for g, a in ((gx, X), (gy, Y), (gb, B)):
        if g is None:
            out.append(a.copy())
            continue
        g = np.asarray(g, dtype=float)
        g = np.broadcast_to(g, a.shape).copy() if g.ndim <= 1 else _arr(g, n)
        if g.shape != a.shape or not np.all(np.isfinite(g)) or np.any(g < 0):
            raise ValueError("direction vectors must be finite, ≥ 0 and match the data")
        out.append(g)
    return out


class _DDFModel:
    """One persistent HiGHS model: columns [β (1 or p), λ (n_ref)], rows = variables [+ RTS]."""

    def __init__(self, Rs: np.ndarray, m: int, s: int, rts: str, nonradial: bool, w, bad: str):
        self.n_ref, self.p = Rs.shape
        self.m, self.s = m, s
        self.nb = 1 if not nonradial else self.p
        self.nonradial = nonradial
        self.bad = bad
        rows = [Rs.T]
        if rts != "crs":
            rows.append(np.ones((1, self.n_ref)))
        A_lam = np.vstack(rows)
        A = np.hstack([np.zeros((A_lam.shape[0], self.nb)), A_lam])
        self.nr = A.shape[0]
        rl, ru = np.zeros(self.nr), np.zeros(self.nr)
        if rts != "crs":
            rl[-1], ru[-1] = {"vrs": (1.0, 1.0), "nirs": (-INF, 1.0), "ndrs": (1.0, INF)}[rts]
        cost = np.zeros(self.nb + self.n_ref)
        cost[: self.nb] = -(np.asarray(w, dtype=float) if nonradial else 1.0)
        lo = np.zeros(self.nb + self.n_ref)
        if not nonradial:
            lo[0] = -INF
        self.h = new_highs()
        pass_lp(self.h, cost, lo, np.full(cost.size, INF), rl, ru, A)
        self.var_rows = np.arange(self.p, dtype=np.int32)

    def solve(self, z: np.ndarray, g: np.ndarray):
        """z: evaluated point (x, y, b) scaled; g: signed β coefficients per row."""
        h, m, s = self.h, self.m, self.s
        for r in range(self.p):
            col = 0 if not self.nonradial else r
            h.changeCoeff(r, col, float(g[r]))
        lo = np.where(np.arange(self.p) < m, -INF, z)
        hi = np.where((np.arange(self.p) >= m) & (np.arange(self.p) < m + s), INF, z)
        if self.bad == "strong":
            lo[m + s :] = -INF
        h.changeRowsBounds(self.p, self.var_rows, lo, hi)
        st = run_with_retry(h)
        if st != "optimal":
            return st, np.nan, None, None
        cv = np.asarray(h.getSolution().col_value)
        val = -float(h.getInfo().objective_function_value)
        return st, val, cv[: self.nb].copy(), cv[self.nb :].copy()


def ddf(
    X: np.ndarray,
    Y: np.ndarray,
    B: np.ndarray | None = None,
    *,
    X_ref: np.ndarray | None = None,
    Y_ref: np.ndarray | None = None,
    B_ref: np.ndarray | None = None,
    gx: np.ndarray | None = None,
    gy: np.ndarray | None = None,
    gb: np.ndarray | None = None,
    rts: str = "crs",
    nonradial: bool = False,
    weights: np.ndarray | None = None,
    bad: str = "weak",
    progress: ProgressFn | None = None,
) -> DDFResult:
    """Directional distance function of each row of (X, Y, B) against the technology of
    (X_ref, Y_ref, B_ref) (default: the evaluated data). See the module docstring.

    gx, gy, gb: direction magnitudes, (n, ·) arrays, one vector for all DMUs, or None (the
    DMU's own x, y, b). weights (non-radial only): one w_k ≥ 0 per variable in the order
    inputs, good outputs, bad outputs (DEFAULT all 1, as teddf). bad: "weak" (DEFAULT,
    Σλb = b − βg_b) or "strong" (≤). progress: optional callback progress(done, n) per
    block of evaluated DMUs (reporting only).
    """
    if rts not in DDF_RTS:
        raise ValueError(f"rts must be one of {DDF_RTS}, got {rts!r}")
    if bad not in BAD_DISPOSABILITY:
        raise ValueError(f"bad must be one of {BAD_DISPOSABILITY}, got {bad!r}")
    X, Y, B, Xr, Yr, Br = _prepare(X, Y, B, X_ref, Y_ref, B_ref)
    GX, GY, GB = _directions(gx, gy, gb, X, Y, B)
    n, m = X.shape
    s, k = Y.shape[1], B.shape[1]
    p = m + s + k
    if weights is None:
        w = np.ones(p)
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.size != p or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"weights must be {p} values ≥ 0 (inputs, outputs, bad outputs)")
    R = np.hstack([Xr, Yr, Br])
    scale = R.mean(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    Z = np.hstack([X, Y, B]) / scale
    G = np.hstack([GX, -GY, GB]) / scale  # row coefficient of β: +g_x, −g_y, +g_b
    model = _DDFModel(R / scale, m, s, rts, nonradial, w, bad)
    value = np.full(n, np.nan)
    beta = np.full((n, p), np.nan)
    status = np.empty(n, dtype=object)
    lam = np.zeros((n, Xr.shape[0]))
    tick = Counter(progress, n)
    for o in range(n):
        st, val, b_o, l_o = model.solve(Z[o], G[o])
        status[o] = st
        tick.add()
        if st != "optimal":
            continue
        value[o] = val + 0.0
        beta[o] = b_o if nonradial else np.where(G[o] != 0, b_o[0], 0.0)
        lam[o] = l_o
    if nonradial:
        beta = np.where(np.abs(beta) < 1e-12, 0.0, beta)
    return DDFResult(value, beta, status.astype(str), lam, nonradial, rts)
