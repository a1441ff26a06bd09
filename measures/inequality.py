"""Regional inequality: CV, Gini, Theil T/L with exact group decomposition, Dagum's Gini
decomposition (METHODS §5). numpy cores plus `inequality_long`, a polars transform that
returns long rows (period, measure, group, value)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from measures.dagum import DagumResult, dagum

__all__ = ["DagumResult", "dagum"]


def _values(y, name: str = "y") -> np.ndarray:
    y = np.asarray(y, dtype=float).ravel()
    if y.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.isfinite(y).all():
        raise ValueError(f"{name} has missing or infinite values")
    return y


def _weights(p, n: int) -> np.ndarray:
    p = _values(p, "weights")
    if p.size != n:
        raise ValueError(f"weights have {p.size} values for {n} units")
    if (p < 0).any() or not p.sum() > 0:
        raise ValueError("weights must be ≥ 0 with a positive sum")
    return p


def _nonneg_mean(y: np.ndarray, what: str) -> float:
    if (y < 0).any():
        raise ValueError(f"{what} requires y ≥ 0")
    mu = float(y.mean())
    if not mu > 0:
        raise ValueError(f"{what} requires a positive mean")
    return mu


# --------------------------------------------------------------------------- §5.1 CV
def cv(y: ArrayLike, ddof: int = 0) -> float:
    """Unweighted coefficient of variation σ/μ (DEFAULT ddof = 0)."""
    y = _values(y)
    mu = y.mean()
    if mu == 0:
        raise ValueError("CV undefined for a zero mean")
    return float(y.std(ddof=ddof) / mu)


def cv_weighted(y: ArrayLike, weights: ArrayLike) -> float:
    """Williamson (1965): sqrt(Σ p_i (y_i − ȳ)²)/ȳ, p_i = P_i/ΣP, ȳ = Σ p_i y_i."""
    y = _values(y)
    p = _weights(weights, y.size)
    p = p / p.sum()
    ybar = float(p @ y)
    if ybar == 0:
        raise ValueError("weighted CV undefined for a zero mean")
    return float(np.sqrt(p @ (y - ybar) ** 2) / ybar)


# --------------------------------------------------------------------------- §5.2 Gini
def gini(y: ArrayLike, small_sample: bool = False) -> float:
    """G = Σ_i Σ_j |y_i − y_j| / (2 n² μ) via the sorted form; ×n/(n−1) if small_sample."""
    y = _values(y)
    mu = _nonneg_mean(y, "Gini")
    n = y.size
    ys = np.sort(y)
    g = 2.0 * float(np.arange(1, n + 1) @ ys) / (n * n * mu) - (n + 1.0) / n
    if small_sample:
        if n < 2:
            raise ValueError("small-sample Gini needs n ≥ 2")
        g *= n / (n - 1.0)
    return g


def gini_weighted(y: ArrayLike, weights: ArrayLike) -> float:
    """G_w = Σ_i Σ_j p_i p_j |y_i − y_j| / (2ȳ), computed in O(n log n) by sorting."""
    y = _values(y)
    mu = _nonneg_mean(y, "weighted Gini")
    del mu
    p = _weights(weights, y.size)
    p = p / p.sum()
    o = np.argsort(y, kind="stable")
    ys, ps = y[o], p[o]
    ybar = float(ps @ ys)
    cp = np.cumsum(ps) - ps  # Σ_{j<i} p_j
    cpy = np.cumsum(ps * ys) - ps * ys  # Σ_{j<i} p_j y_j
    half = float(ps @ (ys * cp - cpy))  # Σ_{i>j} p_i p_j (y_i − y_j)
    return 2.0 * half / (2.0 * ybar)


def gini_weighted_lorenz(y: ArrayLike, weights: ArrayLike) -> float:
    """The Lorenz/trapezoid form 1 − Σ_i p_i (L_{i−1} + L_i) (for cross-checks)."""
    y = _values(y)
    p = _weights(weights, y.size)
    o = np.argsort(y, kind="stable")
    ps = p[o] / p.sum()
    inc = ps * y[o]
    L = np.cumsum(inc) / inc.sum()
    Lprev = np.concatenate([[0.0], L[:-1]])
    return float(1.0 - ps @ (Lprev + L))


# --------------------------------------------------------------------------- §5.3 Theil
def _xlogx_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a·ln(a/b) with 0·ln 0 := 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0) / b), 0.0)


def _theil_parts(y, weights, zero_replace):
    y = _values(y)
    if (y < 0).any():
        raise ValueError("Theil indices require y ≥ 0")
    P = np.ones(y.size) if weights is None else _weights(weights, y.size)
    if zero_replace is not None:
        y = np.where(y == 0, float(zero_replace), y)
    Y = P * y
    if not Y.sum() > 0:
        raise ValueError("Theil indices require a positive total")
    return y, P, Y


def theil_t(y: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Theil T (GE(1)). weights=None: (1/n)Σ r ln r; weights=P: Σ (Y_i/Y) ln[(Y_i/Y)/(P_i/P)]."""
    _, P, Y = _theil_parts(y, weights, None)
    return float(_xlogx_ratio(Y / Y.sum(), P / P.sum()).sum())


