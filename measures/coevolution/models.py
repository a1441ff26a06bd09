"""Lotka–Volterra models (METHODS §8.1, §8.3): closed forms, simulation in levels, and the
log-state right-hand sides with their derivatives used by the fit.

- Predator–prey (§8.1): dx1/dt = a1·x1 − b1·x1·x2, dx2/dt = −a2·x2 + b1·b2·x1·x2.
- Logistic competition / mutualism (§8.3): dx1/dt = r1·x1·(1 − x1/K1 + σ12·x2/K1),
  dx2/dt = r2·x2·(1 − x2/K2 + σ21·x1/K2) ("+σ means benefit").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp

from measures.coevolution._common import COMP_NAMES, PP_NAMES

# --------------------------------------------------------------------------------------------
# Closed forms (§8.1, §8.3)
# --------------------------------------------------------------------------------------------


def pp_equilibrium(a1: float, b1: float, a2: float, b2: float) -> tuple[float, float]:
    """Interior equilibrium E* = (a2/(b1·b2), a1/b1) of the predator–prey model (§8.1)."""
    return a2 / (b1 * b2), a1 / b1


def pp_jacobian(x1: float, x2: float, a1: float, b1: float, a2: float, b2: float) -> np.ndarray:
    """J(x1, x2) = [[a1 − b1·x2, −b1·x1], [b1·b2·x2, −a2 + b1·b2·x1]] (§8.1)."""
    return np.array([[a1 - b1 * x2, -b1 * x1], [b1 * b2 * x2, -a2 + b1 * b2 * x1]], dtype=float)


def pp_conserved(
    x1: ArrayLike, x2: ArrayLike, a1: float, b1: float, a2: float, b2: float
) -> np.ndarray:
    """V(x1, x2) = b1·b2·x1 − a2·ln x1 + b1·x2 − a1·ln x2, constant along every orbit (§8.1)."""
    x1 = np.asarray(x1, dtype=float)
    x2 = np.asarray(x2, dtype=float)
    return b1 * b2 * x1 - a2 * np.log(x1) + b1 * x2 - a1 * np.log(x2)


def pp_period(a1: float, a2: float) -> float:
    """Period of small oscillations around E*: 2π / sqrt(a1·a2) (§8.1)."""
    return 2.0 * math.pi / math.sqrt(a1 * a2) if a1 > 0 and a2 > 0 else float("nan")


def comp_equilibrium(
    r1: float, K1: float, sigma12: float, r2: float, K2: float, sigma21: float
) -> tuple[float, float]:
    """Interior equilibrium of the logistic model (§8.3):
    x1* = (K1 + σ12·K2)/(1 − σ12·σ21), x2* = (K2 + σ21·K1)/(1 − σ12·σ21).
    NaN when 1 − σ12·σ21 = 0 (no isolated equilibrium); the values may be ≤ 0 (then no
    interior equilibrium exists — see `analyse_competition`)."""
    den = 1.0 - sigma12 * sigma21
    if abs(den) < 1e-14:
        return float("nan"), float("nan")
    return (K1 + sigma12 * K2) / den, (K2 + sigma21 * K1) / den


def comp_jacobian(
    x1: float, x2: float, r1: float, K1: float, sigma12: float, r2: float, K2: float, sigma21: float
) -> np.ndarray:
    """Jacobian of the logistic model at any (x1, x2); at the interior equilibrium it reduces
    to J* = [[−r1·x1*/K1, r1·σ12·x1*/K1], [r2·σ21·x2*/K2, −r2·x2*/K2]] (§8.3)."""
    return np.array(
        [
            [r1 * (1 - 2 * x1 / K1 + sigma12 * x2 / K1), r1 * sigma12 * x1 / K1],
            [r2 * sigma21 * x2 / K2, r2 * (1 - 2 * x2 / K2 + sigma21 * x1 / K2)],
        ],
        dtype=float,
    )


# --------------------------------------------------------------------------------------------
# Simulation (§0: solve_ivp, rtol 1e-8, atol 1e-10)
# --------------------------------------------------------------------------------------------


def simulate_predator_prey(
    a1: float,
    b1: float,
    a2: float,
    b2: float,
    x0: tuple[float, float],
    t: ArrayLike,
    *,
    method: str = "RK45",
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> np.ndarray:
    """Solution (len(t) × 2) of the predator–prey ODE in levels, from x0 at t[0]."""
    t = np.asarray(t, dtype=float)

    def rhs(_t, x):
        return [a1 * x[0] - b1 * x[0] * x[1], -a2 * x[1] + b1 * b2 * x[0] * x[1]]

    sol = solve_ivp(rhs, (t[0], t[-1]), list(map(float, x0)), method=method, t_eval=t,
                    rtol=rtol, atol=atol)  # fmt: skip
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return sol.y.T.copy()


def simulate_competition(
    r1: float,
    K1: float,
    sigma12: float,
    r2: float,
    K2: float,
    sigma21: float,
    x0: tuple[float, float],
    t: ArrayLike,
    *,
    method: str = "RK45",
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> np.ndarray:
    """Solution (len(t) × 2) of the logistic competition/mutualism ODE (§8.3)."""
    t = np.asarray(t, dtype=float)

    def rhs(_t, x):
        return [
            r1 * x[0] * (1 - x[0] / K1 + sigma12 * x[1] / K1),
            r2 * x[1] * (1 - x[1] / K2 + sigma21 * x[0] / K2),
        ]

    sol = solve_ivp(rhs, (t[0], t[-1]), list(map(float, x0)), method=method, t_eval=t,
                    rtol=rtol, atol=atol)  # fmt: skip
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return sol.y.T.copy()


# --------------------------------------------------------------------------------------------
# Models in log-state with forward sensitivities (internal; θ = internal parameter vector)
# --------------------------------------------------------------------------------------------


class _PredatorPrey:
    """θ = (ln a1, ln b1, ln a2, ln b2); y = ln x.
    f1 = a1 − b1·e^{y2}; f2 = −a2 + b1·b2·e^{y1}."""

    name = "predator_prey"
    names = PP_NAMES
    log_mask = np.array([True, True, True, True])

    @staticmethod
    def rhs(y1: Any, y2: Any, p: Any):
        a1, b1, a2, b2 = p
        return a1 - b1 * math.exp(y2), -a2 + b1 * b2 * math.exp(y1)

    @staticmethod
    def jac(y1: Any, y2: Any, p: Any):
        """(∂f/∂y as 4 numbers, ∂f/∂θ as two rows of 4)."""
        a1, b1, a2, b2 = p
        e1, e2 = math.exp(y1), math.exp(y2)
        c = b1 * b2 * e1
        dfdy = (0.0, -b1 * e2, c, 0.0)
        row1 = (a1, -b1 * e2, 0.0, 0.0)
        row2 = (0.0, c, -a2, c)
        return dfdy, row1, row2


class _Competition:
    """θ = (ln r1, ln K1, σ12, ln r2, ln K2, σ21); y = ln x.
    f1 = r1·(1 − (e^{y1} − σ12·e^{y2})/K1); f2 = r2·(1 − (e^{y2} − σ21·e^{y1})/K2)."""

    name = "competition"
    names = COMP_NAMES
    log_mask = np.array([True, True, False, True, True, False])

    @staticmethod
    def rhs(y1: Any, y2: Any, p: Any):
        r1, K1, s12, r2, K2, s21 = p
        x1, x2 = math.exp(y1), math.exp(y2)
        return r1 * (1 - (x1 - s12 * x2) / K1), r2 * (1 - (x2 - s21 * x1) / K2)

    @staticmethod
    def jac(y1: Any, y2: Any, p: Any):
        r1, K1, s12, r2, K2, s21 = p
        x1, x2 = math.exp(y1), math.exp(y2)
        f1 = r1 * (1 - (x1 - s12 * x2) / K1)
        f2 = r2 * (1 - (x2 - s21 * x1) / K2)
        dfdy = (-r1 * x1 / K1, r1 * s12 * x2 / K1, r2 * s21 * x1 / K2, -r2 * x2 / K2)
        row1 = (f1, r1 * (x1 - s12 * x2) / K1, r1 * x2 / K1, 0.0, 0.0, 0.0)
        row2 = (0.0, 0.0, 0.0, f2, r2 * (x2 - s21 * x1) / K2, r2 * x1 / K2)
        return dfdy, row1, row2


_MODEL_CLASSES: dict[str, Any] = {"predator_prey": _PredatorPrey, "competition": _Competition}


def _natural(model, theta: np.ndarray) -> np.ndarray:
    return np.where(model.log_mask, np.exp(np.clip(theta, -700, 700)), theta)
