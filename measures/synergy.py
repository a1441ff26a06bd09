"""Composite-system synergy degree (孟庆松 & 韩文秀 2000; METHODS §7): order degrees of order
parameters, subsystem order degrees, and the synergy degree between two periods."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

BOUNDS = ("sample", "expand10", "user")
SYNERGY_CUTS = (0.0, 0.3, 0.6, 0.9)
SYNERGY_LABELS = ("non-synergistic", "low", "moderate", "high", "very high")


def bounds_of(
    x: np.ndarray,
    bounds: str = "sample",
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(α, β) per parameter (column): sample min/max; expand10 min − 0.1|min|, max + 0.1|max|;
    user: the given arrays."""
    x = np.asarray(x, dtype=float)
    if bounds == "sample":
        return x.min(axis=0), x.max(axis=0)
    if bounds == "expand10":
        lo, hi = x.min(axis=0), x.max(axis=0)
        return lo - 0.1 * np.abs(lo), hi + 0.1 * np.abs(hi)
    if bounds == "user":
        if lower is None or upper is None:
            raise ValueError("bounds='user' needs lower and upper")
        m = x.shape[1]
        lo = np.broadcast_to(np.asarray(lower, dtype=float), (m,)).copy()
        hi = np.broadcast_to(np.asarray(upper, dtype=float), (m,)).copy()
        return lo, hi
    raise ValueError(f"bounds must be one of {BOUNDS}, got {bounds!r}")