def theil_l(
    y: ArrayLike, weights: ArrayLike | None = None, zero_replace: float | None = None
) -> float:
    """Theil L (GE(0), MLD). Needs y > 0 (or an explicit zero_replace)."""
    y2, P, Y = _theil_parts(y, weights, zero_replace)
    if (y2[P > 0] <= 0).any():
        raise ValueError("Theil L requires y > 0 (pass zero_replace explicitly to override)")
    s, q = Y / Y.sum(), P / P.sum()
    return float(_xlogx_ratio(q, s).sum())


@dataclass
class TheilDecomposition:
    t: float
    t_between: float
    t_within: float
    l: float  # noqa: E741
    l_between: float
    l_within: float
    groups: list
    t_group: np.ndarray  # T_g (within group g, group totals)
    l_group: np.ndarray
    y_share: np.ndarray  # Y_g / Y
    p_share: np.ndarray  # P_g / P
    t_contrib: np.ndarray  # (Y_g/Y) T_g / T
    l_contrib: np.ndarray  # (P_g/P) L_g / L


def theil_decomposition(
    y: ArrayLike,
    groups: ArrayLike,
    weights: ArrayLike | None = None,
    zero_replace: float | None = None,
    need_l: bool = True,
) -> TheilDecomposition:
    """T = T_B + T_W and L = L_B + L_W (METHODS §5.3), population-weighted when `weights`
    are given, unit counts otherwise. L is NaN (not raised) only when need_l=False."""
    y2, P, Y = _theil_parts(y, weights, zero_replace)
    g = np.asarray(groups)
    if g.size != y2.size:
        raise ValueError(f"groups have {g.size} labels for {y2.size} units")
    labels, inv = np.unique(g, return_inverse=True)
    k = labels.size
    Yg = np.bincount(inv, Y, minlength=k)
    Pg = np.bincount(inv, P, minlength=k)
    Ytot, Ptot = Yg.sum(), Pg.sum()
    t_i = _xlogx_ratio(Y / Ytot, P / Ptot)
    t = float(t_i.sum())
    ys, ps = Yg / Ytot, Pg / Ptot
    t_b = float(_xlogx_ratio(ys, ps).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        t_g = np.bincount(inv, _xlogx_ratio(Y / Yg[inv], P / Pg[inv]), minlength=k)
        t_g = np.where(Yg > 0, t_g, 0.0)
    t_w = float(ys @ t_g)
    l_ok = not (y2[P > 0] <= 0).any()
    if need_l and not l_ok:
        raise ValueError("Theil L requires y > 0 (pass zero_replace explicitly to override)")
    if l_ok:
        l_tot = float(_xlogx_ratio(P / Ptot, Y / Ytot).sum())
        l_b = float(_xlogx_ratio(ps, ys).sum())
        l_g = np.bincount(inv, _xlogx_ratio(P / Pg[inv], Y / Yg[inv]), minlength=k)
        l_w = float(ps @ l_g)
    else:
        l_tot = l_b = l_w = np.nan
        l_g = np.full(k, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_c = ys * t_g / t if t > 0 else np.zeros(k)
        l_c = ps * l_g / l_tot if l_tot > 0 else np.full(k, 0.0 if np.isfinite(l_tot) else np.nan)
    return TheilDecomposition(
        t, t_b, t_w, l_tot, l_b, l_w, labels.tolist(), t_g, l_g, ys, ps, t_c, l_c
    )


# --------------------------------------------------------------------------- §5.4 Dagum
# --------------------------------------------------------------------------- polars
def inequality_rows(
    y: ArrayLike,
    weights: ArrayLike | None = None,
    groups: ArrayLike | None = None,
    *,
    ddof: int = 0,
    small_sample: bool = False,
    zero_replace: float | None = None,
    dagum_decomp: bool = True,
    l_nonpositive: str = "raise",
) -> list[tuple[str, str | None, float]]:
    """All §5 measures of one cross-section as (measure, group, value) rows.

    Measures: cv, gini, theil_t, theil_l; with weights cv_weighted, gini_weighted,
    theil_t_weighted, theil_l_weighted; with groups, per Theil variant X: X_between,
    X_within, X_between_share, X_within_share, X_within_group and X_within_group_contrib
    (group = label), and Dagum's dagum_g, dagum_gw, dagum_gnb, dagum_gt, their _share, and
    dagum_gjj (group), dagum_gjh and dagum_djh (group "richer|poorer").

    Theil L needs y > 0: a zero raises unless `zero_replace` is given, or
    l_nonpositive="nan" (then the theil_l rows are NaN and everything else is computed)."""
    y = _values(y)
    rows: list[tuple[str, str | None, float]] = [
        ("cv", None, cv(y, ddof)),
        ("gini", None, gini(y, small_sample)),
    ]
    has_zero = bool((y <= 0).any()) and zero_replace is None
    if has_zero and l_nonpositive == "raise":
        raise ValueError("Theil L requires y > 0 (pass zero_replace explicitly to override)")
    variants = [("", None)] + ([("_weighted", weights)] if weights is not None else [])
    if weights is not None:
        rows.insert(1, ("cv_weighted", None, cv_weighted(y, weights)))
        rows.insert(3, ("gini_weighted", None, gini_weighted(y, weights)))
    for suffix, w in variants:
        if groups is None:
            rows.append((f"theil_t{suffix}", None, theil_t(y, w)))
            lv = np.nan if has_zero else theil_l(y, w, zero_replace)
            rows.append((f"theil_l{suffix}", None, lv))
            continue
        td = theil_decomposition(y, groups, w, zero_replace, need_l=False)
        for m, tot, b, wi, per, con in (
            ("theil_t", td.t, td.t_between, td.t_within, td.t_group, td.t_contrib),
            ("theil_l", td.l, td.l_between, td.l_within, td.l_group, td.l_contrib),
        ):
            name = m + suffix
            rows += [
                (name, None, tot),
                (f"{name}_between", None, b),
                (f"{name}_within", None, wi),
                (f"{name}_between_share", None, b / tot if tot > 0 else np.nan),
                (f"{name}_within_share", None, wi / tot if tot > 0 else np.nan),
            ]
            for lab, v, c in zip(td.groups, per, con, strict=True):
                rows += [(f"{name}_within_group", str(lab), float(v)),
                         (f"{name}_within_group_contrib", str(lab), float(c))]  # fmt: skip
    if groups is not None and dagum_decomp:
        dr: Any = dagum(y, groups)
        sh = dr.shares
        rows += [
            ("dagum_g", None, dr.g),
            ("dagum_gw", None, dr.g_w),
            ("dagum_gnb", None, dr.g_nb),
            ("dagum_gt", None, dr.g_t),
            ("dagum_gw_share", None, sh[0]),
            ("dagum_gnb_share", None, sh[1]),
            ("dagum_gt_share", None, sh[2]),
        ]
        labs = [str(x) for x in dr.groups]
        rows += [("dagum_gjj", labs[j], float(dr.g_jj[j])) for j in range(len(labs))]
        rows += [("dagum_pj", labs[j], float(dr.p_share[j])) for j in range(len(labs))]
        rows += [("dagum_sj", labs[j], float(dr.s_share[j])) for j in range(len(labs))]
        for j in range(1, len(labs)):
            for h in range(j):
                pair = f"{labs[j]}|{labs[h]}"
                rows += [("dagum_gjh", pair, float(dr.g_jh[j, h])),
                         ("dagum_djh", pair, float(dr.d_jh[j, h])),
                         ("dagum_d_gross", pair, float(dr.d_gross[j, h])),
                         ("dagum_p_trans", pair, float(dr.p_trans[j, h]))]  # fmt: skip
    return [(m, g, float(v)) for m, g, v in rows]


def inequality_long(
    df: pl.DataFrame,
    value: str,
    *,
    weight: str | None = None,
    group: str | None = None,
    period: str | None = "year",
    ddof: int = 0,
    small_sample: bool = False,
    zero_replace: float | None = None,
    dagum_decomp: bool = True,
    l_nonpositive: str = "raise",
) -> pl.DataFrame:
    """§5 measures of `value` for each `period` (one cross-section if period is None):
    long rows (period, measure, group, value). Missing values raise."""
    need = [value, *(c for c in (weight, group, period) if c)]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame")
    cols = [value] + ([weight] if weight else [])
    if df.select(pl.any_horizontal(pl.col(cols).is_null())).to_series().any():
        raise ValueError(f"missing values in {cols}: inequality needs complete cross-sections")
    parts = (
        [(k[0], g) for k, g in df.sort(period).group_by(period, maintain_order=True)]
        if period
        else [(None, df)]
    )
    out_p, out_m, out_g, out_v = [], [], [], []
    for key, g in parts:
        y = g[value].cast(pl.Float64).to_numpy()
        w = g[weight].cast(pl.Float64).to_numpy() if weight else None
        grp = g[group].cast(pl.Utf8).to_numpy() if group else None
        for m, gl, v in inequality_rows(
            y, w, grp, ddof=ddof, small_sample=small_sample, zero_replace=zero_replace,
            dagum_decomp=dagum_decomp, l_nonpositive=l_nonpositive,
        ):  # fmt: skip
            out_p.append(key)
            out_m.append(m)
            out_g.append(gl)
            out_v.append(v)
    ptype = df.schema[period] if period else pl.Int64
    return pl.DataFrame(
        {
            "period": pl.Series(out_p, dtype=ptype),
            "measure": pl.Series(out_m, dtype=pl.Utf8),
            "group": pl.Series(out_g, dtype=pl.Utf8),
            "value": pl.Series(out_v, dtype=pl.Float64),
        }
    )
