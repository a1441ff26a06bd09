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
from scipy.integrate import odeint, solve_ivp

from measures.coevolution import native
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
    """Right-hand side of the state and its sensitivities z = (y1, y2, S1[m], S2[m]): the
    fused closure of the model when it has one (same formulas, no per-call tuples), else
    the generic one from `model.rhs`/`model.jac`."""
    fused = _FUSED.get(getattr(model, "name", ""))
    if fused is not None:
        return fused(p, guard, m)
    return _generic_sens_rhs(model, p, guard, m)


def _generic_sens_rhs(model: Any, p: tuple, guard: _Guard, m: int) -> Callable:
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


def _pp_sens_rhs(p: tuple, guard: _Guard, m: int) -> Callable:
    """Predator–prey (models._PredatorPrey): ∂f1/∂y1 = ∂f2/∂y2 = 0, so
    dS1 = −b1·e^{y2}·S2 + ∂f1/∂θ and dS2 = b1·b2·e^{y1}·S1 + ∂f2/∂θ (unrolled for x0 fixed)."""
    a1, b1, a2, b2 = p
    bb = b1 * b2
    zeros = [0.0] * (2 + 2 * m)
    exp = math.exp

    def f(_t, z):
        zl = z.tolist()
        y1, y2 = zl[0], zl[1]
        if guard.stop(y1, y2):
            return zeros
        try:
            e = -b1 * exp(y2)
            c = bb * exp(y1)
        except OverflowError:
            guard.failed = True
            return zeros
        if m == 4:
            _, _, u0, u1, u2, u3, v0, v1, v2, v3 = zl
            return [a1 + e, -a2 + c, e * v0 + a1, e * v1 + e, e * v2, e * v3,
                    c * u0, c * u1 + c, c * u2 - a2, c * u3 + c]  # fmt: skip
        dS1 = [e * v for v in zl[2 + m :]]
        dS2 = [c * u for u in zl[2 : 2 + m]]
        dS1[0] += a1
        dS1[1] += e
        dS2[1] += c
        dS2[2] -= a2
        dS2[3] += c
        return [a1 + e, -a2 + c, *dS1, *dS2]

    return f


def _comp_sens_rhs(p: tuple, guard: _Guard, m: int) -> Callable:
    """Competition (models._Competition): the formulas of its `rhs` and `jac`, fused
    (unrolled for x0 fixed)."""
    r1, K1, s12, r2, K2, s21 = p
    zeros = [0.0] * (2 + 2 * m)
    exp = math.exp

    def f(_t, z):
        zl = z.tolist()
        y1, y2 = zl[0], zl[1]
        if guard.stop(y1, y2):
            return zeros
        try:
            x1, x2 = exp(y1), exp(y2)
        except OverflowError:
            guard.failed = True
            return zeros
        w1, w2 = x1 - s12 * x2, x2 - s21 * x1
        f1, f2 = r1 * (1 - w1 / K1), r2 * (1 - w2 / K2)
        a, b = -r1 * x1 / K1, r1 * s12 * x2 / K1
        c, d = r2 * s21 * x1 / K2, -r2 * x2 / K2
        g1, g2, h1, h2 = r1 * w1 / K1, r1 * x2 / K1, r2 * w2 / K2, r2 * x1 / K2
        if m == 6:
            _, _, u0, u1, u2, u3, u4, u5, v0, v1, v2, v3, v4, v5 = zl
            return [f1, f2, a * u0 + b * v0 + f1, a * u1 + b * v1 + g1, a * u2 + b * v2 + g2,
                    a * u3 + b * v3, a * u4 + b * v4, a * u5 + b * v5,
                    c * u0 + d * v0, c * u1 + d * v1, c * u2 + d * v2,
                    c * u3 + d * v3 + f2, c * u4 + d * v4 + h1, c * u5 + d * v5 + h2]  # fmt: skip
        S1, S2 = zl[2 : 2 + m], zl[2 + m :]
        dS1 = [a * u + b * v for u, v in zip(S1, S2, strict=True)]
        dS2 = [c * u + d * v for u, v in zip(S1, S2, strict=True)]
        for i, (g, h) in enumerate(
            ((f1, 0.0), (g1, 0.0), (g2, 0.0), (0.0, f2), (0.0, h1), (0.0, h2))
        ):
            dS1[i] += g
            dS2[i] += h
        return [f1, f2, *dS1, *dS2]

    return f


