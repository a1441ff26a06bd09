"""The compiled co-evolution solver (measures/coevolution/native.py, METHODS §0, §8.2): built
at install, equal to the odeint path with the Python right-hand sides, checked against
quantities nobody computed with it — the predator–prey first integral V (§8.1) and finite
differences of its own state for the sensitivities — and rejecting the trial θ the Python
guard rejects."""

from __future__ import annotations

import numpy as np
import pytest

from measures.coevolution import native
from measures.coevolution.models import _MODEL_CLASSES, _natural, pp_conserved
from measures.coevolution.ode import _solve_log

THETA = {
    "predator_prey": np.log([0.5, 0.4, 0.4, 1.2]),
    "competition": np.array([np.log(0.6), np.log(3.0), 0.3, np.log(0.4), np.log(2.5), -0.5]),
}
T = np.arange(22, dtype=float)
Y0 = np.log([1.0, 0.8])


def test_the_compiled_solver_is_built():
    """`make install` builds measures.coevolution._lv (setup.py); without it every refresh
    runs the fits ~2× slower through odeint (bench.coevolution: 2.18×)."""
    assert native.available()
    assert native.supports("predator_prey") and native.supports("competition")
    assert not native.supports("no_such_model")


@pytest.mark.parametrize("model", sorted(THETA))
@pytest.mark.parametrize("fit_x0", [False, True])
@pytest.mark.parametrize("sens", [True, False])
def test_compiled_equals_odeint_path(model, fit_x0, sens):
    M = _MODEL_CLASSES[model]
    kw = dict(sens=sens, method="LSODA", rtol=1e-10, atol=1e-12, fit_x0=fit_x0)
    Yc, Sc = _solve_log(M, THETA[model], Y0, T, use_native=True, **kw)
    Yp, Sp = _solve_log(M, THETA[model], Y0, T, use_native=False, **kw)
    np.testing.assert_allclose(Yc, Yp, rtol=1e-8, atol=1e-10)
    if sens:
        assert Sc.shape == Sp.shape == (len(T), 2, len(M.names) + (2 if fit_x0 else 0))
        np.testing.assert_allclose(Sc, Sp, rtol=1e-7, atol=1e-9)
    else:
        assert Sc is None and Sp is None


def test_predator_prey_first_integral_is_conserved():
    """V = b1·b2·x1 − a2·ln x1 + b1·x2 − a1·ln x2 is constant on every orbit (§8.1)."""
    M = _MODEL_CLASSES["predator_prey"]
    a1, b1, a2, b2 = _natural(M, THETA["predator_prey"])
    t = np.linspace(0.0, 60.0, 121)
    Y, _ = _solve_log(M, THETA["predator_prey"], Y0, t, sens=False, method="LSODA",
                      rtol=1e-10, atol=1e-12)  # fmt: skip
    x = np.exp(Y)
    V = pp_conserved(x[:, 0], x[:, 1], a1, b1, a2, b2)
    assert np.ptp(x[:, 0]) > 0.1  # the orbit really moves
    np.testing.assert_allclose(V, V[0], rtol=1e-8)


@pytest.mark.parametrize("model", sorted(THETA))
def test_sensitivities_equal_finite_differences(model):
    """S = ∂y/∂θ from the sensitivity equations equals central differences of y(θ ± h)."""
    M = _MODEL_CLASSES[model]
    theta = THETA[model]
    kw = dict(method="LSODA", rtol=1e-11, atol=1e-13)
    _, S = _solve_log(M, theta, Y0, T, sens=True, **kw)
    h = 1e-4  # truncation ~h² ≈ 1e-8; solver noise ~1e-11/h ≈ 1e-7
    for i in range(len(theta)):
        up, dn = theta.copy(), theta.copy()
        up[i] += h
        dn[i] -= h
        fd = (_solve_log(M, up, Y0, T, sens=False, **kw)[0]
              - _solve_log(M, dn, Y0, T, sens=False, **kw)[0]) / (2 * h)  # fmt: skip
        np.testing.assert_allclose(S[:, :, i], fd, rtol=1e-5, atol=1e-6)


