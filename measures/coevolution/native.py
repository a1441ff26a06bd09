"""The compiled log-state solver (METHODS §8.2, §0): the predator–prey and competition
right-hand sides with their sensitivities and the guard of ode.py, in C++, integrated by
LSODA (the C++ port of ODEPACK's LSODA, vendored in _native/ under the MIT licence) at the
output times with tcrit = t[-1], as `odeint` does. It removes the ~7 µs of Python per
right-hand-side call (≈ 134 calls per solve, 22 700 solves per refresh).

`solve` returns None when the trial θ is rejected or the solver fails (the caller turns that
into residuals of 1e6, as with odeint). `available()` is False when the extension was not
built (no C++ compiler at install): ode.py then integrates through odeint."""

from __future__ import annotations

import ctypes
import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import numpy as np

MODEL_CODES = {"predator_prey": 0, "competition": 1}
_P_DOUBLE = ctypes.POINTER(ctypes.c_double)
_switched_off = [False]


@cache
def _library() -> ctypes.CDLL | None:
    """The built extension measures.coevolution._lv, loaded for its C entry point."""
    spec = importlib.util.find_spec("measures.coevolution._lv")
    if spec is None or not spec.origin:
        return None
    try:
        lib = ctypes.CDLL(spec.origin)
    except OSError:
        return None
    fn = lib.cbec_lv_solve
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, _P_DOUBLE, ctypes.c_int,
                   _P_DOUBLE, ctypes.c_int, _P_DOUBLE, _P_DOUBLE, ctypes.c_double,
                   ctypes.c_double, ctypes.c_int, ctypes.c_long, ctypes.c_double,
                   ctypes.c_double, ctypes.POINTER(ctypes.c_long)]  # fmt: skip
    return lib


def available() -> bool:
    """True when the compiled solver is built and loadable."""
    return _library() is not None


def supports(model_name: str) -> bool:
    """True when the compiled solver has this model's right-hand side (and is not switched
    off by `disabled()`)."""
    return model_name in MODEL_CODES and not _switched_off[0] and available()


def solver_label(model_name: str, ode_method: str) -> str:
    """How the fits of this model integrate their ODE here and now, as published in
    results.coevolution.ode_solver: `lsoda_compiled` (this module), `lsoda_odeint` (scipy,
    where the extension is not built or `disabled()`), else `<method>_solve_ivp`."""
    if ode_method == "LSODA":
        return "lsoda_compiled" if supports(model_name) else "lsoda_odeint"
    return f"{ode_method.lower()}_solve_ivp"


@contextmanager
def disabled() -> Iterator[None]:
    """Within the block every fit integrates through odeint with the Python right-hand
    sides (bench/coevolution.py and the tests compare the two paths)."""
    before = _switched_off[0]
    _switched_off[0] = True
    try:
        yield
    finally:
        _switched_off[0] = before


def _ptr(a: np.ndarray) -> Any:
    """The data pointer of a contiguous float64 array, as `double *`."""
    return a.ctypes.data_as(_P_DOUBLE)


def solve(model_name: str, p: tuple, z0: np.ndarray, t: np.ndarray, *, sens: bool, m: int,
          rtol: float, atol: float, max_steps: int, max_rhs: int, lo: float,
          hi: float) -> np.ndarray | None:  # fmt: skip
    """z at the times t (len(t) × len(z0)) of the log-state system (with sensitivities when
    `sens`, m columns), or None when the guard rejects θ (y leaves (lo, hi), overflow, more
    than `max_rhs` evaluations) or LSODA fails (more than `max_steps` steps per interval)."""
    lib = _library()
    if lib is None or model_name not in MODEL_CODES:
        raise RuntimeError(f"no compiled right-hand side for model {model_name!r}")
    pa = np.ascontiguousarray(p, dtype=float)
    z = np.ascontiguousarray(z0, dtype=float)
    tt = np.ascontiguousarray(t, dtype=float)
    out = np.empty((len(tt), len(z)), dtype=float)
    calls = ctypes.c_long(0)  # right-hand-side evaluations (for debugging; not used here)
    status = lib.cbec_lv_solve(MODEL_CODES[model_name], int(sens), int(m), _ptr(pa), len(z),
                               _ptr(z), len(tt), _ptr(tt), _ptr(out), float(rtol), float(atol),
                               int(max_steps), int(max_rhs), float(lo), float(hi),
                               ctypes.byref(calls))  # fmt: skip
    if status == 3:
        raise ValueError("compiled solver: bad arguments (times not increasing or sizes)")
    return out if status == 0 else None