def order_degree(
    x: ArrayLike,
    directions: Any = None,
    *,
    bounds: str = "sample",
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    clip: bool = False,
) -> np.ndarray:
    """u(e_ji) of METHODS §7.1 for every observation (row) and order parameter (column).
    Positive: (e − α)/(β − α); negative: (β − e)/(β − α). Outside the bounds raises unless
    clip=True; β = α (constant parameter) raises."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or not np.isfinite(x).all():
        raise ValueError("order parameters must be a complete 2-D array (no missing values)")
    m = x.shape[1]
    d = np.ones(m) if directions is None else np.array(
        [-1.0 if str(s) in ("-", "−", "-1") else 1.0 for s in directions])  # fmt: skip
    if d.size != m:
        raise ValueError(f"{d.size} directions for {m} order parameters")
    lo, hi = bounds_of(x, bounds, lower, upper)
    if (hi <= lo).any():
        j = int(np.flatnonzero(hi <= lo)[0])
        raise ValueError(f"order parameter {j}: upper bound {hi[j]} ≤ lower bound {lo[j]}")
    u = np.where(d > 0, (x - lo) / (hi - lo), (hi - x) / (hi - lo))
    eps = 1e-12
    if ((u < -eps) | (u > 1 + eps)).any():
        if not clip:
            raise ValueError("order parameter outside its bounds (pass clip=True to clip)")
    return np.clip(u, 0.0, 1.0)


def subsystem_order(
    u: ArrayLike, method: str = "geometric", weights: ArrayLike | None = None
) -> np.ndarray:
    """u_j(e_j): geometric mean (DEFAULT) or linear Σ λ_i u_i (λ ≥ 0, Σλ = 1; equal if None)."""
    u = np.asarray(u, dtype=float)
    m = u.shape[1]
    if method == "geometric":
        with np.errstate(divide="ignore"):
            return np.exp(np.log(u).mean(axis=1))
    if method == "linear":
        lam = np.full(m, 1.0 / m) if weights is None else np.asarray(weights, dtype=float)
        if lam.shape != (m,) or (lam < 0).any() or abs(lam.sum() - 1) > 1e-9:
            raise ValueError(f"linear weights must be {m} values ≥ 0 summing to 1")
        return u @ lam
    raise ValueError(f"method must be 'geometric' or 'linear', got {method!r}")


def synergy_degree(u0: ArrayLike, u1: ArrayLike) -> np.ndarray:
    """C = θ·(Π_j |Δ_j|)^{1/k}, Δ_j = u_j(t1) − u_j(t0), θ = +1 if every Δ_j > 0 else −1;
    any Δ_j = 0 → C = 0. u0, u1: (observations × k subsystems)."""
    u0 = np.atleast_2d(np.asarray(u0, dtype=float))
    u1 = np.atleast_2d(np.asarray(u1, dtype=float))
    if u0.shape != u1.shape:
        raise ValueError("u0 and u1 must have the same shape")
    delta = u1 - u0
    k = delta.shape[1]
    theta = np.where((delta > 0).all(axis=1), 1.0, -1.0)
    with np.errstate(divide="ignore"):
        mag = np.exp(np.log(np.abs(delta)).sum(axis=1) / k)
    return np.where((delta == 0).any(axis=1), 0.0, theta * mag)


def synergy_grade(c: ArrayLike) -> list[str]:
    """[−1, 0] non-synergistic; (0, .3] low; (.3, .6] moderate; (.6, .9] high; (.9, 1] very high."""
    idx = np.searchsorted(np.asarray(SYNERGY_CUTS), np.round(np.asarray(c, float), 12), "left")
    return [SYNERGY_LABELS[i] for i in idx]


def synergy_frame(
    df: pl.DataFrame,
    subsystems: dict[str, list[tuple[str, str]]],
    *,
    id_col: str = "region_code",
    period: str = "year",
    bounds: str = "expand10",
    user_bounds: dict[str, tuple[float, float]] | None = None,
    clip: bool = False,
    method: str = "geometric",
    linear_weights: dict[str, list[float]] | None = None,
    base: str = "previous",
    base_year: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Order degrees and synergy for a wide panel (one row per unit and period).

    subsystems: name → [(order-parameter column, '+'/'-'), …]. Bounds are common to all units
    (computed over every unit-period). base="previous": t0 = the previous period of each unit
    (consecutive periods only); base="fixed": t0 = base_year (DEFAULT the first period).
    Returns (order: id, period, order_<name>…; synergy: id, year_from, year_to, base,
    order_<name>_from/_to…, synergy, grade)."""
    if df.select(pl.struct(id_col, period).is_duplicated().any()).item():
        raise ValueError(f"duplicate ({id_col}, {period}) rows")
    d = df.sort(id_col, period)
    orders = {}
    for name, params in subsystems.items():
        cols = [c for c, _ in params]
        dirs = [s for _, s in params]
        miss = [c for c in cols if c not in d.columns]
        if miss:
            raise ValueError(f"subsystem {name!r}: column(s) {miss} not in the frame")
        x = d.select(pl.col(cols).cast(pl.Float64)).to_numpy()
        if np.isnan(x).any():
            raise ValueError(f"subsystem {name!r}: missing values (no silent imputation)")
        lo = hi = None
        if bounds == "user":
            ub = user_bounds or {}
            if any(c not in ub for c in cols):
                raise ValueError(f"bounds='user' needs bounds for every parameter of {name!r}")
            lo, hi = [ub[c][0] for c in cols], [ub[c][1] for c in cols]
        u = order_degree(x, dirs, bounds=bounds, lower=lo, upper=hi, clip=clip)
        lw = (linear_weights or {}).get(name)
        orders[f"order_{name}"] = subsystem_order(u, method, lw)
    order = d.select(id_col, period).with_columns(*(pl.Series(k, v) for k, v in orders.items()))
    names = list(orders)
    if base == "previous":
        prev = order.with_columns(pl.col(period) + 1)
        pair = prev.join(order, on=[id_col, period], suffix="_to").rename(
            {period: "year_to", **{n: f"{n}_from" for n in names}}
        )
        pair = pair.with_columns((pl.col("year_to") - 1).alias("year_from"))
    elif base == "fixed":
        by = base_year if base_year is not None else order[period].min()
        t0 = order.filter(pl.col(period) == by).drop(period)
        if t0.height == 0:
            raise ValueError(f"base year {by!s} not in the data")
        pair = (
            order.filter(pl.col(period) != by)
            .join(t0, on=id_col, suffix="_from")
            .rename({period: "year_to", **{n: f"{n}_to" for n in names}})
            .with_columns(pl.lit(by).cast(order.schema[period]).alias("year_from"))
        )
    else:
        raise ValueError(f"base must be 'previous' or 'fixed', got {base!r}")
    u0 = pair.select([f"{n}_from" for n in names]).to_numpy()
    u1 = pair.select([f"{n}_to" for n in names]).to_numpy()
    c = synergy_degree(u0, u1) if pair.height else np.zeros(0)
    syn = pair.select(
        id_col,
        "year_from",
        "year_to",
        pl.lit(base).alias("base"),
        *[pl.col(f"{n}_{s}") for n in names for s in ("from", "to")],
    ).with_columns(pl.Series("synergy", c, dtype=pl.Float64),
                   pl.Series("grade", synergy_grade(c), dtype=pl.Utf8))  # fmt: skip
    return order, syn.sort(id_col, "year_to")
