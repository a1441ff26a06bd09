"""Inequality measures (METHODS §5) against PySAL's `inequality` package (Rey & Sastré-Gutiérrez)
on its own example data — Mexican state per-capita GDP 1940–2000 (libpysal example "mexico",
shipped with libpysal, regimes `hanson98`) — plus the METHODS §11 identities."""

from __future__ import annotations

import libpysal
import numpy as np
import polars as pl
import pytest

from measures import inequality as I
from measures.regions import NBS4, THREE_BELT, region_mapping, regions_of


@pytest.fixture(scope="module")
def mexico():
    f = libpysal.io.open(libpysal.examples.get_path("mexico.csv"))
    vnames = [f"pcgdp{dec}" for dec in range(1940, 2010, 10)]
    y = np.array([f.by_col[v] for v in vnames]).T
    return y, np.array(f.by_col("hanson98"))


# Published in the PySAL `inequality` docstrings/tests (theil.py, test_theil.py, test_gini.py)
PYSAL_T = [0.20894344, 0.15222451, 0.10472941, 0.10194725, 0.09560113, 0.10511256, 0.10660832]
PYSAL_BG = [0.0345889, 0.02816853, 0.05260921, 0.05931219, 0.03205257, 0.02963731, 0.03635872]
PYSAL_WG = [0.17435454, 0.12405598, 0.0521202, 0.04263506, 0.06354856, 0.07547525, 0.0702496]
PYSAL_GINI_1940 = 0.35372371173452849


def test_theil_t_matches_pysal_published(mexico):
    y, _ = mexico
    ours = [I.theil_t(y[:, k]) for k in range(7)]
    np.testing.assert_allclose(ours, PYSAL_T, atol=5e-9)


def test_theil_decomposition_matches_pysal_published(mexico):
    y, reg = mexico
    d = [I.theil_decomposition(y[:, k], reg) for k in range(7)]
    np.testing.assert_allclose([x.t_between for x in d], PYSAL_BG, atol=5e-8)
    np.testing.assert_allclose([x.t_within for x in d], PYSAL_WG, atol=5e-8)


def test_theil_and_gini_match_pysal_live(mexico):
    from inequality.gini import Gini
    from inequality.theil import Theil, TheilD

    y, reg = mexico
    td = TheilD(y, reg)
    for k in range(7):
        assert I.theil_t(y[:, k]) == pytest.approx(float(Theil(y[:, k]).T), abs=1e-12)
        dec = I.theil_decomposition(y[:, k], reg)
        assert dec.t_between == pytest.approx(td.bg[k], abs=1e-12)
        assert I.gini(y[:, k]) == pytest.approx(Gini(y[:, k]).g, abs=1e-12)
    assert I.gini(y[:, 0]) == pytest.approx(PYSAL_GINI_1940, abs=1e-12)


def test_pysal_two_group_case():
    # TheilD test case of PySAL: y = 0,0,0,10,10,10 → T = bg = ln 2, wg = 0
    d = I.theil_decomposition([0, 0, 0, 10, 10, 10], [0, 0, 0, 1, 1, 1], need_l=False)
    assert d.t == pytest.approx(np.log(2)) and d.t_between == pytest.approx(np.log(2))
    assert d.t_within == pytest.approx(0.0, abs=1e-15) and np.isnan(d.l)
    with pytest.raises(ValueError, match="Theil L requires y > 0"):
        I.theil_decomposition([0, 0, 0, 10, 10, 10], [0, 0, 0, 1, 1, 1])


@pytest.mark.parametrize("k", range(7))
def test_exact_decompositions_and_dagum_identity(mexico, k):
    y, reg = mexico
    rng = np.random.default_rng(k)
    pop = rng.uniform(50, 500, y.shape[0])
    for w in (None, pop):
        d = I.theil_decomposition(y[:, k], reg, w)
        assert d.t == pytest.approx(d.t_between + d.t_within, abs=1e-12)
        assert d.l == pytest.approx(d.l_between + d.l_within, abs=1e-12)
        assert d.t_contrib.sum() + d.t_between / d.t == pytest.approx(1.0, abs=1e-12)
    dr = I.dagum(y[:, k], reg)
    assert dr.g_w + dr.g_nb + dr.g_t == pytest.approx(dr.g, abs=1e-10)
    assert dr.g == pytest.approx(I.gini(y[:, k]), abs=1e-12)
    assert ((dr.d_jh >= 0) & (dr.d_jh <= 1)).all()
    assert list(dr.means) == sorted(dr.means)


def test_dagum_against_brute_force_pairs():
    rng = np.random.default_rng(7)
    y = rng.lognormal(9, 0.6, 31)
    grp = np.array(regions_of(sorted(NBS4), "nbs4"))
    dr = I.dagum(y, grp)
    labels = dr.groups
    parts = [y[grp == g] for g in labels]
    n, mu = y.size, y.mean()
    pj = np.array([p.size / n for p in parts])
    sj = np.array([p.size * p.mean() / (n * mu) for p in parts])
    g_nb = g_t = 0.0
    for j in range(1, 4):
        for h in range(j):
            a, b = parts[j], parts[h]
            diff = a[:, None] - b[None, :]
            gjh = np.abs(diff).sum() / (a.size * b.size * (a.mean() + b.mean()))
            d = np.maximum(diff, 0).mean()
            p = np.maximum(-diff, 0).mean()
            D = (d - p) / (d + p)
            assert dr.g_jh[j, h] == pytest.approx(gjh, rel=1e-12)
            assert dr.d_jh[j, h] == pytest.approx(D, rel=1e-12)
            g_nb += gjh * (pj[j] * sj[h] + pj[h] * sj[j]) * D
            g_t += gjh * (pj[j] * sj[h] + pj[h] * sj[j]) * (1 - D)
    assert dr.g_nb == pytest.approx(g_nb, rel=1e-12) and dr.g_t == pytest.approx(g_t, rel=1e-12)
    gjj = [np.abs(p[:, None] - p[None, :]).sum() / (2 * p.size**2 * p.mean()) for p in parts]
    np.testing.assert_allclose(dr.g_jj, gjj, rtol=1e-12)
    assert dr.g_w == pytest.approx(float((np.array(gjj) * pj * sj).sum()), rel=1e-12)


