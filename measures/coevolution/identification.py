"""Identification of the co-evolution fit (METHODS §8.2, §8.5): data that cannot identify
the parameters raise `IdentificationError`; weak identification is a flag (`status="weak"`
with the reasons in `warnings`): few points, condition number of JᵀJ, estimates at the box,
intervals over orders of magnitude, a stability class the parameter uncertainty does not
support."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from measures.coevolution._common import MODELS, IdentificationError
from measures.coevolution.models import _MODEL_CLASSES
from measures.coevolution.stability import analyse_competition, analyse_predator_prey

if TYPE_CHECKING:
    from measures.coevolution.results import LVFit


def _check_series(x1: Any, x2: Any, t: Any, *, model: str, method: str,
                  fit_x0: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Validated (x1, x2, t) as float vectors; raises ValueError for bad arguments and
    IdentificationError for data that cannot identify the model."""
    if model not in _MODEL_CLASSES:
        raise ValueError(f"model must be one of {MODELS}, not {model!r}")
    if method not in ("ode_nls", "discrete"):
        raise ValueError(f"method must be 'ode_nls' or 'discrete', not {method!r}")
    M = _MODEL_CLASSES[model]
    x1 = np.asarray(x1, dtype=float).ravel()
    x2 = np.asarray(x2, dtype=float).ravel()
    if x1.shape != x2.shape:
        raise ValueError("x1 and x2 must have the same length")
    n = x1.size
    t = np.arange(n, dtype=float) if t is None else np.asarray(t, dtype=float).ravel()
    if t.shape != x1.shape:
        raise ValueError("t must have the same length as the series")
    if n and np.any(np.diff(t) <= 0):
        raise ValueError("t must be strictly increasing")
    if not (np.all(np.isfinite(x1)) and np.all(np.isfinite(x2))):
        raise IdentificationError("the series contain missing or non-finite values", "non_positive")
    if np.any(x1 <= 0) or np.any(x2 <= 0):
        raise IdentificationError(
            "Lotka–Volterra populations must be positive; the data have zeros or negatives",
            "non_positive",
        )
    p = len(M.names)
    p_all = p + (2 if fit_x0 else 0)
    n_res = 2 * (n - 1) + (2 if fit_x0 else 0)
    if n < 3 or n_res <= p_all:
        raise IdentificationError(
            f"too few points: {n} observations give {n_res} residuals for {p_all} parameters",
            "too_few_points",
        )
    for k, x in ((1, x1), (2, x2)):
        if np.ptp(np.log(x)) <= 1e-10:
            raise IdentificationError(
                f"no co-movement: series x{k} is constant, so the interaction is not identified",
                "no_co_movement",
            )
    return x1, x2, t


def _covariance(J: np.ndarray, sigma2: float, cond_warn: float,
                warns: list[str]) -> tuple[np.ndarray, float]:  # fmt: skip
    """(cov = σ²·(JᵀJ)⁻¹, cond(JᵀJ)); NaN covariance when JᵀJ is numerically singular."""
    p_all = J.shape[1]
    JtJ = J.T @ J
    with np.errstate(all="ignore"):
        cond = float(np.linalg.cond(JtJ)) if np.all(np.isfinite(JtJ)) else float("inf")
    if not np.isfinite(cond) or cond > 1e15:
        cov = np.full((p_all, p_all), np.nan)
        warns.append("JᵀJ is singular: the parameters are not identified by these data")
    else:
        cov = np.linalg.inv(JtJ) * sigma2
    if cond > cond_warn:
        warns.append(f"condition number of JᵀJ = {cond:.3g} > {cond_warn:.0e}: weak identification")
    return cov, cond


def _at_bound(names: tuple, theta: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> list[str]:
    """Parameters whose estimate is within 0.1 % of the admissible box."""
    p = len(names)
    return [
        (names[i] if i < p else f"x0_{i - p + 1}")
        for i in range(theta.size)
        if min(theta[i] - lb[i], ub[i] - theta[i]) <= 1e-3 * (ub[i] - lb[i])
    ]


def _status(converged: bool, cond: float, at_bound: list[str], warns: list[str],
            message: str) -> str:  # fmt: skip
    if not converged:
        warns.append(f"least_squares did not converge: {message}")
        return "not_converged"
    if not np.isfinite(cond) or cond > 1e15 or at_bound:
        return "not_identified"
    return "weak" if len(warns) > 0 else "ok"


def _stability_identification(fit: LVFit, draws: np.ndarray | None, how: str) -> LVFit:
    """Share of parameter draws (bootstrap refits or the Wald normal approximation, METHODS
    §8.5) whose equilibrium has the reported stability class. Below `fit.level` an "ok" fit
    becomes "weak" with a warning: the class is not identified by these data."""
    if draws is None or draws.size == 0:
        if fit.status in ("ok", "weak"):
            fit.warnings.append("stability class not checked: no parameter uncertainty available")
            fit.status = "weak"
        return fit
    fn = analyse_predator_prey if fit.model == "predator_prey" else analyse_competition
    counts: dict[str, int] = {}
    with np.errstate(all="ignore"):
        for row in draws:
            try:
                cls = fn(*(float(v) for v in row)).stability
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, OverflowError):
                cls = "undefined"
            counts[cls] = counts.get(cls, 0) + 1
    total = sum(counts.values())
    fit.stability_classes = {k: v / total for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}
    fit.stability_share = fit.stability_classes.get(fit.analysis.stability, 0.0)
    if fit.stability_share < fit.level:
        others = ", ".join(f"{k} {100 * v:.0f}%" for k, v in fit.stability_classes.items()
                           if k != fit.analysis.stability)  # fmt: skip
        fit.warnings.append(
            f"stability class {fit.analysis.stability!r} is not identified: only "
            f"{100 * fit.stability_share:.0f}% of {total} {how} parameter draws give it "
            f"(others: {others})"
        )
        if fit.status == "ok":
            fit.status = "weak"
    return fit


def _ci_zero(names, lo: dict, hi: dict) -> dict[str, bool]:
    return {k: bool(np.isfinite(lo[k]) and np.isfinite(hi[k]) and lo[k] <= 0 <= hi[k])
            for k in names}  # fmt: skip
