"""METHODS §1.3: when a province's g + δ ≤ 0.02 the steady-state start uses the national
growth of real investment over the same window, and its first row is flagged."""

from __future__ import annotations

import warnings

import polars as pl
import pytest

from transforms.production import capital_stock


def _panel() -> pl.DataFrame:
    rows = []
    # province A: investment falls 20 % a year (g = -0.2, g + δ < 0.02); B: grows 10 % a year
    for code, growth in (("11", 0.8), ("12", 1.1)):
        for k, year in enumerate(range(2000, 2008)):
            rows.append((code, year, "gfcf", 100.0 * growth**k))
            rows.append((code, year, "invest_price_1952", 1.0))
    return pl.DataFrame(rows, schema=["region_code", "year", "variable", "value"], orient="row")


def test_national_growth_fallback_is_used_and_flagged() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k = capital_stock(_panel(), {"delta": 0.1, "init": "steady_state", "n_growth": 5}, 2000)
    a = k.filter(pl.col("region_code") == "11").sort("year")
    b = k.filter(pl.col("region_code") == "12").sort("year")
    # national g over 2000–2005, by hand: summed real investment 200 → 32.768 + 161.051 = 193.819
    g = -0.00625886  # (193.819 / 200)^(1/5) − 1
    assert a["capital_stock"][0] == pytest.approx(100 / (g + 0.1), rel=1e-6)  # 1 066.767
    assert a["flag"][0] == "g_fallback_national" and set(a["flag"][1:]) == {""}
    assert b["capital_stock"][0] == pytest.approx(100 / (0.1 + 0.1), rel=1e-9)  # own g = 10 %
    assert set(b["flag"]) == {""}


def test_without_the_fallback_the_rule_refuses() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="no g_fallback"):
            capital_stock(_panel(), {"delta": 0.1, "g_fallback": "none", "n_growth": 5}, 2000)
