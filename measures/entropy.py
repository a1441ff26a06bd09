"""Entropy weight method (熵值法/熵权法) and composite indices (METHODS §4).

numpy core (`standardise`, `entropy_weights`) plus a polars transform (`entropy_index`) that
computes pooled (time-entropy, DEFAULT) or per-year weights and scores for a wide panel.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

NORMALISE = ("minmax", "sum")
SHIFTS = ("add", "rescale", "none")
SCOPES = ("pooled", "by_year")


class ConstantIndicatorWarning(UserWarning):
    """An indicator is constant over the observations (METHODS §4.4): its weight is 0."""


@dataclass
class EntropyResult:
    weights: np.ndarray  # w_j, sums to 1
    entropy: np.ndarray  # e_j ∈ [0, 1]
    divergence: np.ndarray  # d_j = 1 − e_j
    z: np.ndarray  # z'_ij (shifted standardised values, or x for normalise="sum")
    scores: np.ndarray  # S_i
    constant: np.ndarray  # bool per indicator


def _directions(directions, m: int) -> np.ndarray:
    if directions is None:
        return np.ones(m)
    d = np.array([1.0 if str(s) in ("+", "1", "+1", "pos", "positive") else -1.0
                  if str(s) in ("-", "−", "-1", "neg", "negative") else np.nan
                  for s in directions])  # fmt: skip
    if len(d) != m or np.isnan(d).any():
        raise ValueError(f"directions must be {m} of '+'/'-', got {list(directions)}")
    return d


def standardise(
    x: np.ndarray,
    directions: Any = None,
    *,
    normalise: str = "minmax",
    shift: str = "add",
    epsilon: float = 1e-4,
    rescale: tuple[float, float] = (0.01, 0.99),
) -> tuple[np.ndarray, np.ndarray]:
    """z'_ij of METHODS §4.1 over the rows of `x` (n × m). Returns (z', constant mask).

    minmax: positive (x − min)/(max − min), negative (max − x)/(max − min); a constant column
    gets z = 0 (then the shift). shift: add (z + ε, DEFAULT ε = 1e-4), rescale (a + (b − a)z),
    none. normalise="sum": z' = x (requires x ≥ 0; cost indicators are not reversed)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError("x must be a 2-D array (observations × indicators)")
    if np.isnan(x).any() or np.isinf(x).any():
        i, j = np.argwhere(~np.isfinite(x))[0]
        raise ValueError(f"missing or infinite value at observation {i}, indicator {j}")
    d = _directions(directions, x.shape[1])
    if normalise == "sum":
        if (x < 0).any():
            raise ValueError("normalise='sum' requires x ≥ 0")
        if (d < 0).any():
            warnings.warn(
                "normalise='sum' does not reverse negative (cost) indicators (METHODS §4.1)",
                stacklevel=2,
            )
        return x.copy(), ~(x.sum(axis=0) > 0) | (np.ptp(x, axis=0) == 0)
    if normalise != "minmax":
        raise ValueError(f"normalise must be one of {NORMALISE}, got {normalise!r}")
    lo, hi = x.min(axis=0), x.max(axis=0)
    rng = hi - lo
    constant = rng == 0
    safe = np.where(constant, 1.0, rng)
    z = np.where(d > 0, (x - lo) / safe, (hi - x) / safe)
    z[:, constant] = 0.0
    if shift == "add":
        z = z + float(epsilon)
    elif shift == "rescale":
        a, b = float(rescale[0]), float(rescale[1])
        z = a + (b - a) * z
    elif shift != "none":
        raise ValueError(f"shift must be one of {SHIFTS}, got {shift!r}")
    return z, constant


