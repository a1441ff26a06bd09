"""DDF with bad outputs, Malmquist–Luenberger and Luenberger against published numbers
(METHODS §9.9–9.10).

Sources
- Stata gtfpch/teddf (Wang, Du & Zhang, Stata Journal 22(1) 2022), their example data
  (30 provinces × 2013–2015, K L = Y : CO2) and the logs in kerrydu/gtfpch commit 0e6fb3e:
  ex1 (radial DDF, direction (−K −L Y −CO2), contemporaneous, 90 rows), ex2 (non-radial, weights
  1, 90 rows with β per variable), ex3 (global ML, direction (0 0 Y −CO2), 60 rows), ex4
  (non-radial global Luenberger, weights (0 0 1 1), 60 rows), and the printed rows of
  ex.teddf.nonr.weight (wmat .5 .5 1 1) and ex.teddf.direction (gx = 0). 4 decimals.
- DataEnvelopmentAnalysis.jl test/malmluen.jl (Barbero & Zofío): adjacent ML with
  Gx = 0, Gy = y, Gb = b, bad outputs with Σλb ≤ b − βg_b (our bad="strong"); exact values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from measures.dea.ddf import ddf
from measures.green_tfp import green_tfp, green_tfp_panel

FIX = Path(__file__).parent / "fixtures" / "gtfpch_example"
TOL = 5e-5 + 1e-6  # 4 printed decimals


def _data() -> pl.DataFrame:
    return pl.read_csv(FIX / "example.csv")


def _published(name: str) -> dict:
    out = {}
    for line in (FIX / name).read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split()
        out[(parts[0], parts[1])] = [float(v) for v in parts[2:]]
    return out


def _by_year(df: pl.DataFrame, **kw) -> dict:
    res = {}
    for (yr,), d in df.group_by(["year"], maintain_order=True):
        r = ddf(d.select("K", "L").to_numpy(), d.select("Y").to_numpy(),
                d.select("CO2").to_numpy(), **kw)  # fmt: skip
        assert (r.status == "optimal").all()
        for k, prov in enumerate(d["Province"]):
            res[(prov, str(yr))] = (r.value[k], r.beta[k])
    return res


def test_teddf_radial_ddf_all_90_rows():
    pub = _published("teddf_ex1_radial.txt")
    ours = _by_year(_data())
    assert len(pub) == 90
    for key, (v,) in pub.items():
        assert ours[key][0] == pytest.approx(v, abs=TOL), key


def test_teddf_nonradial_ddf_value_and_betas_all_90_rows():
    pub = _published("teddf_ex2_nonradial.txt")
    ours = _by_year(_data(), nonradial=True)
    assert len(pub) == 90
    for key, vals in pub.items():
        val, beta = ours[key]
        assert val == pytest.approx(vals[0], abs=TOL), key
        np.testing.assert_allclose(beta, vals[1:], atol=TOL, err_msg=str(key))


@pytest.mark.parametrize(
    "kw, rows",
    [
        (  # teddf ... nonr wmat(0.5,0.5,1,1): Dv B_K B_L B_Y B_CO2
            {"nonradial": True, "weights": [0.5, 0.5, 1, 1]},
            {("Anhui", "2013"): [1.1480, 0.0, 0.4867, 0.8499, 0.0548],
             ("Anhui", "2014"): [1.3351, 0.0, 0.4047, 1.1247, 0.0081],
             ("Anhui", "2015"): [1.3577, 0.0, 0.3305, 1.1924, 0.0],
             ("Yunnan", "2013"): [1.2663, 0.0, 0.6040, 0.8117, 0.1526],
             ("Yunnan", "2015"): [1.2843, 0.0, 0.4933, 1.0377, 0.0],
             ("Zhejiang", "2015"): [0.6449, 0.3912, 0.4368, 0.0, 0.2309]},
        ),
        (  # teddf ... gx(gK gL) gy(gY) gb(gCO2) with gK = gL = 0
            {"gx": 0.0},
            {("Anhui", "2013"): [0.4024], ("Anhui", "2015"): [0.5049],
             ("Yunnan", "2014"): [0.4428], ("Zhejiang", "2013"): [0.1507],
             ("Zhejiang", "2015"): [0.2265], ("Beijing", "2014"): [0.0]},
        ),
    ],
)  # fmt: skip
def test_teddf_weights_and_directions_printed_rows(kw, rows):
    ours = _by_year(_data(), **kw)
    for key, vals in rows.items():
        val, beta = ours[key]
        assert val == pytest.approx(vals[0], abs=TOL), key
        if len(vals) > 1:
            np.testing.assert_allclose(beta, vals[1:], atol=TOL, err_msg=str(key))


def _tfp_check(res, pub):
    t = res.table()
    assert t.height == len(pub) == 60
    for row in t.iter_rows(named=True):
        key = (row["dmu"], f"{row['period_from']}~{row['period_to']}")
        exp = pub[key]
        got = [row["tfpch"], row["ec"], row["tc"]]
        np.testing.assert_allclose(got, exp, atol=TOL, err_msg=str(key))


def test_gtfpch_global_malmquist_luenberger_60_rows():
    res = green_tfp_panel(_data(), dmu="Province", period="year", inputs=["K", "L"],
                          outputs=["Y"], bad_outputs=["CO2"], technology="global")  # fmt: skip
    _tfp_check(res, _published("gtfpch_ex3_ml_global.txt"))
    np.testing.assert_allclose(res.tfpch, res.ec * res.tc, rtol=1e-12)


def test_gtfpch_nonradial_global_luenberger_60_rows():
    res = green_tfp_panel(_data(), dmu="Province", period="year", inputs=["K", "L"],
                          outputs=["Y"], bad_outputs=["CO2"], technology="global",
                          index="luenberger", nonradial=True)  # fmt: skip
    _tfp_check(res, _published("gtfpch_ex4_luenberger_nonradial_global.txt"))
    np.testing.assert_allclose(res.tfpch, res.ec + res.tc, atol=1e-12)


# ------------------------------------------------- DataEnvelopmentAnalysis.jl malmluen
JX = np.ones((3, 5, 1))
JY = np.array([[7, 5, 1, 3, 4], [8, 5.5, 2, 2, 4], [8, 5.5, 2, 2, 4]], float)[:, :, None]
JB = np.array([[2, 5, 3, 3, 2], [1, 3, 2, 4, 1], [0.5, 2, 0.5, 3, 0.5]], float)[:, :, None]


def test_julia_malmluen_two_periods_exact():
    r = green_tfp(JX[:2], JY[:2], JB[:2], bad="strong")
    np.testing.assert_allclose(
        r.tfpch.ravel(), [1.3702375781, 1.1, 1.1259778360, 0.91624569458, 1.2792042981],
        rtol=1e-9)  # fmt: skip
    np.testing.assert_allclose(r.ec.ravel(), [1.0, 0.9625, 1.027173913, 119 / 144, 21 / 22],
                               rtol=1e-9)  # fmt: skip
    np.testing.assert_allclose(
        r.tc.ravel(), [1.3702375781, 1.1428571429, 1.0961900625, 1.1087342859, 1.3401187885],
        rtol=1e-9)  # fmt: skip


def test_julia_malmluen_three_periods():
    r = green_tfp(JX, JY, JB, bad="strong")
    exp = [[1.37024, 1.22474], [1.1, 1.0], [1.12598, 1.25245], [0.916246, 1.01484],
           [1.2792, 1.26491]]  # fmt: skip
    np.testing.assert_allclose(r.tfpch, exp, atol=1e-5)
    exp_ec = [[1, 1], [0.9625, 1], [1.02717, 1.11111], [0.826389, 0.980392], [0.954545, 1]]
    np.testing.assert_allclose(r.ec, exp_ec, atol=1e-5)


def test_weak_disposability_makes_a_cross_period_lp_infeasible_not_one():
    # with Σλb = b − βb (weak), DMU 2's period-2 point cannot be reached from period 1
    r = green_tfp(JX[:2], JY[:2], JB[:2], bad="weak")
    assert r.status[1, 0] == "infeasible" and np.isnan(r.tfpch[1, 0])
    assert np.isfinite(r.tfpch[[0, 2, 3, 4], 0]).all()


def test_ml_rejects_nonradial_and_ddf_rejects_bad_input():
    with pytest.raises(ValueError, match="radial"):
        green_tfp(JX, JY, JB, nonradial=True)
    with pytest.raises(ValueError, match="finite"):
        ddf([[1.0], [np.inf]], [[1.0], [2.0]])
    with pytest.raises(ValueError, match="weights"):
        ddf([[1.0], [2.0]], [[1.0], [2.0]], nonradial=True, weights=[1, -1])


@pytest.mark.parametrize("index", ["ml", "luenberger"])
def test_sequential_technology_has_no_technical_regress(index):
    """Sequential technologies are nested (T_t ⊆ T_{t+1}), so D^{t+1} ≥ D^t and the technical
    change component cannot show regress: ML TC ≥ 1, Luenberger TC ≥ 0 (Oh & Heshmati 2010)."""
    res = green_tfp_panel(_data(), dmu="Province", period="year", inputs=["K", "L"],
                          outputs=["Y"], bad_outputs=["CO2"], technology="sequential",
                          index=index)  # fmt: skip
    ok = res.status == "optimal"
    assert ok.sum() >= 50
    tc = res.tc[ok]
    assert np.all(tc >= (1.0 if index == "ml" else 0.0) - 1e-9)
    comb = res.ec * res.tc if index == "ml" else res.ec + res.tc
    np.testing.assert_allclose(comb[ok], res.tfpch[ok], rtol=1e-12, atol=1e-12)
