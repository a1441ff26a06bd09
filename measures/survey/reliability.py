"""Cronbach's alpha, corrected item–total correlation and alpha-if-item-deleted (METHODS §10.1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl


def cronbach_alpha(x: np.ndarray, ddof: int = 1) -> float:
    """α = k/(k−1) · (1 − Σσ_i²/σ_X²) for an (n × k) item matrix (METHODS §10.1).

    Item and total variances use the same `ddof` (DEFAULT 1). k < 2 raises ValueError."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError("Cronbach's alpha needs at least two items")
    if np.isnan(x).any():
        raise ValueError("item matrix has missing values (delete incomplete rows first)")
    k = x.shape[1]
    item_var = x.var(axis=0, ddof=ddof).sum()
    total_var = x.sum(axis=1).var(ddof=ddof)
    if total_var <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - item_var / total_var))


def corrected_item_total(x: np.ndarray) -> np.ndarray:
    """CITC: Pearson correlation of each item with the total of the OTHER items (§10.1)."""
    x = np.asarray(x, dtype=float)
    total = x.sum(axis=1)
    out = np.empty(x.shape[1])
    for i in range(x.shape[1]):
        rest = total - x[:, i]
        a, b = x[:, i] - x[:, i].mean(), rest - rest.mean()
        den = np.sqrt((a @ a) * (b @ b))
        out[i] = (a @ b) / den if den > 0 else np.nan
    return out


def alpha_if_deleted(x: np.ndarray, ddof: int = 1) -> np.ndarray:
    """α of the construct without item i; NaN where fewer than two items would remain."""
    x = np.asarray(x, dtype=float)
    k = x.shape[1]
    if k < 3:
        return np.full(k, np.nan)
    return np.array([cronbach_alpha(np.delete(x, i, axis=1), ddof) for i in range(k)])


def reliability_table(
    x: np.ndarray, items: list[str], constructs: dict[str, list[str]], ddof: int = 1
) -> pl.DataFrame:
    """One row per (construct, item): construct α, CITC, α-if-deleted, item mean/sd.

    `x` is the complete-case (n × len(items)) matrix in the column order of `items`.
    Constructs with a single item get α = NaN and status 'single_item' (α undefined, k = 1)."""
    pos = {c: i for i, c in enumerate(items)}
    rows: list[dict] = []
    citc: Any
    aid: Any
    for construct, its in constructs.items():
        sub = x[:, [pos[i] for i in its]]
        k = len(its)
        if k < 2:
            alpha, citc, aid, status = float("nan"), [np.nan], [np.nan], "single_item"
        else:
            alpha = cronbach_alpha(sub, ddof)
            citc, aid, status = corrected_item_total(sub), alpha_if_deleted(sub, ddof), "ok"
        for j, item in enumerate(its):
            rows.append(
                {
                    "construct": construct,
                    "item": item,
                    "n": int(sub.shape[0]),
                    "k": k,
                    "alpha": float(alpha),
                    "citc": float(citc[j]),
                    "alpha_if_deleted": float(aid[j]),
                    "item_mean": float(sub[:, j].mean()),
                    "item_sd": float(sub[:, j].std(ddof=ddof)),
                    "status": status,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "construct": pl.String,
            "item": pl.String,
            "n": pl.Int64,
            "k": pl.Int64,
            "alpha": pl.Float64,
            "citc": pl.Float64,
            "alpha_if_deleted": pl.Float64,
            "item_mean": pl.Float64,
            "item_sd": pl.Float64,
            "status": pl.String,
        },
    )
