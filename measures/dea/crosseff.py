"""Cross-efficiency (METHODS §9.2, §9.5): CCR multiplier form, arbitrary (Sexton, Silkman &
Hogan 1986), aggressive and benevolent secondary goals (Doyle & Green 1994, method of §9.5 or
`dg_method=2`), and a VRS variant.

Public API
----------
``cross_efficiency(X, Y, *, secondary="aggressive", rts="crs", dg_method=1,
include_self=True) -> CrossEffResult`` with the matrix ``E[d, j]`` (DMU j rated with the
weights of rating DMU d), the scores e_j, the CCR θ*, the maverick index and the weights.

Numerics: data are divided by their column means first (all quantities are invariant to
this); each LP keeps its status. Only the rows ``u'y_l − v'x_l ≤ 0`` of CCR-efficient DMUs
(θ_l ≥ 1 − 1e-6) are kept in the multiplier LPs: for u, v ≥ 0 the rows of the other DMUs
are implied (each is dominated by a non-negative combination of efficient DMUs), so the
optimal values are unchanged; `reduce_rows=False` keeps all rows (tests prove equality).

VRS (`rts="vrs"`): input-oriented BCC multipliers (u0 free) give E_dj = (u_d'y_j − u0_d)/v_d'x_j,
which can be negative, and the secondary-goal LPs can be unbounded through u0; such raters get
status "secondary_unbounded" and a NaN row (never a silent fallback), and ``note`` flags
negative values. ``correction="lim-zhu"`` applies Lim & Zhu (2015) as deaR does:
E_dj = u_d'y_j / (v_d'x_j + u0_d) ∈ [0, 1] (the rater's own entry is θ*_d), and the
aggressive/benevolent LP (dg_method 1) uses the corrected normalisation
Σ_{j≠d}(v'x_j + u0) = 1 with objective u'Σ_{j≠d}y_j. ``orientation="output"`` (CRS or VRS)
is `measures.dea.crosseff_oo` (φ-type E_dj ≥ 1). CRS input orientation is the DEFAULT
(METHODS §9.5).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from measures.dea._highs import INF, new_highs, pass_lp, run_with_retry
from measures.dea._progress import Counter, ProgressFn
from measures.dea.radial import radial_efficiency

SECONDARY = ("none", "arbitrary", "aggressive", "benevolent")


@dataclass
class CrossEffResult:
    """matrix[d, j] = E_dj; scores e_j (mean over d, self included unless include_self=False);
    theta: CCR (or BCC) θ*_d; maverick (E_jj − e_j)/e_j; u (n, s), v (n, m) the rating
    weights of each d (for the scaled data divided by column means); status per rating DMU."""

    matrix: np.ndarray
    scores: np.ndarray
    theta: np.ndarray
    maverick: np.ndarray
    u: np.ndarray
    v: np.ndarray
    status: np.ndarray
    secondary: str
    include_self: bool
    u0: np.ndarray | None = None
    note: str = ""


def scale_by_means(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Divide each input and output column by its mean (METHODS §9.5: numerical robustness)."""
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    mx, my = X.mean(0), Y.mean(0)
    return X / np.where(mx > 0, mx, 1.0), Y / np.where(my > 0, my, 1.0)


