"""Physical capital stock by the perpetual inventory method (METHODS §1)."""

from __future__ import annotations

import warnings

import numpy as np


def chain_to_fixed_base(chain_index: np.ndarray, years: np.ndarray, base_year: int) -> np.ndarray:
    """Previous-year = 100 chain index → deflator with P_base = 1 (METHODS §1.5).

    P_t = P_{t−1}·π_t/100 for t > b; P_t = P_{t+1}/(π_{t+1}/100) for t < b."""
    pi = np.asarray(chain_index, dtype=float) / 100.0
    years = np.asarray(years)
    if base_year not in years:
        raise ValueError(
            f"base year {base_year} not in the series years {years.min()}–{years.max()}"
        )
    if np.any(np.diff(years) != 1):
        raise ValueError("chain index years must be consecutive")
    b = int(np.where(years == base_year)[0][0])
    p = np.empty_like(pi)
    p[b] = 1.0
    for t in range(b + 1, len(pi)):
        p[t] = p[t - 1] * pi[t]
    for t in range(b - 1, -1, -1):
        p[t] = p[t + 1] / pi[t + 1]
    return p


def rebase(fixed_index: np.ndarray, years: np.ndarray, base_year: int) -> np.ndarray:
    """Fixed-base index Q_t → P_t = Q_t / Q_b (METHODS §1.5)."""
    q = np.asarray(fixed_index, dtype=float)
    idx = np.where(np.asarray(years) == base_year)[0]
    if not len(idx):
        raise ValueError(f"base year {base_year} not in the series")
    return q / q[idx[0]]


def investment_growth(first: float, last: float, n: int) -> float:
    """g = (I_{t0+N} / I_{t0})^{1/N} − 1, the geometric growth of real investment (METHODS §1.3)."""
    return float((last / first) ** (1.0 / n) - 1.0)


def initial_stock(
    real_investment: np.ndarray,
    delta: float,
    *,
    init: str = "steady_state",
    n_growth: int = 5,
    k0: float | None = None,
    g_fallback: float | None = None,
) -> tuple[float, dict]:
    """K_{t0} by the chosen rule (METHODS §1.3); returns (K0, metadata)."""
    ir = np.asarray(real_investment, dtype=float)
    if init == "zhang":
        return ir[0] / 0.10, {"init": "zhang"}
    if init == "external":
        if k0 is None:
            raise ValueError("init='external' needs k0")
        return float(k0), {"init": "external"}
    if init != "steady_state":
        raise ValueError(f"unknown init {init!r}")
    n = min(n_growth, len(ir) - 1)
    if n < 1:
        raise ValueError("steady-state initial stock needs at least two years of investment")
    g = investment_growth(ir[0], ir[n], n)
    meta = {"init": "steady_state", "g": g, "n_growth": n}
    if g + delta <= 0.02:
        warnings.warn(f"g + δ = {g + delta:.4f} ≤ 0.02: using g_fallback", stacklevel=2)
        if g_fallback is None:
            raise ValueError("g + δ ≤ 0.02 and no g_fallback given")
        g = g_fallback
        meta.update(g=g, g_fallback_used=True)
    return ir[0] / (g + delta), meta


def perpetual_inventory(
    investment: np.ndarray,
    deflator: np.ndarray,
    delta: float | np.ndarray = 0.096,
    *,
    init: str = "steady_state",
    n_growth: int = 5,
    k0: float | None = None,
    g_fallback: float | None = None,
    allow_negative: bool = False,
) -> tuple[np.ndarray, dict]:
    """K_t = I_t/P_t + (1 − δ_t)·K_{t−1} (METHODS §1.1), K at the deflator's base-year prices.

    `investment` nominal, consecutive years; `deflator` P with P_base = 1; δ scalar or per year.
    Negative or zero investment raises (METHODS §1.6) unless `allow_negative=True` is passed
    explicitly (published series such as Fujian 1967–68 GFCF are negative); the metadata then
    lists the affected positions under "negative_investment"."""
    inv = np.asarray(investment, dtype=float)
    p = np.asarray(deflator, dtype=float)
    if inv.shape != p.shape:
        raise ValueError("investment and deflator must have the same length")
    if np.any(~np.isfinite(inv)) or np.any(~np.isfinite(p)):
        raise ValueError("investment or deflator has missing values")
    bad = np.where(inv <= 0)[0]
    if len(bad) and not allow_negative:
        raise ValueError(f"investment must be positive (non-positive at positions {bad.tolist()})")
    if np.any(p <= 0):
        raise ValueError("deflator must be positive")
    d = np.broadcast_to(np.asarray(delta, dtype=float), inv.shape)
    real = inv / p
    k = np.empty_like(real)
    k[0], meta = initial_stock(
        real, float(d[0]), init=init, n_growth=n_growth, k0=k0, g_fallback=g_fallback
    )
    meta["negative_investment"] = bad.tolist()
    for t in range(1, len(real)):
        k[t] = real[t] + (1.0 - d[t]) * k[t - 1]
    return k, meta
