"""Slacks-based measure (Tone 2001) and SBM super-efficiency (Tone 2002) — METHODS §9.3, §9.4.

Public API
----------
``sbm(X, Y, *, orientation="none"|"input"|"output", rts="crs"|"vrs", ...) -> SBMResult``
    ρ* per DMU with slacks s⁻, s⁺ (original units) and λ.
``super_sbm(X, Y, *, orientation, rts) -> SBMResult``
    Tone (2002) δ* ≥ 1 for every DMU evaluated without itself (meaningful for SBM-efficient
    DMUs; for inefficient ones the LP still solves and returns 1).
``sbm_with_super(X, Y, ...) -> (score, kind, status)``
    DEFAULT reporting of §9.4: ρ* for inefficient DMUs, δ* for efficient ones.

Zero data (Tone's convention, §9.3): a term with x_io = 0 (y_ro = 0) is dropped and the
average is taken over the positive inputs (outputs) of DMU o; ``zero_terms`` counts them.
Each LP is a persistent HiGHS model over all columns; per DMU only the costs, the t column and
the normalisation row change (warm start). Non-optimal LPs give NaN with their status.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from measures.dea._highs import INF, new_highs, pass_lp, run_with_retry
from measures.dea._progress import Counter, ProgressFn, shifted

T_MIN = 1e-12


@dataclass
class SBMResult:
    score: np.ndarray
    status: np.ndarray
    slack_in: np.ndarray
    slack_out: np.ndarray
    lambdas: np.ndarray
    zero_terms: np.ndarray
    orientation: str
    rts: str


def _prep(X, Y, orientation, rts):
    if orientation not in ("none", "input", "output"):
        raise ValueError("orientation must be 'none', 'input' or 'output'")
    if rts not in ("crs", "vrs"):
        raise ValueError("SBM supports rts='crs' or 'vrs'")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    if np.any(X < 0) or np.any(Y < 0) or not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError("SBM data must be finite and non-negative")
    sx = np.where(X.mean(0) > 0, X.mean(0), 1.0)
    sy = np.where(Y.mean(0) > 0, Y.mean(0), 1.0)
    return X / sx, Y / sy, sx, sy


def _inv_weights(v: np.ndarray) -> tuple[np.ndarray, int]:
    """1/(k·v_i) over positive entries (k = their number), 0 for zero entries."""
    pos = v > 0
    k = int(pos.sum())
    w = np.zeros_like(v)
    if k:
        w[pos] = 1.0 / (k * v[pos])
    return w, int((~pos).sum())


def _sbm_lp(Xs: np.ndarray, Ys: np.ndarray, orientation: str, vrs: bool):
    """The persistent HiGHS model of `sbm` (per DMU only costs and coefficients change)."""
    n, m = Xs.shape
    s = Ys.shape[1]
    # columns: t, S- (m), S+ (s), Λ (n); rows: norm, inputs (m), outputs (s), [vrs]
    nc = 1 + m + s + n
    nr = 1 + m + s + (1 if vrs else 0)
    A = np.zeros((nr, nc))
    A[0, 0] = 1.0
    A[1 : 1 + m, 1 : 1 + m] = np.eye(m)
    A[1 + m : 1 + m + s, 1 + m : 1 + m + s] = -np.eye(s)
    A[1 : 1 + m, 1 + m + s :] = Xs.T
    A[1 + m : 1 + m + s, 1 + m + s :] = Ys.T
    if vrs:
        A[-1, 1 + m + s :] = 1.0
        A[-1, 0] = -1.0
    rl = np.zeros(nr)
    ru = np.zeros(nr)
    rl[0] = ru[0] = 1.0
    lo = np.zeros(nc)
    up = np.full(nc, INF)
    if orientation == "none":
        lo[0] = T_MIN
    else:
        lo[0] = up[0] = 1.0  # oriented models are linear: t fixed at 1
    h = new_highs()
    pass_lp(h, np.zeros(nc), lo, up, rl, ru, A)
    return h


def _super_lp(Xs: np.ndarray, Ys: np.ndarray, orientation: str, vrs: bool):
    """The persistent HiGHS model of `super_sbm`."""
    n, m = Xs.shape
    s = Ys.shape[1]
    # columns: t, X~ (m), Y~ (s), Λ (n)
    # rows: norm (1); X~ − XΛ ≥ 0 (m); Y~ − YΛ ≤ 0 (s); X~ − t x_o ≥ 0 (m); Y~ − t y_o ≤ 0 (s); [vrs]
    nc = 1 + m + s + n
    nr = 1 + 2 * m + 2 * s + (1 if vrs else 0)
    A = np.zeros((nr, nc))
    a, b, c, d = 1, 1 + m, 1 + m + s, 1 + 2 * m + s
    A[a : a + m, 1 : 1 + m] = np.eye(m)
    A[a : a + m, 1 + m + s :] = -Xs.T
    A[b : b + s, 1 + m : 1 + m + s] = np.eye(s)
    A[b : b + s, 1 + m + s :] = -Ys.T
    A[c : c + m, 1 : 1 + m] = np.eye(m)
    A[d : d + s, 1 + m : 1 + m + s] = np.eye(s)
    rl = np.r_[1.0, np.zeros(m), np.full(s, -INF), np.zeros(m), np.full(s, -INF)]
    ru = np.r_[1.0, np.full(m, INF), np.zeros(s), np.full(m, INF), np.zeros(s)]
    if vrs:
        A[-1, 1 + m + s :] = 1.0
        A[-1, 0] = -1.0
        rl = np.r_[rl, 0.0]
        ru = np.r_[ru, 0.0]
    lo = np.zeros(nc)
    up = np.full(nc, INF)
    if orientation == "none":
        lo[0] = T_MIN
        A[0, 0] = 0.0
    else:
        lo[0] = up[0] = 1.0
        A[0, 0] = 1.0  # normalisation row becomes t = 1
    h = new_highs()
    pass_lp(h, np.zeros(nc), lo, up, rl, ru, A)
    return h


def sbm(
    X: ArrayLike,
    Y: ArrayLike,
    *,
    orientation: str = "none",
    rts: str = "crs",
    exclude_self: bool = False,
    progress: ProgressFn | None = None,
) -> SBMResult:
    """SBM efficiency (Tone 2001; METHODS §9.3). Non-oriented uses the Charnes–Cooper
    linearisation with t ≥ 1e-12; input: ρ = 1 − (1/m)Σs⁻/x_o; output: ρ = 1/(1 + (1/s)Σs⁺/y_o).
    progress: optional callback progress(done, n) after each block of DMUs (reporting only).
    """
    Xs, Ys, sx, sy = _prep(X, Y, orientation, rts)
    n, m = Xs.shape
    s = Ys.shape[1]
    h = _sbm_lp(Xs, Ys, orientation, rts == "vrs")
    score = np.full(n, np.nan)
    status = np.empty(n, dtype=object)
    S_in = np.full((n, m), np.nan)
    S_out = np.full((n, s), np.nan)
    L = np.zeros((n, n))
    zeros = np.zeros(n, dtype=int)
    cidx = np.arange(1 + m + s, dtype=np.int32)
    tick = Counter(progress, n)
    for o in range(n):
        wx, zx = _inv_weights(Xs[o])
        wy, zy = _inv_weights(Ys[o])
        zeros[o] = zx + zy
        for i in range(m):
            h.changeCoeff(1 + i, 0, -Xs[o, i])
        for r in range(s):
            h.changeCoeff(1 + m + r, 0, -Ys[o, r])
        if orientation == "none":
            cost = np.r_[1.0, -wx, np.zeros(s)]
            for r in range(s):
                h.changeCoeff(0, 1 + m + r, wy[r])
        elif orientation == "input":
            cost = np.r_[0.0, -wx, np.zeros(s)]
        else:
            cost = np.r_[0.0, np.zeros(m), -wy]
        h.changeColsCost(1 + m + s, cidx, cost)
        if exclude_self:
            h.changeColBounds(1 + m + s + o, 0.0, 0.0)
        st = run_with_retry(h)
        cv = np.asarray(h.getSolution().col_value)
        obj = h.getInfo().objective_function_value
        if exclude_self:
            h.changeColBounds(1 + m + s + o, 0.0, INF)
        status[o] = st
        tick.add()
        if st != "optimal":
            continue
        t = cv[0]
        if orientation == "none":
            score[o] = obj
        elif orientation == "input":
            score[o] = 1.0 + obj
        else:
            score[o] = 1.0 / (1.0 - obj)
        S_in[o] = cv[1 : 1 + m] / t * sx
        S_out[o] = cv[1 + m : 1 + m + s] / t * sy
        L[o] = cv[1 + m + s :] / t
    return SBMResult(score, status.astype(str), S_in, S_out, L, zeros, orientation, rts)


def super_sbm(
    X: ArrayLike,
    Y: ArrayLike,
    *,
    orientation: str = "none",
    rts: str = "crs",
    progress: ProgressFn | None = None,
) -> SBMResult:
    """SBM super-efficiency δ* (Tone 2002; METHODS §9.4), DMU o excluded from its reference
    set. Non-oriented: min (1/m)Σx̄_i/x_io / (1/s)Σȳ_r/y_ro with x̄ ≥ Σ_{j≠o}λx_j, x̄ ≥ x_o,
    ȳ ≤ Σ_{j≠o}λy_j, 0 ≤ ȳ ≤ y_o (linearised with t). Input: ȳ = y_o side fixed (ȳ ≤ Yλ with
    ȳ = y_o), min (1/m)Σx̄/x_o. Output: x̄ = x_o fixed, δ = 1/[(1/s)Σȳ/y_o] with ȳ maximal.
    Infeasible (possible under VRS for the oriented models) → NaN with the status.
    `slack_in`/`slack_out` hold x̄ − x_o ≥ 0 and y_o − ȳ ≥ 0 (original units); `progress`
    as in `sbm`."""
    Xs, Ys, sx, sy = _prep(X, Y, orientation, rts)
    n, m = Xs.shape
    s = Ys.shape[1]
    h = _super_lp(Xs, Ys, orientation, rts == "vrs")
    c, d = 1 + m + s, 1 + 2 * m + s  # rows X~ − t x_o and Y~ − t y_o (see _super_lp)
    score = np.full(n, np.nan)
    status = np.empty(n, dtype=object)
    S_in = np.full((n, m), np.nan)
    S_out = np.full((n, s), np.nan)
    L = np.zeros((n, n))
    zeros = np.zeros(n, dtype=int)
    cidx = np.arange(1 + m + s, dtype=np.int32)
    tick = Counter(progress, n)
    for o in range(n):
        wx, zx = _inv_weights(Xs[o])
        wy, zy = _inv_weights(Ys[o])
        zeros[o] = zx + zy
        for i in range(m):
            h.changeCoeff(c + i, 0, -Xs[o, i])
        for r in range(s):
            h.changeCoeff(d + r, 0, -Ys[o, r])
        if orientation == "none":
            for r in range(s):
                h.changeCoeff(0, 1 + m + r, wy[r])
            cost = np.r_[0.0, wx, np.zeros(s)]
            ylo = np.zeros(s)
        elif orientation == "input":
            cost = np.r_[0.0, wx, np.zeros(s)]
            ylo = Ys[o].copy()  # ȳ = y_o
        else:
            cost = np.r_[0.0, np.zeros(m), -wy]
            ylo = np.zeros(s)
        h.changeColsCost(1 + m + s, cidx, cost)
        h.changeColsBounds(s, np.arange(1 + m, 1 + m + s, dtype=np.int32), ylo, np.full(s, INF))
        if orientation == "output":  # x̄ = x_o
            h.changeColsBounds(m, np.arange(1, 1 + m, dtype=np.int32), Xs[o], Xs[o])
        else:
            h.changeColsBounds(m, np.arange(1, 1 + m, dtype=np.int32), np.zeros(m), np.full(m, INF))
        h.changeColBounds(1 + m + s + o, 0.0, 0.0)
        st = run_with_retry(h)
        # read the solution before any model change (a change invalidates HiGHS' info)
        cv = np.asarray(h.getSolution().col_value)
        obj = h.getInfo().objective_function_value
        h.changeColBounds(1 + m + s + o, 0.0, INF)
        status[o] = st
        tick.add()
        if st != "optimal":
            continue
        t = cv[0]
        if orientation == "output":
            score[o] = 1.0 / (-obj) if obj < 0 else np.nan
        else:
            score[o] = obj
        xbar, ybar = cv[1 : 1 + m] / t, cv[1 + m : 1 + m + s] / t
        S_in[o] = (xbar - Xs[o]) * sx
        S_out[o] = (Ys[o] - ybar) * sy
        L[o] = cv[1 + m + s :] / t
    return SBMResult(score, status.astype(str), S_in, S_out, L, zeros, orientation, rts)


def sbm_with_super(
    X: ArrayLike,
    Y: ArrayLike,
    *,
    orientation: str = "none",
    rts: str = "crs",
    tol: float = 1e-9,
    progress: ProgressFn | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, SBMResult]:
    """§9.4 DEFAULT "super-SBM" reporting: ρ* for SBM-inefficient DMUs, δ* (≥ 1) for efficient
    ones. Returns (score, kind ∈ {"sbm", "super"}, status, the SBM result). `progress`: as in
    `sbm`, over the 2n LPs of both models."""
    n = np.atleast_2d(np.asarray(X)).shape[0]
    base = sbm(X, Y, orientation=orientation, rts=rts, progress=shifted(progress, 0, 2 * n))
    eff = base.score >= 1.0 - tol
    score = base.score.copy()
    kind = np.where(eff, "super", "sbm").astype(object)
    status = base.status.astype(object).copy()
    if eff.any():
        sup = super_sbm(X, Y, orientation=orientation, rts=rts,
                        progress=shifted(progress, n, 2 * n))  # fmt: skip
        score[eff] = sup.score[eff]
        status[eff] = sup.status[eff]
    return score, kind.astype(str), status.astype(str), base
