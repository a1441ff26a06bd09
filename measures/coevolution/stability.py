"""Stability of the interior equilibrium (METHODS §8.1, §8.3, §8.5): eigenvalue classes,
the interaction label of the σ sign pattern and `StabilityReport`."""

from __future__ import annotations

import cmath
import math
from dataclasses import asdict, dataclass

import numpy as np

from measures.coevolution._common import _json
from measures.coevolution.models import (
    comp_equilibrium,
    comp_jacobian,
    pp_equilibrium,
    pp_jacobian,
    pp_period,
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
