"""Output-oriented cross-efficiency, CRS or VRS (METHODS §9.5.1), as deaR's
``cross_efficiency(orientation = "oo")``.

Multiplier LP of rater d (Farrell output φ_d ≥ 1):
    φ_d = min v'x_d + v0  s.t.  u'y_d = 1,  v'x_l + v0 − u'y_l ≥ 0 ∀ l,  u, v ≥ 0,
    v0 free (VRS) or 0 (CRS).
E_dj = (v_d'x_j + v0_d) / u_d'y_j ≥ 1 (the φ-type appraisal of j with d's weights; > 1 worse),
e_j = mean over raters (self included unless include_self=False). Aggressive/benevolent
secondary goal (Doyle & Green 1994, the output form of deaR's method III):
    max (aggressive) / min (benevolent) Σ_{j≠d} (v'x_j + v0)
    s.t. Σ_{j≠d} u'y_j = 1,  v'x_d + v0 ≤ (φ_d + tol)·u'y_d,  v'x_l + v0 − u'y_l ≥ 0.
Unbounded / infeasible secondary LPs give a NaN row with status "secondary_<status>".
"""

from __future__ import annotations

import warnings

import numpy as np

from measures.dea._highs import INF, new_highs, pass_lp, run_with_retry
from measures.dea._progress import Counter, ProgressFn


class _OutputModel:
    """Columns [v (m), u (s), v0 (VRS)], rows: v'x_l + v0 − u'y_l ≥ 0, norm row, self row."""

    def __init__(self, Xs: np.ndarray, Ys: np.ndarray, vrs: bool):
        n, m = Xs.shape
        s = Ys.shape[1]
        self.m, self.s, self.nc = m, s, m + s + (1 if vrs else 0)
        A = np.zeros((n + 2, self.nc))
        A[:n, :m], A[:n, m : m + s] = Xs, -Ys
        if vrs:
            A[:n, -1] = 1.0
        lo = np.zeros(self.nc)
        if vrs:
            lo[-1] = -INF
        self.h = new_highs()
        pass_lp(self.h, np.zeros(self.nc), lo, np.full(self.nc, INF),
                np.r_[np.zeros(n), 1.0, -INF], np.r_[np.full(n, INF), 1.0, INF], A)  # fmt: skip
        self.norm_row, self.self_row = n, n + 1
        self.idx = np.arange(self.nc, dtype=np.int32)

    def set_row(self, row: int, coefs: np.ndarray, lo: float, hi: float) -> None:
        for c in range(self.nc):
            self.h.changeCoeff(row, c, float(coefs[c]))
        self.h.changeRowBounds(row, lo, hi)

    def solve(self, cost: np.ndarray, maximise: bool):
        h = self.h
        h.changeColsCost(self.nc, self.idx, (-cost if maximise else cost).astype(float))
        st = run_with_retry(h)
        if st != "optimal":
            return st, None, np.nan
        val = h.getInfo().objective_function_value
        return st, np.asarray(h.getSolution().col_value), (-val if maximise else val)


def output_cross_efficiency(
    Xs: np.ndarray,
    Ys: np.ndarray,
    *,
    secondary: str,
    vrs: bool,
    self_tol: float = 1e-10,
    progress: ProgressFn | None = None,
    dg_method: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(W (n, nc) weights [v, u, v0], phi (n,), status (n,)) for the scaled data;
    `progress(done, n)` per block of raters (optional, reporting only)."""
    n = Xs.shape[0]
    model = _OutputModel(Xs, Ys, vrs)
    W = np.full((n, model.nc), np.nan)
    phi = np.full(n, np.nan)
    status = np.empty(n, dtype=object)
    counter = Counter(progress, n)
    for d in range(n):
        status[d] = _rate(model, Xs, Ys, d, secondary, self_tol, W, phi, dg_method)
        counter.add()
    if secondary in ("none", "arbitrary"):
        warnings.warn("arbitrary cross-efficiency: multipliers are not unique (METHODS §9.5)",
                      stacklevel=3)  # fmt: skip
    return W, phi, status.astype(str)


def _rate(model: _OutputModel, Xs, Ys, d: int, secondary: str, self_tol: float, W, phi,
          dg_method: int = 1) -> str:  # fmt: skip
    """Rater d's LPs (own φ*, then the secondary goal); fills W[d], phi[d]; returns the status.
    dg_method 1: max/min Σ_{j≠d}(v'x_j + v0) s.t. Σ_{j≠d}u'y_j = 1, v'x_d + v0 = φ u'y_d;
    2 (deaR M2): min/max Σ_{j≠d}(u'y_j − v'x_j − v0) s.t. u'y_d = 1, v'x_d + v0 = φ."""
    n, m = Xs.shape
    s = Ys.shape[1]
    nc, k = model.nc, model.nc - m - s
    model.set_row(model.norm_row, np.r_[np.zeros(m), Ys[d], np.zeros(k)], 1.0, 1.0)
    model.set_row(model.self_row, np.zeros(nc), -INF, INF)
    st, w, val = model.solve(np.r_[Xs[d], np.zeros(s), np.ones(k)], maximise=False)
    if st != "optimal":
        return st
    phi[d] = val
    if secondary in ("none", "arbitrary"):
        W[d] = w
        return st
    ox, oy = Xs.sum(0) - Xs[d], Ys.sum(0) - Ys[d]
    if dg_method == 2:  # the norm row u'y_d = 1 stays; v'x_d + v0 ≥ φ is implied by φ's optimality
        model.set_row(model.self_row, np.r_[Xs[d], np.zeros(s), np.ones(k)], -INF, val + self_tol)
        st2, w2, _ = model.solve(np.r_[-ox, oy, -(n - 1) * np.ones(k)],
                                 maximise=secondary == "benevolent")  # fmt: skip
    else:
        model.set_row(model.norm_row, np.r_[np.zeros(m), oy, np.zeros(k)], 1.0, 1.0)
        model.set_row(
            model.self_row, np.r_[Xs[d], -(val + self_tol) * Ys[d], np.ones(k)], -INF, 0.0
        )
        st2, w2, _ = model.solve(np.r_[ox, np.zeros(s), (n - 1) * np.ones(k)],
                                 maximise=secondary == "aggressive")  # fmt: skip
    if st2 != "optimal":
        return "secondary_" + st2
    W[d] = w2
    return st


def output_matrix(W: np.ndarray, Xs: np.ndarray, Ys: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """E_dj = (v_d'x_j + v0_d)/u_d'y_j, the rater's own entry set to φ_d (round-off)."""
    m, s = Xs.shape[1], Ys.shape[1]
    v, u = W[:, :m], W[:, m : m + s]
    v0 = W[:, -1] if W.shape[1] > m + s else np.zeros(W.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        E = (v @ Xs.T + v0[:, None]) / (u @ Ys.T)
    ok = np.isfinite(phi)
    di = np.flatnonzero(ok)
    E[di, di] = np.where(np.abs(E[di, di] - phi[ok]) < 1e-8, phi[ok], E[di, di])
    return E
