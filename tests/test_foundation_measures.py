"""Capital stock, real GDP, labour (METHODS §1–3) against published/compiled numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from measures.capital import chain_to_fixed_base, perpetual_inventory, rebase
from measures.labour import average_schooling, labour_input, mincer_h
from measures.real_gdp import real_gdp

FIX = Path(__file__).parent / "fixtures"
DATA = Path(__file__).resolve().parent.parent / "data"


def _asset() -> pl.DataFrame:
    return pl.read_csv(DATA / "chn_capital_stock" / "asset.csv", null_values=["NA", ""])


def test_pim_reproduces_chncapitalstock_reference_series():
    """All 31 provinces × 1952–2022 of the reference series (CHNCapitalStock method 'ZJ',
    δ = 0.096, K_1952 = I_1952/0.1) to 1e-6 relative error, in 1952 and 2000 prices.

    The package's bt=2000 series keeps the 1952-price initial stock unrebased (K_1952 = I/0.1 in
    both bases); we reproduce it with init='external'. Chongqing starts in 1996 with the package's
    external stock 1090·313/850."""
    a = _asset()
    ref = pl.read_csv(FIX / "DERIVED_capital_stock_ZJ_delta0.096.csv")
    worst = 0.0
    for prv in a["prv"].unique().sort():
        s = a.filter(pl.col("prv") == prv).sort("yr")
        r = ref.filter(pl.col("prv") == prv).sort("yr")
        inv, p, yrs = s["invest"].to_numpy(), s["InvestPrice"].to_numpy(), s["yr"].to_numpy()
        if prv == "chongqing":
            kw = {"init": "external", "k0": 1090 * 313 / 850}
            kw2 = kw
        else:
            kw = {"init": "zhang"}
            kw2 = {"init": "external", "k0": inv[0] / 0.1}
        k1952, _ = perpetual_inventory(inv, p, 0.096, allow_negative=True, **kw)
        k2000, _ = perpetual_inventory(inv, rebase(p, yrs, 2000), 0.096, allow_negative=True, **kw2)
        worst = max(
            worst,
            np.max(np.abs(k1952 / r["K_bt1952"].to_numpy() - 1)),
            np.max(np.abs(k2000 / r["K_bt2000"].to_numpy() - 1)),
        )
    assert worst < 1e-6
    # the package's own test values (CHNCapitalStock tests/testthat)
    bj = ref.filter((pl.col("prv") == "beijing") & (pl.col("yr") == 2000))["K_bt2000"][0]
    assert bj == pytest.approx(7066.979, abs=1e-3)


def test_pim_negative_investment_raises_unless_allowed():
    with pytest.raises(ValueError, match="positive"):
        perpetual_inventory(np.array([1.0, -0.1, 2.0]), np.ones(3), 0.1, init="zhang")
    k, meta = perpetual_inventory(
        np.array([1.0, -0.1, 2.0]), np.ones(3), 0.1, init="zhang", allow_negative=True
    )
    assert meta["negative_investment"] == [1]


def test_steady_state_initial_stock():
    # I^r grows 10% a year: K0 = I0/(g + δ) = 100/(0.1 + 0.096)
    inv = 100 * 1.1 ** np.arange(8)
    k, meta = perpetual_inventory(inv, np.ones(8), 0.096, init="steady_state", n_growth=5)
    assert meta["g"] == pytest.approx(0.1)
    assert k[0] == pytest.approx(100 / 0.196)
    # K_1 = I_1 + (1 − δ)K_0
    assert k[1] == pytest.approx(inv[1] + 0.904 * k[0])


def test_chain_index_to_deflator_both_directions():
    years = np.arange(2000, 2005)
    p = chain_to_fixed_base(np.array([105.0, 110.0, 102.0, 100.0, 95.0]), years, 2002)
    assert p[2] == 1.0
    assert p[3] == pytest.approx(1.0)
    assert p[4] == pytest.approx(0.95)
    assert p[1] == pytest.approx(1 / 1.02)
    assert p[0] == pytest.approx(1 / 1.02 / 1.10)


def test_real_gdp_guangdong_from_published_index():
    """Guangdong 2016–2019 GDP index (NBS, revised series: 107.8, 107.5, 106.7, 106.3, see PROVENANCE)."""
    years = np.array([2016, 2017, 2018, 2019])
    nominal = np.array([82163.2, 91648.7, 99945.2, 110468.1])
    yr, defl = real_gdp(nominal, np.array([107.8, 107.5, 106.7, 106.3]), years, 2016)
    assert yr[0] == nominal[0] and defl[0] == 1.0
    # 2019 at 2016 prices: 100 180.57 亿元 (worked by hand from the four published indices;
    # the implied deflator 110 468.1 / 100 180.57 = 1.10269)
    assert yr[3] == pytest.approx(100180.57, abs=0.005)
    assert defl[3] == pytest.approx(1.10269, abs=5e-6)


def test_average_schooling_beijing_2019_sample_survey():
    """Beijing 2019 6+ sample counts (NBS sample survey): 311 none, 1344 primary, 3087 junior,
    3052 senior, 7948 college → 12.68 years with weights 0/6/9/12/16 (data PROVENANCE check)."""
    s = average_schooling(
        {
            k: np.array([v])
            for k, v in dict(none=311, primary=1344, junior=3087, senior=3052, college=7948).items()
        }
    )
    assert s[0] == pytest.approx(12.68, abs=0.005)


def test_mincer_is_continuous_with_kinks_at_4_and_8():
    # Hall & Jones (1999) / PWT: returns 13.4 %, 10.1 %, 6.8 % per year on years 0–4, 4–8, 8+;
    # h at 0, 4, 8, 12 years = 1, 1.7092, 2.5600, 3.3602 (PWT 10 user guide's φ(s))
    h = mincer_h(np.array([0, 4, 8, 12]))
    np.testing.assert_allclose(h, [1.0, 1.7092, 2.5600, 3.3602], atol=5e-5)
    assert labour_input(np.array([10.0]), np.array([9.0]), "years")[0] == 90.0
