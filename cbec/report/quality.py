"""Report section "Specification and data quality" (ARCHITECTURE.md versioning semantics 4):
the DEA/Malmquist specification as run, the sensitivity table, and per results table the
share of rows that rest on a flagged cell (proxy, imputation, splice, interpolation, …)."""

from __future__ import annotations

import json
from collections.abc import Callable

import polars as pl

from cbec.report.page import Report
from cbec.tabular import flat

Loader = Callable[[str], pl.DataFrame | None]

FLAG_MEANING = {
    "compilation": "a value from an unofficial compilation (fills cells official sources lack)",
    "fallback_source": "a better-ranked value was blocked by a reconciliation check",
    "imputed_upstream": "imputed by the data provider (CHNCapitalStock GFCF 2018+)",
    "deflator:rpi": "retail price index as investment deflator (2020+)",
    "spliced": "employment 2012–2019 spliced onto the census-benchmarked 2020 level",
    "interpolated": "interpolated (employment 2022, schooling 2010)",
    "pre_revision": "population 2000–2014 from the pre-census-revision vintage (break 2014/2015)",
}


def specification(rep: Report, load: Loader, run: dict, tables: list[str]) -> None:
    sec = rep.section("specification", "Specification and data quality")
    params = run.get("params")
    if isinstance(params, str):
        params = json.loads(params)
    dea = (params or {}).get("dea", {})
    lab = (params or {}).get("production", {}).get("labour", {})
    dp = load("dea_panel")
    window = f"{dp['year'].min()}–{dp['year'].max()}, {dp['region_code'].n_unique()} provinces" if dp is not None and dp.height else "—"  # fmt: skip
    sec.note(
        f"DEA and Malmquist: inputs {', '.join(dea.get('inputs', []))} → outputs "
        f"{', '.join(dea.get('outputs', []))}; labour = {lab.get('series', '?')} employed "
        f"persons (splice {lab.get('splice', '?')}, quality {lab.get('method', '?')}); "
        f"window {window} (METHODS §3.1, §9). Proxies: "
        + (
            ", ".join(
                f"{k} = {v}"
                for k, v in dea.get("proxies", {}).items()
                if k in dea.get("inputs", [])
            )
            or "none"
        )  # fmt: skip
        + "."
    )
    sens = load("efficiency_sensitivity")
    if sens is not None and sens.height:
        summ = sens.group_by("specification", maintain_order=True).agg(
            pl.col("description").first(),
            pl.format("{}–{}", pl.col("window_first").first(), pl.col("window_last").first()).alias("window"),
            pl.col("n_dmu").first(),
            pl.col("mean_efficiency").mean().round(3).alias("mean CCR efficiency"),
            pl.col("mean_tfp_change").drop_nulls().log().mean().exp().round(3).alias("mean TFP change"),
            pl.col("frontier_provinces").list.explode().unique().sort().alias("ever on the frontier"),
        )  # fmt: skip
        rep.table(sec, flat(summ), name="efficiency-sensitivity", csv=flat(sens))
        sec.note(
            "How much the conclusions depend on the specification: results.efficiency_sensitivity "
            "has every year of every specification (config/dea.toml [[sensitivity]])."
        )
    rows = []
    for name in sorted(tables):
        df = load(name)
        if df is None or "quality" not in df.columns or not df.height:
            continue
        q = df["quality"]
        row: dict[str, object] = {"table": name, "rows": df.height,
                                  "flagged %": round(100 * float((q.list.len() > 0).mean()), 1)}  # fmt: skip
        for flag in FLAG_MEANING:
            row[flag] = round(100 * float(q.list.contains(flag).mean()), 1)
        proxies = sorted({f for fl in q.to_list() for f in fl if f.startswith("proxy:")})
        row["proxies"] = ", ".join(proxies)
        rows.append(row)
    if rows:
        rep.table(sec, pl.DataFrame(rows), name="quality-shares")
        sec.note(
            "Share of rows (%) carrying each quality flag: "
            + "; ".join(f"{k}: {v}" for k, v in FLAG_MEANING.items())
            + ". Filter in SQL, e.g. WHERE NOT list_contains(quality, 'spliced')."
        )
