"""Step 2 of the fit: ODE non-linear least squares on the log levels of the scaled data
(METHODS §8.2 step 2): start values, the seeded log-uniform multi-start, the least-squares
problem with exact sensitivities, and the residual bootstrap."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from measures.coevolution._common import BIG_RESIDUAL, COMP_NAMES, LOG_BOUND, PP_NAMES, SIGMA_BOUND
from measures.coevolution.discrete import DiscreteFit
from measures.coevolution.models import _natural
from measures.coevolution.ode import _solve_log


def _start_theta(model, disc: DiscreteFit, ys: np.ndarray) -> np.ndarray:
    """Internal θ from the (scaled) step-1 estimates: absolute values for sign violations,
    safe fall-backs for non-finite or zero estimates."""
    p = disc.params
    if model.name == "predator_prey":
        vals = []
        for k, v in zip(PP_NAMES, (p["a1"], p["b1"], p["a2"], p["b2"]), strict=True):
            v = abs(v) if np.isfinite(v) else np.nan
            if not v > 1e-6:
                v = {"a1": 0.3, "b1": 0.3, "a2": 0.3, "b2": 1.0}[k]
            vals.append(math.log(min(v, 1e3)))
        return np.array(vals)
    xmax = float(np.exp(ys).max())
    out = []
    for k in COMP_NAMES:
        v = p[k]
        if k.startswith("sigma"):
            out.append(float(np.clip(v, -5, 5)) if np.isfinite(v) else 0.0)
            continue
        v = abs(v) if np.isfinite(v) else np.nan
        if k.startswith("K"):
            v = 2.0 * xmax if not v >= 0.5 * xmax else min(v, 1e3 * xmax)
        elif not v > 1e-6:
            v = 0.2
        out.append(math.log(min(v, 1e3) if k.startswith("r") else v))
    return np.array(out)


def _perturb(
    model, theta: np.ndarray, rng: np.random.Generator, lo: float, hi: float
) -> np.ndarray:
    m = rng.uniform(math.log(lo), math.log(hi), size=theta.size)
    out = theta.copy()
    out[model.log_mask] = theta[model.log_mask] + m[model.log_mask]
    free = ~model.log_mask
    out[free] = theta[free] * np.exp(m[free]) + rng.uniform(-0.5, 0.5, size=int(free.sum()))
    return out


class _Problem:
    """Residuals (log levels, series stacked) and their exact Jacobian for θ (the internal
    parameters, followed by ln x̃0 when `fit_x0`); the last few ODE solves are cached."""

    def __init__(self, M: Any, ys: np.ndarray, t_rel: np.ndarray, *, fit_x0: bool,
                 ode_method: str, rtol: float, atol: float):  # fmt: skip
        self.M, self.ys, self.t_rel, self.fit_x0 = M, ys, t_rel, fit_x0
        self.ode: dict[str, Any] = {"method": ode_method, "rtol": rtol, "atol": atol}
        self.p = len(M.names)
        self.p_all = self.p + (2 if fit_x0 else 0)
        self.n_res = 2 * (ys.shape[0] - 1) + (2 if fit_x0 else 0)
        self.rows = slice(None) if fit_x0 else slice(1, None)
        self.cache: dict[bytes, Any] = {}

    def solve(self, th: np.ndarray) -> Any:
        key = th.tobytes()
        if key not in self.cache:
            if len(self.cache) > 8:
                self.cache.clear()
            tp, y0 = (th[: self.p], th[self.p :]) if self.fit_x0 else (th, self.ys[0])
            self.cache[key] = _solve_log(self.M, tp, y0, self.t_rel, sens=True,
                                         fit_x0=self.fit_x0, **self.ode)  # fmt: skip
        return self.cache[key]

    def resid(self, th: np.ndarray, target: np.ndarray | None = None) -> np.ndarray:
        target = self.ys if target is None else target
        out = self.solve(th)
        if out is None:
            return np.full(self.n_res, BIG_RESIDUAL)
        return (out[0][self.rows] - target[self.rows]).ravel(order="F")

    def jac(self, th: np.ndarray, target: np.ndarray | None = None) -> np.ndarray:
        out = self.solve(th)
        if out is None:
            return np.zeros((self.n_res, self.p_all))
        S = out[1][self.rows]  # (n', 2, m)
        return np.concatenate([S[:, 0, :], S[:, 1, :]], axis=0)

    def run(self, th: np.ndarray, budget: int, lb: np.ndarray, ub: np.ndarray) -> Any:
        try:
            return least_squares(self.resid, th, jac=self.jac, method="trf", x_scale="jac",
                                 bounds=(lb, ub), max_nfev=budget)  # fmt: skip
        except (ValueError, np.linalg.LinAlgError):
            return None


def _starts(prob: _Problem, disc_scaled: DiscreteFit, n_starts: int, seed: int,
            perturb: tuple[float, float]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:  # fmt: skip
    """The step-1 start and `n_starts` seeded perturbations of it, inside the box."""
    M, p = prob.M, prob.p
    theta0 = _start_theta(M, disc_scaled, prob.ys)
    if prob.fit_x0:
        theta0 = np.concatenate([theta0, prob.ys[0]])
    # box on the internal parameters of the scaled problem: |ln θ̃| ≤ LOG_BOUND for rates,
    # interaction coefficients and capacities, |σ̃| ≤ SIGMA_BOUND, |ln x̃0| ≤ LOG_BOUND.
    # Far outside any meaningful range; without it an unidentified fit drifts towards 0/∞ for
    # thousands of ODE solves. An estimate at the box is reported as not identified.
    lb = np.where(M.log_mask, -LOG_BOUND, -SIGMA_BOUND)
    ub = -lb
    if prob.fit_x0:
        lb = np.concatenate([lb, [-LOG_BOUND, -LOG_BOUND]])
        ub = np.concatenate([ub, [LOG_BOUND, LOG_BOUND]])
    margin = 1e-6 * (ub - lb)
    theta0 = np.clip(theta0, lb + margin, ub - margin)
    rng = np.random.default_rng(seed)
    starts = [theta0]
    for _ in range(int(n_starts)):
        th = theta0.copy()
        th[:p] = _perturb(M, theta0[:p], rng, *perturb)
        starts.append(np.clip(th, lb + margin, ub - margin))
    return starts, lb, ub


class FitCount:
    """Done least-squares fits (screening runs, polishing runs, bootstrap refits) reported
    to an optional `progress(done, total)` callback (reporting only)."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int):
        self.progress, self.total, self.done = progress, max(int(total), 1), 0

    def to(self, done: int) -> None:
        self.done = min(done, self.total)
        if self.progress is not None:
            self.progress(self.done, self.total)

    def __call__(self) -> None:
        self.to(self.done + 1)


