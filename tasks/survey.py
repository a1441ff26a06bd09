"""Survey analysis tasks (METHODS §10): response checks, the Great Expectations suite for a
response file, and the compute step that turns complete responses into the result tables
survey_sample, survey_reliability, survey_adequacy, survey_efa, survey_efa_factors,
survey_estimates, survey_fit, survey_modindices, survey_validity, survey_latent_correlations.
Thin: the maths is in measures/survey/."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import polars as pl
from prefect import task

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
from tasks._cache import COMPUTE_CACHE

ROOT = Path(__file__).resolve().parent.parent
SUITE_NAME = "survey_responses"
SUITE_PATH = ROOT / "expectations" / "suites" / f"{SUITE_NAME}.json"


# ----------------------------------------------------------------------------------------------
# parameters and model
# ----------------------------------------------------------------------------------------------
def load_survey_params(path: str | Path | None = None) -> dict:
    """config/survey.toml as a dict (every value ends up in the run's params)."""
    p = Path(path) if path else ROOT / "config" / "survey.toml"
    with open(p, "rb") as fh:
        return tomllib.load(fh)


def default_model_path(params: dict) -> Path:
    p = Path(params["sem"]["model"])
    return p if p.is_absolute() else ROOT / p


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


# ----------------------------------------------------------------------------------------------
# checks (the same rules as the GX suite, for the CLI that runs without a warehouse)
# ----------------------------------------------------------------------------------------------
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


def survey_suite(items: list[str], params: dict) -> dict:
    """The GX 1.x expectation suite (JSON-able dict) for a response file with these items.

    meta.severity 'critical' blocks publishing; 'warning' is reported only. The stored
    expectations/suites/survey_responses.json is this suite for study B's items C1–C29."""
    lo, hi = params["scale"]["min"], params["scale"]["max"]
    id_col = params["scale"]["id_column"]
    v = params.get("validation", {})
    exps: list[dict] = [
        {
            "type": "expect_column_to_exist",
            "kwargs": {"column": id_col},
            "meta": {"severity": "critical", "notes": "respondent id column present"},
        },
        {
            "type": "expect_column_values_to_be_unique",
            "kwargs": {"column": id_col},
            "meta": {"severity": "critical", "notes": "one row per respondent"},
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": id_col},
            "meta": {"severity": "critical"},
        },
    ]
    for c in items:
        exps += [
            {
                "type": "expect_column_to_exist",
                "kwargs": {"column": c},
                "meta": {"severity": "critical", "notes": "required item"},
            },
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": c, "value_set": list(range(int(lo), int(hi) + 1))},
                "meta": {
                    "severity": "critical",
                    "notes": f"integer answer within the scale {lo}..{hi} (nulls are missing answers)",
                },
            },
        ]
    exps += [
        {
            "type": "expect_column_mean_to_be_between",
            "kwargs": {
                "column": "_missing_share",
                "min_value": 0.0,
                "max_value": float(v.get("missing_answer_max_share", 0.05)),
            },
            "meta": {"severity": "warning", "notes": "missing-answer rate (observed_value)"},
        },
        {
            "type": "expect_column_mean_to_be_between",
            "kwargs": {
                "column": "_straight_lining",
                "min_value": 0.0,
                "max_value": float(v.get("straight_lining_max_share", 0.05)),
            },
            "meta": {
                "severity": "warning",
                "notes": "share of respondents giving one answer to every item (observed_value)",
            },
        },
    ]
    return {
        "name": SUITE_NAME,
        "expectations": exps,
        "meta": {
            "description": "Likert survey responses, one row per respondent (METHODS §10)",
            "generated_by": "tasks.survey.survey_suite",
        },
    }


# ----------------------------------------------------------------------------------------------
# compute
# ----------------------------------------------------------------------------------------------
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


def survey_tables(
    responses: pl.DataFrame, model_text: str, params: dict
) -> dict[str, pl.DataFrame]:
    """All result tables of one survey file (METHODS §10). `responses` must already have
    passed the checks (items present, answers within the scale). Raises ValueError for an
    unusable model or singular data."""
    import pandas as pd

    spec = parse_model(model_text)
    items = response_items(responses.columns, spec, params)
    missing = [c for c in items if c not in responses.columns]
    if missing:
        raise ValueError(f"items required by the model are not in the file: {', '.join(missing)}")
    x, n_in, n_used = complete_matrix(responses, items, params)
    if n_used < len(spec.observed) + 2:
        raise ValueError(f"only {n_used} complete responses for {len(spec.observed)} model items")
    pos = {c: i for i, c in enumerate(items)}

    constructs = {lat: ind for lat, ind in spec.measurement.items() if all(i in pos for i in ind)}
    reliability = reliability_table(
        x[:, [pos[i] for c in constructs.values() for i in c]],
        [i for c in constructs.values() for i in c],
        constructs,
        ddof=int(params["reliability"]["ddof"]),
    )
    blocks = spec.efa_blocks or {"all_items": items}
    adequacy, efa, efa_factors = _efa_tables(x, items, blocks, params)

    chi2_n = params["sem"]["chi2_n"]
    fit = fit_sem(pd.DataFrame(x, columns=items), spec, chi2_n=chi2_n)
    status = fit.status
    estimates = fit.estimates.with_columns(pl.lit(status).alias("status"))
    fit_tab = fit_table(fit.indices).with_columns(pl.lit(status).alias("status"))
    mi = modification_indices(fit).filter(
        (pl.col("mi") >= float(params["sem"].get("mi_min", 0))) | pl.col("mi").is_nan()
    )
    validity, latent_corr = validity_tables(fit)

    sample = pl.DataFrame(
        {
            "metric": [
                "n_input",
                "n_complete",
                "n_dropped_incomplete",
                "n_items",
                "n_model_items",
                "chi2_convention",
            ],
            "value": [
                str(n_in),
                str(n_used),
                str(n_in - n_used),
                str(len(items)),
                str(len(spec.observed)),
                chi2_n,
            ],
        }  # fmt: skip
    )
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


