"""Malmquist properties (METHODS §9.7, §9.8, §11): identities, transitivity, neutrality of
identical periods, sequential no-regress, infeasibility handling, CC-Malmquist checks, and a
cross-check of every efficiency against an independent scipy.optimize.linprog(HiGHS)
implementation written from the formulas of §9.1/§9.7."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from measures.dea.game import game_cross_efficiency, game_lp_values
from measures.malmquist import cc_malmquist, malmquist

FRONTIERS = ("adjacent", "fixed", "global", "sequential")


def panel(n=12, T=4, m=2, s=2, seed=7):
    rng = np.random.default_rng(seed)
    X = np.empty((T, n, m))
    Y = np.empty((T, n, s))
    X[0] = rng.uniform(10, 100, (n, m))
    Y[0] = rng.uniform(10, 100, (n, s))
    for t in range(1, T):
        X[t] = X[t - 1] * rng.uniform(0.9, 1.1, (n, m))
        Y[t] = Y[t - 1] * rng.uniform(0.9, 1.25, (n, s))
    return X, Y


def farrell_lp(Xr, Yr, xo, yo, orientation, rts):
    """θ (input) or 1/φ (output) by scipy linprog; NaN if infeasible."""
    n = Xr.shape[0]
    c = np.r_[1.0 if orientation == "input" else -1.0, np.zeros(n)]
    if orientation == "input":  # Xr'λ − θx ≤ 0; −Yr'λ ≤ −y
        A = np.r_[np.c_[-xo[:, None], Xr.T], np.c_[np.zeros((len(yo), 1)), -Yr.T]]
        b = np.r_[np.zeros(len(xo)), -yo]
    else:  # Xr'λ ≤ x; φy − Yr'λ ≤ 0
        A = np.r_[np.c_[np.zeros((len(xo), 1)), Xr.T], np.c_[yo[:, None], -Yr.T]]
        b = np.r_[xo, np.zeros(len(yo))]
    eq = dict(A_eq=np.r_[0.0, np.ones(n)][None, :], b_eq=[1.0]) if rts == "vrs" else {}
    r = linprog(c, A_ub=A, b_ub=b, bounds=[(None, None)] + [(0, None)] * n, method="highs", **eq)
    if r.status != 0:
        return np.nan
    return r.x[0] if orientation == "input" else 1.0 / r.x[0]


def reference_malmquist(X, Y, orientation, frontier, rd, base=0):
    """Straight from METHODS §9.7, one LP at a time."""
    T, n = X.shape[:2]

    def tech(kind, t):
        if kind == "period":
            return X[t], Y[t]
        if kind == "seq":
            return X[: t + 1].reshape(-1, X.shape[2]), Y[: t + 1].reshape(-1, Y.shape[2])
        return X.reshape(-1, X.shape[2]), Y.reshape(-1, Y.shape[2])

    def e(kind, a, b, i, rts):
        Xr, Yr = tech(kind, a)
        return farrell_lp(Xr, Yr, X[b, i], Y[b, i], orientation, rts)

    out = {k: np.full((n, T - 1), np.nan) for k in ("mi", "ec", "tc", "pec", "sec")}
    own = "seq" if frontier == "sequential" else "period"
    for i, p in itertools.product(range(n), range(T - 1)):
        ec = e(own, p + 1, p + 1, i, "crs") / e(own, p, p, i, "crs")
        pec = e(own, p + 1, p + 1, i, "vrs") / e(own, p, p, i, "vrs")
        vals = {}
        for rts in ("crs", "vrs") if rd else ("crs",):
            if frontier in ("adjacent", "sequential"):
                k = "period" if frontier == "adjacent" else "seq"
                m = np.sqrt(
                    e(k, p, p + 1, i, rts)
                    / e(k, p, p, i, rts)
                    * e(k, p + 1, p + 1, i, rts)
                    / e(k, p + 1, p, i, rts)
                )
            else:
                k, a = ("period", base) if frontier == "fixed" else ("global", 0)
                m = e(k, a, p + 1, i, rts) / e(k, a, p, i, rts)
            vals[rts] = m
        mi = vals["crs"]
        if rd:
            tc, sec = vals["vrs"] / pec, mi / vals["vrs"]
            ec = pec * sec
        else:
            tc, sec = mi / ec, ec / pec
        for k, v in zip(out, (mi, ec, tc, pec, sec), strict=True):
            out[k][i, p] = v
    return out


# ------------------------------------------------------------------ cross-check vs linprog
@pytest.mark.parametrize("frontier", FRONTIERS)
@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("decomposition", ["fgnz", "rd"])
def test_matches_independent_linprog(frontier, orientation, decomposition):
    X, Y = panel(n=8, T=3, seed=11)
    ref = reference_malmquist(X, Y, orientation, frontier, decomposition == "rd", base=1)
    r = malmquist(
        X, Y, orientation=orientation, frontier=frontier, decomposition=decomposition, base=1
    )
    # a DMU-pair is infeasible exactly where an LP of the reference is infeasible
    bad = ~np.isfinite(ref["tc"])
    np.testing.assert_array_equal(r.status == "infeasible", bad)
    assert r.n_infeasible == bad.sum()
    for k, v in ref.items():
        got = getattr(r, k)
        np.testing.assert_allclose(got[~bad], v[~bad], rtol=1e-8, err_msg=k)
        # infeasible pairs: NaN for M and the affected components (never 1, never Inf)
        assert np.all(np.isnan(got[bad]) | (k == "pec")), k
    if decomposition == "fgnz":
        assert not bad.any()


# ------------------------------------------------------------------ identities
@pytest.mark.parametrize("frontier", FRONTIERS)
@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("decomposition", ["fgnz", "rd"])
def test_identities(frontier, orientation, decomposition):
    X, Y = panel(n=25, T=4, m=3, s=2, seed=3)
    r = malmquist(
        X, Y, orientation=orientation, frontier=frontier, decomposition=decomposition,
        infeasible="global",
    )  # fmt: skip
    assert np.all(np.isfinite(r.mi))
    np.testing.assert_allclose(r.mi, r.ec * r.tc, rtol=1e-12, atol=0)
    np.testing.assert_allclose(r.ec, r.pec * r.sec, rtol=1e-12, atol=0)
    np.testing.assert_allclose(r.mi, r.pec * r.sec * r.tc, rtol=1e-12, atol=0)


def test_rd_geometric_mean_forms():
    """RD components equal the explicit geometric-mean formulas of §9.7 (adjacent)."""
    X, Y = panel(n=15, T=3, seed=5)
    r = malmquist(X, Y, decomposition="rd", infeasible="nan")
    e = r.efficiencies
    with np.errstate(invalid="ignore"):
        se = {k: e[f"crs:{k}"] / e[f"vrs:{k}"] for k in ("A0", "A1", "B0", "B1")}
        tcv = np.sqrt(e["vrs:A1"] / e["vrs:B1"] * e["vrs:A0"] / e["vrs:B0"]).T
        sch = np.sqrt(se["A1"] / se["A0"] * se["B1"] / se["B0"]).T
    ok = r.status == "optimal"
    np.testing.assert_allclose(r.tc[ok], tcv[ok], rtol=1e-12)
    np.testing.assert_allclose(r.sec[ok], sch[ok], rtol=1e-12)
    fg = malmquist(X, Y)
    np.testing.assert_allclose(r.mi[ok], fg.mi[ok], rtol=1e-12)
    np.testing.assert_allclose(r.pec, fg.pec, rtol=1e-12)


def test_global_is_transitive():
    X, Y = panel(n=20, T=5, seed=9)
    r = malmquist(X, Y, frontier="global")
    G = np.vstack([r.mi[:, 0] * 0 + 1, np.cumprod(r.mi, axis=1).T])  # chained
    # direct comparison t → t+k from the global efficiencies equals the chained product
    eg = r.efficiencies["crs:A0"]  # e^G(p), p = 0..T-2
    eg_last = r.efficiencies["crs:A1"][-1]
    eG = np.vstack([eg, eg_last])
    for a, b in [(0, 2), (1, 4), (0, 4)]:
        np.testing.assert_allclose(np.prod(r.mi[:, a:b], axis=1), eG[b] / eG[a], rtol=1e-12)
    np.testing.assert_allclose(r.cumulative()["mi"][:, -1], eG[-1] / eG[0], rtol=1e-12)
    assert G.shape[0] == 5


def test_fixed_base_is_transitive_and_base_matters():
    X, Y = panel(n=15, T=4, seed=2)
    r0 = malmquist(X, Y, frontier="fixed", base=0)
    e = r0.efficiencies["crs:A0"]
    eB = np.vstack([e, r0.efficiencies["crs:A1"][-1]])
    np.testing.assert_allclose(r0.cumulative()["mi"][:, -1], eB[-1] / eB[0], rtol=1e-12)
    r2 = malmquist(X, Y, frontier="fixed", base=2)
    assert not np.allclose(r0.mi, r2.mi)


def test_identical_periods_are_neutral():
    X, Y = panel(n=10, T=2, seed=4)
    X[1], Y[1] = X[0], Y[0]
    for frontier in FRONTIERS:
        for dec in ("fgnz", "rd"):
            r = malmquist(X, Y, frontier=frontier, decomposition=dec)
            for k in ("mi", "ec", "tc", "pec", "sec"):
                np.testing.assert_allclose(getattr(r, k), 1.0, atol=1e-12, err_msg=(frontier, k))


def test_sequential_has_no_technical_regress():
    X, Y = panel(n=20, T=5, seed=8)
    # make period 2 a bad year for everybody: the contemporaneous frontier regresses
    Y[2] *= 0.7
    adj = malmquist(X, Y)
    seq = malmquist(X, Y, frontier="sequential")
    assert np.any(adj.tc < 1 - 1e-6)
    assert np.all(seq.tc >= 1 - 1e-9)


def test_orientation_independence_under_crs():
    X, Y = panel(n=15, T=3, seed=12)
    for frontier in FRONTIERS:
        a = malmquist(X, Y, frontier=frontier, orientation="input")
        b = malmquist(X, Y, frontier=frontier, orientation="output")
        np.testing.assert_allclose(a.mi, b.mi, rtol=1e-9)
        np.testing.assert_allclose(a.ec, b.ec, rtol=1e-9)


def test_scale_invariance_of_units():
    X, Y = panel(n=12, T=3, seed=13)
    a = malmquist(X, Y)
    b = malmquist(X * np.array([1e4, 1e-3]), Y * np.array([7.0, 1e5]))
    for k in ("mi", "ec", "tc", "pec", "sec"):
        np.testing.assert_allclose(getattr(a, k), getattr(b, k), rtol=1e-9)


# ------------------------------------------------------------------ infeasibility
def _rd_with_infeasible():
    X, Y = panel(n=15, T=3, seed=5)
    # a DMU whose period-1 output exceeds everything of period 0: VRS e^0(1) infeasible
    Y[1, 0] = Y[0].max(axis=0) * 1.5
    return X, Y


def test_infeasible_nan_is_counted_listed_and_never_one():
    X, Y = _rd_with_infeasible()
    r = malmquist(X, Y, decomposition="rd", orientation="input")
    assert r.n_infeasible >= 1
    bad = r.status == "infeasible"
    assert bad.sum() == r.n_infeasible
    assert bad[0, 0]
    assert np.all(np.isnan(r.mi[bad])) and np.all(np.isnan(r.tc[bad]))
    assert np.all(np.isfinite(r.pec[bad]))  # within-period VRS LPs are always feasible
    assert not np.any(np.isinf(r.mi))
    case = next(c for c in r.infeasible_cases if c["dmu"] == 0 and c["period_from"] == 0)
    assert "vrs" in case["lps"] and "infeasible" in case["lps"]
    # averages containing an infeasible pair are NaN under "nan" ...
    assert np.isnan(r.by_period()["mi"][0])
    assert np.isnan(r.by_dmu()["mi"][0])
    # ... and skip the row under "drop" (values unchanged)
    d = malmquist(X, Y, decomposition="rd", infeasible="drop")
    np.testing.assert_array_equal(np.isnan(d.mi), np.isnan(r.mi))
    bp = d.by_period()
    assert np.isfinite(bp["mi"][0]) and bp["n"][0] == 15 - bad[:, 0].sum()
    ok = ~bad[:, 0]
    gm = np.exp(np.mean(np.log(d.mi[ok, 0])))
    assert bp["mi"][0] == pytest.approx(gm, rel=1e-12)


def test_infeasible_global_fallback():
    X, Y = _rd_with_infeasible()
    r = malmquist(X, Y, decomposition="rd", infeasible="global")
    g = malmquist(X, Y, decomposition="rd", frontier="global")
    fb = r.status == "global_fallback"
    assert fb[0, 0] and r.n_infeasible == fb.sum()
    for k in ("mi", "ec", "tc", "pec", "sec"):
        np.testing.assert_allclose(getattr(r, k)[fb], getattr(g, k)[fb], rtol=1e-10)
    np.testing.assert_allclose(r.mi, r.ec * r.tc, rtol=1e-12)
    np.testing.assert_allclose(r.ec, r.pec * r.sec, rtol=1e-12)


def test_fgnz_never_infeasible_on_positive_data():
    X, Y = _rd_with_infeasible()
    for frontier in FRONTIERS:
        r = malmquist(X, Y, frontier=frontier)
        assert r.n_infeasible == 0 and np.all(np.isfinite(r.mi))


def test_rejects_non_positive_and_bad_options():
    X, Y = panel(n=5, T=2)
    X[1, 2, 0] = 0.0
    with pytest.raises(ValueError, match="positive"):
        malmquist(X, Y)
    X, Y = panel(n=5, T=2)
    with pytest.raises(ValueError, match="frontier"):
        malmquist(X, Y, frontier="window")
    with pytest.raises(ValueError, match="two periods"):
        malmquist(X[:1], Y[:1])


# ------------------------------------------------------------------ summaries
def test_summaries_are_geometric_means():
    X, Y = panel(n=10, T=4, seed=21)
    r = malmquist(X, Y)
    bp, bd = r.by_period(), r.by_dmu()
    gm = lambda v: float(np.exp(np.mean(np.log(v))))  # noqa: E731
    for k in ("mi", "ec", "tc", "pec", "sec"):
        v = getattr(r, k)
        np.testing.assert_allclose(bp[k][:-1].to_numpy(), [gm(v[:, p]) for p in range(3)])
        np.testing.assert_allclose(bd[k][:-1].to_numpy(), [gm(v[i]) for i in range(10)])
        assert bp[k][-1] == pytest.approx(gm(v.ravel()), rel=1e-12)
        assert bd[k][-1] == pytest.approx(gm(v.ravel()), rel=1e-12)
    s = r.summary()
    assert s.filter(s["scope"] == "period").height == 3
    assert s.filter(s["scope"] == "dmu").height == 10
    assert s.filter(s["scope"] == "all").height == 1
    cum = r.cumulative()
    np.testing.assert_allclose(cum["mi"][:, -1], np.prod(r.mi, axis=1), rtol=1e-12)
    tab = r.table(cumulative=True)
    assert tab.columns[:9] == [
        "dmu", "period_from", "period_to", "mi", "ec", "tc", "pec", "sec", "status",
    ]  # fmt: skip
    assert "cum_mi" in tab.columns and tab.height == 30


# ------------------------------------------------------------------ CC-Malmquist (§9.8)
@pytest.fixture(scope="module")
def cc_data():
    return panel(n=8, T=3, m=2, s=2, seed=31)


def test_cc_identities_and_lp_count(cc_data):
    X, Y = cc_data
    r = malmquist(X, Y, cross_efficiency=True, game_tol=1e-10)
    cc = r.cc
    np.testing.assert_allclose(cc.cc_mi, cc.ec_cc * cc.tc_cc, rtol=1e-12, atol=0)
    n, P = 8, 2
    assert cc.lp_count >= 2 * n * n * P
    assert set(cc.status.ravel()) == {"optimal"}
    # G^a(a) = the period-a game scores, and the cross-period LP at b = a reproduces them
    for a in range(3):
        g = game_cross_efficiency(X[a], Y[a], tol=1e-10)
        np.testing.assert_allclose(cc.g_own[a], g.scores, atol=1e-9)
        own = game_lp_values(X[a], Y[a], g.scores, X[a], Y[a]).scores
        np.testing.assert_allclose(own, g.scores, atol=1e-8)
    # game scores never exceed CCR efficiency
    np.testing.assert_array_less(cc.g_own, r.efficiencies["crs:own"] + 1e-8)
    tab = r.table()
    assert {"cc_mi", "ec_cc", "tc_cc", "cc_status"} <= set(tab.columns)
    assert {"cc_mi", "ec_cc", "tc_cc"} <= set(r.by_period().columns)


def test_cc_start_vector_independence(cc_data):
    X, Y = cc_data
    runs = [cc_malmquist(X, Y, tol=1e-10, start=s) for s in ("aggressive", "benevolent", "ccr")]
    for other in runs[1:]:
        for k in ("cc_mi", "ec_cc", "tc_cc"):
            np.testing.assert_allclose(getattr(other, k), getattr(runs[0], k), atol=1e-7)


def test_cc_single_output_single_input_equals_ccr():
    """With one input and one output every weight vector gives the CCR ratio, so the game
    scores are the CCR scores and CC-Malmquist equals the CRS Malmquist index."""
    rng = np.random.default_rng(3)
    X = rng.uniform(1, 10, (3, 6, 1))
    Y = rng.uniform(1, 10, (3, 6, 1))
    r = malmquist(X, Y, cross_efficiency=True, game_tol=1e-10)
    np.testing.assert_allclose(r.cc.cc_mi, r.mi, rtol=1e-8)
    np.testing.assert_allclose(r.cc.ec_cc, r.ec, rtol=1e-8)


def test_cc_identical_periods_neutral():
    X, Y = panel(n=7, T=2, seed=41)
    X[1], Y[1] = X[0], Y[0]
    cc = cc_malmquist(X, Y, tol=1e-10)
    np.testing.assert_allclose(cc.cc_mi, 1.0, atol=1e-8)
    np.testing.assert_allclose(cc.ec_cc, 1.0, atol=1e-12)
