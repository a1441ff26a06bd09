"""Report sections. Each builder looks for its result tables in the run; a missing table gives
a sentence saying so, never an error. Only aggregation for charts happens here (means,
geometric means, sums, shares); every number comes from the warehouse."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import polars as pl

from cbec.report import svg
from cbec.report.page import Report, Section
from measures.regions import LABEL_ZH, region_mapping
from warehouse.provinces import CODES, NAME_EN, NAME_ZH

D_LEVELS = {
    1: ("极度失调 extreme imbalance", "#67001f"),
    2: ("严重失调 serious imbalance", "#b2182b"),
    3: ("中度失调 moderate imbalance", "#d6604d"),
    4: ("轻度失调 mild imbalance", "#f4a582"),
    5: ("濒临失调 verge of imbalance", "#fddbc7"),
    6: ("勉强协调 barely coordinated", "#d1e5f0"),
    7: ("初级协调 primary coordination", "#92c5de"),
    8: ("中级协调 intermediate coordination", "#4393c3"),
    9: ("良好协调 good coordination", "#2166ac"),
    10: ("优质协调 high-quality coordination", "#053061"),
}
LAG_COLORS = ["#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd", "#8c564b"]

Loader = Callable[[str], pl.DataFrame | None]


def province_label(code: str) -> str:
    return f"{NAME_EN[code]} {NAME_ZH[code]}" if code in NAME_EN else str(code)


def region_groups() -> dict[str, list[str]]:
    """NBS four regions (label "East 东部" …) of measures.regions (METHODS §0)."""
    groups: dict[str, list[str]] = {}
    for code, reg in region_mapping("nbs4").items():
        groups.setdefault(f"{reg} {LABEL_ZH.get(reg, '')}".strip(), []).append(code)
    return groups


# ---------------------------------------------------------------------------- helpers


def pick(df: pl.DataFrame, *names: str, contains: tuple[str, ...] = ()) -> str | None:
    """First column named like one of `names` (case-insensitive), else one containing a fragment."""
    low = {c.lower(): c for c in df.columns}
    for n in names:
        if n.lower() in low:
            return low[n.lower()]
    for frag in contains:
        for c in df.columns:
            if frag in c.lower() and df.schema[c].is_numeric():
                return c
    return None


def numeric_cols(df: pl.DataFrame, exclude: tuple[str, ...] = ()) -> list[str]:
    skip = {"year", "base_year", "iterations", *exclude}
    return [
        c
        for c, t in df.schema.items()
        if t.is_numeric() and t != pl.Boolean and c.lower() not in skip
    ]


def time_col(df: pl.DataFrame) -> str | None:
    return pick(df, "period", "year_to", "to_year", "year1", "t1", "end_year", "year")


def _f(v):
    return float(v) if v is not None and not (isinstance(v, float) and math.isnan(v)) else None


def province_heatmap(
    df: pl.DataFrame, value: str, *, label: str, diverging=False, center=0.0, vmin=None, vmax=None
):
    """Heatmap svg + the long table behind it (province × time)."""
    tc = time_col(df)
    d = df.select("region_code", tc, value).drop_nulls(["region_code", tc])
    d = d.group_by("region_code", tc).agg(pl.col(value).mean()).sort("region_code", tc)
    rows = [c for c in CODES if c in set(d["region_code"].to_list())]
    rows += sorted(set(d["region_code"].to_list()) - set(rows))
    ts = d[tc].drop_nulls()
    if ts.dtype.is_integer() and ts.len() and ts.max() - ts.min() < 200:
        cols = [str(t) for t in range(ts.min(), ts.max() + 1)]  # gaps show as grey columns
    else:
        cols = sorted({str(t) for t in ts.to_list()})
    vals = {(r, str(t)): _f(v) for r, t, v in d.iter_rows()}
    chart = svg.heatmap(
        rows,
        cols,
        vals,
        label=label,
        diverging=diverging,
        center=center,
        vmin=vmin,
        vmax=vmax,
        row_labels={r: province_label(r) for r in rows},
    )
    table = d.with_columns(
        pl.col("region_code").replace_strict(NAME_EN, default=None).alias("province_en"),
        pl.col("region_code").replace_strict(NAME_ZH, default=None).alias("province_zh"),
    ).select("region_code", "province_en", "province_zh", tc, value)
    return chart, table


def series_over_time(d: pl.DataFrame, x: str, cols: list[str]):
    d = d.sort(x)
    xs = [str(v) for v in d[x].to_list()]
    return xs, {c: [_f(v) for v in d[c].to_list()] for c in cols}


def geo_mean(col: str) -> pl.Expr:
    c = pl.col(col)
    return pl.when(c > 0).then(c.log()).otherwise(None).mean().exp().alias(col)


def _region_frame() -> pl.DataFrame:
    groups = region_groups()
    return pl.DataFrame(
        {
            "region_code": [c for cs in groups.values() for c in cs],
            "nbs_region": [g for g, cs in groups.items() for _ in cs],
        }
    )


# ---------------------------------------------------------------------------- sections


def lineage(rep: Report, run: dict, tables: dict[str, int], inputs, validations) -> None:
    sec = rep.section("lineage", "Data and lineage")
    meta = pl.DataFrame(
        {
            "field": [
                "run id",
                "flow",
                "status",
                "started (UTC)",
                "finished (UTC)",
                "code version",
                "input fingerprint",
                "parameters hash",
                "Prefect flow run",
            ],
            "value": [
                str(run.get(k) or "")
                for k in (
                    "run_id",
                    "flow",
                    "status",
                    "started_at",
                    "finished_at",
                    "code_version",
                    "input_fingerprint",
                    "params_hash",
                    "prefect_flow_run_id",
                )
            ],
        }
    )
    rep.table(sec, meta)
    # validation summary
    sec.html("<h3>Validation</h3>")
    if validations is None or validations.is_empty():
        sec.note("No validation results were recorded for this run (results.validations).")
    else:
        v = validations.select("stage", "passed", "critical_failures", "warnings", "created_at")
        ok = bool(v["passed"].all())
        sec.html(
            f'<p class="{"good" if ok else "bad"}">'
            + (
                "All validation stages passed."
                if ok
                else "Some validation stages failed (see critical failures)."
            )
            + "</p>"
        )
        rep.table(sec, v, name="validations")
        failed = []
        for stage, res in validations.select("stage", "result").iter_rows():
            try:
                data = json.loads(res) if res else {}
            except ValueError:
                continue
            for item in (data.get("failures") or data.get("failed") or [])[:20]:
                failed.append({"stage": stage, "detail": json.dumps(item, ensure_ascii=False)})
        if failed:
            sec.html("<h4>Failed or warning expectations</h4>")
            rep.table(sec, pl.DataFrame(failed), name="validation-failures")
    # result tables
    sec.html("<h3>Result tables of this run</h3>")
    rt = pl.DataFrame(
        {
            "table": [f"results.{k}" for k in tables],
            "rows": list(tables.values()),
        },
        schema={"table": pl.Utf8, "rows": pl.Int64},
    )
    rep.table(sec, rt)
    # inputs
    sec.html("<h3>Input files</h3>")
    if inputs is None or inputs.is_empty():
        sec.note("This run recorded no input files (results.run_inputs).")
    else:
        by_v = (
            inputs.with_columns(pl.col("vintage").fill_null("unknown"))
            .group_by("vintage")
            .agg(pl.len().alias("files"))
            .sort("vintage")
        )
        rep.figure(
            sec,
            "Input files by vintage",
            svg.bar_chart(
                [str(v) for v in by_v["vintage"].to_list()],
                {"files": [float(x) for x in by_v["files"].to_list()]},
                label="files per vintage",
                value_label="files",
            ),
            "Number of source files of each vintage (edition or publication date) that fed this "
            "run. A newer vintage of the same series wins in staging.",
            by_v,
            "input-files-by-vintage",
        )
        show = inputs.with_columns(pl.col("source_sha256").str.slice(0, 16).alias("sha256"))
        sec.html(f"<details><summary>{inputs.height} input files with sha256</summary>")
        rep.table(
            sec,
            show.select("source_file", "vintage", "reader", "sha256"),
            max_rows=400,
            name="input-files",
            csv=inputs,
        )
        sec.html("</details>")
    params = run.get("params")
    if params:
        try:
            pretty = json.dumps(json.loads(params), indent=2, ensure_ascii=False)
        except (TypeError, ValueError):
            pretty = str(params)
        from html import escape

        sec.html(
            "<h3>Parameters</h3><details><summary>parameters of this run (JSON)</summary>"
            f"<pre>{escape(pretty, quote=False)}</pre></details>"
        )


def production(rep: Report, load: Loader) -> None:
    sec = rep.section("production", "Production inputs")
    gdp, cap, lab = load("real_gdp"), load("capital_stock"), load("labour")
    if gdp is None and cap is None and lab is None:
        sec.note("This run has no production tables (real_gdp, capital_stock, labour).")
        return
    parts = []
    for df, col, name in (
        (gdp, "real_gdp", "real GDP"),
        (cap, "capital_stock", "capital stock"),
        (lab, "labour", "labour input"),
    ):
        if df is not None and col in df.columns:
            parts.append(df.select("region_code", "year", pl.col(col).alias(name)).drop_nulls())
    if parts:
        # compare like with like: the provinces present in every series of that year
        both = parts[0]
        for p in parts[1:]:
            both = both.join(p, on=["region_code", "year"], how="inner")
        names = [c for c in both.columns if c not in ("region_code", "year")]
        tot = both.group_by("year").agg(
            *[pl.col(n).sum() for n in names], pl.len().alias("provinces")
        )
        n_max = tot["provinces"].max() if tot.height else 0
        common = tot.filter(pl.col("provinces") == n_max).sort("year")
        if common.height >= 2:
            base = common.row(0, named=True)
            idx = common.select(
                "year", *[(pl.col(n) / base[n] * 100).alias(n) for n in names], "provinces"
            )
            xs, series = series_over_time(idx, "year", names)
            rep.figure(
                sec,
                "Real GDP, capital stock and labour input (sum over provinces, first year = 100)",
                svg.line_chart(xs, series, label="production inputs index", ref=100),
                f"Sums over the {n_max} provinces present in every series, indexed to "
                f"{base['year']} = 100. Real GDP at constant base-year prices, capital stock by "
                "the perpetual inventory method (METHODS §1), labour = total employed persons × "
                "schooling (METHODS §3, §3.1).",
                idx,
                "production-index",
            )
    if gdp is not None:
        col = "real_gdp_per_capita" if "real_gdp_per_capita" in gdp.columns else "real_gdp"
        d = gdp.filter(pl.col(col).is_not_null() & pl.col(col).is_not_nan())
        if d.height:
            chart, table = province_heatmap(d, col, label=col)
            rep.figure(
                sec,
                f"{'Real GDP per capita' if col != 'real_gdp' else 'Real GDP'} by province and year",
                chart,
                f"Colour = {col} (constant prices of the base year; per capita uses year-end "
                "population). Grey = not available.",
                table,
                f"{col}-heatmap",
            )
    if cap is not None and "capital_stock" in cap.columns:
        last = cap.filter(pl.col("capital_stock").is_not_null())["year"].max()
        d = (
            cap.filter(pl.col("year") == last)
            .select("region_code", "capital_stock")
            .sort("capital_stock", descending=True)
        )
        rep.figure(
            sec,
            f"Capital stock by province, {last}",
            svg.bar_chart(
                [province_label(c) for c in d["region_code"].to_list()],
                {"capital stock": [_f(v) for v in d["capital_stock"].to_list()]},
                label="capital stock",
                value_label="constant base-year prices, 亿元",
            ),
            f"Perpetual-inventory capital stock in {last}, provinces sorted from largest.",
            d,
            f"capital-stock-{last}",
        )


def efficiency(rep: Report, load: Loader) -> None:
    sec = rep.section("efficiency", "Efficiency (DEA)")
    eff, ce, gce = load("efficiency"), load("cross_efficiency"), load("game_cross_efficiency")
    if eff is None and ce is None and gce is None:
        sec.note(
            "This run has no efficiency tables (efficiency, cross_efficiency, "
            "game_cross_efficiency): the DEA step had not run or is not part of this flow."
        )
        return
    if eff is not None:
        sc = pick(eff, "score", "te_crs", "te", "theta", "efficiency")
        if sc:
            chart, table = province_heatmap(eff, sc, label=f"DEA {sc}", vmin=None, vmax=1.0)
            orient = eff["orientation"][0] if "orientation" in eff.columns else "?"
            rts = eff["rts"][0] if "rts" in eff.columns else "?"
            rep.figure(
                sec,
                "DEA efficiency by province and year",
                chart,
                f"Colour = DEA efficiency score ({sc}; {orient} orientation, {rts}), one frontier "
                "per year (METHODS §9.1). 1 = on the frontier.",
                table,
                "efficiency-heatmap",
            )
        if "scale_eff" in eff.columns and "te_vrs" in eff.columns:
            d = eff.group_by("year").agg(
                pl.col(c).mean() for c in ("te_crs", "te_vrs", "scale_eff") if c in eff.columns
            )
            cols = [c for c in ("te_crs", "te_vrs", "scale_eff") if c in d.columns]
            xs, series = series_over_time(d, "year", cols)
            rep.figure(
                sec,
                "Mean technical, pure technical and scale efficiency",
                svg.line_chart(xs, series, label="efficiency decomposition"),
                "Arithmetic means over provinces: TE under CRS, pure TE under VRS and scale "
                "efficiency SE = TE_CRS / TE_VRS (METHODS §9.1).",
                d.sort("year"),
                "efficiency-decomposition",
            )
    if eff is None:
        sec.note("results.efficiency is not in this run.")
    # rankings in the latest year common to the tables present
    frames = []
    if eff is not None and (sc := pick(eff, "score", "te_crs", "te")):
        frames.append(eff.select("region_code", "year", pl.col(sc).alias("DEA score")))
    if ce is not None and (c := pick(ce, "cross_eff", "cross_efficiency", "score")):
        frames.append(ce.select("region_code", "year", pl.col(c).alias("cross-efficiency")))
    if gce is not None and (c := pick(gce, "game_cross_eff", "game_cross_efficiency", "score")):
        frames.append(gce.select("region_code", "year", pl.col(c).alias("game cross-efficiency")))
    if not frames:
        return
    rank = frames[0]
    for f in frames[1:]:
        rank = rank.join(f, on=["region_code", "year"], how="full", coalesce=True)
    last = rank["year"].max()
    d = rank.filter(pl.col("year") == last)
    order = next(c for c in ("game cross-efficiency", "cross-efficiency", "DEA score") if c in d)
    d = d.sort(order, descending=True, nulls_last=True).with_columns(
        pl.int_range(1, pl.len() + 1).alias(f"rank by {order}")
    )
    measures = [c for c in ("DEA score", "cross-efficiency", "game cross-efficiency") if c in d]
    rep.figure(
        sec,
        f"Efficiency ranking, {last}",
        svg.bar_chart(
            [province_label(c) for c in d["region_code"].to_list()],
            {m: [_f(v) for v in d[m].to_list()] for m in measures},
            label="efficiency ranking",
            ref=1.0,
        ),
        f"Provinces ranked by {order} in {last}. Self-appraised DEA scores tie at 1 on the "
        "frontier; cross-efficiency (aggressive secondary goal, METHODS §9.5) and game "
        "cross-efficiency (Liang et al. 2008, §9.6) rank every province.",
        d.with_columns(
            pl.col("region_code").replace_strict(NAME_EN, default=None).alias("province")
        ),
        f"efficiency-ranking-{last}",
    )
    if ce is None:
        sec.note("results.cross_efficiency is not in this run.")
    if gce is None:
        sec.note("results.game_cross_efficiency is not in this run.")
    elif "converged" in gce.columns:
        bad = gce.filter(~pl.col("converged").fill_null(False))
        if bad.height:
            yrs = ", ".join(str(y) for y in sorted(set(bad["year"].to_list())))
            sec.html(f'<p class="bad">Game cross-efficiency did not converge in: {yrs}.</p>')


_MALM = {
    "M (TFP change)": ("mi", "m", "malmquist", "tfpch", "tfp", "tfp_change"),
    "EC (efficiency change)": ("ec", "effch", "efficiency_change"),
    "TC (technical change)": ("tc", "techch", "technical_change", "bpc"),
    "PEC (pure efficiency change)": ("pec", "pech"),
    "SEC (scale efficiency change)": ("sec", "sech"),
    "CC-M (game cross-efficiency Malmquist)": ("cc_mi",),
}


def productivity(rep: Report, load: Loader) -> None:
    sec = rep.section("productivity", "Productivity (Malmquist)")
    m = load("malmquist")
    if m is None:
        sec.note("This run has no results.malmquist table.")
        summ = load("malmquist_summary")
        if summ is not None:
            rep.table(sec, summ, name="malmquist-summary")
        return
    tc = time_col(m)
    found = {lab: pick(m, *names) for lab, names in _MALM.items()}
    found = {
        k: v
        for k, v in found.items()
        if v and m.schema[v].is_numeric() and m[v].cast(pl.Float64).fill_nan(None).count() > 0
    }
    if not found or tc is None or "region_code" not in m.columns:
        sec.note("results.malmquist has no recognised index columns; the table is shown as is.")
        rep.table(sec, m, name="malmquist")
        return
    d = m
    # one decomposition per chart: prefer the default (first value) of any variant column
    for col in ("decomp", "frontier", "variant", "model", "method", "index"):
        if col in d.columns and d.schema[col] == pl.Utf8 and d[col].n_unique() > 1:
            d = d.filter(pl.col(col) == d[col].drop_nulls()[0])
    cols = list(found.values())
    per_t = (
        d.group_by(tc)
        .agg(*(geo_mean(c) for c in cols), pl.len().alias("provinces"))
        .sort(tc)
        .rename({v: k for k, v in found.items()})
    )
    labels = list(found)
    xs, series = series_over_time(per_t, tc, labels)
    rep.figure(
        sec,
        "Malmquist index and its decomposition over time",
        svg.line_chart(xs, series, label="malmquist over time", ref=1.0),
        "Geometric means over provinces of the Malmquist TFP index M = EC × TC for each pair of "
        "adjacent years (METHODS §9.7, DEAP convention). Above 1 (dashed line) = growth.",
        per_t,
        "malmquist-over-time",
    )
    reg = d.join(_region_frame(), on="region_code", how="inner")
    if reg.height:
        by_r = (
            reg.group_by("nbs_region")
            .agg(*(geo_mean(c) for c in cols), pl.col("region_code").n_unique().alias("provinces"))
            .sort("nbs_region")
            .rename({v: k for k, v in found.items()})
        )
        rep.figure(
            sec,
            "Malmquist decomposition by NBS region",
            svg.bar_chart(
                by_r["nbs_region"].to_list(),
                {lab: [_f(v) for v in by_r[lab].to_list()] for lab in labels},
                label="malmquist by region",
                base=1.0,
            ),
            "Geometric means over the provinces and year pairs of each NBS region (East, "
            "Central, West, Northeast). Bars start at 1 (no change): right = growth, left = decline.",
            by_r,
            "malmquist-by-region",
        )
        per_rt = (
            reg.group_by("nbs_region", tc)
            .agg(geo_mean(found[labels[0]]))
            .sort(tc)
            .pivot(on="nbs_region", index=tc, values=found[labels[0]])
            .sort(tc)
        )
        rnames = [c for c in per_rt.columns if c != tc]
        xs, series = series_over_time(per_rt, tc, rnames)
        rep.figure(
            sec,
            f"{labels[0]} by NBS region over time",
            svg.line_chart(xs, series, label="malmquist regions over time", ref=1.0),
            f"Geometric mean of {labels[0]} over the provinces of each NBS region, per year pair.",
            per_rt,
            "malmquist-regions-over-time",
        )
    chart, table = province_heatmap(
        d, found[labels[0]], label=labels[0], diverging=True, center=1.0
    )
    rep.figure(
        sec,
        f"{labels[0]} by province",
        chart,
        "Blue = productivity decline (< 1), red = growth (> 1), white = no change.",
        table,
        "malmquist-heatmap",
    )


def _long_inequality(df: pl.DataFrame) -> pl.DataFrame:
    """(year, series, measure, value) whether the table is long (measure/value) or wide."""
    yc = pick(df, "year")
    val = pick(df, "value", "estimate")
    mcol = pick(df, "measure", "index", "statistic", "component", "indicator_name")
    keys = [
        c
        for c, t in df.schema.items()
        if t == pl.Utf8 and c not in (mcol, "status", "unit", "method", "note")
    ]
    if val and mcol:
        d = df.select(yc, *keys, pl.col(mcol).cast(pl.Utf8).alias("measure"), pl.col(val))
        d = d.rename({val: "value"})
    else:
        nums = numeric_cols(df)
        d = df.select(yc, *keys, *nums).unpivot(
            index=[yc, *keys], on=nums, variable_name="measure", value_name="value"
        )
    series = (
        pl.concat_str([pl.col(k).fill_null("") for k in keys], separator=" · ")
        if keys
        else pl.lit("")
    )
    return d.select(
        pl.col(yc).alias("year"),
        series.alias("series"),
        "measure",
        pl.col("value").cast(pl.Float64),
    )


def inequality(rep: Report, load: Loader) -> None:
    sec = rep.section("inequality", "Regional inequality")
    df = load("inequality")
    if df is None:
        sec.note("This run has no results.inequality table.")
        return
    if pick(df, "year") is None:
        rep.table(sec, df, name="inequality")
        return
    long = _long_inequality(df)
    for s in sorted(set(long["series"].to_list()))[:4]:
        d = long.filter(pl.col("series") == s)
        ms = d["measure"].unique().to_list()
        parts = ("between", "within", "share", "contrib", "transvariation")
        level = [
            m
            for m in ms
            if not any(k in m.lower() for k in parts)
            and m.lower() not in ("g_w", "g_nb", "g_t", "gw", "gnb", "gt", "n", "groups")
        ]
        level = sorted(level)[:6] or sorted(ms)[:6]
        w = d.filter(pl.col("measure").is_in(level)).pivot(
            on="measure", index="year", values="value", aggregate_function="mean"
        )
        xs, series = series_over_time(w, "year", [c for c in w.columns if c != "year"])
        tag = f" — {s}" if s else ""
        rep.figure(
            sec,
            f"Inequality indices over time{tag}",
            svg.line_chart(xs, series, label=f"inequality {s}"),
            "Coefficient of variation, Gini and Theil indices across provinces "
            "(METHODS §5; weighting as configured for the run).",
            w.sort("year"),
            f"inequality-trend-{s}",
        )
        betw = [m for m in ms if "between" in m.lower()]
        with_ = [m for m in ms if "within" in m.lower()]
        shares_b = [m for m in betw if "share" in m.lower() or "contrib" in m.lower()]
        shares_w = [m for m in with_ if "share" in m.lower() or "contrib" in m.lower()]
        if shares_b and shares_w:
            b, wi = shares_b[0], shares_w[0]
        elif betw and with_:
            b, wi = betw[0], with_[0]
        else:
            continue
        p = d.filter(pl.col("measure").is_in([b, wi])).pivot(
            on="measure", index="year", values="value", aggregate_function="mean"
        )
        tot = pl.col(b) + pl.col(wi)
        p = p.select(
            "year",
            (pl.col(b) / tot).alias("between-region share"),
            (pl.col(wi) / tot).alias("within-region share"),
        ).sort("year")
        rep.figure(
            sec,
            f"Between- and within-region shares of inequality{tag}",
            svg.bar_chart(
                [str(y) for y in p["year"].to_list()],
                {
                    "between regions": [_f(v) for v in p["between-region share"].to_list()],
                    "within regions": [_f(v) for v in p["within-region share"].to_list()],
                },
                label="between within shares",
                stacked=True,
            ),
            f"Group decomposition (METHODS §5.3): share of {b} and {wi} in their sum, per year.",
            p,
            f"inequality-shares-{s}",
        )


def coupling(rep: Report, load: Loader) -> None:
    sec = rep.section("coupling", "Coupling coordination")
    df = load("coupling")
    if df is None:
        sec.note("This run has no results.coupling table.")
        return
    if "region_code" not in df.columns or pick(df, "year") is None:
        rep.table(sec, df, name="coupling")
        return
    dcol = pick(df, "d", "ccd", "coordination", "d_traditional", contains=("coord",))
    lvl = pick(df, "level", "d_level", "grade", "grade_level")
    d = df
    if "system" in d.columns and d["system"].n_unique() > 1:
        # one chart set per page: the whole system (most subsystems); the others are in the CSV
        systems = sorted(
            d["system"].drop_nulls().unique().to_list(), key=lambda v: (-v.count("+"), v)
        )
        d = d.filter(pl.col("system") == systems[0])
        sec.note(
            f"Shown: the system {systems[0]}. results.coupling also holds "
            + ", ".join(systems[1:])
            + " (cbec sql \"SELECT * FROM results.latest_coupling WHERE system = '…'\")."
        )
    for col in ("c_model", "model", "variant"):
        if col in d.columns and d.schema[col] == pl.Utf8 and d[col].n_unique() > 1:
            d = d.filter(pl.col(col) == d[col].drop_nulls()[0])
    if lvl is None and dcol is not None:
        # 10-level grade of METHODS §6.3, intervals (lower, upper], D = 0 → level 1
        d = d.with_columns(pl.col(dcol).mul(10).ceil().clip(1, 10).cast(pl.Int64).alias("level"))
        lvl = "level"
    if lvl is not None and d.schema[lvl].is_integer():
        g = d.group_by("region_code", "year").agg(pl.col(lvl).first()).sort("region_code", "year")
        rows = [c for c in CODES if c in set(g["region_code"].to_list())]
        cols = sorted({str(y) for y in g["year"].to_list()})
        cats = {(r, str(y)): v for r, y, v in g.iter_rows()}
        rep.figure(
            sec,
            "Coordination grade by province and year",
            svg.category_grid(
                rows,
                cols,
                cats,
                colors={k: c for k, (_, c) in D_LEVELS.items()},
                names={k: f"{k} {n}" for k, (n, _) in D_LEVELS.items()},
                label="coordination grade",
                row_labels={r: province_label(r) for r in rows},
            ),
            "Ten-level grade of the coupling coordination degree D = sqrt(C·T) (METHODS §6.3): "
            "red = imbalance, blue = coordination.",
            g.join(
                d.select("region_code", "year", *([dcol] if dcol else [])).unique(
                    ["region_code", "year"]
                ),
                on=["region_code", "year"],
                how="left",
            ),
            "coupling-grades",
        )
    elif dcol:
        chart, table = province_heatmap(d, dcol, label="D", vmin=0.0, vmax=1.0)
        rep.figure(sec, "Coupling coordination degree D", chart,
                   "Coupling coordination degree D by province and year (METHODS §6.2).",
                   table, "coupling-d")  # fmt: skip
    if dcol:
        per_y = d.group_by("year").agg(
            *(pl.col(c).mean() for c in (pick(d, "c", "c_traditional"), pick(d, "t"), dcol) if c)
        )
        cols = [c for c in per_y.columns if c != "year"]
        xs, series = series_over_time(per_y, "year", cols)
        rep.figure(
            sec,
            "Mean coupling (C), development (T) and coordination (D) degrees",
            svg.line_chart(xs, series, label="coupling over time"),
            "Arithmetic means over provinces per year.",
            per_y.sort("year"),
            "coupling-means",
        )
    lag = pick(d, "lag_type", "lagging_type", "lag", "type", "relative_type")
    if lag and d.schema[lag] == pl.Utf8:
        cnt = d.group_by("year", lag).agg(pl.len().alias("provinces")).sort("year", lag)
        types = sorted(set(cnt[lag].drop_nulls().to_list()))
        p = cnt.pivot(on=lag, index="year", values="provinces").sort("year").fill_null(0)
        rep.figure(
            sec,
            "Lagging types over time",
            svg.bar_chart(
                [str(y) for y in p["year"].to_list()],
                {t: [float(v) for v in p[t].to_list()] for t in types if t in p.columns},
                label="lagging types",
                stacked=True,
                value_label="provinces",
            ),
            "Number of provinces of each relative-development (lagging) type, E = U2/U1 "
            "(METHODS §6.4).",
            cnt,
            "coupling-lagging-types",
        )
        last = d["year"].max()
        latest = (
            d.filter(pl.col("year") == last)
            .select("region_code", *[c for c in (dcol, lvl, lag) if c])
            .with_columns(
                pl.col("region_code").replace_strict(NAME_EN, default=None).alias("province")
            )
        )
        sec.html(f"<h3>Latest year ({last})</h3>")
        rep.table(sec, latest.sort("region_code"), max_rows=40)


def synergy(rep: Report, load: Loader) -> None:
    sec = rep.section("synergy", "Composite-system synergy")
    df = load("synergy")
    if df is None:
        sec.note("This run has no results.synergy table.")
        return
    col = pick(df, "synergy", "c", "synergy_degree", "degree", contains=("synerg",))
    if col is None or "region_code" not in df.columns or pick(df, "year") is None:
        rep.table(sec, df, name="synergy")
        return
    chart, table = province_heatmap(df, col, label=col, diverging=True, center=0.0,
                                    vmin=-1.0, vmax=1.0)  # fmt: skip
    rep.figure(
        sec,
        "Synergy degree by province and year",
        chart,
        "Composite-system synergy degree C ∈ [−1, 1] (孟庆松 & 韩文秀 2000, METHODS §7.3): "
        "red = all subsystems more ordered (synergy), blue = non-synergistic.",
        table,
        "synergy-heatmap",
    )
    per_y = df.group_by("year").agg(pl.col(col).mean().alias("mean synergy")).sort("year")
    xs, series = series_over_time(per_y, "year", ["mean synergy"])
    rep.figure(sec, "Mean synergy degree", svg.line_chart(xs, series, label="synergy", ref=0.0),
               "Arithmetic mean over provinces of the synergy degree per year.", per_y,
               "synergy-mean")  # fmt: skip


_PREFERRED = ("alpha", "est", "estimate", "loading", "value", "cr", "ave", "r", "kmo", "mi",
              "weight", "score", "eigenvalue", "coefficient", "p_value")  # fmt: skip


def generic(rep: Report, sec: Section, name: str, df: pl.DataFrame) -> None:
    """A table we have no dedicated chart for: heatmap if province × year, a line chart if yearly,
    a bar chart of the first numeric column by label otherwise; plus the table itself."""
    nums = numeric_cols(df, exclude=("n", "k", "df", "n_items", "bartlett_df"))
    pref = pick(df, *_PREFERRED)
    if pref in nums:
        nums = [pref, *[c for c in nums if c != pref]]
    yc = pick(df, "year")
    if "region_code" in df.columns and yc and nums and df["region_code"].n_unique() > 1:
        chart, table = province_heatmap(df, nums[0], label=nums[0])
        rep.figure(sec, f"{name}: {nums[0]} by province and year", chart,
                   f"Colour = {nums[0]} of results.{name}.", table, f"{name}-{nums[0]}")  # fmt: skip
    elif yc and nums and df[yc].n_unique() > 1:
        w = df.group_by(yc).agg(pl.col(c).mean() for c in nums[:6]).sort(yc)
        xs, series = series_over_time(w, yc, nums[:6])
        rep.figure(sec, f"{name} over time", svg.line_chart(xs, series, label=name),
                   f"Numeric columns of results.{name} per year (mean where several rows).",
                   w, f"{name}-over-time")  # fmt: skip
    elif nums:
        labels = [c for c, t in df.schema.items() if t == pl.Utf8]
        d = df.head(60)
        cats = (
            [
                " · ".join(str(r[c]) for c in labels[:3])
                for r in d.select(labels[:3]).iter_rows(named=True)
            ]
            if labels
            else [str(i + 1) for i in range(d.height)]
        )
        rep.figure(
            sec,
            f"{name}: {nums[0]}",
            svg.bar_chart(cats, {nums[0]: [_f(v) for v in d[nums[0]].to_list()]}, label=name),
            f"{nums[0]} for each row of results.{name}"
            + (" (first 60 rows)" if df.height > 60 else "")
            + ".",
            d,
            f"{name}-{nums[0]}",
        )
    rep.table(sec, df, max_rows=40, name=name)


def composite(rep: Report, load: Loader) -> None:
    w, ci = load("indicator_weights"), load("composite_index")
    if w is None and ci is None:
        return
    sec = rep.section("composite", "Indicator weights and composite index")
    if w is not None:
        wc = pick(w, "weight", "w", "entropy_weight", contains=("weight",))
        ic = pick(w, "indicator", "variable", "series", "name")
        if wc and ic:
            d = w
            yc = pick(d, "year")
            if yc and d[yc].n_unique() > 1:
                d = d.group_by([c for c in (pick(d, "subsystem"), ic) if c]).agg(pl.col(wc).mean())
            sub = pick(d, "subsystem", "system")
            d = d.sort([c for c in (sub, wc) if c], descending=[False, True][: 2 if sub else 1])
            cats = [(f"{r[sub]} · " if sub else "") + str(r[ic]) for r in d.iter_rows(named=True)]
            rep.figure(
                sec,
                "Entropy weights of the indicators",
                svg.bar_chart(
                    cats, {"weight": [_f(v) for v in d[wc].to_list()]}, label="indicator weights"
                ),  # fmt: skip
                "Entropy weight of each indicator within its subsystem (METHODS §4.2; mean over "
                "years when weights are per year).",
                d,
                "indicator-weights",
            )
        else:
            generic(rep, sec, "indicator_weights", w)
    if ci is not None:
        sub = pick(ci, "subsystem", "system")
        val = pick(ci, "score", "index", "composite", "value", "u", contains=("index", "score"))
        if val and "region_code" in ci.columns and pick(ci, "year"):
            subs = sorted(set(ci[sub].drop_nulls().to_list())) if sub else [None]
            for s in subs[:4]:
                d = ci.filter(pl.col(sub) == s) if s is not None else ci
                chart, table = province_heatmap(d, val, label=val)
                rep.figure(
                    sec,
                    f"Composite index{f' — {s}' if s else ''} by province and year",
                    chart,
                    "Entropy-weighted composite index (METHODS §4).",
                    table,
                    f"composite-{s or 'index'}",
                )
        else:
            generic(rep, sec, "composite_index", ci)


def others(rep: Report, load: Loader, names: list[str], key: str, title: str, what: str) -> None:
    present = [(n, load(n)) for n in names]
    present = [(n, d) for n, d in present if d is not None]
    sec = rep.section(key, title)
    if not present:
        sec.note(f"This run has no {what} tables ({', '.join(names)}).")
        return
    for n, d in present:
        sec.html(f"<h3>results.{n}</h3>")
        if d.is_empty():
            sec.note("the table is empty in this run")
            continue
        generic(rep, sec, n, d)
