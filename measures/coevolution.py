"""Lotka–Volterra co-evolution models of two populations (METHODS §8; reference study D).

- Predator–prey (§8.1): dx1/dt = a1·x1 − b1·x1·x2, dx2/dt = −a2·x2 + b1·b2·x1·x2.
  Closed forms: `pp_equilibrium`, `pp_jacobian`, `pp_conserved` (V), `pp_period`,
  `analyse_predator_prey`; `simulate_predator_prey`.
- Logistic competition / mutualism (§8.3): dx1/dt = r1·x1·(1 − x1/K1 + σ12·x2/K1),
  dx2/dt = r2·x2·(1 − x2/K2 + σ21·x1/K2) ("+σ means benefit"). `comp_equilibrium`,
  `comp_jacobian`, `interaction_type`, `analyse_competition`; `simulate_competition`.
- Estimation (§8.2, §8.3): `fit_predator_prey`, `fit_competition` (both wrap `fit_lv`):
  Step 1 discretised OLS (HC1 SEs, delta method, sign violations reported, never forced),
  Step 2 ODE non-linear least squares on the log levels (`scipy.optimize.least_squares`,
  "trf", x_scale="jac") started from Step 1 plus a seeded log-uniform multi-start, with
  Wald intervals on the log scale (and optional residual-bootstrap percentile intervals),
  R² and MAPE per series, convergence flag and the condition number of JᵀJ.

Implementation notes
- The data are rescaled first (x̃_k = x_k / c_k, c_k = x_{k,0} DEFAULT or the mean) and the
  parameters converted back (§8.2).
- The ODE is integrated in log-state y = ln x (same solution, positivity built in) together
  with its forward sensitivity equations dS/dt = ∂f/∂y·S + ∂f/∂θ, so the Jacobian handed to
  `least_squares` is exact up to the ODE tolerance (rtol 1e-8, atol 1e-10 by default, §0),
  instead of finite differences of an adaptive solver.
- A trial θ for which `solve_ivp` fails (or the path explodes) returns residuals of 1e6,
  never NaN (§8.2).
- Data that cannot identify the parameters raise `IdentificationError` (too few points,
  non-positive data, a constant series / no co-movement); weak identification is a *flag*
  (`status="weak"` with the reasons in `warnings`), not an error.
"""

from __future__ import annotations

import cmath
import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from scipy.integrate import solve_ivp
from scipy.optimize import least_squares

__all__ = [
    "DiscreteFit",
    "IdentificationError",
    "LVFit",
    "StabilityReport",
    "analyse_competition",
    "analyse_predator_prey",
    "classify_eigenvalues",
    "comp_equilibrium",
    "comp_jacobian",
    "discrete_competition",
    "discrete_predator_prey",
    "fit_competition",
    "fit_lv",
    "fit_predator_prey",
    "interaction_type",
    "pp_conserved",
    "pp_equilibrium",
    "pp_jacobian",
    "pp_period",
    "simulate_competition",
    "simulate_predator_prey",
]

PP_NAMES = ("a1", "b1", "a2", "b2")
COMP_NAMES = ("r1", "K1", "sigma12", "r2", "K2", "sigma21")
MODELS = ("predator_prey", "competition")
BIG_RESIDUAL = 1e6
LOG_BOUND = 25.0  # |ln θ̃| of rates/capacities on the rescaled data (θ̃ in [1.4e-11, 7.2e10])
SIGMA_BOUND = 1e4  # |σ̃| on the rescaled data
MAX_RHS_CALLS = 20_000  # per ODE solve; a trial θ needing more is rejected (residuals 1e6)


