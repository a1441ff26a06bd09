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
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import polars as pl
from scipy import optimize, stats

CHI2_CONVENTIONS = ("N-1", "N")

_NAME = r"[A-Za-z_][A-Za-z0-9_.]*"


# ----------------------------------------------------------------------------------------------
# model description
# ----------------------------------------------------------------------------------------------
@dataclass
class ModelSpec:
    """A lavaan-syntax model: the text semopy receives plus what we need to read its output."""

    text: str
    measurement: dict[str, list[str]]  # latent → indicators, in file order
    observed: list[str]  # observed variables, in first-mention order
    labels: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (lhs, op, rhs) → label
    efa_blocks: dict[str, list[str]] = field(default_factory=dict)  # from '#! efa NAME: items'

    @property
    def latents(self) -> list[str]:
        return list(self.measurement)


def _terms(rhs: str) -> list[tuple[str | None, str]]:
    out = []
    for term in rhs.split("+"):
        term = term.strip()
        if not term:
            continue
        if "*" in term:
            mod, var = (s.strip() for s in term.rsplit("*", 1))
        else:
            mod, var = None, term
        out.append((mod, var))
    return out


def _expand_items(spec: str) -> list[str]:
    """'C1-C13 C20' → [C1 … C13, C20] (ranges of a common prefix and integer suffix)."""
    items: list[str] = []
    for tok in re.split(r"[\s,]+", spec.strip()):
        if not tok:
            continue
        m = re.fullmatch(r"([A-Za-z_]+)(\d+)-\1?(\d+)", tok)
        if m:
            pre, a, b = m.group(1), int(m.group(2)), int(m.group(3))
            items += [f"{pre}{i}" for i in range(a, b + 1)]
        else:
            items.append(tok)
    return items


def parse_model(text: str) -> ModelSpec:
    """Parse lavaan syntax (`=~`, `~`, `~~`, labels `name*var`, fixed values `1*var`).

    Comments start with '#'. Directive lines '#! efa NAME: C1-C13' declare the item blocks
    (sub-scales) on which EFA and KMO/Bartlett are run; they are ignored by the model."""
    measurement: dict[str, list[str]] = {}
    labels: dict[tuple[str, str, str], str] = {}
    blocks: dict[str, list[str]] = {}
    names: list[str] = []
    clean: list[str] = []
    for raw in text.splitlines():
        d = re.match(r"^\s*#!\s*efa\s+([^:]+):(.*)$", raw)
        if d:
            blocks[d.group(1).strip()] = _expand_items(d.group(2))
            continue
        line = raw.split("#", 1)[0].strip()
        for stmt in (s.strip() for s in line.split(";")):
            if not stmt:
                continue
            m = re.match(rf"^({_NAME})\s*(=~|~~|~)\s*(.+)$", stmt)
            if not m:
                raise ValueError(f"cannot parse model line: {stmt!r}")
            lhs, op, rhs = m.groups()
            if lhs not in names:
                names.append(lhs)
            for mod, var in _terms(rhs):
                if not re.fullmatch(_NAME, var):
                    raise ValueError(f"bad variable name {var!r} in: {stmt!r}")
                if var not in names:
                    names.append(var)
                if op == "=~":
                    measurement.setdefault(lhs, []).append(var)
                if mod is not None and not _is_number(mod) and mod != "NA":
                    labels[(lhs, op, var)] = mod
            clean.append(stmt)
    if not clean:
        raise ValueError("the model description is empty")
    observed = [n for n in names if n not in measurement]
    return ModelSpec("\n".join(clean), measurement, observed, labels, blocks)


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


# ----------------------------------------------------------------------------------------------
# fit indices (pure functions of S, Σ̂, N, q)
# ----------------------------------------------------------------------------------------------
def f_ml(s: np.ndarray, sigma: np.ndarray) -> float:
    """F_ML = ln|Σ̂| − ln|S| + tr(S Σ̂⁻¹) − p (§10.4)."""
    p = s.shape[0]
    _, ld_sigma = np.linalg.slogdet(sigma)
    _, ld_s = np.linalg.slogdet(s)
    return float(ld_sigma - ld_s + np.trace(s @ np.linalg.inv(sigma)) - p)


