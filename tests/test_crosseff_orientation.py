"""Output-oriented cross-efficiency and the Lim–Zhu (2015) VRS correction (METHODS §9.5.1).

No published matrix for these variants was found offline (deaR's examples print no output;
the Lim & Zhu 2015 table is not available here). The checks are independent computations:
each rater's primal and secondary-goal optimum is re-solved with scipy.optimize.linprog from
a formulation written here (not the engine's), and compared with the ratio the engine's
weights attain (unique even when the weights are not); plus exact identities (CRS output
aggressive = reciprocal of CRS input aggressive optimum; E_dj ≥ 1 for output; Lim–Zhu E in
[0, 1] with θ_VRS on the diagonal).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from measures.dea.crosseff import cross_efficiency, scale_by_means
from measures.dea.radial import radial_efficiency

EG1_X = np.array([[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]], dtype=float)
EG1_Y = np.array([[1], [2], [3], [1], [2]], dtype=float)


def _data(seed=3, n=12):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (n, 2))
    Y = np.c_[X.sum(1) ** 0.7 * rng.uniform(0.5, 1, n), rng.uniform(1, 5, n)]
    return X, Y


def _lp(c, A_ub, b_ub, A_eq, b_eq, bounds, maximise):
    r = linprog(-c if maximise else c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq,
                bounds=bounds, method="highs")  # fmt: skip
    if r.status == 3:
        return np.inf
    assert r.status == 0
    return -r.fun if maximise else r.fun


def _output_secondary(Xs, Ys, d, vrs, maximise):
    """Independent: φ_d, then max/min Σ_{j≠d}(v'x_j+v0) s.t. Σ_{j≠d}u'y_j = 1, v'x_d+v0 = φ u'y_d."""
    n, m = Xs.shape
    s = Ys.shape[1]
    k = 1 if vrs else 0
    bounds = [(0, None)] * (m + s) + [(None, None)] * k
    rows = np.hstack([-Xs, Ys, -np.ones((n, k))])  # u'y − v'x − v0 ≤ 0
    phi = _lp(np.r_[Xs[d], np.zeros(s), np.ones(k)], rows, np.zeros(n),
              np.r_[np.zeros(m), Ys[d], np.zeros(k)][None], [1.0], bounds, False)  # fmt: skip
    o = np.arange(n) != d
    eq = np.vstack([np.r_[np.zeros(m), Ys[o].sum(0), np.zeros(k)],
                    np.r_[Xs[d], -phi * Ys[d], np.ones(k)]])  # fmt: skip
    val = _lp(np.r_[Xs[o].sum(0), np.zeros(s), (n - 1) * np.ones(k)], rows, np.zeros(n), eq,
              [1.0, 0.0], bounds, maximise)  # fmt: skip
    return phi, val


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("secondary", ["aggressive", "benevolent"])
def test_output_orientation_against_linprog(rts, secondary):
    X, Y = _data()
    r = cross_efficiency(X, Y, orientation="output", rts=rts, secondary=secondary)
    Xs, Ys = scale_by_means(X, Y)
    n = X.shape[0]
    phi_ref = radial_efficiency(X, Y, orientation="output", rts=rts).score
    np.testing.assert_allclose(r.theta, phi_ref, rtol=1e-8)
    ok = r.status == "optimal"
    np.testing.assert_allclose(np.diag(r.matrix)[ok], phi_ref[ok], rtol=1e-8)
    assert np.all(r.matrix[ok] >= 1 - 1e-9) and np.isnan(r.matrix[~ok]).all()
    for d in range(n):
        phi, val = _output_secondary(Xs, Ys, d, rts == "vrs", secondary == "aggressive")
        if not ok[d]:  # VRS aggressive can be unbounded through v0: both solvers say so
            assert r.status[d] == "secondary_unbounded" and val == np.inf, d
            continue
        o = np.arange(n) != d
        v0 = r.u0[d] if r.u0 is not None else 0.0
        ours = (r.v[d] @ Xs[o].sum(0) + (n - 1) * v0) / (r.u[d] @ Ys[o].sum(0))
        assert ours == pytest.approx(val, rel=1e-7), d


def test_crs_output_aggressive_is_reciprocal_of_input_aggressive_optimum():
    Xs, Ys = scale_by_means(EG1_X, EG1_Y)
    ri = cross_efficiency(EG1_X, EG1_Y, secondary="aggressive")
    ro = cross_efficiency(EG1_X, EG1_Y, secondary="aggressive", orientation="output")
    n = 5
    for d in range(n):
        o = np.arange(n) != d
        rin = (ri.u[d] @ Ys[o].sum(0)) / (ri.v[d] @ Xs[o].sum(0))
        rout = (ro.v[d] @ Xs[o].sum(0)) / (ro.u[d] @ Ys[o].sum(0))
        assert rin * rout == pytest.approx(1.0, rel=1e-8)
    np.testing.assert_allclose(ro.theta, 1 / ri.theta, rtol=1e-9)


def _lz_secondary(Xs, Ys, d, theta, maximise):
    """Independent Lim–Zhu aggressive/benevolent: min/max u'Σy_j s.t. Σ_{j≠d}(v'x_j+u0) = 1,
    u'y_d − u0 = θ v'x_d, u'y_l − v'x_l − u0 ≤ 0."""
    n, m = Xs.shape
    s = Ys.shape[1]
    o = np.arange(n) != d
    rows = np.hstack([-Xs, Ys, -np.ones((n, 1))])
    eq = np.vstack([np.r_[Xs[o].sum(0), np.zeros(s), n - 1.0],
                    np.r_[-theta * Xs[d], Ys[d], -1.0]])  # fmt: skip
    bounds = [(0, None)] * (m + s) + [(None, None)]
    return _lp(np.r_[np.zeros(m), Ys[o].sum(0), 0.0], rows, np.zeros(n), eq, [1.0, 0.0],
               bounds, maximise)  # fmt: skip


@pytest.mark.parametrize("secondary", ["aggressive", "benevolent"])
def test_lim_zhu_against_linprog_and_range(secondary):
    X, Y = _data(seed=5)
    raw = cross_efficiency(X, Y, rts="vrs", secondary=secondary)
    lz = cross_efficiency(X, Y, rts="vrs", secondary=secondary, correction="lim-zhu")
    theta = radial_efficiency(X, Y, rts="vrs").score
    np.testing.assert_allclose(np.diag(lz.matrix), theta, rtol=1e-9)
    E = lz.matrix[np.isfinite(lz.matrix)]
    assert np.all(E >= -1e-12) and np.all(E <= 1 + 1e-6)
    assert np.isnan(lz.matrix).sum() == 0 or "0/0" in lz.note
    Xs, Ys = scale_by_means(X, Y)
    n = X.shape[0]
    for d in range(n):
        o = np.arange(n) != d
        val = _lz_secondary(Xs, Ys, d, theta[d], secondary == "benevolent")
        ours = (lz.u[d] @ Ys[o].sum(0)) / (lz.v[d] @ Xs[o].sum(0) + (n - 1) * lz.u0[d])
        assert ours == pytest.approx(val, rel=1e-7, abs=1e-8), d
    assert raw.note != lz.note


def test_lim_zhu_arbitrary_removes_negative_values():
    X, Y = _data(seed=5)
    with pytest.warns(UserWarning):
        raw = cross_efficiency(X, Y, rts="vrs", secondary="none")
    with pytest.warns(UserWarning):
        lz = cross_efficiency(X, Y, rts="vrs", secondary="none", correction="lim-zhu")
    E = lz.matrix
    u, v, u0 = lz.u, lz.v, lz.u0
    Xs, Ys = scale_by_means(X, Y)
    expect = (u @ Ys.T) / (v @ Xs.T + u0[:, None])
    np.fill_diagonal(expect, lz.theta)
    np.testing.assert_allclose(E, expect, rtol=1e-12)
    assert np.all(E[np.isfinite(E)] >= -1e-12)
    assert np.nanmin(raw.matrix) < 0  # the uncorrected VRS matrix has negative entries here


def test_correction_and_orientation_are_validated():
    with pytest.raises(ValueError, match="Lim"):
        cross_efficiency(EG1_X, EG1_Y, correction="lim-zhu")
    with pytest.raises(ValueError, match="orientation"):
        cross_efficiency(EG1_X, EG1_Y, orientation="graph")
