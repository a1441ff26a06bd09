"""Malmquist index against published / independently computed tables (METHODS §9.7).

1. DEAP 2.1 example EG4 (Coelli 1996, "A Guide to DEAP Version 2.1", CEPA WP 96/08; also
   Coelli, Rao, O'Donnell & Battese 2005, ch. 11): 5 firms, 3 years, 1 output, 1 input,
   output-orientated Malmquist DEA. Printed output "EG4-out.txt" (DEAP's distribution, as
   mirrored at jthuang.nccu.edu.tw/filedownload/495:EG4-out.txt): DISTANCES SUMMARY (crs te
   relative to the technology of t−1, t, t+1 and vrs te), MALMQUIST INDEX SUMMARY per year
   and the SUMMARY OF ANNUAL MEANS (year 2: 0.844 1.333 0.955 0.883 1.125; year 3: all
   1.000; mean 0.918 1.155 0.977 0.940 1.061 — the annual-means table is also quoted in
   full at m.pinggu.org/bbs/thread-3062190-1-1.html). Printed to 3 decimals, so the
   tolerance is half a unit of the last digit (DEAP prints 0.5625 as 0.562).
   The data (eg4-dta.txt, output then input, year by year) reproduce every printed
   distance, which confirms them.
2. DataEnvelopmentAnalysis.jl (J. Barbero, test/malmquist.jl): 5 DMUs, 1 input, 1 output,
   2 and 3 periods, input orientation, CRS, M / EC / TC printed to 1e-7…1e-10.
"""

from __future__ import annotations

import numpy as np
import pytest

from measures.malmquist import malmquist

# eg4-dta.txt: (output, input) for firms 1..5 in years 1, 2, 3
EG4_Y = np.array([[1, 2, 3, 4, 5], [1, 3, 4, 3, 5], [1, 3, 4, 3, 5]], dtype=float)
EG4_X = np.array([[2, 4, 3, 5, 6], [2, 4, 3, 5, 5], [2, 4, 3, 5, 5]], dtype=float)

# DISTANCES SUMMARY: per year, rows firm 1..5, columns crs te rel. to t-1, t, t+1, vrs te
# (0.000 = "not defined" in DEAP's print: year 1 has no t-1, year 3 no t+1)
EG4_DIST = {
    1: [
        [0.000, 0.500, 0.375, 1.000],
        [0.000, 0.500, 0.375, 0.545],
        [0.000, 1.000, 0.750, 1.000],
        [0.000, 0.800, 0.600, 0.923],
        [0.000, 0.833, 0.625, 1.000],
    ],
    2: [
        [0.500, 0.375, 0.375, 1.000],
        [0.750, 0.563, 0.563, 0.667],
        [1.333, 1.000, 1.000, 1.000],
        [0.600, 0.450, 0.450, 0.600],
        [1.000, 0.750, 0.750, 1.000],
    ],
    3: [
        [0.375, 0.375, 0.000, 1.000],
        [0.563, 0.563, 0.000, 0.667],
        [1.000, 1.000, 0.000, 1.000],
        [0.450, 0.450, 0.000, 0.600],
        [0.750, 0.750, 0.000, 1.000],
    ],
}
EG4_DIST_MEAN = {
    1: [0.000, 0.727, 0.545, 0.894],
    2: [0.837, 0.628, 0.628, 0.853],
    3: [0.628, 0.628, 0.000, 0.853],
}
# MALMQUIST INDEX SUMMARY, year 2: firm rows effch techch pech sech tfpch, then the mean
EG4_YEAR2 = [
    [0.750, 1.333, 1.000, 0.750, 1.000],
    [1.125, 1.333, 1.222, 0.920, 1.500],
    [1.000, 1.333, 1.000, 1.000, 1.333],
    [0.562, 1.333, 0.650, 0.865, 0.750],
    [0.900, 1.333, 1.000, 0.900, 1.200],
]
EG4_YEAR3 = [[1.000] * 5] * 5
# SUMMARY OF ANNUAL MEANS (geometric means): year 2, year 3, mean
EG4_ANNUAL = [
    [0.844, 1.333, 0.955, 0.883, 1.125],
    [1.000, 1.000, 1.000, 1.000, 1.000],
    [0.918, 1.155, 0.977, 0.940, 1.061],
]
HALF_UNIT = 5e-4 + 1e-9  # half a unit in the 3rd printed decimal

DEAP_ORDER = ("ec", "tc", "pec", "sec", "mi")  # effch techch pech sech tfpch


@pytest.fixture(scope="module")
def eg4():
    return malmquist(EG4_X[..., None], EG4_Y[..., None], orientation="output")


