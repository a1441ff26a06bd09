"""Shared pieces of radial DEA (METHODS §9.1): the result type `RadialResult`, argument
checks and the column scaling, used by both back ends (`measures.dea.radial` with highspy,
`measures.dea.cvx` with cvxpy) so that neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

ORIENTATIONS = ("input", "output")
RTS = ("crs", "vrs", "nirs", "ndrs")


@dataclass
class RadialResult:
    """Result of `radial_efficiency` (one entry per evaluated DMU).

    score: θ* (input orientation, ≤ 1 for DMUs inside the technology) or φ* (output
        orientation, ≥ 1); NaN where the LP is not optimal.
    status: "optimal" / "infeasible" / "unbounded" / … per DMU (phase 1; if phase 2 fails
        its status is reported as "phase2_<status>" and the slacks are NaN).
    lambdas: (n_eval, n_ref) intensity weights (phase 2 if two_phase else phase 1), or None:
        a dense ndarray up to 25 million cells, a sparse `measures.dea._sparse.LambdaMatrix`
        above (``L[k]`` dense row, ``L[k, j]``, ``L.csr``). Lambdas are not unique in
        general; they come from the optimal basis found (phase 1's when phase 2 is skipped).
    slack_in / slack_out: (n_eval, m) / (n_eval, s) max-slacks of phase 2 in original units
        (None unless two_phase).
    """

    score: np.ndarray
    status: np.ndarray
    lambdas: Any = None
    slack_in: np.ndarray | None = None
    slack_out: np.ndarray | None = None
    orientation: str = "input"
    rts: str = "crs"
    lp_count: int = 0
    columns_used: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def farrell(self) -> np.ndarray:
        """Farrell efficiency in (0, 1] for DMUs inside the technology: θ or 1/φ."""
        return self.score if self.orientation == "input" else 1.0 / self.score

    def targets(self, X_eval: np.ndarray, Y_eval: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Projections (METHODS §9.1): input: x̂ = θx − s⁻, ŷ = y + s⁺;
        output: x̂ = x − s⁻, ŷ = φy + s⁺. Needs two_phase slacks."""
        if self.slack_in is None or self.slack_out is None:
            raise ValueError("targets need two_phase=True")
        sc = self.score[:, None]
        if self.orientation == "input":
            return sc * X_eval - self.slack_in, Y_eval + self.slack_out
        return X_eval - self.slack_in, sc * Y_eval + self.slack_out


def _check(
    X_ref, Y_ref, X_eval, Y_eval, orientation, rts, exclude_self
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be one of {ORIENTATIONS}, got {orientation!r}")
    if rts not in RTS:
        raise ValueError(f"rts must be one of {RTS}, got {rts!r}")
    X_ref = np.atleast_2d(np.asarray(X_ref, dtype=float))
    Y_ref = np.atleast_2d(np.asarray(Y_ref, dtype=float))
    same = X_eval is None and Y_eval is None
    if (X_eval is None) != (Y_eval is None):
        raise ValueError("give both X_eval and Y_eval or neither")
    if same:
        X_eval, Y_eval = X_ref, Y_ref
    else:
        X_eval = np.atleast_2d(np.asarray(X_eval, dtype=float))
        Y_eval = np.atleast_2d(np.asarray(Y_eval, dtype=float))
    if X_ref.shape[0] != Y_ref.shape[0] or X_eval.shape[0] != Y_eval.shape[0]:
        raise ValueError("X and Y must have the same number of rows (DMUs)")
    if X_ref.shape[1] != X_eval.shape[1] or Y_ref.shape[1] != Y_eval.shape[1]:
        raise ValueError("reference and evaluated data must have the same variables")
    for a in (X_ref, Y_ref, X_eval, Y_eval):
        if not np.all(np.isfinite(a)):
            raise ValueError("DEA data must be finite (no NaN/Inf)")
        if np.any(a < 0):
            raise ValueError("DEA data must be non-negative")
    if exclude_self and not same:
        if X_eval.shape != X_ref.shape or not (
            np.array_equal(X_eval, X_ref) and np.array_equal(Y_eval, Y_ref)
        ):
            raise ValueError("exclude_self=True needs the evaluated DMUs to be the reference DMUs")
    return X_ref, Y_ref, X_eval, Y_eval


def _col_scale(a: np.ndarray) -> np.ndarray:
    mu = a.mean(axis=0)
    return np.where(mu > 0, mu, 1.0)
