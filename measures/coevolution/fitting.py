"""Fitting the co-evolution models (METHODS §8.2, §8.3): `fit_lv` and its two wrappers.

Step 1 discretised OLS (HC1 SEs, delta method, sign violations reported, never forced),
Step 2 ODE non-linear least squares on the log levels (`scipy.optimize.least_squares`,
"trf", x_scale="jac") started from Step 1 plus a seeded log-uniform multi-start, with Wald
intervals on the log scale (and optional residual-bootstrap percentile intervals), R² and
MAPE per series, convergence flag and the condition number of JᵀJ. The data are rescaled
first (x̃_k = x_k / c_k) and the parameters converted back (§8.2).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from measures.coevolution._common import (
    BIG_RESIDUAL,
    STABILITY_DRAWS,
    IdentificationError,
)
from measures.coevolution.discrete import DiscreteFit, discrete_competition, discrete_predator_prey
from measures.coevolution.identification import (
    _at_bound,
    _check_series,
    _ci_zero,
    _covariance,
    _stability_identification,
    _status,
)
from measures.coevolution.models import (
    _MODEL_CLASSES,
    _natural,
)
from measures.coevolution.nls import FitCount, _bootstrap, _multistart, _Problem, _starts
from measures.coevolution.results import LVFit, _finish, _simulate_any


def _rescale(x1: np.ndarray, x2: np.ndarray, scale: str) -> tuple[float, float]:
    if scale == "first":
        return float(x1[0]), float(x2[0])
    if scale == "mean":
        return float(np.mean(x1)), float(np.mean(x2))
    if scale == "none":
        return 1.0, 1.0
    raise ValueError(f"scale must be 'first', 'mean' or 'none', not {scale!r}")


def _to_original(model: str, p: dict[str, float], c1: float, c2: float) -> dict[str, float]:
    """Scaled-data parameters → original units (§8.2: b1 = b̃1/c2, b1·b2 = b̃1·b̃2/c1)."""
    if model == "predator_prey":
        return {"a1": p["a1"], "b1": p["b1"] / c2, "a2": p["a2"], "b2": p["b2"] * c2 / c1}
    return {"r1": p["r1"], "K1": p["K1"] * c1, "sigma12": p["sigma12"] * c1 / c2,
            "r2": p["r2"], "K2": p["K2"] * c2, "sigma21": p["sigma21"] * c2 / c1}  # fmt: skip


def _unit_factors(model: str, c1: float, c2: float) -> np.ndarray:
    """Multiplicative factor from scaled to original units, per parameter (all positive)."""
    if model == "predator_prey":
        return np.array([1.0, 1.0 / c2, 1.0, c2 / c1])
    return np.array([1.0, c1, c1 / c2, 1.0, c2, c2 / c1])


def fit_lv(
    x1: ArrayLike,
    x2: ArrayLike,
    t: ArrayLike | None = None,
    *,
    model: str = "predator_prey",
    method: str = "ode_nls",
    scale: str = "first",
    midpoint: bool = False,
    fit_x0: bool = False,
    n_starts: int = 20,
    seed: int = 0,
    perturb: tuple[float, float] = (0.2, 5.0),
    level: float = 0.95,
    n_boot: int = 0,
    ode_method: str = "LSODA",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    max_nfev: int = 10_000,
    screen_nfev: int = 50,
    n_polish: int = 2,
    min_points: int | None = None,
    cond_warn: float = 1e8,
    progress: Callable[[int, int], None] | None = None,
) -> LVFit:
    """Fit the predator–prey (§8.1–8.2) or competition/mutualism (§8.3) model to two series.

    method: "ode_nls" (DEFAULT: step 1 then ODE-NLS on log levels) or "discrete" (step 1 only).
    fit_x0: also estimate the initial state (log-parametrised); DEFAULT fixed at the data.
    n_starts: random log-uniform perturbations ×[perturb] of the step-1 start (plus the start
    itself); each start is run for `screen_nfev` evaluations, the `n_polish` best are run to
    convergence (≤ max_nfev) and the best least-squares solution is kept. n_boot > 0 adds residual-bootstrap
    percentile intervals (refits from the estimate, one start each) and makes them the
    reported `ci_*`. min_points: fewer points flag the fit as weak (DEFAULT 8 for
    predator–prey, 10 for competition: METHODS §8.2 expects T ≈ 10–20). progress: optional
    callback progress(done, total) after each least-squares fit of ode_nls (the screening
    runs of the starts, the polishing runs, the bootstrap refits; reporting only).

    Raises IdentificationError for non-positive/non-finite data, too few points for the
    number of parameters, or a constant series (no co-movement to identify an interaction).
    """
    x1, x2, t = _check_series(x1, x2, t, model=model, method=method, fit_x0=fit_x0)
    if min_points is None:
        min_points = 8 if model == "predator_prey" else 10
    c1, c2 = _rescale(x1, x2, scale)
    disc_scaled, disc = _step1(model, x1 / c1, x2 / c2, t, midpoint, c1, c2)
    ctx = _Ctx(model=model, method=method, M=_MODEL_CLASSES[model], x1=x1, x2=x2, t=t,
               fit_x0=fit_x0, c1=c1, c2=c2, disc=disc, disc_scaled=disc_scaled, level=level,
               seed=seed, ode=(ode_method, rtol, atol), warns=list(disc.warnings),
               progress=progress)  # fmt: skip
    if ctx.n < min_points:
        ctx.warns.append(
            f"only {ctx.n} points (< {min_points}) for {ctx.p_all} parameters: weakly "
            "identified, treat the estimates as descriptive"
        )
    if method == "discrete":
        return _fit_discrete(ctx)
    return _fit_ode(ctx, n_starts=n_starts, perturb=perturb, n_boot=n_boot, max_nfev=max_nfev,
                    screen_nfev=screen_nfev, n_polish=n_polish, cond_warn=cond_warn)  # fmt: skip


@dataclass
class _Ctx:
    """The validated data and settings of one fit (internal)."""

    model: str
    method: str
    M: Any
    x1: np.ndarray
    x2: np.ndarray
    t: np.ndarray
    fit_x0: bool
    c1: float
    c2: float
    disc: DiscreteFit
    disc_scaled: DiscreteFit
    level: float
    seed: int
    ode: tuple[str, float, float]
    warns: list[str]
    progress: Callable[[int, int], None] | None = None

    @property
    def n(self) -> int:
        return int(self.x1.size)

    @property
    def p(self) -> int:
        return len(self.M.names)

    @property
    def p_all(self) -> int:
        return self.p + (2 if self.fit_x0 else 0)

    @property
    def n_res(self) -> int:
        return 2 * (self.n - 1) + (2 if self.fit_x0 else 0)

    @property
    def f(self) -> np.ndarray:
        return _unit_factors(self.model, self.c1, self.c2)

    @property
    def ys(self) -> np.ndarray:
        return np.column_stack([np.log(self.x1 / self.c1), np.log(self.x2 / self.c2)])


def _step1(model: str, s1: np.ndarray, s2: np.ndarray, t: np.ndarray, midpoint: bool,
           c1: float, c2: float) -> tuple[DiscreteFit, DiscreteFit]:  # fmt: skip
    """Step 1 on the scaled data, and the same converted to the original units."""
    disc_fn = discrete_predator_prey if model == "predator_prey" else discrete_competition
    disc_scaled = disc_fn(s1, s2, t, midpoint=midpoint)
    f = _unit_factors(model, c1, c2)
    disc = DiscreteFit(
        model=disc_scaled.model,
        params={k: v * f[i] for i, (k, v) in enumerate(disc_scaled.params.items())},
        se={k: v * f[i] for i, (k, v) in enumerate(disc_scaled.se.items())},
        coef=disc_scaled.coef,
        coef_se=disc_scaled.coef_se,
        r2=disc_scaled.r2,
        nobs=disc_scaled.nobs,
        sign_violations=disc_scaled.sign_violations,
        warnings=list(disc_scaled.warnings),
    )
    if model == "predator_prey":
        disc.coef = {**disc.coef, "b1": disc.params["b1"], "c": disc.coef["c"] / c1}
        disc.coef_se = {**disc.coef_se, "b1": disc.se["b1"], "c": disc.coef_se["c"] / c1}
    else:
        disc.coef, disc.coef_se = {}, {}  # coefficients are on the scaled data; see params
    return disc_scaled, disc


def _fit_discrete(ctx: _Ctx) -> LVFit:
    """method="discrete": the step-1 estimates with Wald intervals."""
    model, level = ctx.model, ctx.level
    params = ctx.disc.params
    se = ctx.disc.se
    # t quantile with the residual df of one discretised regression (n − 1 growth rates,
    # 2 or 3 coefficients), not the ODE-NLS df
    q = stats.t.ppf(0.5 + level / 2, max(ctx.disc.nobs - (2 if model == "predator_prey" else 3), 1))
    lo = {k: params[k] - q * se[k] for k in params}
    hi = {k: params[k] + q * se[k] for k in params}
    x0 = (float(ctx.x1[0]), float(ctx.x2[0]))
    fitted = _simulate_any(model, params, x0, ctx.t, *ctx.ode)
    fit = _finish(model, ctx.method, params, se, lo, hi, "wald_discrete", level, ctx.disc, ctx.t,
                  np.column_stack([ctx.x1, ctx.x2]), fitted, x0, False, (ctx.c1, ctx.c2),
                  float("nan"), float("nan"), ctx.n, ctx.n_res, ctx.p_all, float("nan"), True,
                  0, 0, ctx.warns, "weak" if ctx.warns else "ok")  # fmt: skip
    names = list(params)
    rng_d = np.random.default_rng(ctx.seed + 2)
    D = np.array([params[k] for k in names]) + rng_d.standard_normal(
        (STABILITY_DRAWS, len(names))
    ) * np.array([se[k] for k in names])
    return _stability_identification(
        fit, D if np.all(np.isfinite(D)) else None, "Wald (discretised)"
    )


def _fit_ode(ctx: _Ctx, *, n_starts: int, perturb: tuple[float, float], n_boot: int,
             max_nfev: int, screen_nfev: int, n_polish: int, cond_warn: float) -> LVFit:  # fmt: skip
    """method="ode_nls": multi-start ODE-NLS on the log levels of the scaled data."""
    M, p, warns = ctx.M, ctx.p, ctx.warns
    prob = _Problem(M, ctx.ys, ctx.t - ctx.t[0], fit_x0=ctx.fit_x0, ode_method=ctx.ode[0],
                    rtol=ctx.ode[1], atol=ctx.ode[2])  # fmt: skip
    starts, lb, ub = _starts(prob, ctx.disc_scaled, n_starts, ctx.seed, perturb)
    polish = len(starts) + min(max(1, n_polish), len(starts))  # fits after the polishing
    count = FitCount(ctx.progress, polish + max(int(n_boot), 0))
    best, nfev = _multistart(prob, starts, lb, ub, screen_nfev=screen_nfev, max_nfev=max_nfev,
                             n_polish=n_polish, tick=count)  # fmt: skip
    count.to(polish)  # failed screening runs are not polished
    if best is None or best.cost >= 0.25 * ctx.n_res * BIG_RESIDUAL**2:  # every start failed
        raise IdentificationError("the ODE could not be solved from any start", "solver_failed")
    theta_hat = best.x
    at_bound = _at_bound(M.names, theta_hat, lb, ub)
    ssr = float(2 * best.cost)
    sigma2 = ssr / (ctx.n_res - ctx.p_all)
    cov, cond = _covariance(prob.jac(theta_hat), sigma2, cond_warn, warns)
    q = stats.t.ppf(0.5 + ctx.level / 2, max(ctx.n_res - ctx.p_all, 1))
    se_th = np.sqrt(np.clip(np.diag(cov)[:p], 0, None))
    th_p = theta_hat[:p]
    nat = _natural(M, th_p)
    with np.errstate(over="ignore"):
        lo_nat = np.where(M.log_mask, np.exp(th_p - q * se_th), th_p - q * se_th)
        hi_nat = np.where(M.log_mask, np.exp(th_p + q * se_th), th_p + q * se_th)
    se_nat = np.where(M.log_mask, nat * se_th, se_th)
    boot = None
    if n_boot and n_boot > 0:
        boot = _bootstrap(prob, theta_hat, lb, ub, n_boot=n_boot, seed=ctx.seed,
                          max_nfev=max_nfev, level=ctx.level, tick=count)  # fmt: skip
    ci_method, lo_nat, hi_nat, se_nat = _intervals(boot, n_boot, (lo_nat, hi_nat, se_nat), warns)
    f = ctx.f
    names = M.names
    params = {k: float(nat[i] * f[i]) for i, k in enumerate(names)}
    se = {k: float(se_nat[i] * f[i]) for i, k in enumerate(names)}
    lo = {k: float(lo_nat[i] * f[i]) for i, k in enumerate(names)}
    hi = {k: float(hi_nat[i] * f[i]) for i, k in enumerate(names)}
    if ctx.fit_x0:
        x0 = (float(math.exp(theta_hat[p]) * ctx.c1), float(math.exp(theta_hat[p + 1]) * ctx.c2))
    else:
        x0 = (float(ctx.x1[0]), float(ctx.x2[0]))
    fitted = np.exp(prob.solve(theta_hat)[0]) * np.array([ctx.c1, ctx.c2])
    wide = [k for k, i in zip(names, range(p), strict=True) if M.log_mask[i]
            and np.isfinite(se_th[i]) and 2 * q * se_th[i] > math.log(100)]  # fmt: skip
    if wide:
        warns.append("95% interval spans more than two orders of magnitude for " + ", ".join(wide))
    if at_bound:
        warns.append(
            "estimate at the edge of the admissible box (" + ", ".join(at_bound)
            + " → 0, ∞ or an extreme σ): the parameters are not identified by these data"
        )  # fmt: skip
    converged = bool(best.status > 0)
    status = _status(converged, cond, at_bound, warns, best.message)
    boot_ok = boot.n_ok if boot is not None else 0
    fit = _finish(ctx.model, ctx.method, params, se, lo, hi, ci_method, ctx.level, ctx.disc,
                  ctx.t, np.column_stack([ctx.x1, ctx.x2]), fitted, x0, ctx.fit_x0,
                  (ctx.c1, ctx.c2), ssr, sigma2, ctx.n, ctx.n_res, ctx.p_all, cond, converged,
                  nfev, len(starts), warns, status, boot_ok=boot_ok,
                  ci_zero=_ci_zero(names, lo, hi))  # fmt: skip
    return _stability_identification(fit, *_draws(ctx, boot, ci_method, th_p, cov))


def _intervals(boot: Any, n_boot: int, wald: tuple, warns: list[str]) -> tuple:
    """(ci_method, lo, hi, se): the bootstrap percentiles when enough refits succeeded,
    else the Wald ones (with a warning when a bootstrap was asked for)."""
    if boot is None:
        return ("wald_log", *wald)
    if boot.lo is not None:
        return "bootstrap", boot.lo, boot.hi, boot.se
    warns.append(f"bootstrap: only {boot.n_ok} of {n_boot} refits succeeded; Wald intervals kept")
    return ("wald_log", *wald)


def _draws(ctx: _Ctx, boot: Any, ci_method: str, th_p: np.ndarray,
           cov: np.ndarray) -> tuple[np.ndarray | None, str]:  # fmt: skip
    """Parameter draws (original units) for the stability-class check (METHODS §8.5)."""
    p, f = ctx.p, ctx.f
    if ci_method == "bootstrap":
        return np.asarray(boot.draws) * f, f"bootstrap ({boot.n_ok} refits)"
    if np.all(np.isfinite(cov[:p, :p])):
        rng_s = np.random.default_rng(ctx.seed + 2)
        th = rng_s.multivariate_normal(th_p, cov[:p, :p], size=STABILITY_DRAWS,
                                       check_valid="ignore")  # fmt: skip
        return _natural(ctx.M, th) * f, "Wald (log scale)"
    return None, ""


def fit_predator_prey(x1: ArrayLike, x2: ArrayLike, t: ArrayLike | None = None, **kw: Any) -> LVFit:
    """Predator–prey fit of §8.2 (x1 = prey role, x2 = predator role). See `fit_lv`."""
    return fit_lv(x1, x2, t, model="predator_prey", **kw)


def fit_competition(x1: ArrayLike, x2: ArrayLike, t: ArrayLike | None = None, **kw: Any) -> LVFit:
    """Logistic competition/mutualism fit of §8.3. See `fit_lv`."""
    return fit_lv(x1, x2, t, model="competition", **kw)
