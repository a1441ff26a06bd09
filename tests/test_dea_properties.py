"""DEA internal-consistency checks (METHODS §11) and back-end agreement (METHODS §0).

Cross-checks against scipy.optimize.linprog(method="highs") full LPs, cvxpy vs direct HiGHS
to 1e-9, and the game cross-efficiency properties (α ≤ θ, start-vector independence)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import linprog

from measures.dea import (
    cross_efficiency,
    game_cross_efficiency,
    game_lp_value,
    game_lp_values,
    radial_efficiency,
    sbm,
    super_sbm,
)
from measures.dea.crosseff import scale_by_means


def _data(n=40, m=3, s=2, seed=3):
    rng = np.random.default_rng(seed)
    return rng.uniform(1, 10, (n, m)), rng.uniform(1, 10, (n, s))


def _linprog_theta(X, Y, o, orientation, rts, exclude=False):
    n, m = X.shape
    s = Y.shape[1]
    c = np.r_[1.0 if orientation == "input" else -1.0, np.zeros(n)]
    if orientation == "input":
        A = np.r_[np.c_[-X[o][:, None], X.T], np.c_[np.zeros((s, 1)), -Y.T]]
        b = np.r_[np.zeros(m), -Y[o]]
    else:
        A = np.r_[np.c_[np.zeros((m, 1)), X.T], np.c_[Y[o][:, None], -Y.T]]
        b = np.r_[X[o], np.zeros(s)]
    Aeq = beq = None
    row = np.r_[0.0, np.ones(n)][None]
    if rts == "vrs":
        Aeq, beq = row, [1.0]
    elif rts == "nirs":
        A, b = np.r_[A, row], np.r_[b, 1.0]
    elif rts == "ndrs":
        A, b = np.r_[A, -row], np.r_[b, -1.0]
    bounds = [(None, None)] + [(0, None)] * n
    if exclude:
        bounds[1 + o] = (0, 0)
    r = linprog(c, A, b, Aeq, beq, bounds=bounds, method="highs")
    return r.x[0] if r.status == 0 else np.nan


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
@pytest.mark.parametrize("exclude", [False, True])
def test_radial_matches_linprog_and_cvxpy(orientation, rts, exclude):
    X, Y = _data(30)
    hs = radial_efficiency(
        X, Y, orientation=orientation, rts=rts, exclude_self=exclude, two_phase=True
    )
    cv = radial_efficiency(
        X, Y, orientation=orientation, rts=rts, exclude_self=exclude, two_phase=True,
        backend="cvxpy",
    )  # fmt: skip
    ref = np.array([_linprog_theta(X, Y, o, orientation, rts, exclude) for o in range(30)])
    assert np.array_equal(np.isnan(hs.score), np.isnan(ref))
    assert np.array_equal(hs.status, cv.status)
    np.testing.assert_allclose(hs.score, ref, atol=1e-7, equal_nan=True)  # linprog default tol
    # the two back ends of METHODS §0 agree to 1e-9 (scores and max-slacks)
    np.testing.assert_allclose(hs.score, cv.score, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(hs.slack_in, cv.slack_in, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(hs.slack_out, cv.slack_out, atol=1e-9, equal_nan=True)
    # infeasible → NaN + status, never Inf or 1
    bad = hs.status != "optimal"
    assert np.all(np.isnan(hs.score[bad])) and np.all(np.isfinite(hs.score[~bad]))


def test_column_generation_large_vs_full_and_threads():
    X, Y = _data(600, seed=11)
    a = radial_efficiency(X, Y, two_phase=True)
    b = radial_efficiency(X, Y, two_phase=True, n_jobs=2)
    ref = np.array([_linprog_theta(X, Y, o, "input", "crs") for o in range(0, 600, 37)])
    np.testing.assert_allclose(a.score[::37], ref, atol=1e-8)
    np.testing.assert_allclose(a.score, b.score, atol=1e-10)
    np.testing.assert_allclose(a.slack_in, b.slack_in, atol=1e-8)
    assert a.columns_used < 600  # columns were generated, not all loaded


def test_eval_points_outside_reference():
    X, Y = _data(30)
    own = radial_efficiency(X, Y).score
    r = radial_efficiency(X, Y, X * 0.5, Y * 1.2)  # CRS: θ(x/2, 1.2y) = 2.4 θ(x, y)
    np.testing.assert_allclose(r.score, 2.4 * own, atol=1e-10)
    r2 = radial_efficiency(X, Y, X * 2, Y)  # worse points: θ = own θ / 2
    np.testing.assert_allclose(r2.score, radial_efficiency(X, Y).score / 2, atol=1e-10)
    rv = radial_efficiency(X, Y, X * 0.1, Y * 3, rts="vrs")
    assert np.all(rv.status == "infeasible") and np.all(np.isnan(rv.score))


def test_section11_radial_properties():
    X, Y = _data(50, seed=5)
    crs_i = radial_efficiency(X, Y).score
    vrs_i = radial_efficiency(X, Y, rts="vrs").score
    crs_o = radial_efficiency(X, Y, orientation="output").score
    assert np.all(crs_i <= vrs_i + 1e-10)  # θ_CRS ≤ θ_VRS
    np.testing.assert_allclose(crs_i, 1 / crs_o, atol=1e-10)  # CRS input θ = 1/φ
    # super-efficiency: = efficiency for inefficient DMUs, ≥ 1 for efficient ones
    sup = radial_efficiency(X, Y, exclude_self=True).score
    ineff = crs_i < 1 - 1e-9
    np.testing.assert_allclose(sup[ineff], crs_i[ineff], atol=1e-10)
    assert np.all(sup[~ineff] >= 1 - 1e-10)
    # SBM ρ ≤ θ_CRS; SBM-efficient ⇔ ρ = 1; super-SBM δ ≥ 1 for them
    rho = sbm(X, Y).score
    assert np.all(rho <= crs_i + 1e-9)
    eff = rho >= 1 - 1e-9
    delta = super_sbm(X, Y).score
    assert np.all(delta[eff] >= 1 - 1e-9)


def test_vrs_super_efficiency_infeasible_is_nan():
    X = np.array([[2.0], [3.0], [4.0], [5.0]])
    Y = np.array([[1.0], [2.0], [3.0], [10.0]])  # DMU 4 has the largest output
    r = radial_efficiency(X, Y, rts="vrs", exclude_self=True)
    assert r.status[3] == "infeasible" and np.isnan(r.score[3])


def test_sbm_zero_data_convention():
    X = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 2.0]])
    Y = np.array([[1.0], [1.0], [1.0]])
    r = sbm(X, Y, orientation="input")
    assert r.zero_terms[0] == 1
    assert r.score[0] == pytest.approx(1.0)  # x = (1, 0) is on the frontier


def test_cross_efficiency_properties():
    X, Y = _data(25, seed=9)
    theta = radial_efficiency(X, Y).score
    for sec in ("aggressive", "benevolent"):
        ce = cross_efficiency(X, Y, secondary=sec)
        np.testing.assert_allclose(np.diag(ce.matrix), theta, atol=1e-8)  # E_dd = θ_d
        np.testing.assert_allclose(ce.theta, theta, atol=1e-9)
        assert np.all(ce.matrix <= 1 + 1e-9)
        full = cross_efficiency(X, Y, secondary=sec, reduce_rows=False)
        np.testing.assert_allclose(ce.scores, full.scores, atol=1e-8)
    agg = cross_efficiency(X, Y, secondary="aggressive")
    ben = cross_efficiency(X, Y, secondary="benevolent")
    # the secondary objective: aggregate efficiency of the others min (aggressive) ≤ max
    Xs, Ys = scale_by_means(X, Y)

    def others(ce):
        return np.array(
            [(ce.u[d] @ (Ys.sum(0) - Ys[d])) / (ce.v[d] @ (Xs.sum(0) - Xs[d])) for d in range(25)]
        )

    assert np.all(others(agg) <= others(ben) + 1e-9)
    ex = cross_efficiency(X, Y, include_self=False)
    np.testing.assert_allclose(
        ex.scores, (agg.matrix.sum(0) - np.diag(agg.matrix)) / 24, atol=1e-12
    )
    with pytest.warns(UserWarning, match="not unique"):
        cross_efficiency(X, Y, secondary="none")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = cross_efficiency(X, Y, rts="vrs")
    ok = v.status == "optimal"  # VRS secondary LPs can be unbounded (u0 free): flagged
    assert set(v.status[~ok]) <= {"secondary_unbounded"}
    vt = radial_efficiency(X, Y, rts="vrs").score
    np.testing.assert_allclose(np.diag(v.matrix)[ok], vt[ok], atol=1e-8)
    np.testing.assert_allclose(v.theta, vt, atol=1e-9)


def test_game_properties_and_start_independence():
    X, Y = _data(15, seed=2)
    theta = radial_efficiency(X, Y).score
    res = {
        start: game_cross_efficiency(X, Y, tol=1e-9, start=start)
        for start in ("aggressive", "benevolent", "ccr")
    }
    base = res["aggressive"].scores
    for r in res.values():
        assert r.converged
        np.testing.assert_allclose(r.scores, base, atol=1e-7)
        assert np.all(r.scores <= theta + 1e-8)
    plain = game_cross_efficiency(X, Y, tol=1e-9, accelerate=None)
    np.testing.assert_allclose(plain.scores, base, atol=1e-7)
    assert plain.iterations >= res["aggressive"].iterations
    assert plain.trace[-1] < 1e-9 and len(plain.trace) == plain.iterations
    full = game_cross_efficiency(X, Y, tol=1e-9, reduce_rows=False)
    np.testing.assert_allclose(full.scores, base, atol=1e-7)
    # the d = j column of α_dj is θ_j
    np.testing.assert_allclose(np.diag(res["aggressive"].alpha_matrix), theta, atol=1e-8)
    with pytest.raises(Exception, match="did not converge"):
        game_cross_efficiency(X, Y, tol=1e-12, max_iter=2)


def test_game_lp_builder_for_cc_malmquist():
    X, Y = _data(12, seed=4)
    g = game_cross_efficiency(X, Y, tol=1e-10)
    v = game_lp_values(X, Y, g.scores, X, Y)
    # evaluating the period's own data reproduces the converged α (§9.8 check)
    np.testing.assert_allclose(v.scores, g.scores, atol=1e-8)
    assert np.all(v.status == "optimal")
    val, st = game_lp_value(X, Y, g.scores, X[3], Y[3], d=5)
    assert st == "optimal"
    assert val == pytest.approx(v.value[5, 3], abs=1e-9)
    # another period's better observations can exceed 1
    w = game_lp_values(X, Y, g.scores, X * 0.5, Y)
    assert np.all(w.scores > g.scores)