def _least_budget(M, use_native: bool, kw: dict) -> int:
    """The smallest `max_rhs` with which the solve succeeds (bisection)."""
    lo, hi = 1, 5000
    assert _solve_log(M, THETA["predator_prey"], Y0, T, max_rhs=hi, use_native=use_native, **kw)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        ok = _solve_log(M, THETA["predator_prey"], Y0, T, max_rhs=mid, use_native=use_native, **kw)
        lo, hi = (lo, mid) if ok is not None else (mid, hi)
    return hi


def test_the_guard_rejects_what_the_python_guard_rejects():
    """An exploding path, a budget of right-hand-side calls and a step budget: None, as on
    the odeint path; times that do not increase are a ValueError."""
    M = _MODEL_CLASSES["predator_prey"]
    kw = dict(sens=True, method="LSODA", rtol=1e-6, atol=1e-8)
    explode = np.log([50.0, 1e-9, 1e-9, 1.0])
    assert _solve_log(M, explode, Y0, T, **kw) is None
    budget = {use: _least_budget(M, use, kw) for use in (True, False)}
    assert 100 < budget[True] < 2000  # 324 here
    assert budget[True] == budget[False]  # the same LSODA takes the same steps (METHODS §0)
    p = tuple(float(v) for v in _natural(M, THETA["predator_prey"]))
    z0 = np.zeros(10)
    z0[:2] = Y0
    with pytest.raises(ValueError, match="not increasing"):
        native.solve("predator_prey", p, z0, np.array([0.0, 2.0, 1.0]), sens=True, m=4,
                     rtol=1e-6, atol=1e-8, max_steps=100, max_rhs=1000, lo=-40.0,
                     hi=40.0)  # fmt: skip
    ok = native.solve("predator_prey", p, z0, T, sens=True, m=4, rtol=1e-6, atol=1e-8,
                      max_steps=20_000, max_rhs=20_000, lo=-40.0, hi=40.0)  # fmt: skip
    assert ok is not None and ok.shape == (len(T), 10)
    assert native.solve("predator_prey", p, z0, T, sens=True, m=4, rtol=1e-6, atol=1e-8,
                        max_steps=2, max_rhs=20_000, lo=-40.0, hi=40.0) is None  # fmt: skip
    assert native.solve("predator_prey", p, z0, T, sens=True, m=4, rtol=1e-6, atol=1e-8,
                        max_steps=20_000, max_rhs=20_000, lo=-0.1, hi=0.1) is None  # fmt: skip


def test_disabled_sends_every_solve_through_odeint(monkeypatch):
    """`native.disabled()` (bench/coevolution.py) switches the whole fit to the odeint path,
    and the fit's estimates do not change (rtol 1e-6, as in the refresh)."""
    from measures.coevolution import fit_lv

    calls = [0]
    solve = native.solve

    def counted(*a, **k):
        calls[0] += 1
        return solve(*a, **k)

    monkeypatch.setattr(native, "solve", counted)
    M = _MODEL_CLASSES["predator_prey"]
    x = np.exp(_solve_log(M, THETA["predator_prey"], Y0, T, sens=False, method="LSODA",
                          rtol=1e-10, atol=1e-12)[0])  # fmt: skip
    kw = dict(model="predator_prey", n_starts=2, rtol=1e-6, atol=1e-8, seed=1)
    fast = fit_lv(x[:, 0], x[:, 1], T, **kw)
    used = calls[0]
    with native.disabled():
        assert not native.supports("predator_prey")
        slow = fit_lv(x[:, 0], x[:, 1], T, **kw)
    assert used > 10 and calls[0] == used
    assert native.supports("predator_prey")
    for k, v in fast.params.items():
        assert v == pytest.approx(slow.params[k], rel=1e-6)
    assert fast.params["a1"] == pytest.approx(0.5, rel=1e-4)  # the orbit's own θ


def test_solves_in_threads_equal_the_serial_ones():
    """ctypes releases the GIL during a solve: concurrent solves (the API in threads) each
    give their serial result."""
    from concurrent.futures import ThreadPoolExecutor

    M = _MODEL_CLASSES["competition"]
    thetas = [THETA["competition"] + d for d in np.linspace(-0.2, 0.2, 16)]
    kw = dict(sens=True, method="LSODA", rtol=1e-8, atol=1e-10)
    serial = [_solve_log(M, th, Y0, T, **kw)[1] for th in thetas]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda th: _solve_log(M, th, Y0, T, **kw)[1], thetas))
    for a, b in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(a, b)