class IdentificationError(ValueError):
    """The data cannot identify the model's parameters (`reason` is a short code:
    too_few_points, non_positive, no_co_movement, rank_deficient)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def _json(v: Any) -> Any:
    """numpy → plain Python, recursively (for `to_dict`)."""
    if isinstance(v, dict):
        return {k: _json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json(x) for x in v]
    if isinstance(v, np.ndarray):
        if np.iscomplexobj(v):
            return [{"real": float(z.real), "imag": float(z.imag)} for z in v.ravel()]
        return _json(v.tolist())
    if isinstance(v, (complex, np.complexfloating)):
        return {"real": float(v.real), "imag": float(v.imag)}
    if isinstance(v, np.generic):
        return v.item()
    return v


# --------------------------------------------------------------------------------------------
# Closed forms (§8.1, §8.3)
# --------------------------------------------------------------------------------------------


def pp_equilibrium(a1: float, b1: float, a2: float, b2: float) -> tuple[float, float]:
    """Interior equilibrium E* = (a2/(b1·b2), a1/b1) of the predator–prey model (§8.1)."""
    return a2 / (b1 * b2), a1 / b1


def pp_jacobian(x1: float, x2: float, a1: float, b1: float, a2: float, b2: float) -> np.ndarray:
    """J(x1, x2) = [[a1 − b1·x2, −b1·x1], [b1·b2·x2, −a2 + b1·b2·x1]] (§8.1)."""
    return np.array([[a1 - b1 * x2, -b1 * x1], [b1 * b2 * x2, -a2 + b1 * b2 * x1]], dtype=float)


def pp_conserved(x1, x2, a1: float, b1: float, a2: float, b2: float):
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


def classify_eigenvalues(eig: np.ndarray, tol: float = 1e-9) -> str:
    """Stability class of a planar equilibrium from the eigenvalues of its Jacobian:
    stable/unstable node, stable/unstable focus, saddle, centre, or non-hyperbolic.
    `tol` is relative to the largest |λ|."""
    eig = np.asarray(eig, dtype=complex)
    if not np.all(np.isfinite(eig)):
        return "undefined"
    scale = max(float(np.max(np.abs(eig))), 1e-300)
    re = np.where(np.abs(eig.real) <= tol * scale, 0.0, eig.real)
    im = np.where(np.abs(eig.imag) <= tol * scale, 0.0, eig.imag)
    if np.any(im != 0):
        if re[0] == 0 and re[1] == 0:
            return "centre"
        return "stable focus" if re[0] < 0 else "unstable focus"
    if np.any(re == 0):
        return "non-hyperbolic"
    if re[0] < 0 and re[1] < 0:
        return "stable node"
    if re[0] > 0 and re[1] > 0:
        return "unstable node"
    return "saddle"


def interaction_type(s12: float, s21: float, zero12: bool = False, zero21: bool = False) -> str:
    """Label of the (σ12, σ21) sign pattern under the "+σ means benefit" convention (§8.3).
    `zero12`/`zero21` mark a coefficient treated as 0 (e.g. its interval covers 0)."""

    def sign(v: float, zero: bool) -> int:
        if zero or not np.isfinite(v) or v == 0:
            return 0
        return 1 if v > 0 else -1

    pair = (sign(s12, zero12), sign(s21, zero21))
    labels = {
        (1, 1): "mutualism",
        (1, 0): "commensalism",
        (0, 1): "commensalism",
        (1, -1): "parasitism",  # x1 benefits at x2's expense (predation-like)
        (-1, 1): "parasitism",
        (-1, -1): "competition",
        (-1, 0): "amensalism",
        (0, -1): "amensalism",
        (0, 0): "independence",
    }
    return labels[pair]


@dataclass
class StabilityReport:
    """Equilibrium, Jacobian there, its eigenvalues, the stability class and (when the
    eigenvalues are complex) the period 2π/|Im λ| of the linearised oscillation."""

    model: str
    equilibrium: tuple[float, float]
    jacobian: np.ndarray
    eigenvalues: np.ndarray
    stability: str
    period: float
    exists: bool = True
    note: str = ""
    origin_eigenvalues: np.ndarray | None = None
    origin_stability: str = ""

    def to_dict(self) -> dict:
        return _json(asdict(self))


def analyse_predator_prey(a1: float, b1: float, a2: float, b2: float) -> StabilityReport:
    """E*, J(E*) = [[0, −a2/b2], [a1·b2, 0]], λ = ±i·sqrt(a1·a2) (a linear centre: closed
    orbits, neutrally and not asymptotically stable), period 2π/sqrt(a1·a2); E0 is a
    saddle with eigenvalues a1, −a2 (§8.1). With a sign-violating parameter set the same
    formulas are evaluated and the class follows the eigenvalues."""
    e = pp_equilibrium(a1, b1, a2, b2)
    # J(E*) and its eigenvalues in closed form: the numerical J(E*) has round-off in the
    # zero diagonal (a1 − b1·a1/b1), which would turn a centre into a "focus"
    J = np.array([[0.0, -a2 / b2], [a1 * b2, 0.0]], dtype=float)
    root = cmath.sqrt(complex(-a1 * a2))
    eig = np.array([root, -root], dtype=complex)
    eig = eig[np.lexsort((-eig.imag, -eig.real))]
    J0 = pp_jacobian(0.0, 0.0, a1, b1, a2, b2)
    eig0 = np.linalg.eigvals(J0)
    exists = bool(e[0] > 0 and e[1] > 0)
    cls = classify_eigenvalues(eig)
    note = (
        "linear centre: closed orbits around E*, neutrally (not asymptotically) stable"
        if cls == "centre"
        else ""
    )
    if not exists:
        note = "E* is not in the positive quadrant (parameter signs violate predator–prey)"
    return StabilityReport(
        model="predator_prey",
        equilibrium=(float(e[0]), float(e[1])),
        jacobian=J,
        eigenvalues=eig,
        stability=cls,
        period=pp_period(a1, a2) if cls == "centre" else _period(eig),
        exists=exists,
        note=note,
        origin_eigenvalues=eig0,
        origin_stability=classify_eigenvalues(eig0),
    )


def _period(eig: np.ndarray) -> float:
    im = float(np.max(np.abs(np.asarray(eig).imag)))
    return 2 * math.pi / im if im > 1e-12 else float("nan")


def analyse_competition(
    r1: float, K1: float, sigma12: float, r2: float, K2: float, sigma21: float
) -> StabilityReport:
    """Interior equilibrium of §8.3 with its Jacobian J*; it exists when x1*, x2* > 0 and is
    stable iff tr J* < 0 and det J* > 0 (equivalently both eigenvalues have Re < 0; for
    r, K > 0 this is σ12·σ21 < 1)."""
    e = comp_equilibrium(r1, K1, sigma12, r2, K2, sigma21)
    nan2 = np.full(2, np.nan + 0j)
    if not np.all(np.isfinite(e)):
        return StabilityReport("competition", e, np.full((2, 2), np.nan), nan2, "no equilibrium",
                               float("nan"), exists=False,
                               note="1 − σ12·σ21 = 0: no isolated interior equilibrium")  # fmt: skip
    J = comp_jacobian(*e, r1, K1, sigma12, r2, K2, sigma21)
    eig = np.linalg.eigvals(J)
    eig = eig[np.lexsort((-eig.imag, -eig.real))]
    exists = bool(e[0] > 0 and e[1] > 0)
    tr, det = float(np.trace(J)), float(np.linalg.det(J))
    cls = classify_eigenvalues(eig)
    note = f"tr J* = {tr:.6g}, det J* = {det:.6g}"
    if not exists:
        note = "no interior equilibrium (x1* or x2* ≤ 0); " + note
        cls = "no interior equilibrium"
    return StabilityReport(
        model="competition",
        equilibrium=(float(e[0]), float(e[1])),
        jacobian=J,
        eigenvalues=eig,
        stability=cls,
        period=_period(eig),
        exists=exists,
        note=note,
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
    t,
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
    t,
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
    def rhs(y1, y2, p):
        a1, b1, a2, b2 = p
        return a1 - b1 * math.exp(y2), -a2 + b1 * b2 * math.exp(y1)

    @staticmethod
    def jac(y1, y2, p):
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
    def rhs(y1, y2, p):
        r1, K1, s12, r2, K2, s21 = p
        x1, x2 = math.exp(y1), math.exp(y2)
        return r1 * (1 - (x1 - s12 * x2) / K1), r2 * (1 - (x2 - s21 * x1) / K2)

    @staticmethod
    def jac(y1, y2, p):
        r1, K1, s12, r2, K2, s21 = p
        x1, x2 = math.exp(y1), math.exp(y2)
        f1 = r1 * (1 - (x1 - s12 * x2) / K1)
        f2 = r2 * (1 - (x2 - s21 * x1) / K2)
        dfdy = (-r1 * x1 / K1, r1 * s12 * x2 / K1, r2 * s21 * x1 / K2, -r2 * x2 / K2)
        row1 = (f1, r1 * (x1 - s12 * x2) / K1, r1 * x2 / K1, 0.0, 0.0, 0.0)
        row2 = (0.0, 0.0, 0.0, f2, r2 * (x2 - s21 * x1) / K2, r2 * x1 / K2)
        return dfdy, row1, row2


_MODEL_CLASSES = {"predator_prey": _PredatorPrey, "competition": _Competition}


def _natural(model, theta: np.ndarray) -> np.ndarray:
    return np.where(model.log_mask, np.exp(np.clip(theta, -700, 700)), theta)


MAX_SOLVER_STEPS = 20_000  # per ODE solve (a stiff trial θ is rejected, not waited for)
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
    rhs, jac = model.rhs, model.jac
    y0 = np.asarray(y0, dtype=float)
    lo_lim, hi_lim = float(y0.min()) - 40.0, float(y0.max()) + 40.0
    # failed: set when the path leaves e^±40 of x0, overflows, or the solver exceeds its
    # budget of right-hand-side evaluations (a stiff trial θ can make LSODA crawl for
    # minutes): the θ is rejected (the derivative is then returned as 0 so the solver ends)
    failed = [False]
    calls = [0]

    if not sens:

        def f(_t, z):
            y1, y2 = z[0], z[1]
            calls[0] += 1
            if (
                failed[0]
                or calls[0] > max_rhs
                or not (lo_lim < y1 < hi_lim and lo_lim < y2 < hi_lim)
            ):
                failed[0] = True
                return (0.0, 0.0)
            try:
                return rhs(y1, y2, p)
            except OverflowError:
                failed[0] = True
                return (0.0, 0.0)

        z0 = y0
    else:
        zeros = [0.0] * (2 + 2 * m)

        def f(_t, z):
            y1, y2 = z[0], z[1]
            calls[0] += 1
            if (
                failed[0]
                or calls[0] > max_rhs
                or not (lo_lim < y1 < hi_lim and lo_lim < y2 < hi_lim)
            ):
                failed[0] = True
                return zeros
            try:
                f1, f2 = rhs(y1, y2, p)
                (a, b, c, d), row1, row2 = jac(y1, y2, p)
            except OverflowError:
                failed[0] = True
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
    if failed[0] or not sol.success or sol.y.shape[1] != len(t) or not np.all(np.isfinite(sol.y)):
        return None
    Y = sol.y[:2].T.copy()
    S = None
    if sens:
        S = np.stack([sol.y[2 : 2 + m].T, sol.y[2 + m :].T], axis=1)  # (n, 2, m)
    return Y, S


# --------------------------------------------------------------------------------------------
# Step 1: discretised regressions (§8.2 step 1, §8.3 discrete form)
# --------------------------------------------------------------------------------------------


@dataclass
class DiscreteFit:
    """Discretised OLS estimates (HC1 SEs; derived parameters by the delta method; the two
    equations are estimated separately, their cross-covariance is taken as 0).
    Parameters are in the units of the series passed in."""

    model: str
    params: dict[str, float]
    se: dict[str, float]
    coef: dict[str, float]
    coef_se: dict[str, float]
    r2: tuple[float, float]
    nobs: int
    sign_violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return _json(asdict(self))


def _ols_hc1(y: np.ndarray, X: np.ndarray):
    """OLS with HC1 covariance via statsmodels; returns (params, cov, r2)."""
    import statsmodels.api as sm

    res = sm.OLS(y, X).fit(cov_type="HC1")
    return np.asarray(res.params), np.asarray(res.cov_params()), float(res.rsquared)


def _check_design(X: np.ndarray, what: str) -> None:
    if X.shape[0] <= X.shape[1]:
        raise IdentificationError(
            f"too few points: the discretised {what} regression has {X.shape[0]} observations "
            f"for {X.shape[1]} coefficients",
            "too_few_points",
        )
    for j in range(1, X.shape[1]):
        col = X[:, j]
        if np.ptp(col) <= 1e-10 * max(1.0, float(np.max(np.abs(col)))):
            raise IdentificationError(
                f"no co-movement: the regressor of the {what} equation is constant, so its "
                "interaction coefficient cannot be separated from the intercept",
                "no_co_movement",
            )
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise IdentificationError(
            f"the discretised {what} regressors are collinear", "rank_deficient"
        )


def _regressors(x: np.ndarray, midpoint: bool) -> np.ndarray:
    return 0.5 * (x[:-1] + x[1:]) if midpoint else x[:-1]


def discrete_predator_prey(x1, x2, t=None, *, midpoint: bool = False) -> DiscreteFit:
    """Euler log-growth regressions (§8.2 step 1), per unit time:
    Δln x1/Δt = a1 − b1·x̄2, Δln x2/Δt = −a2 + c·x̄1, b2 = c/b1 (delta-method SE)."""
    x1, x2 = np.asarray(x1, float), np.asarray(x2, float)
    t = np.arange(len(x1), dtype=float) if t is None else np.asarray(t, float)
    dt = np.diff(t)
    g1 = np.diff(np.log(x1)) / dt
    g2 = np.diff(np.log(x2)) / dt
    X1 = np.column_stack([np.ones_like(g1), _regressors(x2, midpoint)])
    X2 = np.column_stack([np.ones_like(g2), _regressors(x1, midpoint)])
    _check_design(X1, "x1 growth")
    _check_design(X2, "x2 growth")
    p1, V1, r2a = _ols_hc1(g1, X1)
    p2, V2, r2b = _ols_hc1(g2, X2)
    a1, b1 = p1[0], -p1[1]
    a2, c = -p2[0], p2[1]
    se_a1, se_b1 = math.sqrt(V1[0, 0]), math.sqrt(V1[1, 1])
    se_a2, se_c = math.sqrt(V2[0, 0]), math.sqrt(V2[1, 1])
    b2 = c / b1 if b1 != 0 else float("nan")
    # delta method: b2 = c/b1, ∂/∂b1 = −c/b1², ∂/∂c = 1/b1 (b1 and c from separate equations)
    se_b2 = (
        math.sqrt((c / b1**2) ** 2 * se_b1**2 + (1 / b1) ** 2 * se_c**2)
        if b1 != 0
        else float("nan")
    )
    viol = [n for n, v in (("a1", a1), ("b1", b1), ("a2", a2), ("c = b1·b2", c)) if not v > 0]
    warns = []
    if viol:
        warns.append(
            "sign violation(s) " + ", ".join(f"{n} ≤ 0" for n in viol)
            + ": the predator–prey structure is not supported by the discretised regression"
        )  # fmt: skip
    return DiscreteFit(
        model="predator_prey",
        params={"a1": a1, "b1": b1, "a2": a2, "b2": b2},
        se={"a1": se_a1, "b1": se_b1, "a2": se_a2, "b2": se_b2},
        coef={"a1": a1, "b1": b1, "a2": a2, "c": c},
        coef_se={"a1": se_a1, "b1": se_b1, "a2": se_a2, "c": se_c},
        r2=(r2a, r2b),
        nobs=len(g1),
        sign_violations=viol,
        warnings=warns,
    )


def _ratio_se(beta: np.ndarray, V: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """r = β0, K = −β0/β1, σ = −β2/β1 with delta-method SEs from cov(β)."""
    b0, b1, b2 = beta
    r, K, s = b0, -b0 / b1, -b2 / b1
    gK = np.array([-1 / b1, b0 / b1**2, 0.0])
    gs = np.array([0.0, b2 / b1**2, -1 / b1])
    return (r, K, s, math.sqrt(V[0, 0]), math.sqrt(max(gK @ V @ gK, 0.0)),
            math.sqrt(max(gs @ V @ gs, 0.0)))  # fmt: skip


def discrete_competition(x1, x2, t=None, *, midpoint: bool = False) -> DiscreteFit:
    """Per-capita growth regressions (§8.3): Δx1/(x1·Δt) = β0 + β1·x1 + β2·x2 ⇒ r1 = β0,
    K1 = −β0/β1, σ12 = −β2/β1, and symmetrically for x2 (delta-method SEs)."""
    x1, x2 = np.asarray(x1, float), np.asarray(x2, float)
    t = np.arange(len(x1), dtype=float) if t is None else np.asarray(t, float)
    dt = np.diff(t)
    g1 = np.diff(x1) / (x1[:-1] * dt)
    g2 = np.diff(x2) / (x2[:-1] * dt)
    r1_, r2_ = _regressors(x1, midpoint), _regressors(x2, midpoint)
    X1 = np.column_stack([np.ones_like(g1), r1_, r2_])
    X2 = np.column_stack([np.ones_like(g2), r2_, r1_])
    _check_design(X1, "x1 growth")
    _check_design(X2, "x2 growth")
    p1, V1, r2a = _ols_hc1(g1, X1)
    p2, V2, r2b = _ols_hc1(g2, X2)
    with np.errstate(all="ignore"):
        r1, K1, s12, se_r1, se_K1, se_s12 = _ratio_se(p1, V1)
        r2, K2, s21, se_r2, se_K2, se_s21 = _ratio_se(p2, V2)
    viol = [n for n, v in (("r1", r1), ("K1", K1), ("r2", r2), ("K2", K2)) if not v > 0]
    warns = []
    if viol:
        warns.append(
            "sign violation(s) " + ", ".join(f"{n} ≤ 0" for n in viol)
            + ": logistic growth with self-limitation is not supported by the discretised regression"
        )  # fmt: skip
    if X1.shape[0] - X1.shape[1] < 2:
        warns.append(f"discretised regressions have only {X1.shape[0] - X1.shape[1]} residual df")
    names = ("r1", "K1", "sigma12", "r2", "K2", "sigma21")
    vals = (r1, K1, s12, r2, K2, s21)
    ses = (se_r1, se_K1, se_s12, se_r2, se_K2, se_s21)
    return DiscreteFit(
        model="competition",
        params=dict(zip(names, map(float, vals), strict=True)),
        se=dict(zip(names, map(float, ses), strict=True)),
        coef={
            "beta0": p1[0],
            "beta1": p1[1],
            "beta2": p1[2],
            "gamma0": p2[0],
            "gamma1": p2[1],
            "gamma2": p2[2],
        },  # fmt: skip
        coef_se={
            "beta0": math.sqrt(V1[0, 0]),
            "beta1": math.sqrt(V1[1, 1]),
            "beta2": math.sqrt(V1[2, 2]),
            "gamma0": math.sqrt(V2[0, 0]),
            "gamma1": math.sqrt(V2[1, 1]),
            "gamma2": math.sqrt(V2[2, 2]),
        },  # fmt: skip
        r2=(r2a, r2b),
        nobs=len(g1),
        sign_violations=viol,
        warnings=warns,
    )


# --------------------------------------------------------------------------------------------
# Step 2: ODE non-linear least squares (§8.2 step 2)
# --------------------------------------------------------------------------------------------


@dataclass
class LVFit:
    """A fitted Lotka–Volterra model in the original units of the data.

    status: "ok"; "weak" (fit done but identification is weak — reasons in `warnings`:
    few points, condition number of JᵀJ > 1e8, sign violations in step 1, intervals
    spanning orders of magnitude, or a stability class that less than `level` of the
    parameter uncertainty supports — `stability_share`, METHODS §8.5); "not_identified" (JᵀJ
    numerically singular, cond > 1e15:
    the estimates are one minimiser among many, SEs/intervals are NaN); "not_converged". `ci_*` are Wald intervals on the log scale (for r, K, a, b; linear for σ) with
    t(n_res − p) quantiles, or bootstrap percentiles when `ci_method == "bootstrap"`.
    """

    model: str
    method: str
    params: dict[str, float]
    se: dict[str, float]
    ci_low: dict[str, float]
    ci_high: dict[str, float]
    ci_method: str
    level: float
    discrete: DiscreteFit
    analysis: StabilityReport
    interaction: str
    t: np.ndarray
    observed: np.ndarray
    fitted: np.ndarray
    x0: tuple[float, float]
    x0_fitted: bool
    scale: tuple[float, float]
    r2: tuple[float, float]
    mape: tuple[float, float]
    ssr_log: float
    sigma2_log: float
    n_obs: int
    n_res: int
    n_params: int
    cond_jtj: float
    converged: bool
    nfev: int
    n_starts: int
    status: str
    warnings: list[str] = field(default_factory=list)
    v_path: np.ndarray | None = None
    v_drift: float = float("nan")
    boot_n_ok: int = 0
    stability_share: float = float("nan")
    stability_classes: dict[str, float] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return "; ".join(self.warnings)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["discrete"] = self.discrete.to_dict()
        d["analysis"] = self.analysis.to_dict()
        d["message"] = self.message
        return _json(d)


def _rescale(x1: np.ndarray, x2: np.ndarray, scale: str) -> tuple[float, float]:
    if scale == "first":
        return float(x1[0]), float(x2[0])
    if scale == "mean":
        return float(np.mean(x1)), float(np.mean(x2))
    if scale == "none":
        return 1.0, 1.0
    raise ValueError(f"scale must be 'first', 'mean' or 'none', not {scale!r}")


def _to_original(model: str, p: dict[str, float], c1: float, c2: float) -> dict[str, float]:
    """Scaled-data parameters → original units (§8.2: b1 = b̃1/c2, b1·b2 = b̃1·b̃2/c1)."""
    if model == "predator_prey":
        return {"a1": p["a1"], "b1": p["b1"] / c2, "a2": p["a2"], "b2": p["b2"] * c2 / c1}
    return {"r1": p["r1"], "K1": p["K1"] * c1, "sigma12": p["sigma12"] * c1 / c2,
            "r2": p["r2"], "K2": p["K2"] * c2, "sigma21": p["sigma21"] * c2 / c1}  # fmt: skip


def _unit_factors(model: str, c1: float, c2: float) -> np.ndarray:
    """Multiplicative factor from scaled to original units, per parameter (all positive)."""
    if model == "predator_prey":
        return np.array([1.0, 1.0 / c2, 1.0, c2 / c1])
    return np.array([1.0, c1, c1 / c2, 1.0, c2, c2 / c1])


def _start_theta(model, disc: DiscreteFit, ys: np.ndarray) -> np.ndarray:
    """Internal θ from the (scaled) step-1 estimates: absolute values for sign violations,
    safe fall-backs for non-finite or zero estimates."""
    p = disc.params
    if model.name == "predator_prey":
        vals = []
        for k, v in zip(PP_NAMES, (p["a1"], p["b1"], p["a2"], p["b2"]), strict=True):
            v = abs(v) if np.isfinite(v) else np.nan
            if not v > 1e-6:
                v = {"a1": 0.3, "b1": 0.3, "a2": 0.3, "b2": 1.0}[k]
            vals.append(math.log(min(v, 1e3)))
        return np.array(vals)
    xmax = float(np.exp(ys).max())
    out = []
    for k in COMP_NAMES:
        v = p[k]
        if k.startswith("sigma"):
            out.append(float(np.clip(v, -5, 5)) if np.isfinite(v) else 0.0)
            continue
        v = abs(v) if np.isfinite(v) else np.nan
        if k.startswith("K"):
            v = 2.0 * xmax if not v >= 0.5 * xmax else min(v, 1e3 * xmax)
        elif not v > 1e-6:
            v = 0.2
        out.append(math.log(min(v, 1e3) if k.startswith("r") else v))
    return np.array(out)


def _perturb(
    model, theta: np.ndarray, rng: np.random.Generator, lo: float, hi: float
) -> np.ndarray:
    m = rng.uniform(math.log(lo), math.log(hi), size=theta.size)
    out = theta.copy()
    out[model.log_mask] = theta[model.log_mask] + m[model.log_mask]
    free = ~model.log_mask
    out[free] = theta[free] * np.exp(m[free]) + rng.uniform(-0.5, 0.5, size=int(free.sum()))
    return out


def _r2(obs: np.ndarray, fit: np.ndarray) -> float:
    sst = float(np.sum((obs - obs.mean()) ** 2))
    return 1.0 - float(np.sum((obs - fit) ** 2)) / sst if sst > 0 else float("nan")


def fit_lv(
    x1,
    x2,
    t=None,
    *,
    model: str = "predator_prey",
    method: str = "ode_nls",
    scale: str = "first",
    midpoint: bool = False,
    fit_x0: bool = False,
    n_starts: int = 20,
    seed: int = 0,
    perturb: tuple[float, float] = (0.2, 5.0),
    level: float = 0.95,
    n_boot: int = 0,
    ode_method: str = "LSODA",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    max_nfev: int = 10_000,
    screen_nfev: int = 50,
    n_polish: int = 2,
    min_points: int | None = None,
    cond_warn: float = 1e8,
) -> LVFit:
    """Fit the predator–prey (§8.1–8.2) or competition/mutualism (§8.3) model to two series.

    method: "ode_nls" (DEFAULT: step 1 then ODE-NLS on log levels) or "discrete" (step 1 only).
    fit_x0: also estimate the initial state (log-parametrised); DEFAULT fixed at the data.
    n_starts: random log-uniform perturbations ×[perturb] of the step-1 start (plus the start
    itself); each start is run for `screen_nfev` evaluations, the `n_polish` best are run to
    convergence (≤ max_nfev) and the best least-squares solution is kept. n_boot > 0 adds residual-bootstrap
    percentile intervals (refits from the estimate, one start each) and makes them the
    reported `ci_*`. min_points: fewer points flag the fit as weak (DEFAULT 8 for
    predator–prey, 10 for competition: METHODS §8.2 expects T ≈ 10–20).

    Raises IdentificationError for non-positive/non-finite data, too few points for the
    number of parameters, or a constant series (no co-movement to identify an interaction).
    """
    if model not in _MODEL_CLASSES:
        raise ValueError(f"model must be one of {MODELS}, not {model!r}")
    if method not in ("ode_nls", "discrete"):
        raise ValueError(f"method must be 'ode_nls' or 'discrete', not {method!r}")
    M = _MODEL_CLASSES[model]
    x1 = np.asarray(x1, dtype=float).ravel()
    x2 = np.asarray(x2, dtype=float).ravel()
    if x1.shape != x2.shape:
        raise ValueError("x1 and x2 must have the same length")
    n = x1.size
    t = np.arange(n, dtype=float) if t is None else np.asarray(t, dtype=float).ravel()
    if t.shape != x1.shape:
        raise ValueError("t must have the same length as the series")
    if n and np.any(np.diff(t) <= 0):
        raise ValueError("t must be strictly increasing")
    if not (np.all(np.isfinite(x1)) and np.all(np.isfinite(x2))):
        raise IdentificationError("the series contain missing or non-finite values", "non_positive")
    if np.any(x1 <= 0) or np.any(x2 <= 0):
        raise IdentificationError(
            "Lotka–Volterra populations must be positive; the data have zeros or negatives",
            "non_positive",
        )
    p = len(M.names)
    p_all = p + (2 if fit_x0 else 0)
    n_res = 2 * (n - 1) + (2 if fit_x0 else 0)
    if n < 3 or n_res <= p_all:
        raise IdentificationError(
            f"too few points: {n} observations give {n_res} residuals for {p_all} parameters",
            "too_few_points",
        )
    for k, x in ((1, x1), (2, x2)):
        if np.ptp(np.log(x)) <= 1e-10:
            raise IdentificationError(
                f"no co-movement: series x{k} is constant, so the interaction is not identified",
                "no_co_movement",
            )
    if min_points is None:
        min_points = 8 if model == "predator_prey" else 10
    c1, c2 = _rescale(x1, x2, scale)
    s1, s2 = x1 / c1, x2 / c2
    disc_fn = discrete_predator_prey if model == "predator_prey" else discrete_competition
    disc_scaled = disc_fn(s1, s2, t, midpoint=midpoint)
    f = _unit_factors(model, c1, c2)
    disc = DiscreteFit(
        model=disc_scaled.model,
        params={k: v * f[i] for i, (k, v) in enumerate(disc_scaled.params.items())},
        se={k: v * f[i] for i, (k, v) in enumerate(disc_scaled.se.items())},
        coef=disc_scaled.coef,
        coef_se=disc_scaled.coef_se,
        r2=disc_scaled.r2,
        nobs=disc_scaled.nobs,
        sign_violations=disc_scaled.sign_violations,
        warnings=list(disc_scaled.warnings),
    )
    if model == "predator_prey":
        disc.coef = {**disc.coef, "b1": disc.params["b1"], "c": disc.coef["c"] / c1}
        disc.coef_se = {**disc.coef_se, "b1": disc.se["b1"], "c": disc.coef_se["c"] / c1}
    else:
        disc.coef, disc.coef_se = {}, {}  # coefficients are on the scaled data; see params
    warns: list[str] = list(disc.warnings)
    if n < min_points:
        warns.append(
            f"only {n} points (< {min_points}) for {p_all} parameters: weakly identified, "
            "treat the estimates as descriptive"
        )
    ys = np.column_stack([np.log(s1), np.log(s2)])
    q = stats.t.ppf(0.5 + level / 2, max(n_res - p_all, 1))

    if method == "discrete":
        params = disc.params
        se = disc.se
        # t quantile with the residual df of one discretised regression (n − 1 growth rates,
        # 2 or 3 coefficients), not the ODE-NLS df
        q = stats.t.ppf(0.5 + level / 2, max(disc.nobs - (2 if model == "predator_prey" else 3), 1))
        lo = {k: params[k] - q * se[k] for k in params}
        hi = {k: params[k] + q * se[k] for k in params}
        x0 = (float(x1[0]), float(x2[0]))
        fitted = _simulate_any(model, params, x0, t, ode_method, rtol, atol)
        fit = _finish(model, method, params, se, lo, hi, "wald_discrete", level, disc, t,
                      np.column_stack([x1, x2]), fitted, x0, False, (c1, c2), float("nan"),
                      float("nan"), n, n_res, p_all, float("nan"), True, 0, 0, warns,
                      "weak" if warns else "ok")  # fmt: skip
        names = list(params)
        rng_d = np.random.default_rng(seed + 2)
        D = np.array([params[k] for k in names]) + rng_d.standard_normal(
            (STABILITY_DRAWS, len(names))
        ) * np.array([se[k] for k in names])
        return _stability_identification(
            fit, D if np.all(np.isfinite(D)) else None, "Wald (discretised)"
        )

    # ---- ODE-NLS on log levels of the scaled data
    t_rel = t - t[0]
    cache: dict[bytes, Any] = {}

    def split(th):
        if fit_x0:
            return th[:p], th[p:]
        return th, ys[0]

    def solve(th):
        key = th.tobytes()
        if key not in cache:
            if len(cache) > 8:
                cache.clear()
            tp, y0 = split(th)
            cache[key] = _solve_log(M, tp, y0, t_rel, sens=True, method=ode_method, rtol=rtol,
                                    atol=atol, fit_x0=fit_x0)  # fmt: skip
        return cache[key]

    rows = slice(None) if fit_x0 else slice(1, None)

    def resid(th, target=ys):
        out = solve(th)
        if out is None:
            return np.full(n_res, BIG_RESIDUAL)
        return (out[0][rows] - target[rows]).ravel(order="F")

    def jac(th, target=ys):
        out = solve(th)
        if out is None:
            return np.zeros((n_res, p_all))
        S = out[1][rows]  # (n', 2, m)
        return np.concatenate([S[:, 0, :], S[:, 1, :]], axis=0)

    theta0 = _start_theta(M, disc_scaled, ys)
    if fit_x0:
        theta0 = np.concatenate([theta0, ys[0]])
    # box on the internal parameters of the scaled problem: |ln θ̃| ≤ LOG_BOUND for rates,
    # interaction coefficients and capacities, |σ̃| ≤ SIGMA_BOUND, |ln x̃0| ≤ LOG_BOUND.
    # Far outside any meaningful range; without it an unidentified fit drifts towards 0/∞ for
    # thousands of ODE solves. An estimate at the box is reported as not identified.
    lb = np.where(M.log_mask, -LOG_BOUND, -SIGMA_BOUND)
    ub = -lb
    if fit_x0:
        lb = np.concatenate([lb, [-LOG_BOUND, -LOG_BOUND]])
        ub = np.concatenate([ub, [LOG_BOUND, LOG_BOUND]])
    margin = 1e-6 * (ub - lb)
    theta0 = np.clip(theta0, lb + margin, ub - margin)
    rng = np.random.default_rng(seed)
    starts = [theta0]
    for _ in range(int(n_starts)):
        th = theta0.copy()
        th[:p] = _perturb(M, theta0[:p], rng, *perturb)
        starts.append(np.clip(th, lb + margin, ub - margin))

    # multi-start: every start gets a short run (screen_nfev evaluations), the n_polish best
    # are then run to convergence (max_nfev); the lowest cost wins
    def run(th, budget):
        try:
            return least_squares(resid, th, jac=jac, method="trf", x_scale="jac",
                                 bounds=(lb, ub), max_nfev=budget)  # fmt: skip
        except (ValueError, np.linalg.LinAlgError):
            return None

    nfev = 0
    screened = []
    for th in starts:
        r = run(th, min(screen_nfev, max_nfev))
        if r is not None:
            nfev += r.nfev
            screened.append(r)
    screened.sort(key=lambda r: r.cost)
    best = None
    for r0 in screened[: max(1, n_polish)]:
        r = r0 if r0.status > 0 else run(r0.x, max_nfev)
        if r is None:
            continue
        nfev += r.nfev if r is not r0 else 0
        if best is None or r.cost < best.cost:
            best = r
    if best is None or best.cost >= 0.25 * n_res * BIG_RESIDUAL**2:  # every start failed
        raise IdentificationError("the ODE could not be solved from any start", "solver_failed")
    theta_hat = best.x
    converged = bool(best.status > 0)
    at_bound = [
        (M.names[i] if i < p else f"x0_{i - p + 1}")
        for i in range(p_all)
        if min(theta_hat[i] - lb[i], ub[i] - theta_hat[i]) <= 1e-3 * (ub[i] - lb[i])
    ]
    J = jac(theta_hat)
    ssr = float(2 * best.cost)
    dof = n_res - p_all
    sigma2 = ssr / dof
    JtJ = J.T @ J
    with np.errstate(all="ignore"):
        cond = float(np.linalg.cond(JtJ)) if np.all(np.isfinite(JtJ)) else float("inf")
    if not np.isfinite(cond) or cond > 1e15:
        cov = np.full((p_all, p_all), np.nan)
        warns.append("JᵀJ is singular: the parameters are not identified by these data")
    else:
        cov = np.linalg.inv(JtJ) * sigma2
    if cond > cond_warn:
        warns.append(f"condition number of JᵀJ = {cond:.3g} > {cond_warn:.0e}: weak identification")
    se_th = np.sqrt(np.clip(np.diag(cov)[:p], 0, None))
    th_p = theta_hat[:p]
    nat = _natural(M, th_p)
    with np.errstate(over="ignore"):
        lo_nat = np.where(M.log_mask, np.exp(th_p - q * se_th), th_p - q * se_th)
        hi_nat = np.where(M.log_mask, np.exp(th_p + q * se_th), th_p + q * se_th)
    se_nat = np.where(M.log_mask, nat * se_th, se_th)
    ci_method = "wald_log"
    boot_ok = 0
    if n_boot and n_boot > 0:
        fitted_log = solve(theta_hat)[0]
        res_mat = ys - fitted_log
        # centred residuals, inflated by sqrt(n_res/(n_res − p)) for the df the fit used up
        res_mat = (res_mat[rows] - res_mat[rows].mean(axis=0)) * math.sqrt(
            n_res / max(n_res - p_all, 1)
        )
        brng = np.random.default_rng(seed + 1)
        draws = []
        for _ in range(int(n_boot)):
            target = fitted_log.copy()
            idx = brng.integers(0, res_mat.shape[0], size=(res_mat.shape[0], 2))
            target[rows] = fitted_log[rows] + res_mat[idx, [0, 1]]
            try:
                rb = least_squares(lambda th, tg=target: resid(th, tg), theta_hat,
                                   jac=lambda th, tg=target: jac(th, tg), method="trf",
                                   x_scale="jac", bounds=(lb, ub), max_nfev=max_nfev)  # fmt: skip
            except (ValueError, np.linalg.LinAlgError):
                continue
            if rb.status > 0 and rb.cost < 0.5 * BIG_RESIDUAL:
                draws.append(_natural(M, rb.x[:p]))
        boot_ok = len(draws)
        if boot_ok >= max(10, n_boot // 2):
            D = np.asarray(draws)
            a = (1 - level) / 2
            lo_nat = np.quantile(D, a, axis=0)
            hi_nat = np.quantile(D, 1 - a, axis=0)
            se_nat = D.std(axis=0, ddof=1)
            ci_method = "bootstrap"
        else:
            warns.append(
                f"bootstrap: only {boot_ok} of {n_boot} refits succeeded; Wald intervals kept"
            )
    names = M.names
    params = {k: float(nat[i] * f[i]) for i, k in enumerate(names)}
    se = {k: float(se_nat[i] * f[i]) for i, k in enumerate(names)}
    lo = {k: float(lo_nat[i] * f[i]) for i, k in enumerate(names)}
    hi = {k: float(hi_nat[i] * f[i]) for i, k in enumerate(names)}
    if fit_x0:
        x0 = (float(math.exp(theta_hat[p]) * c1), float(math.exp(theta_hat[p + 1]) * c2))
    else:
        x0 = (float(x1[0]), float(x2[0]))
    fitted_log = solve(theta_hat)[0]
    fitted = np.exp(fitted_log) * np.array([c1, c2])
    wide = [k for k, i in zip(names, range(p), strict=True) if M.log_mask[i]
            and np.isfinite(se_th[i]) and 2 * q * se_th[i] > math.log(100)]  # fmt: skip
    if wide:
        warns.append("95% interval spans more than two orders of magnitude for " + ", ".join(wide))
    if at_bound:
        warns.append(
            "estimate at the edge of the admissible box (" + ", ".join(at_bound)
            + " → 0, ∞ or an extreme σ): the parameters are not identified by these data"
        )  # fmt: skip
    if not converged:
        status = "not_converged"
        warns.append(f"least_squares did not converge: {best.message}")
    elif not np.isfinite(cond) or cond > 1e15 or at_bound:
        status = "not_identified"
    elif len(warns) > 0:
        status = "weak"
    else:
        status = "ok"
    fit = _finish(model, method, params, se, lo, hi, ci_method, level, disc, t,
                  np.column_stack([x1, x2]), fitted, x0, fit_x0, (c1, c2), ssr, sigma2, n,
                  n_res, p_all, cond, converged, nfev, len(starts), warns, status,
                  boot_ok=boot_ok, ci_zero=_ci_zero(names, lo, hi))  # fmt: skip
    if ci_method == "bootstrap":
        D, how = np.asarray(draws) * f, f"bootstrap ({boot_ok} refits)"
    elif np.all(np.isfinite(cov[:p, :p])):
        rng_s = np.random.default_rng(seed + 2)
        th = rng_s.multivariate_normal(th_p, cov[:p, :p], size=STABILITY_DRAWS,
                                       check_valid="ignore")  # fmt: skip
        D, how = _natural(M, th) * f, "Wald (log scale)"
    else:
        D, how = None, ""
    return _stability_identification(fit, D, how)


STABILITY_DRAWS = 400


def _stability_identification(fit: LVFit, draws: np.ndarray | None, how: str) -> LVFit:
    """Share of parameter draws (bootstrap refits or the Wald normal approximation, METHODS
    §8.5) whose equilibrium has the reported stability class. Below `fit.level` an "ok" fit
    becomes "weak" with a warning: the class is not identified by these data."""
    if draws is None or draws.size == 0:
        if fit.status in ("ok", "weak"):
            fit.warnings.append("stability class not checked: no parameter uncertainty available")
            fit.status = "weak"
        return fit
    fn = analyse_predator_prey if fit.model == "predator_prey" else analyse_competition
    counts: dict[str, int] = {}
    with np.errstate(all="ignore"):
        for row in draws:
            try:
                cls = fn(*(float(v) for v in row)).stability
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, OverflowError):
                cls = "undefined"
            counts[cls] = counts.get(cls, 0) + 1
    total = sum(counts.values())
    fit.stability_classes = {k: v / total for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}
    fit.stability_share = fit.stability_classes.get(fit.analysis.stability, 0.0)
    if fit.stability_share < fit.level:
        others = ", ".join(f"{k} {100 * v:.0f}%" for k, v in fit.stability_classes.items()
                           if k != fit.analysis.stability)  # fmt: skip
        fit.warnings.append(
            f"stability class {fit.analysis.stability!r} is not identified: only "
            f"{100 * fit.stability_share:.0f}% of {total} {how} parameter draws give it "
            f"(others: {others})"
        )
        if fit.status == "ok":
            fit.status = "weak"
    return fit


def _ci_zero(names, lo: dict, hi: dict) -> dict[str, bool]:
    return {k: bool(np.isfinite(lo[k]) and np.isfinite(hi[k]) and lo[k] <= 0 <= hi[k])
            for k in names}  # fmt: skip


def _simulate_any(model, params, x0, t, ode_method, rtol, atol) -> np.ndarray:
    vals = [params[k] for k in (PP_NAMES if model == "predator_prey" else COMP_NAMES)]
    if not all(np.isfinite(vals)):
        return np.full((len(t), 2), np.nan)
    fn = simulate_predator_prey if model == "predator_prey" else simulate_competition
    try:
        return fn(*vals, x0, t, method=ode_method, rtol=rtol, atol=atol)
    except (RuntimeError, ValueError, OverflowError):
        return np.full((len(t), 2), np.nan)


def _finish(model, method, params, se, lo, hi, ci_method, level, disc, t, obs, fitted, x0,
            x0_fitted, scale, ssr, sigma2, n, n_res, p_all, cond, converged, nfev, n_starts,
            warns, status, *, boot_ok=0, ci_zero=None) -> LVFit:  # fmt: skip
    if model == "predator_prey":
        an = analyse_predator_prey(params["a1"], params["b1"], params["a2"], params["b2"])
        inter = "predator-prey" if an.exists else "predator-prey (sign-violating)"
    else:
        an = analyse_competition(*(params[k] for k in COMP_NAMES))
        ci_zero = ci_zero or {}
        inter = interaction_type(params["sigma12"], params["sigma21"],
                                 ci_zero.get("sigma12", False), ci_zero.get("sigma21", False))  # fmt: skip
    with np.errstate(all="ignore"):
        ok = np.all(np.isfinite(fitted))
        r2 = (_r2(obs[:, 0], fitted[:, 0]), _r2(obs[:, 1], fitted[:, 1])) if ok else (np.nan,) * 2
        mape = tuple(float(100 * np.mean(np.abs(fitted[:, k] / obs[:, k] - 1))) for k in (0, 1))
    v_path, v_drift = None, float("nan")
    if model == "predator_prey" and ok and all(v > 0 for v in params.values()):
        v_path = pp_conserved(fitted[:, 0], fitted[:, 1], *(params[k] for k in PP_NAMES))
        v_drift = float(np.ptp(v_path) / max(abs(float(np.mean(v_path))), 1e-300))
    return LVFit(
        model=model, method=method, params=params, se=se, ci_low=lo, ci_high=hi,
        ci_method=ci_method, level=level, discrete=disc, analysis=an, interaction=inter,
        t=t, observed=obs, fitted=fitted, x0=x0, x0_fitted=x0_fitted, scale=scale,
        r2=(float(r2[0]), float(r2[1])), mape=(float(mape[0]), float(mape[1])), ssr_log=ssr,
        sigma2_log=sigma2, n_obs=n, n_res=n_res, n_params=p_all, cond_jtj=cond,
        converged=converged, nfev=nfev, n_starts=n_starts, status=status, warnings=warns,
        v_path=v_path, v_drift=v_drift, boot_n_ok=boot_ok,
    )  # fmt: skip


def fit_predator_prey(x1, x2, t=None, **kw) -> LVFit:
    """Predator–prey fit of §8.2 (x1 = prey role, x2 = predator role). See `fit_lv`."""
    return fit_lv(x1, x2, t, model="predator_prey", **kw)


def fit_competition(x1, x2, t=None, **kw) -> LVFit:
    """Logistic competition/mutualism fit of §8.3. See `fit_lv`."""
    return fit_lv(x1, x2, t, model="competition", **kw)
