"""Modification indices for residual covariances between observed variables (METHODS
§10.4): Lagrange-multiplier score statistics with expected information, as lavaan's
`modindices()` and AMOS (formulas in the package docstring)."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from measures.survey.sem.estimation import SemFit


def _vech_idx(p: int) -> tuple[np.ndarray, np.ndarray]:
    return np.tril_indices(p)


def _v_matrix(sigma: np.ndarray) -> np.ndarray:
    """V = ½·Dᵀ(Σ⁻¹⊗Σ⁻¹)D in vech coordinates, built element-wise (no Kronecker product)."""
    p = sigma.shape[0]
    w = np.linalg.inv(sigma)
    rows, cols = _vech_idx(p)
    # D maps vech → vec; (DᵀKD)_{(ij),(kl)} = K_{ij,kl} + K_{ji,kl} + K_{ij,lk} + K_{ji,lk} (halved on diagonals)
    wi_k, wj_l = w[np.ix_(rows, rows)], w[np.ix_(cols, cols)]
    wi_l, wj_k = w[np.ix_(rows, cols)], w[np.ix_(cols, rows)]
    m = wi_k * wj_l + wi_l * wj_k  # K_{ij,kl} + K_{ij,lk}  (symmetric in the second pair)
    m = 2 * m  # + the (ji) terms
    diag_row = rows == cols
    m[diag_row, :] /= 2
    m[:, diag_row] /= 2
    return 0.5 * m


def modification_indices(fit: SemFit) -> pl.DataFrame:
    """Score-test MI and EPC for every residual covariance between two observed variables that
    the model fixes at zero (see the module docstring). Sorted by MI, descending; pairs whose
    freeing would make the model unidentified come last with MI = NaN and a note."""
    model = fit.model
    sigma, (mm, cc) = model.calc_sigma()
    grads = model.calc_sigma_grad(mm, cc)
    p = sigma.shape[0]
    rows_i, cols_i = _vech_idx(p)
    delta_f = np.column_stack([np.asarray(g, dtype=float)[rows_i, cols_i] for g in grads])
    v = _v_matrix(sigma)
    resid = (fit.s - sigma)[rows_i, cols_i]
    a = delta_f.T @ v @ delta_f
    a_inv = np.linalg.pinv(a)
    obs = fit.observed
    idx = {o: i for i, o in enumerate(obs)}
    theta_names = set(model.names_theta[0])
    psi_names = list(model.names_psi[0])
    free_pairs = {
        frozenset((r["lhs"], r["rhs"]))
        for r in fit.estimates.filter(
            (pl.col("op") == "~~") & (pl.col("lhs") != pl.col("rhs"))
        ).iter_rows(named=True)
    }
    n = fit.indices["chi2_multiplier"]
    rank = {v: k for k, v in enumerate(fit.spec.observed)}
    out, nonid = [], []
    for i in range(p):
        for j in range(i):
            a_name, b_name = obs[i], obs[j]
            if frozenset((a_name, b_name)) in free_pairs:
                continue
            if a_name in theta_names and b_name in theta_names:
                dmat = np.zeros((p, p))
                dmat[idx[a_name], idx[b_name]] = dmat[idx[b_name], idx[a_name]] = 1.0
            elif a_name in psi_names and b_name in psi_names:
                ma = mm[:, psi_names.index(a_name)][:, None]
                mb = mm[:, psi_names.index(b_name)][:, None]
                dmat = ma @ mb.T + mb @ ma.T
            else:
                continue
            dj = dmat[rows_i, cols_i]
            g = -2.0 * dj @ v @ resid
            c = delta_f.T @ v @ dj
            denom = dj @ v @ dj - c @ a_inv @ c
            first, second = sorted((a_name, b_name), key=lambda v: rank.get(v, len(rank)))
            if denom <= 1e-10 * max(dj @ v @ dj, 1e-300):
                # freeing it would leave the model unidentified (e.g. the two indicators of a
                # latent variable whose variance is otherwise determined by the structure)
                nonid.append(
                    {"lhs": first, "op": "~~", "rhs": second, "mi": float("nan"),
                     "epc": float("nan"), "sepc_all": float("nan"), "p_value": float("nan"),
                     "note": "not identified if freed"}
                )  # fmt: skip
                continue
            mi = n / 4.0 * g**2 / denom
            epc = -g / (2.0 * denom)
            out.append(
                {
                    "lhs": first,
                    "op": "~~",
                    "rhs": second,
                    "mi": float(mi),
                    "epc": float(epc),
                    "sepc_all": float(epc / np.sqrt(sigma[i, i] * sigma[j, j])),
                    "p_value": float(stats.chi2.sf(mi, 1)),
                    "note": None,
                }
            )
    schema = {
        "lhs": pl.String,
        "op": pl.String,
        "rhs": pl.String,
        "mi": pl.Float64,
        "epc": pl.Float64,
        "sepc_all": pl.Float64,
        "p_value": pl.Float64,
        "note": pl.String,
    }
    ranked = pl.DataFrame(out, schema=schema).sort("mi", descending=True)
    return pl.concat([ranked, pl.DataFrame(nonid, schema=schema)])
