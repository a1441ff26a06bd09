"""Real GDP at constant base-year prices from a previous-year = 100 volume index (METHODS §2)."""

from __future__ import annotations

import numpy as np

from measures.capital import chain_to_fixed_base


def real_gdp(
    nominal: np.ndarray, index: np.ndarray, years: np.ndarray, base_year: int
) -> tuple[np.ndarray, np.ndarray]:
    """Y^r_b = Y_b; Y^r_t = Y^r_{t−1}·g_t/100 (t > b); Y^r_t = Y^r_{t+1}/(g_{t+1}/100) (t < b).

    Only the base-year nominal level is used for the volume path (so vintage revisions of
    other years' levels do not enter); returns (real GDP, implicit deflator Y/Y^r)."""
    years = np.asarray(years)
    y = np.asarray(nominal, dtype=float)
    volume = chain_to_fixed_base(index, years, base_year)  # Q_t/Q_b
    b = int(np.where(years == base_year)[0][0])
    if not np.isfinite(y[b]) or y[b] <= 0:
        raise ValueError(f"nominal GDP missing or non-positive in base year {base_year}")
    yr = y[b] * volume
    with np.errstate(invalid="ignore", divide="ignore"):
        deflator = y / yr
    return yr, deflator
