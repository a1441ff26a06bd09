"""Exploratory factor analysis: principal components + varimax with Kaiser normalisation
(METHODS §10.3), as SPSS "Principal components / Varimax" reports it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


def principal_components(
    r: np.ndarray, n_factors: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Unrotated PC loadings A = V_k·diag(sqrt(λ_1..λ_k)) of a correlation matrix (§10.3).

    Returns (loadings p × k, all eigenvalues in descending order). `n_factors=None` keeps the
    components with eigenvalue > 1 (Kaiser criterion, DEFAULT; at least one)."""
    r = np.asarray(r, dtype=float)
    eigval, eigvec = np.linalg.eigh(r)
    order = np.argsort(eigval)[::-1]
    eigval, eigvec = eigval[order], eigvec[:, order]
    k = int(np.sum(eigval > 1.0)) if n_factors is None else int(n_factors)
    if not 1 <= k <= r.shape[0]:
        raise ValueError(f"number of factors must be between 1 and {r.shape[0]}, got {k}")
    a = eigvec[:, :k] * np.sqrt(np.clip(eigval[:k], 0.0, None))
    return a, eigval


def varimax(
    a: np.ndarray, normalize: bool = True, tol: float = 1e-12, max_iter: int = 20_000
) -> tuple[np.ndarray, np.ndarray]:
    """Varimax rotation (Kaiser 1958), with Kaiser row normalisation by default (§10.3).

    The SVD algorithm of R's stats::varimax / factor_analyzer's Rotator, iterated until the
    rotation matrix changes by less than `tol` (max |ΔT|) — not until the criterion improves
    by less than a relative 1e-5/1e-6 as R/factor_analyzer do, which can stop 1e-2 away from
    the converged rotation when the criterion is flat. A `tol` above 1e-10 (the old criterion
    tolerance in config files) is tightened to 1e-10, and at least 20 000 iterations are
    allowed; raises if they are used up. Returns (rotated loadings, rotation T), rotated = a @ T."""
    a = np.asarray(a, dtype=float)
    p, k = a.shape
    if k < 2:
        return a.copy(), np.eye(k)
    h = np.sqrt((a**2).sum(axis=1)) if normalize else np.ones(p)
    h = np.where(h > 0, h, 1.0)
    x = a / h[:, None]
    t = np.eye(k)
    tol = min(float(tol), 1e-10)
    max_iter = max(int(max_iter), 20_000)
    for _ in range(max_iter):
        z = x @ t
        b = x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, _s, vt = np.linalg.svd(b)
        t_new = u @ vt
        done = float(np.max(np.abs(t_new - t))) < tol
        t = t_new
        if done:
            break
    else:
        raise ValueError(f"varimax did not converge in {max_iter} iterations")
    return (x @ t) * h[:, None], t


def orient_and_order(loadings: np.ndarray) -> np.ndarray:
    """Order factors by explained variance (column sum of squares, descending) and flip signs
    so that each factor's largest-|loading| is positive (§10.3)."""
    ss = (loadings**2).sum(axis=0)
    out = loadings[:, np.argsort(-ss, kind="stable")].copy()
    for j in range(out.shape[1]):
        if out[np.argmax(np.abs(out[:, j])), j] < 0:
            out[:, j] = -out[:, j]
    return out


@dataclass
class EfaResult:
    """Rotated solution of one block of items."""

    items: list[str]
    eigenvalues: np.ndarray  # all eigenvalues of R, descending
    loadings: np.ndarray  # rotated, oriented and ordered (p × k)
    communalities: np.ndarray  # h_i² = Σ_f a_if²

    @property
    def n_factors(self) -> int:
        return self.loadings.shape[1]

    @property
    def variance_pct(self) -> np.ndarray:
        return 100.0 * (self.loadings**2).sum(axis=0) / len(self.items)


def pca_varimax(
    r: np.ndarray,
    items: list[str],
    n_factors: int | None = None,
    rotate: bool = True,
    tol: float = 1e-6,
    max_iter: int = 1000,
) -> EfaResult:
    """Principal components of R, varimax-rotated with Kaiser normalisation (§10.3)."""
    a, eig = principal_components(r, n_factors)
    if rotate:
        a, _ = varimax(a, normalize=True, tol=tol, max_iter=max_iter)
    a = orient_and_order(a)
    return EfaResult(list(items), eig, a, (a**2).sum(axis=1))


def retention(res: EfaResult, threshold: float = 0.5, cross_loading: float = 0.4) -> pl.DataFrame:
    """Per item: primary factor, max |loading|, communality, cross-loading flag, retained.

    An item is dropped if its largest |loading| < `threshold` (study B: 0.5); it is flagged
    (not dropped) if it loads above `cross_loading` on a second factor."""
    absl = np.abs(res.loadings)
    primary = absl.argmax(axis=1)
    best = absl.max(axis=1)
    second = np.sort(absl, axis=1)[:, -2] if res.n_factors > 1 else np.zeros(len(res.items))
    rows = []
    for i, item in enumerate(res.items):
        flags = []
        if best[i] < threshold:
            flags.append(f"max |loading| < {threshold:g}")
        if second[i] > cross_loading:
            flags.append(f"cross-loading > {cross_loading:g}")
        rows.append(
            {
                "item": item,
                "primary_factor": int(primary[i]) + 1,
                "max_loading": float(res.loadings[i, primary[i]]),
                "second_loading": float(second[i]),
                "communality": float(res.communalities[i]),
                "retained": bool(best[i] >= threshold),
                "flag": "; ".join(flags),
            }
        )
    return pl.DataFrame(rows)
