"""Step 1 of the fit: discretised regressions (METHODS §8.2 step 1, §8.3 discrete form),
OLS with HC1 standard errors and delta-method SEs of the derived parameters."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from measures.coevolution._common import IdentificationError, _json


@dataclass
class DiscreteFit:
    """Discretised OLS estimates (HC1 SEs; derived parameters by the delta method; the two
    equations are estimated separately, their cross-covariance is taken as 0).
    Parameters are in the units of the series passed in."""

    model: str
    params: dict[str, float]
    se: dict[str, float]
    coef: dict[str, float]
    coef_se: dict[str, float]
    r2: tuple[float, float]
    nobs: int
    sign_violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return _json(asdict(self))


def _ols_hc1(y: np.ndarray, X: np.ndarray):
    """OLS with HC1 covariance via statsmodels; returns (params, cov, r2)."""
    import statsmodels.api as sm

    res = sm.OLS(y, X).fit(cov_type="HC1")
    return np.asarray(res.params), np.asarray(res.cov_params()), float(res.rsquared)


def _check_design(X: np.ndarray, what: str) -> None:
    if X.shape[0] <= X.shape[1]:
        raise IdentificationError(
            f"too few points: the discretised {what} regression has {X.shape[0]} observations "
            f"for {X.shape[1]} coefficients",
            "too_few_points",
        )
    for j in range(1, X.shape[1]):
        col = X[:, j]
        if np.ptp(col) <= 1e-10 * max(1.0, float(np.max(np.abs(col)))):
            raise IdentificationError(
                f"no co-movement: the regressor of the {what} equation is constant, so its "
                "interaction coefficient cannot be separated from the intercept",
                "no_co_movement",
            )
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise IdentificationError(
            f"the discretised {what} regressors are collinear", "rank_deficient"
        )


def _regressors(x: np.ndarray, midpoint: bool) -> np.ndarray:
    return 0.5 * (x[:-1] + x[1:]) if midpoint else x[:-1]


def discrete_predator_prey(
    x1: ArrayLike, x2: ArrayLike, t: ArrayLike | None = None, *, midpoint: bool = False
) -> DiscreteFit:
    """Euler log-growth regressions (§8.2 step 1), per unit time:
    Δln x1/Δt = a1 − b1·x̄2, Δln x2/Δt = −a2 + c·x̄1, b2 = c/b1 (delta-method SE)."""
    x1, x2 = np.asarray(x1, float), np.asarray(x2, float)
    t = np.arange(len(x1), dtype=float) if t is None else np.asarray(t, float)
    dt = np.diff(t)
    g1 = np.diff(np.log(x1)) / dt
    g2 = np.diff(np.log(x2)) / dt
    X1 = np.column_stack([np.ones_like(g1), _regressors(x2, midpoint)])
    X2 = np.column_stack([np.ones_like(g2), _regressors(x1, midpoint)])
    _check_design(X1, "x1 growth")
    _check_design(X2, "x2 growth")
    p1, V1, r2a = _ols_hc1(g1, X1)
    p2, V2, r2b = _ols_hc1(g2, X2)
    a1, b1 = p1[0], -p1[1]
    a2, c = -p2[0], p2[1]
    se_a1, se_b1 = math.sqrt(V1[0, 0]), math.sqrt(V1[1, 1])
    se_a2, se_c = math.sqrt(V2[0, 0]), math.sqrt(V2[1, 1])
    b2 = c / b1 if b1 != 0 else float("nan")
    # delta method: b2 = c/b1, ∂/∂b1 = −c/b1², ∂/∂c = 1/b1 (b1 and c from separate equations)
    se_b2 = (
        math.sqrt((c / b1**2) ** 2 * se_b1**2 + (1 / b1) ** 2 * se_c**2)
        if b1 != 0
        else float("nan")
    )
    viol = [n for n, v in (("a1", a1), ("b1", b1), ("a2", a2), ("c = b1·b2", c)) if not v > 0]
    warns = []
    if viol:
        warns.append(
            "sign violation(s) " + ", ".join(f"{n} ≤ 0" for n in viol)
            + ": the predator–prey structure is not supported by the discretised regression"
        )  # fmt: skip
    return DiscreteFit(
        model="predator_prey",
        params={"a1": a1, "b1": b1, "a2": a2, "b2": b2},
        se={"a1": se_a1, "b1": se_b1, "a2": se_a2, "b2": se_b2},
        coef={"a1": a1, "b1": b1, "a2": a2, "c": c},
        coef_se={"a1": se_a1, "b1": se_b1, "a2": se_a2, "c": se_c},
        r2=(r2a, r2b),
        nobs=len(g1),
        sign_violations=viol,
        warnings=warns,
    )


def _ratio_se(beta: np.ndarray, V: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """r = β0, K = −β0/β1, σ = −β2/β1 with delta-method SEs from cov(β)."""
    b0, b1, b2 = beta
    r, K, s = b0, -b0 / b1, -b2 / b1
    gK = np.array([-1 / b1, b0 / b1**2, 0.0])
    gs = np.array([0.0, b2 / b1**2, -1 / b1])
    return (r, K, s, math.sqrt(V[0, 0]), math.sqrt(max(gK @ V @ gK, 0.0)),
            math.sqrt(max(gs @ V @ gs, 0.0)))  # fmt: skip


def discrete_competition(
    x1: ArrayLike, x2: ArrayLike, t: ArrayLike | None = None, *, midpoint: bool = False
) -> DiscreteFit:
    """Per-capita growth regressions (§8.3): Δx1/(x1·Δt) = β0 + β1·x1 + β2·x2 ⇒ r1 = β0,
    K1 = −β0/β1, σ12 = −β2/β1, and symmetrically for x2 (delta-method SEs)."""
    x1, x2 = np.asarray(x1, float), np.asarray(x2, float)
    t = np.arange(len(x1), dtype=float) if t is None else np.asarray(t, float)
    dt = np.diff(t)
    g1 = np.diff(x1) / (x1[:-1] * dt)
    g2 = np.diff(x2) / (x2[:-1] * dt)
    r1_, r2_ = _regressors(x1, midpoint), _regressors(x2, midpoint)
    X1 = np.column_stack([np.ones_like(g1), r1_, r2_])
    X2 = np.column_stack([np.ones_like(g2), r2_, r1_])
    _check_design(X1, "x1 growth")
    _check_design(X2, "x2 growth")
    p1, V1, r2a = _ols_hc1(g1, X1)
    p2, V2, r2b = _ols_hc1(g2, X2)
    with np.errstate(all="ignore"):
        r1, K1, s12, se_r1, se_K1, se_s12 = _ratio_se(p1, V1)
        r2, K2, s21, se_r2, se_K2, se_s21 = _ratio_se(p2, V2)
    viol = [n for n, v in (("r1", r1), ("K1", K1), ("r2", r2), ("K2", K2)) if not v > 0]
    warns = []
    if viol:
        warns.append(
            "sign violation(s) " + ", ".join(f"{n} ≤ 0" for n in viol)
            + ": logistic growth with self-limitation is not supported by the discretised regression"
        )  # fmt: skip
    if X1.shape[0] - X1.shape[1] < 2:
        warns.append(f"discretised regressions have only {X1.shape[0] - X1.shape[1]} residual df")
    names = ("r1", "K1", "sigma12", "r2", "K2", "sigma21")
    vals = (r1, K1, s12, r2, K2, s21)
    ses = (se_r1, se_K1, se_s12, se_r2, se_K2, se_s21)
    return DiscreteFit(
        model="competition",
        params=dict(zip(names, map(float, vals), strict=True)),
        se=dict(zip(names, map(float, ses), strict=True)),
        coef={
            "beta0": p1[0],
            "beta1": p1[1],
            "beta2": p1[2],
            "gamma0": p2[0],
            "gamma1": p2[1],
            "gamma2": p2[2],
        },  # fmt: skip
        coef_se={
            "beta0": math.sqrt(V1[0, 0]),
            "beta1": math.sqrt(V1[1, 1]),
            "beta2": math.sqrt(V1[2, 2]),
            "gamma0": math.sqrt(V2[0, 0]),
            "gamma1": math.sqrt(V2[1, 1]),
            "gamma2": math.sqrt(V2[2, 2]),
        },  # fmt: skip
        r2=(r2a, r2b),
        nobs=len(g1),
        sign_violations=viol,
        warnings=warns,
    )
