"""Shared pieces of the co-evolution package (METHODS §8): parameter names, bounds of the
scaled problem, `IdentificationError` and the numpy → JSON helper of the result types."""

from __future__ import annotations

from typing import Any

import numpy as np

PP_NAMES = ("a1", "b1", "a2", "b2")
COMP_NAMES = ("r1", "K1", "sigma12", "r2", "K2", "sigma21")
MODELS = ("predator_prey", "competition")
BIG_RESIDUAL = 1e6
LOG_BOUND = 25.0  # |ln θ̃| of rates/capacities on the rescaled data (θ̃ in [1.4e-11, 7.2e10])
SIGMA_BOUND = 1e4  # |σ̃| on the rescaled data
MAX_RHS_CALLS = 20_000  # per ODE solve; a trial θ needing more is rejected (residuals 1e6)
MAX_SOLVER_STEPS = 20_000  # per ODE solve (a stiff trial θ is rejected, not waited for)
STABILITY_DRAWS = 400  # parameter draws of the stability-class check (§8.5)


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
