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

Layout (scipy-style): `models` (closed forms, simulation, log-state right-hand sides),
`stability` (equilibria and their classes), `discrete` (step 1), `ode` (log-state ODE with
sensitivities), `nls` (step 2 multi-start and bootstrap), `identification` (errors and weak
identification flags), `fitting` (`fit_lv`, `LVFit`).
"""

from __future__ import annotations

from measures.coevolution._common import (
    BIG_RESIDUAL,
    COMP_NAMES,
    LOG_BOUND,
    MAX_RHS_CALLS,
    MAX_SOLVER_STEPS,
    MODELS,
    PP_NAMES,
    SIGMA_BOUND,
    STABILITY_DRAWS,
    IdentificationError,
)
from measures.coevolution.discrete import DiscreteFit, discrete_competition, discrete_predator_prey
from measures.coevolution.fitting import fit_competition, fit_lv, fit_predator_prey
from measures.coevolution.models import (
    comp_equilibrium,
    comp_jacobian,
    pp_conserved,
    pp_equilibrium,
    pp_jacobian,
    pp_period,
    simulate_competition,
    simulate_predator_prey,
)
from measures.coevolution.results import LVFit
from measures.coevolution.stability import (
    StabilityReport,
    analyse_competition,
    analyse_predator_prey,
    classify_eigenvalues,
    interaction_type,
)

__all__ = [
    "BIG_RESIDUAL",
    "COMP_NAMES",
    "LOG_BOUND",
    "MAX_RHS_CALLS",
    "MAX_SOLVER_STEPS",
    "MODELS",
    "PP_NAMES",
    "SIGMA_BOUND",
    "STABILITY_DRAWS",
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