def rmsea_ci(chi2: float, df: int, n: float, level: float = 0.90) -> tuple[float, float]:
    """(lower, upper) RMSEA confidence bounds from the non-central χ² (Steiger 1990):
    λ_L solves P(χ²_df(λ) ≤ χ²) = (1 + level)/2, λ_U solves it = (1 − level)/2;
    bound = sqrt(λ / (df·n)). λ = 0 where no positive solution exists."""
    if df <= 0 or not np.isfinite(chi2):
        return float("nan"), float("nan")
    hi_p, lo_p = (1 + level) / 2, (1 - level) / 2

    def lam(target: float) -> float:
        def f(x: float) -> float:
            if x > 0:
                return stats.ncx2.cdf(chi2, df, x) - target
            return stats.chi2.cdf(chi2, df) - target

        if f(0.0) < 0:  # even λ = 0 is too large a noncentrality
            return 0.0
        upper = max(chi2, 1.0)
        while f(upper) > 0:
            upper *= 2
        return optimize.brentq(f, 0.0, upper, xtol=1e-12)

    return float(np.sqrt(lam(hi_p) / (df * n))), float(np.sqrt(lam(lo_p) / (df * n)))


def fit_indices(
    s: np.ndarray, sigma: np.ndarray, n_obs: int, n_free: int, chi2_n: str = "N-1"
) -> dict[str, float]:
    """All fit indices of §10.4 from S (same scale as Σ̂), Σ̂, N and the number q of free params."""
    if chi2_n not in CHI2_CONVENTIONS:
        raise ValueError(f"chi2_n must be one of {CHI2_CONVENTIONS}, got {chi2_n!r}")
    n = n_obs - 1 if chi2_n == "N-1" else n_obs
    p = s.shape[0]
    pstar = p * (p + 1) / 2
    df = int(pstar - n_free)
    fml = max(f_ml(s, sigma), 0.0)
    chi2 = n * fml
    d = np.sqrt(np.diag(s))
    r = s / np.outer(d, d)
    chi2_b = -n * np.linalg.slogdet(r)[1]
    df_b = p * (p - 1) // 2
    a = np.linalg.solve(sigma, s)  # Σ̂⁻¹S
    gfi = 1.0 - np.trace((a - np.eye(p)) @ (a - np.eye(p))) / np.trace(a @ a)
    nan = float("nan")
    agfi = 1.0 - (pstar / df) * (1.0 - gfi) if df > 0 else nan
    pgfi = (df / pstar) * gfi
    rmsea = float(np.sqrt(max(chi2 - df, 0.0) / (df * n))) if df > 0 else nan
    lo, hi = rmsea_ci(chi2, df, n)
    pclose = float(stats.ncx2.sf(chi2, df, 0.05**2 * n * df)) if df > 0 else nan
    nfi = (chi2_b - chi2) / chi2_b
    ifi = (chi2_b - chi2) / (chi2_b - df) if chi2_b != df else nan
    tli = (chi2_b / df_b - chi2 / df) / (chi2_b / df_b - 1.0) if df > 0 and chi2_b != df_b else nan
    den = max(chi2 - df, chi2_b - df_b, 0.0)
    cfi = 1.0 - max(chi2 - df, 0.0) / den if den > 0 else 1.0
    resid = (s - sigma) / np.outer(d, d)  # Bentler's SRMR, as lavaan's `srmr`
    iu = np.triu_indices(p)
    srmr = float(np.sqrt(np.mean(resid[iu] ** 2)))
    return {
        "n_obs": float(n_obs),
        "chi2_multiplier": float(n),
        "n_free_params": float(n_free),
        "f_ml": fml,
        "chi2": chi2,
        "df": float(df),
        "p_value": float(stats.chi2.sf(chi2, df)) if df > 0 else nan,
        "chi2_df": chi2 / df if df > 0 else nan,
        "gfi": float(gfi),
        "agfi": float(agfi),
        "pgfi": float(pgfi),
        "rmsea": rmsea,
        "rmsea_ci_lower": lo,
        "rmsea_ci_upper": hi,
        "rmsea_pclose": pclose,
        "nfi": float(nfi),
        "ifi": float(ifi),
        "tli": float(tli),
        "cfi": float(cfi),
        "srmr": srmr,
        "chi2_baseline": float(chi2_b),
        "df_baseline": float(df_b),
    }


# conventional cut-offs for the report (not decisions), METHODS §10.4
CUTOFFS: dict[str, tuple[str, float]] = {
    "chi2_df": ("<", 3.0),
    "gfi": (">", 0.90),
    "agfi": (">", 0.90),
    "nfi": (">", 0.90),
    "ifi": (">", 0.90),
    "tli": (">", 0.90),
    "cfi": (">", 0.90),
    "rmsea": ("<", 0.08),
    "pgfi": (">", 0.50),
    "srmr": ("<", 0.08),
}


