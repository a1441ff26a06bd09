"""Batched two-phase radial DEA (measures.dea.batch_two_phase, METHODS §9.1), the first pass
of `radial_efficiency`: against the per-LP HiGHS engine (batch=False) and against the
max-slack LP solved from scratch by scipy's HiGHS at tight tolerances. The published
references (DEAP EG1 slacks/targets/peers, FGL) run through it in test_dea_published.py."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import linprog

import measures.dea.batch_two_phase as b2p
from measures.dea import dea_model, radial_efficiency
from tests.charnes1981 import load
from tests.test_dea_published import EG1_X, EG1_Y

TIGHT = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def _data(n, seed=7):
    rng = np.random.default_rng(seed)
    return rng.uniform(10, 100, (n, 3)), rng.uniform(10, 100, (n, 2))


def _max_slack(X, Y, k, score, orientation, rts, exclude_self=False):
    """max Σs⁻ + Σs⁺ (original units) at the given θ*/φ*, all columns (but k's own with
    exclude_self), from scratch."""
    n, m = X.shape
    s = Y.shape[1]
    rows = [np.hstack([X.T, np.eye(m), np.zeros((m, s))]),
            np.hstack([Y.T, np.zeros((s, m)), -np.eye(s)])]  # fmt: skip
    rhs = [X[k] * (score if orientation == "input" else 1.0),
           Y[k] * (score if orientation == "output" else 1.0)]  # fmt: skip
    conv = np.hstack([np.ones((1, n)), np.zeros((1, m + s))])
    if rts == "vrs":
        rows.append(conv)
        rhs.append(np.ones(1))
    ub = {"nirs": (conv, np.ones(1)), "ndrs": (-conv, -np.ones(1))}.get(rts, (None, None))
    c = np.concatenate([np.zeros(n), -np.ones(m + s)])
    bounds = [(0, 0) if exclude_self and j == k else (0, None) for j in range(n + m + s)]
    r = linprog(c, A_ub=ub[0], b_ub=ub[1], A_eq=np.vstack(rows), b_eq=np.concatenate(rhs),
                bounds=bounds, method="highs", options=TIGHT)  # fmt: skip
    assert r.status == 0
    return -r.fun


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
@pytest.mark.parametrize("ties", [False, True])
def test_equals_highs_engine_and_the_max_slack_lp(orientation, rts, ties):
    X, Y = _data(300)
    if ties:  # integer data 1..10: many alternative phase-1 optima, phase 2 decides the slacks
        X, Y = np.round(X / 10), np.round(Y / 10)
    kw = dict(orientation=orientation, rts=rts, two_phase=True, return_lambdas=True)
    got = radial_efficiency(X, Y, **kw)
    ref = radial_efficiency(X, Y, **kw, batch=False)
    assert got.extra["batch_solved"] == 300 and got.lp_count == 0
    assert (got.status == ref.status).all()
    np.testing.assert_allclose(got.score, ref.score, rtol=1e-9)
    L = np.asarray(got.lambdas)
    # a feasible two-phase solution: the constraints hold in original units
    sc = got.score[:, None]
    xin = X * sc if orientation == "input" else X
    yout = Y * sc if orientation == "output" else Y
    np.testing.assert_allclose(L @ X + got.slack_in, xin, atol=1e-9 * X.max())
    np.testing.assert_allclose(L @ Y - got.slack_out, yout, atol=1e-9 * Y.max())
    if rts == "vrs":
        np.testing.assert_allclose(L.sum(1), 1.0, atol=1e-12)
    if rts in ("nirs", "ndrs"):
        sign = 1.0 if rts == "nirs" else -1.0
        assert (sign * (L.sum(1) - 1.0) <= 1e-12).all()  # Σλ ≤ 1 / Σλ ≥ 1
    assert (L >= 0).all() and (got.slack_in >= 0).all() and (got.slack_out >= 0).all()
    # and a max-slack one: the phase-2 optimum of the LP solved from scratch
    total = got.slack_in.sum(1) + got.slack_out.sum(1)
    for k in range(300) if ties else np.argsort(-total)[:25]:
        want = _max_slack(X, Y, k, got.score[k], orientation, rts)
        assert total[k] == pytest.approx(want, rel=1e-7, abs=1e-7)


def test_real_data_charnes1981_equals_highs():
    X, Y = load()
    for orientation in ("input", "output"):
        for rts in ("crs", "vrs", "nirs", "ndrs"):
            kw = dict(orientation=orientation, rts=rts, two_phase=True)
            got = radial_efficiency(X, Y, **kw)
            ref = radial_efficiency(X, Y, **kw, batch=False)
            assert got.extra["batch_solved"] == 70
            np.testing.assert_allclose(got.score, ref.score, rtol=1e-9)
            np.testing.assert_allclose(got.slack_in, ref.slack_in, atol=1e-6 * X.max())
            np.testing.assert_allclose(got.slack_out, ref.slack_out, atol=1e-6 * Y.max())


def test_eg1_slack_found_on_the_optimal_face():
    # DEAP EG1 firm 1 (θ = 0.5) has an input slack of 0.5 that only phase 2 finds
    r = radial_efficiency(EG1_X, EG1_Y, two_phase=True)
    assert r.extra["batch_solved"] == 5
    np.testing.assert_allclose(r.slack_in[0], [0.0, 0.5], atol=1e-12)


def test_uncertified_lps_fall_back_to_highs(monkeypatch):
    X, Y = _data(200, seed=8)
    ref = dea_model(X, Y, model="bcc")
    real = b2p._duals

    def half(A, b, c, basis, obj):  # every second LP of a block fails its certificate
        pi, ok = real(A, b, c, basis, obj)
        ok[1::2] = False
        return pi, ok

    monkeypatch.setattr(b2p, "_duals", half)
    r = radial_efficiency(X, Y, rts="vrs", two_phase=True)
    assert 0 < r.extra["batch_solved"] < 200 and r.lp_count > 0
    got = dea_model(X, Y, model="bcc")
    np.testing.assert_allclose(got.score, ref.score, rtol=1e-9)
    np.testing.assert_allclose(got.target_in, ref.target_in, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("rts", ["nirs", "ndrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_the_slack_of_the_scale_constraint_is_not_a_phase2_slack(orientation, rts):
    # NIRS/NDRS: Σλ ≤ 1 / Σλ ≥ 1 has its own slack column in the batch tableau; phase 2
    # maximises the input and output slacks only (integer data: many alternative optima)
    X, Y = np.round(_data(300, seed=15)[0] / 10), np.round(_data(300, seed=15)[1] / 10)
    got = radial_efficiency(X, Y, orientation=orientation, rts=rts, two_phase=True)
    assert got.extra["batch_solved"] == 300
    total = got.slack_in.sum(1) + got.slack_out.sum(1)
    for k in range(300):
        want = _max_slack(X, Y, k, got.score[k], orientation, rts)
        assert total[k] == pytest.approx(want, rel=1e-7, abs=1e-7)


def test_not_positive_data_is_left_to_highs():
    X, Y = _data(60, seed=9)
    X[4, 0] = 0.0
    assert radial_efficiency(X, Y, two_phase=True).extra["batch_solved"] == 0


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
def test_super_efficiency_excludes_own_column(orientation, rts):
    X, Y = np.round(_data(200, seed=15)[0] / 10), np.round(_data(200, seed=15)[1] / 10)
    kw = dict(orientation=orientation, rts=rts, two_phase=True, exclude_self=True,
              return_lambdas=True)  # fmt: skip
    got = radial_efficiency(X, Y, **kw)
    ref = radial_efficiency(X, Y, **kw, batch=False)
    assert got.extra["batch_solved"] > 150
    L = np.asarray(got.lambdas)
    assert (np.diag(L) == 0).all()  # no DMU is its own peer
    both = (got.status == "optimal") & (ref.status == "optimal")
    np.testing.assert_allclose(got.score[both], ref.score[both], rtol=1e-9)
    # the infeasible VRS super-efficiency LPs keep HiGHS's status
    assert (got.status[ref.status == "infeasible"] == "infeasible").all()
    # where HiGHS's phase 2 (θ* fixed) fails, the batch's face-restricted phase 2 may not
    assert set(got.status[got.status != ref.status]) <= {"optimal"}
    assert set(ref.status[got.status != ref.status]) <= {"phase2_infeasible"}
    total = got.slack_in.sum(1) + got.slack_out.sum(1)
    for k in np.flatnonzero(got.status == "optimal")[::4]:
        want = _max_slack(X, Y, k, got.score[k], orientation, rts, exclude_self=True)
        assert total[k] == pytest.approx(want, rel=1e-7, abs=1e-7)


def test_cross_technology_vrs_without_start_goes_to_highs():
    X0, Y0 = _data(150, seed=10)
    X1, Y1 = X0 * 0.9, Y0 * 1.15  # outside the VRS hull: some LPs infeasible
    got = radial_efficiency(X0, Y0, X1, Y1, rts="vrs", two_phase=True)
    ref = radial_efficiency(X0, Y0, X1, Y1, rts="vrs", two_phase=True, batch=False)
    assert (got.status == ref.status).all() and (ref.status == "infeasible").any()
    assert 0 < got.extra["batch_solved"] < 150
    ok = ref.status == "optimal"
    np.testing.assert_allclose(got.score[ok], ref.score[ok], rtol=1e-9)


def test_highs_engine_works_after_a_cvxpy_solve_in_a_fresh_process():
    # HiGHS's thread scheduler is per process and made by the first run: the batched pass
    # builds no HiGHS model, so a cvxpy solve can come first (regression: every later engine
    # LP failed as "not_set" until the cvxpy path also ran with threads = 1)
    code = (
        "import numpy as np\n"
        "from measures.dea.radial import radial_efficiency\n"
        "from tests.test_dea_published import EG1_X, EG1_Y\n"
        "radial_efficiency(EG1_X, EG1_Y, rts='vrs', two_phase=True, backend='cvxpy')\n"
        "r = radial_efficiency(EG1_X, EG1_Y, rts='nirs', two_phase=True)\n"
        "print(','.join(r.status))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    assert out.strip().splitlines()[-1] == ",".join(["optimal"] * 5)
