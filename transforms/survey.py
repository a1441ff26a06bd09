"""Survey tables (METHODS §10), pure: the items a model needs, the response checks (the same
rules as the Great Expectations suite, for the CLI that runs without a warehouse) and the
compute step that turns complete responses into the result tables survey_sample,
survey_reliability, survey_adequacy, survey_efa, survey_efa_factors, survey_estimates,
survey_fit, survey_modindices, survey_validity, survey_latent_correlations. Used by the survey
flow's task (tasks/survey.py) and by `cbec survey`."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import polars as pl

from measures.survey.adequacy import bartlett, correlation_matrix, kmo
from measures.survey.efa import pca_varimax, retention
from measures.survey.reliability import reliability_table
from measures.survey.sem import (
    ModelSpec,
    fit_sem,
    fit_table,
    modification_indices,
    parse_model,
    validity_tables,
)


def response_items(df_columns: list[str], spec: ModelSpec, params: dict) -> list[str]:
    """Items to analyse: the model's observed variables plus the EFA-block items, in the order
    of the file; without blocks, also every other column that looks like an item."""
    id_col = params["scale"]["id_column"]
    wanted = set(spec.observed) | {i for b in spec.efa_blocks.values() for i in b}
    if not spec.efa_blocks:
        pat = re.compile(params["scale"]["item_pattern"])
        wanted |= {c for c in df_columns if c != id_col and pat.match(c)}
    in_file = [c for c in df_columns if c in wanted]
    return in_file + sorted(wanted - set(in_file))


def response_report(df: pl.DataFrame, items: list[str], params: dict) -> dict:
    """Counts and rates: missing items, duplicate ids, non-integer or out-of-scale answers,
    missing-answer share, straight-lining share (one answer to every item)."""
    lo, hi = params["scale"]["min"], params["scale"]["max"]
    id_col = params["scale"]["id_column"]
    present = [c for c in items if c in df.columns]
    rep: dict = {
        "n_rows": df.height,
        "missing_items": [c for c in items if c not in df.columns],
        "id_column_present": id_col in df.columns,
        "duplicate_ids": [],
        "bad_cells": [],  # (line, column, value)
    }
    if id_col in df.columns:
        dup = df.group_by(id_col).len().filter(pl.col("len") > 1)[id_col].to_list()
        rep["duplicate_ids"] = dup
    n_missing = 0
    for c in present:
        s = df[c]
        vals = s.cast(pl.Float64, strict=False)
        for i in range(df.height):
            raw, v = s[i], vals[i]
            if raw is None or (isinstance(raw, str) and raw.strip() == ""):
                n_missing += 1
            elif v is None or v != v:
                if isinstance(raw, float) and raw != raw:
                    n_missing += 1
                else:
                    rep["bad_cells"].append((i + 2, c, raw))
            elif v != round(v) or v < lo or v > hi:
                rep["bad_cells"].append((i + 2, c, raw))
    cells = max(df.height * len(present), 1)
    rep["missing_answer_share"] = n_missing / cells
    if present and df.height:
        m = np.column_stack([df[c].cast(pl.Float64, strict=False).to_numpy() for c in present])
        complete = ~np.isnan(m).any(axis=1)
        same = complete & (np.nanmax(m, axis=1) == np.nanmin(m, axis=1))
        rep["straight_lining_share"] = float(same.mean())
        rep["n_complete"] = int(complete.sum())
    else:
        rep["straight_lining_share"] = 0.0
        rep["n_complete"] = 0
    rep["critical"] = bool(
        rep["missing_items"]
        or not rep["id_column_present"]
        or rep["duplicate_ids"]
        or rep["bad_cells"]
    )
    v = params.get("validation", {})
    rep["warnings"] = [
        msg
        for ok, msg in (
            (
                rep["straight_lining_share"] <= v.get("straight_lining_max_share", 1.0),
                f"straight-lining share {rep['straight_lining_share']:.1%}",
            ),
            (
                rep["missing_answer_share"] <= v.get("missing_answer_max_share", 1.0),
                f"missing-answer share {rep['missing_answer_share']:.1%}",
            ),
        )
        if not ok
    ]
    return rep


def with_row_metrics(df: pl.DataFrame, items: list[str]) -> pl.DataFrame:
    """Adds `_straight_lining` (1.0 if a complete row gives one answer to every item) and
    `_missing_share` (share of the row's items left empty), so GX can report their rates."""
    present = [c for c in items if c in df.columns]
    if not present:
        return df.with_columns(
            pl.lit(0.0).alias("_straight_lining"), pl.lit(0.0).alias("_missing_share")
        )
    vals = [pl.col(c).cast(pl.Float64, strict=False) for c in present]
    n_null = pl.sum_horizontal([v.is_null().cast(pl.Float64) for v in vals])
    same = (pl.max_horizontal(vals) == pl.min_horizontal(vals)) & (n_null == 0)
    return df.with_columns(
        same.cast(pl.Float64).fill_null(0.0).alias("_straight_lining"),
        (n_null / len(present)).alias("_missing_share"),
    )


def complete_matrix(
    df: pl.DataFrame, items: list[str], params: dict
) -> tuple[np.ndarray, int, int]:
    """(complete-case float matrix with reverse items recoded, N before, N after) — list-wise
    deletion (METHODS §10, DEFAULT)."""
    lo, hi = params["scale"]["min"], params["scale"]["max"]
    m = np.column_stack([df[c].cast(pl.Float64, strict=False).to_numpy() for c in items])
    rev = [items.index(c) for c in params["scale"].get("reverse_items", []) if c in items]
    m[:, rev] = (hi + lo) - m[:, rev]
    keep = ~np.isnan(m).any(axis=1)
    return m[keep], int(df.height), int(keep.sum())


def _efa_tables(
    x: np.ndarray, items: list[str], blocks: dict[str, list[str]], params: dict
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    e = params["efa"]
    nf = e.get("n_factors", "kaiser")
    nf = None if nf in (None, "kaiser") else int(nf)
    pos = {c: i for i, c in enumerate(items)}
    adequacy, loads, factors = [], [], []
    for block, its in blocks.items():
        r = correlation_matrix(x[:, [pos[i] for i in its]])
        overall, msa = kmo(r)
        chi2, df_, p = bartlett(r, x.shape[0])
        adequacy.append(
            {"block": block, "item": None, "n_items": len(its), "kmo": overall,
             "bartlett_chi2": chi2, "bartlett_df": df_, "bartlett_p": p}
        )  # fmt: skip
        adequacy += [
            {"block": block, "item": it, "n_items": len(its), "kmo": float(msa[k]),
             "bartlett_chi2": np.nan, "bartlett_df": None, "bartlett_p": np.nan}
            for k, it in enumerate(its)
        ]  # fmt: skip
        res = pca_varimax(
            r, its, n_factors=nf, tol=float(e["varimax_tol"]), max_iter=int(e["varimax_max_iter"])
        )
        ret = retention(res, float(e["loading_threshold"]), float(e["cross_loading"]))
        for k, it in enumerate(its):
            info = ret.row(k, named=True)
            for f in range(res.n_factors):
                loads.append(
                    {"block": block, "item": it, "factor": f + 1,
                     "loading": float(res.loadings[k, f]), "communality": info["communality"],
                     "primary_factor": info["primary_factor"], "retained": info["retained"],
                     "flag": info["flag"]}
                )  # fmt: skip
        var = res.variance_pct
        cum = np.cumsum(var)
        for f, ev in enumerate(res.eigenvalues):
            ext = f < res.n_factors
            factors.append(
                {"block": block, "component": f + 1, "eigenvalue": float(ev),
                 "eigen_variance_pct": float(100 * ev / len(its)), "extracted": ext,
                 "rotated_ss_loadings": float(var[f] * len(its) / 100) if ext else np.nan,
                 "rotated_variance_pct": float(var[f]) if ext else np.nan,
                 "rotated_cumulative_pct": float(cum[f]) if ext else np.nan}
            )  # fmt: skip
    sch_a = {
        "block": pl.String, "item": pl.String, "n_items": pl.Int64, "kmo": pl.Float64,
        "bartlett_chi2": pl.Float64, "bartlett_df": pl.Int64, "bartlett_p": pl.Float64,
    }  # fmt: skip
    sch_l = {
        "block": pl.String, "item": pl.String, "factor": pl.Int64, "loading": pl.Float64,
        "communality": pl.Float64, "primary_factor": pl.Int64, "retained": pl.Boolean,
        "flag": pl.String,
    }  # fmt: skip
    sch_f = {
        "block": pl.String, "component": pl.Int64, "eigenvalue": pl.Float64,
        "eigen_variance_pct": pl.Float64, "extracted": pl.Boolean,
        "rotated_ss_loadings": pl.Float64, "rotated_variance_pct": pl.Float64,
        "rotated_cumulative_pct": pl.Float64,
    }  # fmt: skip
    return (
        pl.DataFrame(adequacy, schema=sch_a),
        pl.DataFrame(loads, schema=sch_l),
        pl.DataFrame(factors, schema=sch_f),
    )


def _sample_table(n_in: int, n_used: int, n_items: int, n_model: int, chi2_n: str) -> pl.DataFrame:
    """The survey_sample table: responses read and used, items, the χ² convention."""
    metric = ["n_input", "n_complete", "n_dropped_incomplete", "n_items", "n_model_items",
              "chi2_convention"]  # fmt: skip
    value = [str(n_in), str(n_used), str(n_in - n_used), str(n_items), str(n_model), chi2_n]
    return pl.DataFrame({"metric": metric, "value": value})


# the stages of `survey_tables`, in order (named to its `progress` callback)
STAGES = ("reliability", "KMO/Bartlett and EFA", "SEM estimation", "modification indices",
          "validity")  # fmt: skip


def survey_tables(
    responses: pl.DataFrame,
    model_text: str,
    params: dict,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pl.DataFrame]:
    """All result tables of one survey file (METHODS §10). `responses` must already have
    passed the checks (items present, answers within the scale). Raises ValueError for an
    unusable model or singular data. `progress(stage)` is called as each of STAGES starts
    (reporting only)."""
    import pandas as pd

    stage = progress or (lambda name: None)

    spec = parse_model(model_text)
    items = response_items(responses.columns, spec, params)
    missing = [c for c in items if c not in responses.columns]
    if missing:
        raise ValueError(f"items required by the model are not in the file: {', '.join(missing)}")
    x, n_in, n_used = complete_matrix(responses, items, params)
    if n_used < len(spec.observed) + 2:
        raise ValueError(f"only {n_used} complete responses for {len(spec.observed)} model items")
    pos = {c: i for i, c in enumerate(items)}

    stage(STAGES[0])
    constructs = {lat: ind for lat, ind in spec.measurement.items() if all(i in pos for i in ind)}
    reliability = reliability_table(
        x[:, [pos[i] for c in constructs.values() for i in c]],
        [i for c in constructs.values() for i in c],
        constructs,
        ddof=int(params["reliability"]["ddof"]),
    )
    stage(STAGES[1])
    blocks = spec.efa_blocks or {"all_items": items}
    adequacy, efa, efa_factors = _efa_tables(x, items, blocks, params)

    stage(STAGES[2])
    chi2_n = params["sem"]["chi2_n"]
    fit = fit_sem(pd.DataFrame(x, columns=items), spec, chi2_n=chi2_n)
    status = fit.status
    estimates = fit.estimates.with_columns(pl.lit(status).alias("status"))
    fit_tab = fit_table(fit.indices).with_columns(pl.lit(status).alias("status"))
    stage(STAGES[3])
    mi = modification_indices(fit).filter(
        (pl.col("mi") >= float(params["sem"].get("mi_min", 0))) | pl.col("mi").is_nan()
    )
    stage(STAGES[4])
    validity, latent_corr = validity_tables(fit)

    sample = _sample_table(n_in, n_used, len(items), len(spec.observed), chi2_n)
    return {
        "survey_sample": sample,
        "survey_reliability": reliability,
        "survey_adequacy": adequacy,
        "survey_efa": efa,
        "survey_efa_factors": efa_factors,
        "survey_estimates": estimates,
        "survey_fit": fit_tab,
        "survey_modindices": mi,
        "survey_validity": validity,
        "survey_latent_correlations": latent_corr,
    }