_FUSED: dict[str, Callable] = {"predator_prey": _pp_sens_rhs, "competition": _comp_sens_rhs}


def _solve_log(model, theta, y0, t, *, sens: bool, method: str, rtol: float, atol: float,
               fit_x0: bool = False, max_rhs: int = MAX_RHS_CALLS,
               use_native: bool = True):  # fmt: skip
    """Solve the log-state ODE (with sensitivities when `sens`). Returns (Y, S) with Y of
    shape (n, 2) and S of shape (n, 2, m) (m = len(θ) + 2 if fit_x0), or None on failure
    (including more than `max_rhs` right-hand-side evaluations). LSODA runs compiled
    (native.py) for the two models it knows, unless `use_native` is False or it is not built;
    otherwise through odeint with the Python right-hand sides below."""
    p = tuple(float(v) for v in _natural(model, theta))
    if not all(math.isfinite(v) for v in p):
        return None
    m_theta = len(model.names)
    m = m_theta + (2 if fit_x0 else 0)
    y0 = np.asarray(y0, dtype=float)
    guard = _Guard(y0, max_rhs)
    z0 = y0
    if sens:
        z0 = np.zeros(2 + 2 * m)
        z0[:2] = y0
        if fit_x0:
            z0[2 + m_theta] = 1.0  # ∂y1(0)/∂y1(0)
            z0[2 + m + m_theta + 1] = 1.0  # ∂y2(0)/∂y2(0)
    t = np.asarray(t, dtype=float)
    name = getattr(model, "name", "")
    if method == "LSODA" and use_native and native.supports(name):
        y = native.solve(name, p, z0, t, sens=sens, m=m, rtol=rtol, atol=atol,
                         max_steps=MAX_SOLVER_STEPS, max_rhs=max_rhs, lo=guard.lo,
                         hi=guard.hi)  # fmt: skip
    else:
        f = _sens_rhs(model, p, guard, m) if sens else _plain_rhs(model, p, guard)
        y = _integrate(f, z0, t, method=method, rtol=rtol, atol=atol)
    if guard.failed or y is None or y.shape[0] != len(t) or not np.all(np.isfinite(y)):
        return None
    Y = y[:, :2].copy()
    S = None
    if sens:
        S = np.stack([y[:, 2 : 2 + m], y[:, 2 + m :]], axis=1)  # (n, 2, m)
    return Y, S


def _integrate(f: Callable, z0: np.ndarray, t: np.ndarray, *, method: str, rtol: float,
               atol: float) -> np.ndarray | None:  # fmt: skip
    """z at the times t (len(t) × len(z0)), or None when the solver fails. LSODA runs the
    same ODEPACK code as solve_ivp's LSODA through `odeint` (one C loop, no per-step Python:
    ~3× faster, equal to the solver's tolerance), stopping exactly at t[-1]; every other
    method goes through solve_ivp with the step budget (METHODS §0)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # LSODA's "repeated error test failures" chatter
            if method == "LSODA":
                y, info = odeint(f, z0, t, rtol=rtol, atol=atol, tfirst=True, full_output=True,
                                 tcrit=t[-1:], mxstep=MAX_SOLVER_STEPS)  # fmt: skip
                return y if info["message"] == "Integration successful." else None
            sol = solve_ivp(f, (t[0], t[-1]), z0, method=_guarded(method), t_eval=t,
                            rtol=rtol, atol=atol)  # fmt: skip
    except (OverflowError, ValueError, FloatingPointError, ArithmeticError):
        return None
    return sol.y.T if sol.success else None
