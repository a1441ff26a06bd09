"""Fit indices of CFA/SEM (METHODS §10.4), pure functions of S, Σ̂, N and q: χ², df, GFI,
AGFI, PGFI, RMSEA with its 90 % CI, NFI, IFI, TLI, CFI, SRMR, and the report's cut-offs."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import optimize, stats

CHI2_CONVENTIONS = ("N-1", "N")


def f_ml(s: np.ndarray, sigma: np.ndarray) -> float:
    """F_ML = ln|Σ̂| − ln|S| + tr(S Σ̂⁻¹) − p (§10.4)."""
    p = s.shape[0]
    _, ld_sigma = np.linalg.slogdet(sigma)
    _, ld_s = np.linalg.slogdet(s)
    return float(ld_sigma - ld_s + np.trace(s @ np.linalg.inv(sigma)) - p)


def rmsea_ci(chi2: float, df: int, n: float, level: float = 0.90) -> tuple[float, float]:
    """(lower, upper) RMSEA confidence bounds from the non-central χ² (Steiger 1990):
    λ_L solves P(χ²_df(λ) ≤ χ²) = (1 + level)/2, λ_U solves it = (1 − level)/2;
    bound = sqrt(λ / (df·n)). λ = 0 where no positive solution exists."""
    if df <= 0 or not np.isfinite(chi2):
        return float("nan"), float("nan")
    hi_p, lo_p = (1 + level) / 2, (1 - level) / 2

    def lam(target: float) -> float:
        def f(x: float) -> float:
            if x > 0:
                return stats.ncx2.cdf(chi2, df, x) - target
            return stats.chi2.cdf(chi2, df) - target

        if f(0.0) < 0:  # even λ = 0 is too large a noncentrality
            return 0.0
        upper = max(chi2, 1.0)
        while f(upper) > 0:
            upper *= 2
        return optimize.brentq(f, 0.0, upper, xtol=1e-12)

    return float(np.sqrt(lam(hi_p) / (df * n))), float(np.sqrt(lam(lo_p) / (df * n)))


def fit_indices(
    s: np.ndarray, sigma: np.ndarray, n_obs: int, n_free: int, chi2_n: str = "N-1"
) -> dict[str, float]:
    """All fit indices of §10.4 from S (same scale as Σ̂), Σ̂, N and the number q of free params."""
    if chi2_n not in CHI2_CONVENTIONS:
        raise ValueError(f"chi2_n must be one of {CHI2_CONVENTIONS}, got {chi2_n!r}")
    n = n_obs - 1 if chi2_n == "N-1" else n_obs
    p = s.shape[0]
    pstar = p * (p + 1) / 2
    df = int(pstar - n_free)
    fml = max(f_ml(s, sigma), 0.0)
    chi2 = n * fml
    d = np.sqrt(np.diag(s))
    r = s / np.outer(d, d)
    chi2_b = -n * np.linalg.slogdet(r)[1]
    df_b = p * (p - 1) // 2
    a = np.linalg.solve(sigma, s)  # Σ̂⁻¹S
    gfi = 1.0 - np.trace((a - np.eye(p)) @ (a - np.eye(p))) / np.trace(a @ a)
    nan = float("nan")
    agfi = 1.0 - (pstar / df) * (1.0 - gfi) if df > 0 else nan
    pgfi = (df / pstar) * gfi
    rmsea = float(np.sqrt(max(chi2 - df, 0.0) / (df * n))) if df > 0 else nan
    lo, hi = rmsea_ci(chi2, df, n)
    pclose = float(stats.ncx2.sf(chi2, df, 0.05**2 * n * df)) if df > 0 else nan
    nfi = (chi2_b - chi2) / chi2_b
    ifi = (chi2_b - chi2) / (chi2_b - df) if chi2_b != df else nan
    tli = (chi2_b / df_b - chi2 / df) / (chi2_b / df_b - 1.0) if df > 0 and chi2_b != df_b else nan
    den = max(chi2 - df, chi2_b - df_b, 0.0)
    cfi = 1.0 - max(chi2 - df, 0.0) / den if den > 0 else 1.0
    resid = (s - sigma) / np.outer(d, d)  # Bentler's SRMR, as lavaan's `srmr`
    iu = np.triu_indices(p)
    srmr = float(np.sqrt(np.mean(resid[iu] ** 2)))
    return {
        "n_obs": float(n_obs),
        "chi2_multiplier": float(n),
        "n_free_params": float(n_free),
        "f_ml": fml,
        "chi2": chi2,
        "df": float(df),
        "p_value": float(stats.chi2.sf(chi2, df)) if df > 0 else nan,
        "chi2_df": chi2 / df if df > 0 else nan,
        "gfi": float(gfi),
        "agfi": float(agfi),
        "pgfi": float(pgfi),
        "rmsea": rmsea,
        "rmsea_ci_lower": lo,
        "rmsea_ci_upper": hi,
        "rmsea_pclose": pclose,
        "nfi": float(nfi),
        "ifi": float(ifi),
        "tli": float(tli),
        "cfi": float(cfi),
        "srmr": srmr,
        "chi2_baseline": float(chi2_b),
        "df_baseline": float(df_b),
    }


# conventional cut-offs for the report (not decisions), METHODS §10.4
CUTOFFS: dict[str, tuple[str, float]] = {
    "chi2_df": ("<", 3.0),
    "gfi": (">", 0.90),
    "agfi": (">", 0.90),
    "nfi": (">", 0.90),
    "ifi": (">", 0.90),
    "tli": (">", 0.90),
    "cfi": (">", 0.90),
    "rmsea": ("<", 0.08),
    "pgfi": (">", 0.50),
    "srmr": ("<", 0.08),
}


def fit_table(indices: dict[str, float]) -> pl.DataFrame:
    """Long table: index, value, cut-off text and whether the conventional cut-off is met."""
    rows = []
    for k, v in indices.items():
        cut = CUTOFFS.get(k)
        ok = None
        if cut and np.isfinite(v):
            ok = bool(v < cut[1]) if cut[0] == "<" else bool(v > cut[1])
        rows.append(
            {
                "index": k,
                "value": float(v),
                "cutoff": f"{cut[0]} {cut[1]:g}" if cut else None,
                "meets_cutoff": ok,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "index": pl.String,
            "value": pl.Float64,
            "cutoff": pl.String,
            "meets_cutoff": pl.Boolean,
        },
    )
