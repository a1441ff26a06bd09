"""The result type of the co-evolution fit (METHODS §8.2–8.5): `LVFit`, assembled from the
estimates with the stability analysis at the fitted parameters, R², MAPE and the V drift."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from measures.coevolution._common import COMP_NAMES, PP_NAMES, _json
from measures.coevolution.discrete import DiscreteFit
from measures.coevolution.models import pp_conserved, simulate_competition, simulate_predator_prey
from measures.coevolution.stability import (
    StabilityReport,
    analyse_competition,
    analyse_predator_prey,
    interaction_type,
)


@dataclass
class LVFit:
    """A fitted Lotka–Volterra model in the original units of the data.

    status: "ok"; "weak" (fit done but identification is weak — reasons in `warnings`:
    few points, condition number of JᵀJ > 1e8, sign violations in step 1, intervals
    spanning orders of magnitude, or a stability class that less than `level` of the
    parameter uncertainty supports — `stability_share`, METHODS §8.5); "not_identified" (JᵀJ
    numerically singular, cond > 1e15:
    the estimates are one minimiser among many, SEs/intervals are NaN); "not_converged". `ci_*` are Wald intervals on the log scale (for r, K, a, b; linear for σ) with
    t(n_res − p) quantiles, or bootstrap percentiles when `ci_method == "bootstrap"`.
    """

    model: str
    method: str
    params: dict[str, float]
    se: dict[str, float]
    ci_low: dict[str, float]
    ci_high: dict[str, float]
    ci_method: str
    level: float
    discrete: DiscreteFit
    analysis: StabilityReport
    interaction: str
    t: np.ndarray
    observed: np.ndarray
    fitted: np.ndarray
    x0: tuple[float, float]
    x0_fitted: bool
    scale: tuple[float, float]
    r2: tuple[float, float]
    mape: tuple[float, float]
    ssr_log: float
    sigma2_log: float
    n_obs: int
    n_res: int
    n_params: int
    cond_jtj: float
    converged: bool
    nfev: int
    n_starts: int
    status: str
    warnings: list[str] = field(default_factory=list)
    v_path: np.ndarray | None = None
    v_drift: float = float("nan")
    boot_n_ok: int = 0
    stability_share: float = float("nan")
    stability_classes: dict[str, float] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return "; ".join(self.warnings)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["discrete"] = self.discrete.to_dict()
        d["analysis"] = self.analysis.to_dict()
        d["message"] = self.message
        return _json(d)


def _r2(obs: np.ndarray, fit: np.ndarray) -> float:
    sst = float(np.sum((obs - obs.mean()) ** 2))
    return 1.0 - float(np.sum((obs - fit) ** 2)) / sst if sst > 0 else float("nan")


def _simulate_any(model, params, x0, t, ode_method, rtol, atol) -> np.ndarray:
    vals = [params[k] for k in (PP_NAMES if model == "predator_prey" else COMP_NAMES)]
    if not all(np.isfinite(vals)):
        return np.full((len(t), 2), np.nan)
    fn: Any = simulate_predator_prey if model == "predator_prey" else simulate_competition
    try:
        return fn(*vals, x0, t, method=ode_method, rtol=rtol, atol=atol)
    except (RuntimeError, ValueError, OverflowError):
        return np.full((len(t), 2), np.nan)


def _finish(model, method, params, se, lo, hi, ci_method, level, disc, t, obs, fitted, x0,
            x0_fitted, scale, ssr, sigma2, n, n_res, p_all, cond, converged, nfev, n_starts,
            warns, status, *, boot_ok=0, ci_zero=None) -> LVFit:  # fmt: skip
    if model == "predator_prey":
        an = analyse_predator_prey(params["a1"], params["b1"], params["a2"], params["b2"])
        inter = "predator-prey" if an.exists else "predator-prey (sign-violating)"
    else:
        an = analyse_competition(*(params[k] for k in COMP_NAMES))
        ci_zero = ci_zero or {}
        inter = interaction_type(params["sigma12"], params["sigma21"],
                                 ci_zero.get("sigma12", False), ci_zero.get("sigma21", False))  # fmt: skip
    with np.errstate(all="ignore"):
        ok = np.all(np.isfinite(fitted))
        r2 = (_r2(obs[:, 0], fitted[:, 0]), _r2(obs[:, 1], fitted[:, 1])) if ok else (np.nan,) * 2
        mape = tuple(float(100 * np.mean(np.abs(fitted[:, k] / obs[:, k] - 1))) for k in (0, 1))
    v_path, v_drift = None, float("nan")
    if model == "predator_prey" and ok and all(v > 0 for v in params.values()):
        v_path = pp_conserved(fitted[:, 0], fitted[:, 1], *(params[k] for k in PP_NAMES))
        v_drift = float(np.ptp(v_path) / max(abs(float(np.mean(v_path))), 1e-300))
    return LVFit(
        model=model, method=method, params=params, se=se, ci_low=lo, ci_high=hi,
        ci_method=ci_method, level=level, discrete=disc, analysis=an, interaction=inter,
        t=t, observed=obs, fitted=fitted, x0=x0, x0_fitted=x0_fitted, scale=scale,
        r2=(float(r2[0]), float(r2[1])), mape=(float(mape[0]), float(mape[1])), ssr_log=ssr,
        sigma2_log=sigma2, n_obs=n, n_res=n_res, n_params=p_all, cond_jtj=cond,
        converged=converged, nfev=nfev, n_starts=n_starts, status=status, warnings=warns,
        v_path=v_path, v_drift=v_drift, boot_n_ok=boot_ok,
    )  # fmt: skip