def fit_table(indices: dict[str, float]) -> pl.DataFrame:
    """Long table: index, value, cut-off text and whether the conventional cut-off is met."""
    rows = []
    for k, v in indices.items():
        cut = CUTOFFS.get(k)
        ok = None
        if cut and np.isfinite(v):
            ok = bool(v < cut[1]) if cut[0] == "<" else bool(v > cut[1])
        rows.append(
            {
                "index": k,
                "value": float(v),
                "cutoff": f"{cut[0]} {cut[1]:g}" if cut else None,
                "meets_cutoff": ok,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "index": pl.String,
            "value": pl.Float64,
            "cutoff": pl.String,
            "meets_cutoff": pl.Boolean,
        },
    )


# ----------------------------------------------------------------------------------------------
# estimation
# ----------------------------------------------------------------------------------------------
@dataclass
class SemFit:
    spec: ModelSpec
    chi2_n: str
    observed: list[str]  # order of S and Σ̂
    s: np.ndarray
    sigma: np.ndarray
    n_obs: int
    n_free: int
    converged: bool
    message: str
    estimates: pl.DataFrame
    indices: dict[str, float]
    model: object  # the fitted semopy.Model

    @property
    def status(self) -> str:
        if not self.converged:
            return "not_converged"
        bad = self.estimates.filter(
            (pl.col("op") == "~~") & (pl.col("lhs") == pl.col("rhs")) & (pl.col("est") < 0)
        )
        return "heywood_case" if bad.height else "ok"


def sample_covariance(x: np.ndarray, chi2_n: str = "N-1") -> np.ndarray:
    """S with ddof = 1 under the (N − 1) convention, ddof = 0 under the N convention."""
    return np.cov(np.asarray(x, dtype=float), rowvar=False, ddof=1 if chi2_n == "N-1" else 0)


def fit_sem(data: pd.DataFrame, spec: ModelSpec | str, *, chi2_n: str = "N-1") -> SemFit:
    """ML fit of a lavaan-syntax model to complete-case data (columns named as the model's
    observed variables). Returns estimates (unstandardised and standardised, S.E., z, p) and
    fit indices (§10.4). Raises ValueError for a model that cannot be set up."""
    import semopy

    if isinstance(spec, str):
        spec = parse_model(spec)
    if chi2_n not in CHI2_CONVENTIONS:
        raise ValueError(f"chi2_n must be one of {CHI2_CONVENTIONS}, got {chi2_n!r}")
    missing = [v for v in spec.observed if v not in data.columns]
    if missing:
        raise ValueError(f"model variables not in the data: {', '.join(missing)}")
    model = semopy.Model(spec.text)
    obs = list(model.vars["observed"])
    x = data[obs].to_numpy(dtype=float)
    if np.isnan(x).any():
        raise ValueError("data have missing values (delete incomplete rows first)")
    n_obs = x.shape[0]
    n_mult = n_obs - 1 if chi2_n == "N-1" else n_obs
    s = sample_covariance(x, chi2_n)
    cov = pd.DataFrame(s, index=obs, columns=obs)
    logging.getLogger().disabled, was = True, logging.getLogger().disabled
    try:
        res = model.fit(
            cov=cov, n_samples=n_mult, obj="MLW", solver="SLSQP",
            options={"ftol": 1e-12, "maxiter": 10000},
        )  # fmt: skip
        sigma = model.calc_sigma()[0]
        ins = model.inspect(std_est=True)
    finally:
        logging.getLogger().disabled = was
    n_free = len(model.param_vals)
    estimates = _estimates_table(ins, spec)
    indices = fit_indices(s, sigma, n_obs, n_free, chi2_n)
    return SemFit(
        spec, chi2_n, obs, s, sigma, n_obs, n_free, bool(res.success), str(res.message),
        estimates, indices, model,
    )  # fmt: skip


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _estimates_table(ins: pd.DataFrame, spec: ModelSpec) -> pl.DataFrame:
    rows = []
    for r in ins.itertuples(index=False):
        lval, op, rval = r[0], r[1], r[2]
        if op == "~" and rval in spec.measurement and lval in spec.measurement[rval]:
            lhs, op2, rhs = rval, "=~", lval
        elif op == "~~":
            lhs, op2, rhs = lval, "~~", rval
        else:
            lhs, op2, rhs = lval, op, rval
        label = spec.labels.get((lhs, op2, rhs)) or (
            spec.labels.get((rhs, op2, lhs)) if op2 == "~~" else None
        )
        se = _num(r[5])
        if op2 == "=~":
            kind = "loading"
        elif op2 == "~":
            kind = "regression"
        elif lhs == rhs:
            kind = "variance"
        else:
            kind = "covariance"
        rows.append(
            {
                "lhs": lhs,
                "op": op2,
                "rhs": rhs,
                "kind": kind,
                "label": label,
                "est": _num(r[3]),
                "se": se,
                "z": _num(r[6]),
                "p_value": _num(r[7]),
                "std_all": _num(r[4]),
                "free": bool(np.isfinite(se)),
            }
        )
    # A covariance between two variables with residuals (endogenous latents, item errors) is
    # standardised by the residual variances, i.e. reported as the residual correlation, as
    # lavaan's std.all and AMOS do; semopy divides by the total variances instead.
    var = {r["lhs"]: r["est"] for r in rows if r["kind"] == "variance"}
    for r in rows:
        if r["kind"] == "covariance" and var.get(r["lhs"], 0) > 0 and var.get(r["rhs"], 0) > 0:
            r["std_all"] = r["est"] / float(np.sqrt(var[r["lhs"]] * var[r["rhs"]]))
    order = {"loading": 0, "regression": 1, "covariance": 2, "variance": 3}
    df = pl.DataFrame(
        rows,
        schema={
            "lhs": pl.String,
            "op": pl.String,
            "rhs": pl.String,
            "kind": pl.String,
            "label": pl.String,
            "est": pl.Float64,
            "se": pl.Float64,
            "z": pl.Float64,
            "p_value": pl.Float64,
            "std_all": pl.Float64,
            "free": pl.Boolean,
        },
    )
    return (
        df.with_columns(pl.col("kind").replace_strict(order, return_dtype=pl.Int64).alias("_o"))
        .with_row_index("_i")
        .sort(["_o", "_i"])
        .drop(["_o", "_i"])
    )