@task(name="survey-measures", cache_policy=COMPUTE_CACHE)
def compute_survey(
    responses: pl.DataFrame, model_text: str, params: dict
) -> dict[str, pl.DataFrame]:
    """Reliability, adequacy, EFA, CFA/SEM tables of one response file (METHODS §10)."""
    return survey_tables(responses, model_text, params)


# ----------------------------------------------------------------------------------------------
# readable summary
# ----------------------------------------------------------------------------------------------
def summary_markdown(tables: dict[str, pl.DataFrame], title: str = "Survey analysis") -> str:
    s = dict(tables["survey_sample"].iter_rows())
    lines = [f"# {title}", ""]
    lines.append(
        f"Respondents: {s['n_input']} in the file, {s['n_complete']} complete "
        f"({s['n_dropped_incomplete']} dropped list-wise); {s['n_items']} items, "
        f"{s['n_model_items']} in the model. χ² convention: {s['chi2_convention']}."
    )
    lines += [
        "",
        "## Reliability (Cronbach's α)",
        "",
        "| construct | items | α | min CITC |",
        "|---|---|---|---|",
    ]
    rel = (
        tables["survey_reliability"]
        .group_by("construct", maintain_order=True)
        .agg(pl.col("k").first(), pl.col("alpha").first(), pl.col("citc").min())
    )
    for c, k, a, citc in rel.iter_rows():
        lines.append(f"| {c} | {k} | {a:.3f} | {citc:.3f} |")
    ad = tables["survey_adequacy"].filter(pl.col("item").is_null())
    fac = tables["survey_efa_factors"].filter(pl.col("extracted"))
    efa = tables["survey_efa"]
    lines += ["", "## Sampling adequacy and EFA (PCA + varimax)", "",
              "| block | KMO | Bartlett χ² (df), p | factors | cumulative variance % | dropped items |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for r in ad.iter_rows(named=True):
        b = r["block"]
        f = fac.filter(pl.col("block") == b)
        dropped = (
            efa.filter((pl.col("block") == b) & ~pl.col("retained"))["item"]
            .unique(maintain_order=True)
            .to_list()
        )
        lines.append(
            f"| {b} | {r['kmo']:.3f} | {r['bartlett_chi2']:.1f} ({r['bartlett_df']}), "
            f"{r['bartlett_p']:.3g} | {f.height} | {f['rotated_cumulative_pct'].max():.1f} | "
            f"{', '.join(dropped) or '—'} |"
        )
    fit = {r["index"]: r for r in tables["survey_fit"].iter_rows(named=True)}
    status = tables["survey_fit"]["status"][0]
    lines += [
        "",
        f"## Model fit (status: {status})",
        "",
        "| index | value | cut-off | met |",
        "|---|---|---|---|",
    ]
    for k in ("chi2", "df", "p_value", "chi2_df", "gfi", "agfi", "pgfi", "rmsea", "rmsea_ci_lower",
              "rmsea_ci_upper", "nfi", "ifi", "tli", "cfi", "srmr"):  # fmt: skip
        r = fit[k]
        met = "" if r["meets_cutoff"] is None else ("yes" if r["meets_cutoff"] else "no")
        lines.append(f"| {k} | {r['value']:.3f} | {r['cutoff'] or ''} | {met} |")
    est = tables["survey_estimates"].filter(
        pl.col("kind").is_in(["regression", "covariance"])
        & pl.col("lhs").is_in(list(dict.fromkeys(tables["survey_validity"]["latent"])))
    )
    if est.height:
        lines += ["", "## Structural paths and latent covariances", "",
                  "| label | path | estimate | S.E. | C.R. | p | standardised |", "|---|---|---|---|---|---|---|"]  # fmt: skip
        for r in est.iter_rows(named=True):
            lines.append(
                f"| {r['label'] or ''} | {r['lhs']} {r['op']} {r['rhs']} | {r['est']:.3f} | "
                f"{r['se']:.3f} | {r['z']:.2f} | {r['p_value']:.3g} | {r['std_all']:.3f} |"
            )
    lines += ["", "## Convergent and discriminant validity", "",
              "| latent | CR | AVE | √AVE | max |r| (with) | Fornell–Larcker |", "|---|---|---|---|---|---|"]  # fmt: skip
    for r in tables["survey_validity"].iter_rows(named=True):
        lines.append(
            f"| {r['latent']} | {r['cr']:.3f} | {r['ave']:.3f} | {r['sqrt_ave']:.3f} | "
            f"{r['max_abs_corr']:.3f} ({r['max_corr_with']}) | {'ok' if r['fornell_larcker_ok'] else 'fails'} |"
        )
    mi = tables["survey_modindices"].head(5)
    if mi.height:
        lines += ["", "## Largest modification indices (residual covariances)", "",
                  "| pair | MI | EPC |", "|---|---|---|"]  # fmt: skip
        for r in mi.iter_rows(named=True):
            lines.append(f"| {r['lhs']} ~~ {r['rhs']} | {r['mi']:.2f} | {r['epc']:.3f} |")
    return "\n".join(lines) + "\n"
