"""Labour input: quantity × schooling quality (METHODS §3)."""

from __future__ import annotations

import numpy as np

YEARS_DEFAULT = {"none": 0.0, "primary": 6.0, "junior": 9.0, "senior": 12.0, "college": 16.0}


def average_schooling(
    counts: dict[str, np.ndarray], years_map: dict[str, float] | None = None
) -> np.ndarray:
    """s = Σ_e share_e · years_e from attainment counts (METHODS §3). Shares are taken over the
    listed levels (any 'not stated' category is excluded by not listing it)."""
    ym = years_map or YEARS_DEFAULT
    levels = list(ym)
    mat = np.vstack([np.asarray(counts[k], dtype=float) for k in levels])
    total = mat.sum(axis=0)
    if np.any(total <= 0):
        raise ValueError("attainment counts sum to zero")
    shares = mat / total
    return np.asarray([ym[k] for k in levels]) @ shares


def mincer_h(s: np.ndarray) -> np.ndarray:
    """PWT human-capital index h = exp(φ(s)), piecewise-linear returns 0.134/0.101/0.068 with
    kinks at 4 and 8 years (Hall & Jones 1999; METHODS §3 option B)."""
    s = np.asarray(s, dtype=float)
    phi = np.where(
        s <= 4,
        0.134 * s,
        np.where(s <= 8, 0.134 * 4 + 0.101 * (s - 4), 0.134 * 4 + 0.101 * 4 + 0.068 * (s - 8)),
    )
    return np.exp(phi)


def labour_input(
    employment: np.ndarray, schooling: np.ndarray, method: str = "years"
) -> np.ndarray:
    """H = L·s ('years', DEFAULT), L·h(s) ('pwt') or L ('count')."""
    L = np.asarray(employment, dtype=float)
    if method == "years":
        return L * np.asarray(schooling, dtype=float)
    if method == "pwt":
        return L * mincer_h(schooling)
    if method == "count":
        return L.copy()
    raise ValueError(f"unknown labour method {method!r}")


def interpolate_linear(years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill interior gaps linearly (only when `interp="linear"` is enabled); returns (values, flag)."""
    v = np.asarray(values, dtype=float).copy()
    miss = ~np.isfinite(v)
    ok = ~miss
    if ok.sum() >= 2:
        inside = miss & (years > years[ok].min()) & (years < years[ok].max())
        v[inside] = np.interp(years[inside], years[ok], v[ok])
        return v, inside
    return v, np.zeros_like(miss)


def interpolate_geometric(years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill interior gaps of a positive level series at constant growth between the nearest
    observed years (log-linear; METHODS §3.1); returns (values, flag)."""
    v = np.asarray(values, dtype=float).copy()
    yrs = np.asarray(years, dtype=float)
    ok = np.isfinite(v) & (v > 0)
    flag = np.zeros(len(v), dtype=bool)
    if ok.sum() < 2:
        return v, flag
    inside = ~np.isfinite(v) & (yrs > yrs[ok].min()) & (yrs < yrs[ok].max())
    v[inside] = np.exp(np.interp(yrs[inside], yrs[ok], np.log(v[ok])))
    flag[inside] = True
    return v, flag


def ratio_splice(old_levels: np.ndarray, old_last: float, new_first: float) -> np.ndarray:
    """Back-cast an old-vintage series onto a new benchmark level (METHODS §3.1): every old
    value × new_first / old_last, i.e. zero growth across the break (the bridge year's growth
    is unknown without an overlap year)."""
    if not (np.isfinite(old_last) and np.isfinite(new_first)) or old_last <= 0:
        return np.full(len(old_levels), np.nan)
    return np.asarray(old_levels, dtype=float) * (new_first / old_last)