# ----------------------------------------------------------------------------------------------
# modification indices for residual covariances
# ----------------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------------
# convergent / discriminant validity
# ----------------------------------------------------------------------------------------------
def latent_correlations(fit: SemFit) -> pd.DataFrame:
    """Model-implied correlations of the latent variables: Cov(η) = C Ψ Cᵀ, C = (I − B)⁻¹."""
    model = fit.model
    beta, _lamb, psi = model.matrices[:3]
    c = np.linalg.inv(np.eye(beta.shape[0]) - beta)
    cov = c @ psi @ c.T
    names = list(model.names_psi[0])
    keep = [i for i, nm in enumerate(names) if nm in fit.spec.measurement]
    cov = cov[np.ix_(keep, keep)]
    d = np.sqrt(np.diag(cov))
    lat = [names[i] for i in keep]
    out = pd.DataFrame(cov / np.outer(d, d), index=lat, columns=lat)
    order = [v for v in fit.spec.measurement if v in lat]
    return out.loc[order, order]


def composite_reliability(std_loadings: np.ndarray) -> tuple[float, float]:
    """(CR, AVE) from standardised loadings, θ = 1 − λ² (§10.4, Fornell & Larcker 1981)."""
    lam = np.asarray(std_loadings, dtype=float)
    theta = 1.0 - lam**2
    cr = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    return float(cr), float(np.mean(lam**2))


def validity_tables(fit: SemFit) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per latent: k, CR, AVE, sqrt(AVE), max |r| with another latent, Fornell–Larcker ok;
    per latent pair: r, sqrt(AVE) of both, Fornell–Larcker ok)."""
    corr = latent_correlations(fit)
    lat = list(corr.index)
    loads = fit.estimates.filter(pl.col("op") == "=~")
    cr_ave: dict[str, tuple[int, float, float]] = {}
    for latent in lat:
        lam = loads.filter(pl.col("lhs") == latent)["std_all"].to_numpy()
        cr, ave = composite_reliability(lam)
        cr_ave[latent] = (len(lam), cr, ave)
    per, pairs = [], []
    for a in lat:
        others = [(b, float(corr.loc[a, b])) for b in lat if b != a]
        b_max, r_max = max(others, key=lambda t: abs(t[1])) if others else (None, float("nan"))
        k, cr, ave = cr_ave[a]
        per.append(
            {
                "latent": a,
                "k": k,
                "cr": cr,
                "ave": ave,
                "sqrt_ave": float(np.sqrt(ave)),
                "max_abs_corr": abs(r_max),
                "max_corr_with": b_max,
                "fornell_larcker_ok": bool(np.sqrt(ave) > abs(r_max)) if others else True,
            }
        )
    for i, a in enumerate(lat):
        for b in lat[i + 1 :]:
            r = float(corr.loc[a, b])
            sa, sb = np.sqrt(cr_ave[a][2]), np.sqrt(cr_ave[b][2])
            pairs.append(
                {
                    "latent_1": a,
                    "latent_2": b,
                    "r": r,
                    "sqrt_ave_1": float(sa),
                    "sqrt_ave_2": float(sb),
                    "fornell_larcker_ok": bool(min(sa, sb) > abs(r)),
                }
            )
    return pl.DataFrame(per), pl.DataFrame(pairs)
