"""Sampling adequacy: Kaiser–Meyer–Olkin measure and Bartlett's test of sphericity (METHODS §10.2)."""

from __future__ import annotations

import numpy as np
from scipy import stats


def correlation_matrix(x: np.ndarray) -> np.ndarray:
    """Pearson correlation matrix of the columns of a complete (n × p) matrix."""
    x = np.asarray(x, dtype=float)
    if np.isnan(x).any():
        raise ValueError("data have missing values (delete incomplete rows first)")
    sd = x.std(axis=0)
    if np.any(sd == 0):
        raise ValueError("an item has zero variance; correlations are undefined")
    return np.corrcoef(x, rowvar=False)


def _inverse(r: np.ndarray) -> np.ndarray:
    if np.linalg.matrix_rank(r) < r.shape[0]:
        raise ValueError("correlation matrix is singular (collinear or duplicated items)")
    return np.linalg.inv(r)


def kmo(r: np.ndarray) -> tuple[float, np.ndarray]:
    """(overall KMO, per-item MSA) from a correlation matrix R (Kaiser 1974; §10.2).

    a_ij = −(R⁻¹)_ij / sqrt((R⁻¹)_ii (R⁻¹)_jj);
    KMO = Σ_{i≠j} r² / (Σ_{i≠j} r² + Σ_{i≠j} a²), MSA_i with sums over j ≠ i only."""
    r = np.asarray(r, dtype=float)
    inv = _inverse(r)
    d = np.sqrt(np.diag(inv))
    a = -inv / np.outer(d, d)
    off = ~np.eye(r.shape[0], dtype=bool)
    r2 = np.where(off, r**2, 0.0)
    a2 = np.where(off, a**2, 0.0)
    overall = r2.sum() / (r2.sum() + a2.sum())
    per_item = r2.sum(axis=1) / (r2.sum(axis=1) + a2.sum(axis=1))
    return float(overall), per_item


def bartlett(r: np.ndarray, n: int) -> tuple[float, int, float]:
    """Bartlett's sphericity test: χ² = −[N − 1 − (2p + 5)/6]·ln|R|, df = p(p−1)/2 (§10.2).

    Returns (χ², df, p-value). A singular R raises ValueError."""
    r = np.asarray(r, dtype=float)
    p = r.shape[0]
    sign, logdet = np.linalg.slogdet(r)
    if sign <= 0 or not np.isfinite(logdet) or np.linalg.matrix_rank(r) < p:
        raise ValueError("correlation matrix is singular (collinear or duplicated items)")
    chi2 = -(n - 1 - (2 * p + 5) / 6.0) * logdet
    df = p * (p - 1) // 2
    return float(chi2), int(df), float(stats.chi2.sf(chi2, df))