def weights_from_z(z: np.ndarray, constant: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """(w, e, d) of METHODS §4.2 from the z' matrix (n × m)."""
    n, m = z.shape
    if n < 2:
        raise ValueError("entropy weights need at least 2 observations (k = 1/ln n, n = 1)")
    colsum = z.sum(axis=0)
    constant = np.zeros(m, bool) if constant is None else constant.copy()
    constant |= colsum <= 0
    p = z / np.where(colsum > 0, colsum, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = np.clip(-plogp.sum(axis=0) / np.log(n), 0.0, 1.0)
    e[constant] = 1.0
    dvg = 1.0 - e
    dvg[constant] = 0.0
    tot = dvg.sum()
    if not tot > 0:
        raise ValueError("every indicator is constant (or has zero divergence): weights undefined")
    return dvg / tot, e, dvg


def entropy_weights(
    x: np.ndarray,
    directions: Any = None,
    *,
    normalise: str = "minmax",
    shift: str = "add",
    epsilon: float = 1e-4,
    rescale: tuple[float, float] = (0.01, 0.99),
    score: str = "z",
    scale: float = 1.0,
    names: list[str] | None = None,
) -> EntropyResult:
    """Entropy weights and composite scores on one set of observations (METHODS §4.1–4.2).

    score="z" (DEFAULT): S_i = Σ_j w_j z'_ij, which lies in [ε, 1 + ε] for shift="add" (the
    log(0) shift enters the score: a unit best on every indicator scores 1 + ε);
    score="unit": S_i = Σ_j w_j z_ij on the min–max values before the shift, in [0, 1] exactly
    (the weights are the same; S_unit = S_z − ε for shift="add"), the form `cbec coupling`
    reads; score="p": S_i = Σ_j w_j p_ij. `scale` = 100 gives the ×100 form.
    A constant indicator gets w = 0 with a ConstantIndicatorWarning."""
    x = np.asarray(x, dtype=float)
    if x.shape[0] < 2:
        raise ValueError("entropy weights need at least 2 observations (k = 1/ln n, n = 1)")
    z, constant = standardise(
        x, directions, normalise=normalise, shift=shift, epsilon=epsilon, rescale=rescale
    )
    if constant.any():
        which = [names[j] if names else str(j) for j in np.flatnonzero(constant)]
        warnings.warn(
            f"constant indicator(s) {which}: weight set to 0 (METHODS §4.4)",
            ConstantIndicatorWarning,
            stacklevel=2,
        )
    w, e, dvg = weights_from_z(z, constant)
    if score == "z":
        s = z @ w
    elif score == "unit":
        s = unit_scores(_unshifted(z, normalise, shift, epsilon, rescale) @ w)
    elif score == "p":
        colsum = z.sum(axis=0)
        s = (z / np.where(colsum > 0, colsum, 1.0)) @ w
    else:
        raise ValueError(f"score must be 'z', 'unit' or 'p', got {score!r}")
    return EntropyResult(w, e, dvg, z, s * scale, constant)


FLOAT_SLACK = 1e-9  # rounding of Σ w_j z_ij (Σ w_j = 1 ± ulps) clipped; anything larger raises


def _unshifted(
    z: np.ndarray, normalise: str, shift: str, epsilon: float, rescale: tuple[float, float]
) -> np.ndarray:
    """z_ij ∈ [0, 1] of METHODS §4.1 before the log(0) shift (score="unit")."""
    if normalise != "minmax":
        raise ValueError("score='unit' needs normalise='minmax' (the sum form is not in [0, 1])")
    if shift == "add":
        return z - float(epsilon)
    if shift == "rescale":
        a, b = float(rescale[0]), float(rescale[1])
        return (z - a) / (b - a)
    return z


def unit_scores(s: np.ndarray) -> np.ndarray:
    """Scores in [0, 1] exactly: float error of at most FLOAT_SLACK outside is clipped."""
    s = np.asarray(s, dtype=float)
    if (s < -FLOAT_SLACK).any() or (s > 1 + FLOAT_SLACK).any():
        raise ValueError(f"composite score outside [0, 1] by more than {FLOAT_SLACK:g}")
    return np.clip(s, 0.0, 1.0)


def parse_indicators(spec: Any) -> tuple[list[str], list[str]]:
    """['a', '-b'] or {'a': '+', 'b': '-'} or [('a', '+'), …] → (names, directions)."""
    names, dirs = [], []
    items = spec.items() if isinstance(spec, dict) else spec
    for it in items:
        if isinstance(it, str):
            neg = it.startswith(("-", "−"))
            names.append(it[1:] if neg or it.startswith("+") else it)
            dirs.append("-" if neg else "+")
        else:
            names.append(it[0])
            dirs.append(it[1])
    return names, dirs


def entropy_index(
    df: pl.DataFrame,
    indicators: Any,
    *,
    id_cols: list[str] | str = "region_code",
    period: str | None = "year",
    scope: str = "pooled",
    normalise: str = "minmax",
    shift: str = "add",
    epsilon: float = 1e-4,
    rescale: tuple[float, float] = (0.01, 0.99),
    score: str = "z",
    scale: float = 1.0,
    score_name: str = "score",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Entropy weights and composite score of a wide frame (one row per unit and period).

    scope="pooled" (DEFAULT, time-entropy of 杨丽 & 孙之淳 2015): every unit-period is an
    observation, one weight vector; scope="by_year": weights per `period` value.
    Returns (weights: [period?], indicator, direction, weight, entropy, divergence, constant;
    scores: id_cols, [period], score). Missing values raise (METHODS §4.4)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES} (by_province is not supported)")
    ids = [id_cols] if isinstance(id_cols, str) else list(id_cols)
    names, dirs = parse_indicators(indicators)
    missing = [c for c in [*ids, *names, *([period] if period else [])] if c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame")
    if scope == "by_year" and not period:
        raise ValueError("scope='by_year' needs a period column")
    nulls = df.select(pl.col(names).cast(pl.Float64).is_null().any()).row(0)
    if any(nulls):
        raise ValueError(
            f"missing values in {[n for n, b in zip(names, nulls, strict=True) if b]}: "
            "entropy weights need a complete set of observations (METHODS §4.4)"
        )
    kw: dict[str, Any] = dict(normalise=normalise, shift=shift, epsilon=epsilon, rescale=rescale, score=score,
              scale=scale, names=names)  # fmt: skip
    if scope == "pooled":
        groups = [(None, df)]
    else:
        groups = [(k[0], g) for k, g in df.sort(period).group_by(period, maintain_order=True)]
    w_rows, s_frames = [], []
    for key, g in groups:
        x = g.select(pl.col(names).cast(pl.Float64)).to_numpy()
        r = entropy_weights(x, dirs, **kw)
        w_rows.append(
            pl.DataFrame(
                {
                    "indicator": names,
                    "direction": dirs,
                    "weight": r.weights,
                    "entropy": r.entropy,
                    "divergence": r.divergence,
                    "constant": r.constant,
                    "n_obs": [x.shape[0]] * len(names),
                }
            ).with_columns(
                pl.lit(key, dtype=df.schema[period] if period else pl.Int64).alias(
                    period or "period"
                )
            )
        )
        cols = [*ids, *([period] if period else [])]
        s_frames.append(g.select(cols).with_columns(pl.Series(score_name, r.scores)))
    weights = pl.concat(w_rows)
    first = [period] if period else ["period"]
    weights = weights.select(*first, *[c for c in weights.columns if c not in first])
    if scope == "pooled":
        weights = weights.drop(first)
    return weights, pl.concat(s_frames)