def efficient_rows(theta: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """Indices of DMUs whose multiplier rows must be kept (θ ≥ 1 − tol; see module doc)."""
    keep = np.flatnonzero(~(theta < 1.0 - tol))  # NaN kept to be safe
    return keep


def appraisal_scores(matrix: np.ndarray, include_self: bool = True) -> np.ndarray:
    """e_j = mean over raters d of E_dj; include_self=False excludes d = j (METHODS §9.5)."""
    n = matrix.shape[0]
    if include_self:
        return matrix.mean(axis=0)
    return (matrix.sum(axis=0) - np.diag(matrix)) / (n - 1)


class _MultiplierModel:
    """HiGHS model over columns [v (m), u (s), (u0 free, VRS)] with rows
    u'y_l − v'x_l (− u0) ≤ 0 for l in `rows`, a normalisation row and a self row."""

    def __init__(self, Xs: np.ndarray, Ys: np.ndarray, rows: np.ndarray, vrs: bool = False):
        self.m, self.s = Xs.shape[1], Ys.shape[1]
        m, s = self.m, self.s
        self.vrs = vrs
        self.nc = m + s + (1 if vrs else 0)
        k = rows.size
        A = np.zeros((k + 2, self.nc))
        A[:k, :m] = -Xs[rows]
        A[:k, m : m + s] = Ys[rows]
        if vrs:
            A[:k, -1] = -1.0
        rl = np.r_[np.full(k, -INF), 1.0, -INF]
        ru = np.r_[np.zeros(k), 1.0, INF]
        lo = np.zeros(self.nc)
        if vrs:
            lo[-1] = -INF
        self.h = new_highs()
        pass_lp(self.h, np.zeros(self.nc), lo, np.full(self.nc, INF), rl, ru, A)
        self.norm_row = k
        self.self_row = k + 1
        self.idx = np.arange(self.nc, dtype=np.int32)

    def set_row(self, row: int, coefs: np.ndarray, lo: float, hi: float) -> None:
        for c in range(self.nc):
            self.h.changeCoeff(row, c, float(coefs[c]))
        self.h.changeRowBounds(row, lo, hi)

    def solve(self, cost: np.ndarray, sense_max: bool) -> tuple[str, np.ndarray | None, float]:
        h = self.h
        h.changeColsCost(self.nc, self.idx, (-cost if sense_max else cost).astype(float))
        st = run_with_retry(h)
        if st != "optimal":
            return st, None, np.nan
        w = np.asarray(h.getSolution().col_value)
        val = h.getInfo().objective_function_value
        return st, w, (-val if sense_max else val)


def cross_efficiency(
    X: np.ndarray,
    Y: np.ndarray,
    *,
    secondary: str = "aggressive",
    rts: str = "crs",
    dg_method: int = 1,
    include_self: bool = True,
    reduce_rows: bool = True,
    self_tol: float = 1e-10,
    orientation: str = "input",
    correction: str | None = None,
    progress: ProgressFn | None = None,
) -> CrossEffResult:
    """Cross-efficiency matrix and scores (METHODS §9.5).

    secondary: "aggressive" (DEFAULT, Doyle & Green 1994: min u'Σ_{j≠d}y_j s.t.
        v'Σ_{j≠d}x_j = 1, u'y_d = θ*_d v'x_d, u'y_l ≤ v'x_l), "benevolent" (max), or
        "none"/"arbitrary" (Sexton et al. 1986: whatever optimal CCR multipliers HiGHS returns;
        not unique, a warning is issued).
    dg_method: 1 = the §9.5 formulation above; 2 = min/max Σ_{j≠d}(u'y_j − v'x_j) with
        v'x_d = 1, u'y_d = θ*_d.
    rts: "crs" (DEFAULT) or "vrs" (input-oriented BCC multipliers, u0 free; E_dj =
        (u'y_j − u0)/v'x_j may be negative — flagged in ``note``).
    include_self: e_j averages over all n raters (DEFAULT) or the n − 1 others.
    self_tol: d's own efficiency is kept ≥ θ*_d − self_tol in the secondary LP.
    orientation: "input" (DEFAULT) or "output" (deaR "oo": E_dj = (v'x_j + v0)/u'y_j ≥ 1,
        theta holds φ*_d; dg_method 1 = deaR M3, 2 = deaR M2).
    correction: None (DEFAULT) or "lim-zhu" (input orientation, rts="vrs"; module doc).
    progress: optional callback progress(done, n) per block of raters (reporting only).
    """
    if secondary not in SECONDARY:
        raise ValueError(f"secondary must be one of {SECONDARY}")
    if rts not in ("crs", "vrs"):
        raise ValueError("cross-efficiency supports rts='crs' (DEFAULT) or 'vrs'")
    if orientation not in ("input", "output"):
        raise ValueError("orientation must be 'input' or 'output'")
    if correction not in (None, "lim-zhu"):
        raise ValueError("correction must be None or 'lim-zhu'")
    if correction and (rts != "vrs" or orientation != "input"):
        raise ValueError("the Lim–Zhu correction applies to input-oriented VRS cross-efficiency")
    Xs, Ys = scale_by_means(X, Y)
    if dg_method not in (1, 2):
        raise ValueError("dg_method must be 1 or 2")
    if orientation == "output":
        return _output(Xs, Ys, secondary, rts, include_self, self_tol, progress, dg_method)
    lz = correction == "lim-zhu"
    n, m = Xs.shape
    s = Ys.shape[1]
    vrs = rts == "vrs"
    theta_rad = radial_efficiency(Xs, Ys, rts=rts).score
    rows = efficient_rows(theta_rad) if (reduce_rows and not vrs) else np.arange(n)
    model = _MultiplierModel(Xs, Ys, rows, vrs=vrs)
    nc = model.nc
    W = np.full((n, nc), np.nan)
    theta = np.full(n, np.nan)
    status = np.empty(n, dtype=object)
    opts = (secondary, dg_method, self_tol, lz, Xs.sum(0), Ys.sum(0))
    tick = Counter(progress, n)
    for d in range(n):
        status[d], theta[d], W[d] = _rate(model, Xs, Ys, d, opts)
        tick.add()
    if secondary in ("none", "arbitrary"):
        warnings.warn(
            "arbitrary cross-efficiency: CCR multipliers are not unique; the matrix depends on "
            "the solver's optimal basis (METHODS §9.5)",
            stacklevel=2,
        )
    v, u = W[:, :m], W[:, m : m + s]
    u0 = W[:, -1] if vrs else np.zeros(n)
    if lz:
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 entries: NaN, counted in note
            E = (u @ Ys.T) / (v @ Xs.T + u0[:, None])
        ok = np.isfinite(theta)
        E[np.flatnonzero(ok), np.flatnonzero(ok)] = theta[ok]
    else:
        E = (u @ Ys.T - u0[:, None]) / (v @ Xs.T)
    # the rater's own score is θ*_d by construction; remove round-off
    ok = np.isfinite(theta)
    di = np.arange(n)[ok]
    E[di, di] = np.where(np.abs(E[di, di] - theta[ok]) < 1e-8, theta[ok], E[di, di])
    scores = appraisal_scores(E, include_self)
    with np.errstate(divide="ignore", invalid="ignore"):
        mav = (np.diag(E) - scores) / scores
    note = "Lim & Zhu (2015) correction" if lz else ""
    if lz:
        undefined = int(np.sum(np.isnan(E) & np.isfinite(theta)[:, None]))
        if undefined:
            note += (f"; {undefined} entr{'y' if undefined == 1 else 'ies'} 0/0 (the rater's "
                     "weights give the DMU zero corrected virtual input and output): NaN")  # fmt: skip
    if vrs and not lz and np.nanmin(E) < 0:
        note = "VRS input-oriented cross-efficiencies include negative values"
    return CrossEffResult(
        matrix=E,
        scores=scores,
        theta=theta,
        maverick=mav,
        u=u,
        v=v,
        status=status.astype(str),
        secondary=secondary,
        include_self=include_self,
        u0=u0 if vrs else None,
        note=note,
    )


def _rate(model: _MultiplierModel, Xs: np.ndarray, Ys: np.ndarray, d: int,
          opts: tuple) -> tuple[str, float, np.ndarray]:  # fmt: skip
    """Rater d's LPs (input orientation): (status, θ*_d or NaN, its multipliers or NaN):
    the primary CCR/BCC multiplier LP, then the secondary goal of `cross_efficiency`."""
    secondary, dg_method, self_tol, lz, sumX, sumY = opts
    n, m = Xs.shape
    s = Ys.shape[1]
    nc = model.nc
    none = np.full(nc, np.nan)
    xd, yd = Xs[d], Ys[d]
    # primary: max u'y_d − u0 s.t. v'x_d = 1
    norm = np.r_[xd, np.zeros(s), np.zeros(nc - m - s)]
    model.set_row(model.norm_row, norm, 1.0, 1.0)
    model.set_row(model.self_row, np.zeros(nc), -INF, INF)
    c = np.r_[np.zeros(m), yd, -np.ones(nc - m - s)]
    st, w, val = model.solve(c, sense_max=True)
    if st != "optimal" or w is None:
        return st, np.nan, none
    if secondary in ("none", "arbitrary"):
        return st, val, w
    maximise = secondary == "benevolent"
    ox, oy = sumX - xd, sumY - yd
    tgt = val - self_tol
    if dg_method == 1:
        # v'Σ_{j≠d}x_j = 1 ; u'y_d − u0 − θ v'x_d ≥ 0 (≤ is implied by optimality of θ)
        # Lim–Zhu: Σ_{j≠d}(v'x_j + u0) = 1, objective u'Σ_{j≠d}y_j
        k0 = (n - 1) * np.ones(nc - m - s)
        norm2 = np.r_[ox, np.zeros(s), k0 if lz else np.zeros(nc - m - s)]
        model.set_row(model.norm_row, norm2, 1.0, 1.0)
        model.set_row(model.self_row, np.r_[-tgt * xd, yd, -np.ones(nc - m - s)], 0.0, INF)
        c2 = np.r_[np.zeros(m), oy, (0.0 if lz else -1.0) * k0]
    elif dg_method == 2:
        # v'x_d = 1 (norm row unchanged); u'y_d − u0 ≥ θ − tol
        model.set_row(model.self_row, np.r_[np.zeros(m), yd, -np.ones(nc - m - s)], tgt, INF)
        c2 = np.r_[-ox, oy, -(n - 1) * np.ones(nc - m - s)]
    else:
        raise ValueError("dg_method must be 1 or 2")
    st2, w2, _ = model.solve(c2, sense_max=maximise)
    if st2 != "optimal" or w2 is None:
        return "secondary_" + st2, val, none
    return st, val, w2


def _output(Xs, Ys, secondary, rts, include_self, self_tol, progress=None,
            dg_method: int = 1) -> CrossEffResult:  # fmt: skip
    """Output orientation (measures.dea.crosseff_oo)."""
    from measures.dea.crosseff_oo import output_cross_efficiency, output_matrix

    W, phi, status = output_cross_efficiency(
        Xs,
        Ys,
        secondary=secondary,
        vrs=rts == "vrs",
        self_tol=self_tol,
        progress=progress,
        dg_method=dg_method,
    )
    E = output_matrix(W, Xs, Ys, phi)
    scores = appraisal_scores(E, include_self)
    m, s = Xs.shape[1], Ys.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        mav = (np.diag(E) - scores) / scores
    return CrossEffResult(
        matrix=E, scores=scores, theta=phi, maverick=mav, u=W[:, m : m + s], v=W[:, :m],
        status=status, secondary=secondary, include_self=include_self,
        u0=W[:, -1] if rts == "vrs" else None, note="output orientation: E_dj ≥ 1 (φ-type)",
    )  # fmt: skip
