"""CFA / SEM by maximum likelihood with semopy, fit indices by our own formulas (METHODS §10.4).

Estimation is semopy's (`Model(desc).fit(obj="MLW")`, first loading fixed to 1). Everything
reported about fit — χ², df, GFI, AGFI, PGFI, RMSEA with its 90 % CI, NFI, IFI, TLI, CFI, SRMR —
is computed here from (S, Σ̂, N, q), because semopy's GFI/AGFI are non-standard.

χ² convention: `chi2_n="N-1"` (DEFAULT, AMOS/LISREL and lavaan `likelihood="wishart"`) fits the
unbiased sample covariance S (ddof = 1) and uses χ² = (N − 1)·F_ML; `chi2_n="N"` (lavaan's default
normal likelihood, semopy) fits S with ddof = 0 and χ² = N·F_ML. F_ML at the optimum is the same
under both (it is scale invariant); the multiplier n is also used for RMSEA, its CI, the
standard errors (Fisher information n/2·tr(…)) and the modification indices.

Modification indices (residual covariances between observed variables) are the Lagrange-
multiplier (score) statistics with expected information, as lavaan's `modindices()` and AMOS:
  MI_j = (n/4)·g_j² / (d_j − c_jᵀ A⁻¹ c_j),  EPC_j = −g_j / (2·(d_j − c_jᵀ A⁻¹ c_j)),
where g_j = ∂F/∂θ_j = −2·Δ_jᵀ V (s − σ̂), A = Δ_fᵀ V Δ_f, c_j = Δ_fᵀ V Δ_j, d_j = Δ_jᵀ V Δ_j,
Δ = ∂vech(Σ)/∂θ, V = ½·Dᵀ(Σ̂⁻¹ ⊗ Σ̂⁻¹)D (D the duplication matrix), f the free parameters.

Layout: `spec` (`parse_model`, `ModelSpec`), `indices` (fit indices), `estimation` (`fit_sem`,
`SemFit`), `modindices` (`modification_indices`), `validity` (CR, AVE, Fornell–Larcker).
"""

from __future__ import annotations

from measures.survey.sem.estimation import SemFit, fit_sem, sample_covariance
from measures.survey.sem.indices import (
    CHI2_CONVENTIONS,
    CUTOFFS,
    f_ml,
    fit_indices,
    fit_table,
    rmsea_ci,
)
from measures.survey.sem.modindices import modification_indices
from measures.survey.sem.spec import ModelSpec, parse_model
from measures.survey.sem.validity import composite_reliability, latent_correlations, validity_tables

__all__ = [
    "CHI2_CONVENTIONS",
    "CUTOFFS",
    "ModelSpec",
    "SemFit",
    "composite_reliability",
    "f_ml",
    "fit_indices",
    "fit_sem",
    "fit_table",
    "latent_correlations",
    "modification_indices",
    "parse_model",
    "rmsea_ci",
    "sample_covariance",
    "validity_tables",
]
