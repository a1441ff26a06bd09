"""ML estimation of CFA/SEM with semopy (METHODS §10.4): `fit_sem` → `SemFit` with the
estimates table (unstandardised, standardised, S.E., z, p) and our own fit indices."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from measures.survey.sem.indices import CHI2_CONVENTIONS, fit_indices
from measures.survey.sem.spec import ModelSpec, parse_model


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
    model: Any  # the fitted semopy.Model

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
    with _semopy_quiet(semopy):
        res = model.fit(
            cov=cov, n_samples=n_mult, obj="MLW", solver="SLSQP",
            options={"ftol": 1e-12, "maxiter": 10000},
        )  # fmt: skip
        sigma = model.calc_sigma()[0]
        ins = model.inspect(std_est=True)
    n_free = len(model.param_vals)
    estimates = _estimates_table(ins, spec)
    indices = fit_indices(s, sigma, n_obs, n_free, chi2_n)
    return SemFit(
        spec, chi2_n, obs, s, sigma, n_obs, n_free, bool(res.success), str(res.message),
        estimates, indices, model,
    )  # fmt: skip


class _DropFrom(logging.Filter):
    """Drops the records logged from files under `folder` (and nothing else)."""

    def __init__(self, folder: str):
        super().__init__()
        self.folder = folder

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.pathname.startswith(self.folder)


@contextmanager
def _semopy_quiet(semopy_module: ModuleType) -> Iterator[None]:
    """Silence semopy's chatter during one fit. semopy logs through the root logger
    (`logging.warning(...)`, no named logger), so a filter on the root logger drops only the
    records whose source file is inside the semopy package, for the duration of the block;
    every other record (any thread, any logger) passes unchanged."""
    flt = _DropFrom(os.path.dirname(os.path.abspath(str(semopy_module.__file__))) + os.sep)
    root = logging.getLogger()
    root.addFilter(flt)
    try:
        yield
    finally:
        root.removeFilter(flt)


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
