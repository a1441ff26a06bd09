"""The log-state ODE y = ln x with its forward sensitivity equations (METHODS §8.2):
dS/dt = ∂f/∂y·S + ∂f/∂θ, so the Jacobian handed to `least_squares` is exact up to the ODE
tolerance. A trial θ for which the solver fails, crawls or the path explodes returns None
(the caller turns it into residuals of 1e6, never NaN)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from measures.coevolution._common import MAX_RHS_CALLS, MAX_SOLVER_STEPS
from measures.coevolution.models import _natural

_GUARDED: dict[str, type] = {}


def _guarded(method: str) -> type:
    """The solve_ivp method class with a step budget: for an extreme trial θ LSODA can
    accept steps that do not advance t (the step size underflows) and loop for ever without
    calling the right-hand side; the guard turns that into a solver failure."""
    if method not in _GUARDED:
        from scipy.integrate._ivp.ivp import METHODS as IVP_METHODS

        base = IVP_METHODS[method]

        def _step_impl(self):
            self._n_steps = getattr(self, "_n_steps", 0) + 1
            if self._n_steps > MAX_SOLVER_STEPS:
                return False, f"more than {MAX_SOLVER_STEPS} steps"
            return base._step_impl(self)

        _GUARDED[method] = type(f"_Guarded{base.__name__}", (base,), {"_step_impl": _step_impl})
    return _GUARDED[method]


class _Guard:
    """Failure flag and call counter of one solve: set when the path leaves e^±40 of x0,
    overflows, or the solver exceeds its budget of right-hand-side evaluations (a stiff trial
    θ can make LSODA crawl for minutes); the θ is then rejected (the derivative is returned
    as 0 so the solver ends)."""

    def __init__(self, y0: np.ndarray, max_rhs: int):
        self.lo, self.hi = float(y0.min()) - 40.0, float(y0.max()) + 40.0
        self.max_rhs = max_rhs
        self.failed = False
        self.calls = 0

    def stop(self, y1: float, y2: float) -> bool:
        self.calls += 1
        if (
            self.failed
            or self.calls > self.max_rhs
            or not (self.lo < y1 < self.hi and self.lo < y2 < self.hi)
        ):
            self.failed = True
        return self.failed


def _plain_rhs(model: Any, p: tuple, guard: _Guard) -> Callable:
    rhs = model.rhs

    def f(_t, z):
        y1, y2 = z[0], z[1]
        if guard.stop(y1, y2):
            return (0.0, 0.0)
        try:
            return rhs(y1, y2, p)
        except OverflowError:
            guard.failed = True
            return (0.0, 0.0)

    return f


def _sens_rhs(model: Any, p: tuple, guard: _Guard, m: int) -> Callable:
    """Right-hand side of the state and its sensitivities z = (y1, y2, S1[m], S2[m])."""
    rhs, jac = model.rhs, model.jac
    m_theta = len(model.names)
    zeros = [0.0] * (2 + 2 * m)

    def f(_t, z):
        y1, y2 = z[0], z[1]
        if guard.stop(y1, y2):
            return zeros
        try:
            f1, f2 = rhs(y1, y2, p)
            (a, b, c, d), row1, row2 = jac(y1, y2, p)
        except OverflowError:
            guard.failed = True
            return zeros
        zl = z.tolist()
        S1 = zl[2 : 2 + m]
        S2 = zl[2 + m :]
        dS1 = [a * u + b * v for u, v in zip(S1, S2, strict=True)]
        dS2 = [c * u + d * v for u, v in zip(S1, S2, strict=True)]
        for i in range(m_theta):
            dS1[i] += row1[i]
            dS2[i] += row2[i]
        return [f1, f2, *dS1, *dS2]

    return f


def _solve_log(model, theta, y0, t, *, sens: bool, method: str, rtol: float, atol: float,
               fit_x0: bool = False, max_rhs: int = MAX_RHS_CALLS):  # fmt: skip
    """Solve the log-state ODE (with sensitivities when `sens`). Returns (Y, S) with Y of
    shape (n, 2) and S of shape (n, 2, m) (m = len(θ) + 2 if fit_x0), or None on failure
    (including more than `max_rhs` right-hand-side evaluations)."""
    p = tuple(float(v) for v in _natural(model, theta))
    if not all(math.isfinite(v) for v in p):
        return None
    m_theta = len(model.names)
    m = m_theta + (2 if fit_x0 else 0)
    y0 = np.asarray(y0, dtype=float)
    guard = _Guard(y0, max_rhs)
    if not sens:
        f = _plain_rhs(model, p, guard)
        z0 = y0
    else:
        f = _sens_rhs(model, p, guard, m)
        z0 = np.zeros(2 + 2 * m)
        z0[:2] = y0
        if fit_x0:
            z0[2 + m_theta] = 1.0  # ∂y1(0)/∂y1(0)
            z0[2 + m + m_theta + 1] = 1.0  # ∂y2(0)/∂y2(0)
    t = np.asarray(t, dtype=float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # LSODA's "repeated error test failures" chatter
            sol = solve_ivp(f, (t[0], t[-1]), z0, method=_guarded(method), t_eval=t,
                            rtol=rtol, atol=atol)  # fmt: skip
    except (OverflowError, ValueError, FloatingPointError, ArithmeticError):
        return None
    if (
        guard.failed
        or not sol.success
        or sol.y.shape[1] != len(t)
        or not np.all(np.isfinite(sol.y))
    ):
        return None
    Y = sol.y[:2].T.copy()
    S = None
    if sens:
        S = np.stack([sol.y[2 : 2 + m].T, sol.y[2 + m :].T], axis=1)  # (n, 2, m)
    return Y, S