def _multistart(prob: _Problem, starts: list[np.ndarray], lb: np.ndarray, ub: np.ndarray, *,
                screen_nfev: int, max_nfev: int, n_polish: int,
                tick: Callable[[], None] = lambda: None) -> tuple[Any, int]:  # fmt: skip
    """Every start gets a short run (screen_nfev evaluations), the n_polish best are then run
    to convergence (max_nfev); the lowest cost wins. Returns (best result or None, nfev).
    `tick()` after each run."""
    nfev = 0
    screened = []
    for th in starts:
        r = prob.run(th, min(screen_nfev, max_nfev), lb, ub)
        tick()
        if r is not None:
            nfev += r.nfev
            screened.append(r)
    screened.sort(key=lambda r: r.cost)
    best = None
    for r0 in screened[: max(1, n_polish)]:
        r = r0 if r0.status > 0 else prob.run(r0.x, max_nfev, lb, ub)
        tick()
        if r is None:
            continue
        nfev += r.nfev if r is not r0 else 0
        if best is None or r.cost < best.cost:
            best = r
    return best, nfev


@dataclass
class _Boot:
    draws: list[np.ndarray]
    n_ok: int
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    se: np.ndarray | None = None


def _bootstrap(prob: _Problem, theta_hat: np.ndarray, lb: np.ndarray, ub: np.ndarray, *,
               n_boot: int, seed: int, max_nfev: int, level: float,
               tick: Callable[[], None] = lambda: None) -> _Boot:  # fmt: skip
    """Residual bootstrap (refits from the estimate, one start each); percentile intervals
    when at least max(10, n_boot/2) refits succeed (`lo` is None otherwise); `tick()` after
    each refit."""
    rows, p, n_res = prob.rows, prob.p, prob.n_res
    fitted_log = prob.solve(theta_hat)[0]
    res_mat = prob.ys - fitted_log
    # centred residuals, inflated by sqrt(n_res/(n_res − p)) for the df the fit used up
    res_mat = (res_mat[rows] - res_mat[rows].mean(axis=0)) * math.sqrt(
        n_res / max(n_res - prob.p_all, 1)
    )
    brng = np.random.default_rng(seed + 1)
    draws = []
    for _ in range(int(n_boot)):
        target = fitted_log.copy()
        idx = brng.integers(0, res_mat.shape[0], size=(res_mat.shape[0], 2))
        target[rows] = fitted_log[rows] + res_mat[idx, [0, 1]]
        try:
            rb = least_squares(lambda th, tg=target: prob.resid(th, tg), theta_hat,
                               jac=lambda th, tg=target: prob.jac(th, tg), method="trf",
                               x_scale="jac", bounds=(lb, ub), max_nfev=max_nfev)  # fmt: skip
        except (ValueError, np.linalg.LinAlgError):
            continue
        finally:
            tick()
        if rb.status > 0 and rb.cost < 0.5 * BIG_RESIDUAL:
            draws.append(_natural(prob.M, rb.x[:p]))
    out = _Boot(draws=draws, n_ok=len(draws))
    if out.n_ok >= max(10, n_boot // 2):
        D = np.asarray(draws)
        a = (1 - level) / 2
        out.lo = np.quantile(D, a, axis=0)
        out.hi = np.quantile(D, 1 - a, axis=0)
        out.se = D.std(axis=0, ddof=1)
    return out
