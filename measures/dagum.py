"""Dagum (1997) Gini decomposition by subgroups (METHODS §5.4): G = G_w + G_nb + G_t with the
within-group Gini G_jj, between-group G_jh, the gross economic affluence d_jh, the first-order
moment of transvariation p_jh, the relative economic affluence D_jh = (d_jh − p_jh)/(d_jh + p_jh),
population shares p_j = n_j/n and income shares s_j = n_j ȳ_j/(n ȳ)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


def _values(y) -> np.ndarray:
    y = np.asarray(y, dtype=float).ravel()
    if y.size == 0:
        raise ValueError("y is empty")
    if not np.isfinite(y).all():
        raise ValueError("y has missing or infinite values")
    if (y < 0).any():
        raise ValueError("Dagum Gini requires y ≥ 0")
    if not y.mean() > 0:
        raise ValueError("Dagum Gini requires a positive mean")
    return y


def _pair_abs_sum(a: np.ndarray, b_sorted: np.ndarray, b_cum: np.ndarray) -> float:
    """Σ_i Σ_r |a_i − b_r| in O((n_a + n_b) log n_b)."""
    k = np.searchsorted(b_sorted, a, side="right")
    below = b_cum[k]  # Σ of b_r ≤ a_i
    tot = b_cum[-1]
    nb = b_sorted.size
    return float((a * k - below).sum() + ((tot - below) - a * (nb - k)).sum())


@dataclass
class DagumResult:
    g: float
    g_w: float
    g_nb: float
    g_t: float
    groups: list  # in ascending order of mean
    means: np.ndarray
    g_jj: np.ndarray  # within-group Gini per group
    g_jh: np.ndarray  # k × k between-group Gini (symmetric, diagonal = G_jj)
    d_jh: np.ndarray  # k × k relative economic affluence D_jh (j richer than h), symmetric
    d_gross: np.ndarray | None = None  # k × k gross economic affluence d_jh (j richer)
    p_trans: np.ndarray | None = None  # k × k first-order moment of transvariation p_jh
    p_share: np.ndarray | None = None  # p_j = n_j / n
    s_share: np.ndarray | None = None  # s_j = n_j ȳ_j / (n ȳ)

    @property
    def shares(self) -> tuple[float, float, float]:
        return (self.g_w / self.g, self.g_nb / self.g, self.g_t / self.g) if self.g > 0 else (
            np.nan, np.nan, np.nan)  # fmt: skip


def dagum(y: ArrayLike, groups: ArrayLike, check: bool = True) -> DagumResult:
    """Dagum (1997) decomposition G = G_w + G_nb + G_t (METHODS §5.4), units unweighted.

    Groups are indexed in ascending order of mean (ties stable by label). Raises if the
    identity fails by more than 1e-10 (a bug). Population weights are out of scope."""
    y = _values(y)
    mu = float(y.mean())
    g_arr = np.asarray(groups)
    if g_arr.size != y.size:
        raise ValueError(f"groups have {g_arr.size} labels for {y.size} units")
    labels = np.unique(g_arr)
    means = np.array([y[g_arr == lab].mean() for lab in labels])
    order = np.argsort(means, kind="stable")  # np.unique sorted labels → ties by label
    labels, means = labels[order], means[order]
    parts = [y[g_arr == lab] for lab in labels]
    k, n = len(parts), y.size
    nj = np.array([p.size for p in parts], float)
    sums = np.array([p.sum() for p in parts])
    srt = [np.sort(p) for p in parts]
    cum = [np.concatenate([[0.0], np.cumsum(s)]) for s in srt]
    A = np.zeros((k, k))  # Σ|y_ji − y_hr|
    for j in range(k):
        for h in range(j, k):
            A[j, h] = A[h, j] = _pair_abs_sum(parts[j], srt[h], cum[h])
    G = float(A.sum() / (2.0 * n * n * mu))
    with np.errstate(divide="ignore", invalid="ignore"):
        gjj = np.where(means > 0, np.diag(A) / (2.0 * nj**2 * means), 0.0)
    pj = nj / n
    sj = sums / (n * mu)
    gjh = np.zeros((k, k))
    Djh = np.zeros((k, k))
    dg = np.zeros((k, k))
    pt = np.zeros((k, k))
    np.fill_diagonal(gjh, gjj)
    g_nb = g_t = 0.0
    for j in range(1, k):
        for h in range(j):
            denom = nj[j] * nj[h] * (means[j] + means[h])
            gjh[j, h] = gjh[h, j] = A[j, h] / denom if denom > 0 else 0.0
            diff = nj[h] * sums[j] - nj[j] * sums[h]  # Σ_i Σ_r (y_ji − y_hr)
            d = (A[j, h] + diff) / 2.0 / (nj[j] * nj[h])
            p = (A[j, h] - diff) / 2.0 / (nj[j] * nj[h])
            D = (d - p) / (d + p) if d + p > 0 else 0.0
            Djh[j, h] = Djh[h, j] = D
            dg[j, h] = dg[h, j] = d
            pt[j, h] = pt[h, j] = p
            w = gjh[j, h] * (pj[j] * sj[h] + pj[h] * sj[j])
            g_nb += w * D
            g_t += w * (1.0 - D)
    g_w = float((gjj * pj * sj).sum())
    if check and abs(g_w + g_nb + g_t - G) > 1e-10:
        raise AssertionError(f"Dagum identity failed: {g_w}+{g_nb}+{g_t} != {G}")
    return DagumResult(G, g_w, float(g_nb), float(g_t), labels.tolist(), means, gjj, gjh, Djh,
                       d_gross=dg, p_trans=pt, p_share=pj, s_share=sj)  # fmt: skip
