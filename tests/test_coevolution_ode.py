"""The log-state sensitivity ODE of the co-evolution fit (METHODS §0, §8.2): the fused
right-hand sides equal the generic one built from the models' `rhs`/`jac`, and both LSODA
paths (compiled, native.py, and odeint with the Python right-hand sides) equal solve_ivp's
LSODA within the solver tolerance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from measures.coevolution.models import _MODEL_CLASSES, _natural
from measures.coevolution.ode import _generic_sens_rhs, _Guard, _sens_rhs, _solve_log

THETA = {
    "predator_prey": np.log([0.5, 0.4, 0.4, 1.2]),
    "competition": np.array([np.log(0.6), np.log(3.0), 0.3, np.log(0.4), np.log(2.5), -0.5]),
}


@pytest.mark.parametrize("model", sorted(THETA))
@pytest.mark.parametrize("fit_x0", [False, True])
def test_fused_rhs_equals_generic(model, fit_x0):
    M = _MODEL_CLASSES[model]
    p = tuple(float(v) for v in _natural(M, THETA[model]))
    m = len(M.names) + (2 if fit_x0 else 0)
    rng = np.random.default_rng(7)
    y0 = np.zeros(2)
    fused = _sens_rhs(M, p, _Guard(y0, 10**6), m)
    generic = _generic_sens_rhs(M, p, _Guard(y0, 10**6), m)
    for _ in range(50):
        z = rng.normal(size=2 + 2 * m)
        np.testing.assert_allclose(fused(0.0, z), generic(0.0, z), rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("model", sorted(THETA))
@pytest.mark.parametrize("use_native", [True, False])
def test_lsoda_equals_solve_ivp(model, use_native):
    M = _MODEL_CLASSES[model]
    t = np.arange(22, dtype=float)
    y0 = np.log([1.0, 0.8])
    Y, S = _solve_log(M, THETA[model], y0, t, sens=True, method="LSODA", rtol=1e-8, atol=1e-10,
                      use_native=use_native)  # fmt: skip
    m = len(M.names)
    p = tuple(float(v) for v in _natural(M, THETA[model]))
    z0 = np.zeros(2 + 2 * m)
    z0[:2] = y0
    f = _generic_sens_rhs(M, p, _Guard(y0, 10**6), m)
    ref = solve_ivp(f, (t[0], t[-1]), z0, method="LSODA", t_eval=t, rtol=1e-8, atol=1e-10)
    assert ref.success
    np.testing.assert_allclose(Y, ref.y[:2].T, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(S[:, 0, :], ref.y[2 : 2 + m].T, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(S[:, 1, :], ref.y[2 + m :].T, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("use_native", [True, False])
def test_failed_solve_is_none(use_native):
    """An exploding trial θ is rejected (None), as with solve_ivp."""
    M = _MODEL_CLASSES["predator_prey"]
    out = _solve_log(M, np.log([50.0, 1e-9, 1e-9, 1.0]), np.log([1.0, 1.0]),
                     np.arange(22.0), sens=True, method="LSODA", rtol=1e-6, atol=1e-8,
                     use_native=use_native)  # fmt: skip
    assert out is None
