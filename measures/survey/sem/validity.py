"""Convergent / discriminant validity of a fitted CFA (METHODS §10.4): latent correlations,
composite reliability and AVE, Fornell–Larcker tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl

from measures.survey.sem.estimation import SemFit


def latent_correlations(fit: SemFit) -> pd.DataFrame:
    """Model-implied correlations of the latent variables: Cov(η) = C Ψ Cᵀ, C = (I − B)⁻¹."""
    model = fit.model
    beta, _lamb, psi = model.matrices[:3]
    c = np.linalg.inv(np.eye(beta.shape[0]) - beta)
    cov = c @ psi @ c.T
    names = list(model.names_psi[0])
    keep = [i for i, nm in enumerate(names) if nm in fit.spec.measurement]
    cov = cov[np.ix_(keep, keep)]
    d = np.sqrt(np.diag(cov))
    lat = [names[i] for i in keep]
    out = pd.DataFrame(cov / np.outer(d, d), index=lat, columns=lat)
    order = [v for v in fit.spec.measurement if v in lat]
    return out.loc[order, order]


def composite_reliability(std_loadings: np.ndarray) -> tuple[float, float]:
    """(CR, AVE) from standardised loadings, θ = 1 − λ² (§10.4, Fornell & Larcker 1981)."""
    lam = np.asarray(std_loadings, dtype=float)
    theta = 1.0 - lam**2
    cr = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    return float(cr), float(np.mean(lam**2))


def validity_tables(fit: SemFit) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per latent: k, CR, AVE, sqrt(AVE), max |r| with another latent, Fornell–Larcker ok;
    per latent pair: r, sqrt(AVE) of both, Fornell–Larcker ok)."""
    corr = latent_correlations(fit)
    lat = list(corr.index)
    loads = fit.estimates.filter(pl.col("op") == "=~")
    cr_ave: dict[str, tuple[int, float, float]] = {}
    for latent in lat:
        lam = loads.filter(pl.col("lhs") == latent)["std_all"].to_numpy()
        cr, ave = composite_reliability(lam)
        cr_ave[latent] = (len(lam), cr, ave)
    per, pairs = [], []
    for a in lat:
        others = [(b, float(corr.loc[a, b])) for b in lat if b != a]
        b_max, r_max = max(others, key=lambda t: abs(t[1])) if others else (None, float("nan"))
        k, cr, ave = cr_ave[a]
        per.append(
            {
                "latent": a,
                "k": k,
                "cr": cr,
                "ave": ave,
                "sqrt_ave": float(np.sqrt(ave)),
                "max_abs_corr": abs(r_max),
                "max_corr_with": b_max,
                "fornell_larcker_ok": bool(np.sqrt(ave) > abs(r_max)) if others else True,
            }
        )
    for i, a in enumerate(lat):
        for b in lat[i + 1 :]:
            r = float(corr.loc[a, b])
            sa, sb = np.sqrt(cr_ave[a][2]), np.sqrt(cr_ave[b][2])
            pairs.append(
                {
                    "latent_1": a,
                    "latent_2": b,
                    "r": r,
                    "sqrt_ave_1": float(sa),
                    "sqrt_ave_2": float(sb),
                    "fornell_larcker_ok": bool(min(sa, sb) > abs(r)),
                }
            )
    return pl.DataFrame(per), pl.DataFrame(pairs)
