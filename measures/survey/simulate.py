"""Simulated Likert responses from a standardised structural equation solution (seeded).

Used to build demo data when a study's raw responses are not public (reference study B). The
generating model is the published standardised solution: latent correlations and standardised
paths → latent scores (all latent variances 1) → continuous indicators x = λ·η + sqrt(1 − λ²)·ε
(unit variance) → categories 1..K by fixed thresholds.

Cutting a continuous indicator into K categories lowers its Pearson correlations with
everything else by a factor c_i = Σ_k φ(τ_k) / sd(Y_i) (to first order; Y_i the category
score). Study B's solution was estimated from Pearson covariances of the 5-point answers, so with
`attenuation_correction=True` (DEFAULT) the continuous loading is λ/c_i and the categorised items
have observed-scale standardised loadings ≈ λ, i.e. a fit of the simulated file recovers the
published numbers, not attenuated ones. Latent correlations and paths are unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

# share of answers 1..5 (strongly disagree … strongly agree): a mildly agree-skewed default
DEFAULT_PROPORTIONS = (0.05, 0.12, 0.28, 0.35, 0.20)


@dataclass
class StandardisedSolution:
    """A standardised SEM solution.

    loadings: item → (latent, λ); paths: (outcome, predictor) → standardised β;
    latent_corr: correlations among exogenous latents; disturbance_corr: correlations of the
    disturbances of endogenous latents (lavaan `A1 ~~ A2` between endogenous variables);
    residual_corr: correlations of item errors (θ_ij / sqrt(θ_ii θ_jj))."""

    loadings: dict[str, tuple[str, float]]
    paths: dict[tuple[str, str], float] = field(default_factory=dict)
    latent_corr: dict[tuple[str, str], float] = field(default_factory=dict)
    disturbance_corr: dict[tuple[str, str], float] = field(default_factory=dict)
    residual_corr: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def latents(self) -> list[str]:
        out: list[str] = []
        for lat, _ in self.loadings.values():
            if lat not in out:
                out.append(lat)
        for a, b in self.paths:
            for v in (b, a):
                if v not in out:
                    out.append(v)
        return out

    @property
    def endogenous(self) -> list[str]:
        return [v for v in self.latents if any(a == v for a, _ in self.paths)]


def _pair(d: dict[tuple[str, str], float], a: str, b: str) -> float | None:
    return d.get((a, b), d.get((b, a)))


def latent_covariance(sol: StandardisedSolution) -> tuple[list[str], np.ndarray]:
    """Model-implied covariance (= correlation) matrix of all latents, unit variances.

    Cov(η) = C Ψ Cᵀ with C = (I − B)⁻¹; Ψ holds the exogenous correlations and the
    disturbance (co)variances, ψ_jj = 1 − R²_j so that every endogenous variance is 1. Raises
    ValueError if the result is not positive definite or an R² ≥ 1."""
    lat = sol.latents
    m = len(lat)
    pos = {v: i for i, v in enumerate(lat)}
    endo = set(sol.endogenous)
    b = np.zeros((m, m))
    for (out, pred), beta in sol.paths.items():
        b[pos[out], pos[pred]] = beta
    c = np.linalg.inv(np.eye(m) - b)
    psi = np.eye(m)
    for i, u in enumerate(lat):
        for j, v in enumerate(lat):
            if i < j and u not in endo and v not in endo:
                r = _pair(sol.latent_corr, u, v)
                if r is None:
                    raise ValueError(f"latent correlation {u}–{v} not given")
                psi[i, j] = psi[j, i] = r
    for _ in range(200):  # fixed point: scale disturbances so endogenous variances are 1
        for i, u in enumerate(lat):
            for j, v in enumerate(lat):
                if i < j and u in endo and v in endo:
                    r = _pair(sol.disturbance_corr, u, v) or 0.0
                    psi[i, j] = psi[j, i] = r * np.sqrt(psi[i, i] * psi[j, j])
        cov = c @ psi @ c.T
        gap = np.array([1.0 - cov[pos[v], pos[v]] for v in endo]) if endo else np.zeros(1)
        if np.max(np.abs(gap)) < 1e-13:
            break
        for v in endo:
            psi[pos[v], pos[v]] += 1.0 - cov[pos[v], pos[v]]
            if psi[pos[v], pos[v]] <= 0:
                raise ValueError(f"R² of {v} ≥ 1: the paths and correlations are inconsistent")
    cov = c @ psi @ c.T
    if np.linalg.eigvalsh(cov).min() <= 0:
        raise ValueError("the latent correlation matrix is not positive definite")
    return lat, cov


def thresholds(proportions: tuple[float, ...] = DEFAULT_PROPORTIONS) -> np.ndarray:
    p = np.asarray(proportions, dtype=float)
    if np.any(p <= 0) or abs(p.sum() - 1) > 1e-9:
        raise ValueError("category proportions must be positive and sum to 1")
    return stats.norm.ppf(np.cumsum(p)[:-1])


def attenuation_factor(proportions: tuple[float, ...] = DEFAULT_PROPORTIONS) -> float:
    """c = Σ_k φ(τ_k) / sd(Y): correlation of the category score Y with its normal variable."""
    p = np.asarray(proportions, dtype=float)
    score = np.arange(1, len(p) + 1)
    sd = np.sqrt(p @ score**2 - (p @ score) ** 2)
    return float(stats.norm.pdf(thresholds(proportions)).sum() / sd)


def simulate_likert(
    sol: StandardisedSolution,
    n: int,
    seed: int,
    proportions: tuple[float, ...] = DEFAULT_PROPORTIONS,
    attenuation_correction: bool = True,
) -> tuple[list[str], np.ndarray]:
    """(item names, n × items integer matrix with values 1..K), reproducible from `seed`."""
    rng = np.random.default_rng(seed)
    lat, phi = latent_covariance(sol)
    items = list(sol.loadings)
    c = attenuation_factor(proportions) if attenuation_correction else 1.0
    lam = np.array([sol.loadings[i][1] for i in items]) / c
    if np.any(np.abs(lam) >= 1):
        raise ValueError("a loading is ≥ 1 after the attenuation correction")
    eta = rng.multivariate_normal(np.zeros(len(lat)), phi, size=n, method="cholesky")
    lpos = [lat.index(sol.loadings[i][0]) for i in items]
    theta = np.diag(1.0 - lam**2)
    for (a, b), r in sol.residual_corr.items():
        i, j = items.index(a), items.index(b)
        theta[i, j] = theta[j, i] = r * np.sqrt(theta[i, i] * theta[j, j])
    eps = rng.multivariate_normal(np.zeros(len(items)), theta, size=n, method="cholesky")
    x = eta[:, lpos] * lam + eps
    y = np.searchsorted(thresholds(proportions), x, side="right") + 1
    return items, y.astype(np.int64)