def test_eg4_distances_summary(eg4):
    e = eg4.efficiencies
    T = 3
    for year in (1, 2, 3):
        t = year - 1
        # DEAP's columns: year-t data against the technology of t−1, t, t+1, and VRS te.
        # For the pair p = (p, p+1): A1[p] = e^{p}(p+1) and B0[p] = e^{p+1}(p), so
        # e^{t−1}(t) = A1[t−1] and e^{t+1}(t) = B0[t]; 0 where DEAP prints "not defined".
        ours = np.zeros((5, 4))
        if t > 0:
            ours[:, 0] = e["crs:A1"][t - 1]
        ours[:, 1] = e["crs:own"][t]
        if t < T - 1:
            ours[:, 2] = e["crs:B0"][t]
        ours[:, 3] = e["vrs:own"][t]
        np.testing.assert_allclose(ours, EG4_DIST[year], atol=HALF_UNIT, rtol=0)
        np.testing.assert_allclose(ours.mean(axis=0), EG4_DIST_MEAN[year], atol=HALF_UNIT)


def test_eg4_malmquist_index_summary(eg4):
    for p, table in enumerate((EG4_YEAR2, EG4_YEAR3)):
        ours = np.column_stack([getattr(eg4, k)[:, p] for k in DEAP_ORDER])
        np.testing.assert_allclose(ours, table, atol=HALF_UNIT, rtol=0)


def test_eg4_annual_means(eg4):
    bp = eg4.by_period()
    ours = np.column_stack([bp[k].to_numpy() for k in DEAP_ORDER])
    np.testing.assert_allclose(ours, EG4_ANNUAL, atol=HALF_UNIT, rtol=0)
    # DEAP's firm-means table ends with the same overall geometric mean
    bd = eg4.by_dmu()
    np.testing.assert_allclose(
        [bd[k][-1] for k in DEAP_ORDER], EG4_ANNUAL[-1], atol=HALF_UNIT, rtol=0
    )
    np.testing.assert_allclose([bd[k][-1] for k in DEAP_ORDER], [bp[k][-1] for k in DEAP_ORDER])
    assert eg4.n_infeasible == 0 and set(eg4.status.ravel()) == {"optimal"}


def test_eg4_exact_values(eg4):
    """The 1-input/1-output frontier is a ray, so every printed number has a closed form
    (ratio y/x over the best ratio): check to 1e-12, not just 3 decimals."""
    r = EG4_Y / EG4_X
    best = r.max(axis=1)
    np.testing.assert_allclose(eg4.efficiencies["crs:own"], r / best[:, None], rtol=1e-12)
    np.testing.assert_allclose(eg4.mi[:, 0], r[1] / r[0], rtol=1e-12)
    np.testing.assert_allclose(eg4.tc[:, 0], best[1] / best[0], rtol=1e-12)
    np.testing.assert_allclose(eg4.pec[1, 0], (3 / 4.5) / (2 / (3 + 2 / 3)), rtol=1e-12)


def test_eg4_orientation_independent_under_crs(eg4):
    """Input orientation gives the same CRS index (METHODS §9.7); only PEC/SEC differ."""
    inp = malmquist(EG4_X[..., None], EG4_Y[..., None], orientation="input")
    for k in ("mi", "ec", "tc"):
        np.testing.assert_allclose(getattr(inp, k), getattr(eg4, k), rtol=1e-12)


# ------------------------------------------------------------ DataEnvelopmentAnalysis.jl
JL_X = np.array([[2, 3, 5, 4, 4], [1, 2, 4, 3, 4], [0.5, 1.5, 3, 2, 4]], dtype=float)
JL_Y = np.array([[1, 4, 6, 3, 5], [1, 4, 6, 3, 3], [2, 4, 6, 3, 1]], dtype=float)
JL_M = [[2.0, 4.0], [1.5, 1.3333333], [1.25, 1.3333333], [1.3333333333, 1.5], [0.6, 0.3333333]]
JL_EC = [
    [1.3333333333, 2.0],
    [1.0, 0.6666667],
    [0.8333333333, 0.6666667],
    [0.8888888889, 0.75],
    [0.4, 0.1666667],
]
JL_TC = [[1.5, 2.0]] * 5


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_dea_jl_three_periods(orientation):
    r = malmquist(JL_X[..., None], JL_Y[..., None], orientation=orientation)
    np.testing.assert_allclose(r.mi, JL_M, atol=1e-7)
    np.testing.assert_allclose(r.ec, JL_EC, atol=1e-7)
    np.testing.assert_allclose(r.tc, JL_TC, atol=1e-12)


def test_dea_jl_two_periods():
    r = malmquist(JL_X[:2, :, None], JL_Y[:2, :, None])
    np.testing.assert_allclose(r.mi[:, 0], [2.0, 1.5, 1.25, 4 / 3, 0.6], atol=1e-10)
    np.testing.assert_allclose(r.ec[:, 0], [4 / 3, 1.0, 5 / 6, 8 / 9, 0.4], atol=1e-10)