def test_weighted_forms_against_brute_force():
    rng = np.random.default_rng(3)
    y, P = rng.lognormal(10, 0.5, 31), rng.uniform(300, 12000, 31)
    p = P / P.sum()
    ybar = p @ y
    brute = (p[:, None] * p[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * ybar)
    assert I.gini_weighted(y, P) == pytest.approx(brute, rel=1e-12)
    assert I.gini_weighted(y, P) == pytest.approx(I.gini_weighted_lorenz(y, P), abs=1e-12)
    assert I.cv_weighted(y, P) == pytest.approx(np.sqrt(p @ (y - ybar) ** 2) / ybar, rel=1e-12)
    # unweighted = weighted with equal weights; pairwise definition of G
    pair = np.abs(y[:, None] - y[None, :]).sum() / (2 * 31**2 * y.mean())
    assert I.gini(y) == pytest.approx(pair, rel=1e-12)
    assert I.gini_weighted(y, np.ones(31)) == pytest.approx(pair, rel=1e-12)
    assert I.gini(y, small_sample=True) == pytest.approx(pair * 31 / 30, rel=1e-12)
    # population-weighted Theil = Σ (Y_i/Y) ln[(Y_i/Y)/(P_i/P)]
    s = P * y / (P * y).sum()
    assert I.theil_t(y, P) == pytest.approx((s * np.log(s / p)).sum(), rel=1e-12)
    assert I.theil_l(y, P) == pytest.approx((p * np.log(p / s)).sum(), rel=1e-12)
    assert I.theil_l(y) == pytest.approx(np.mean(np.log(y.mean() / y)), rel=1e-12)


def test_equal_values_give_zero_and_bad_inputs_raise():
    y = np.full(6, 5.0)
    rows = I.inequality_rows(y, np.arange(1, 7.0), np.array(list("aabbcc")))
    shares = ("_share", "_contrib", "dagum_pj", "dagum_sj")  # population / income shares
    assert all(abs(v) < 1e-12 for m, _, v in rows if not m.endswith(shares))
    assert I.cv(y) == 0 and I.gini(y) == 0
    with pytest.raises(ValueError, match="y ≥ 0"):
        I.gini([1.0, -1.0, 3.0])
    with pytest.raises(ValueError, match="positive mean"):
        I.gini([0.0, 0.0])
    with pytest.raises(ValueError, match="Theil L requires y > 0"):
        I.theil_l([0.0, 1.0])
    assert I.theil_l([0.0, 1.0], zero_replace=1e-12) > 0
    with pytest.raises(ValueError, match="Theil L"):
        I.inequality_rows(np.array([0.0, 1.0, 2.0]))
    rows = dict(
        (m, v) for m, g, v in I.inequality_rows(np.array([0.0, 1.0, 2.0]), l_nonpositive="nan")
    )
    assert np.isnan(rows["theil_l"]) and rows["theil_t"] > 0
    with pytest.raises(ValueError, match="missing"):
        I.cv([1.0, np.nan])


def test_inequality_long_by_period():
    df = pl.DataFrame(
        {
            "year": [2000] * 4 + [2001] * 4,
            "v": [1.0, 2, 3, 4, 2, 2, 2, 2],
            "w": [1.0, 1, 2, 2] * 2,
            "g": ["a", "a", "b", "b"] * 2,
        }
    )
    out = I.inequality_long(df, "v", weight="w", group="g", period="year")
    assert out.columns == ["period", "measure", "group", "value"]
    y01 = out.filter(pl.col("period") == 2001, pl.col("group").is_null())
    assert y01.filter(~pl.col("measure").str.contains("share"))["value"].abs().max() < 1e-12
    assert {"dagum_gjh", "dagum_djh", "theil_t_weighted_between"} <= set(out["measure"])
    with pytest.raises(ValueError, match="missing"):
        I.inequality_long(df.with_columns(pl.lit(None).alias("v")), "v", period="year")


def test_region_schemes():
    assert len(NBS4) == 31 and len(THREE_BELT) == 31
    assert NBS4["21"] == "Northeast" and THREE_BELT["21"] == "East"
    assert THREE_BELT["22"] == THREE_BELT["23"] == "Central"
    assert sorted(set(NBS4.values())) == ["Central", "East", "Northeast", "West"]
    assert sum(v == "East" for v in NBS4.values()) == 10
    assert sum(v == "West" for v in NBS4.values()) == 12
    assert region_mapping("belt3_1986")["45"] == "East"
    with pytest.raises(ValueError, match="unknown region scheme"):
        region_mapping("nbs5")
    with pytest.raises(ValueError, match="no province code"):
        regions_of(["71"])
