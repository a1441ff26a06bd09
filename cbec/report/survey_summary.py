"""The readable summary of a survey run (markdown: the flow's artifact and `cbec survey`'s
terminal output), METHODS §10."""

from __future__ import annotations

import polars as pl


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
    lines += _efa_lines(tables)
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


def _efa_lines(tables: dict[str, pl.DataFrame]) -> list[str]:
    """The sampling-adequacy and EFA table (METHODS §10.2–10.3), one row per block."""
    lines: list[str] = []
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
    return lines
