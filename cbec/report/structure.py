"""Report sections: inequality, coupling, synergy and the composite index (METHODS §4–7)."""

from __future__ import annotations

import polars as pl

from cbec.report import columns as K
from cbec.report import svg
from cbec.report.choropleth import color_span
from cbec.report.common import (
    CODES,
    D_LEVELS,
    NAME_EN,
    Loader,
    _f,
    numeric_cols,
    province_heatmap,
    province_label,
    series_over_time,
)  # fmt: skip
from cbec.report.generic import generic
from cbec.report.maps import latest_year_map
from cbec.report.page import Report


def _long_inequality(df: pl.DataFrame) -> pl.DataFrame:
    """(year, series, measure, value) whether the table is long (measure/value) or wide."""
    yc = "year"
    val = K.INEQ_VALUE if K.INEQ_VALUE in df.columns else None
    mcol = K.INEQ_MEASURE if K.INEQ_MEASURE in df.columns else None
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


def _series_order(series: list[str]) -> list[str]:
    """GDP per capita (the studies' regional-difference variable, METHODS §5) first, then the
    other per-capita variables, then the composite indices."""
    first = ("gdp_per_capita", "trade_per_capita")
    rank = {v: i for i, v in enumerate(first)}
    return sorted(set(series), key=lambda s: (rank.get(s.split(" · ")[0], len(first)), s))


def _gdp_per_capita_map(rep: Report, sec, load: Loader) -> None:
    gdp = load("real_gdp")
    if gdp is None:
        return
    latest_year_map(
        rep, sec, gdp, "real_gdp_per_capita", table="real_gdp", what="Real GDP per capita",
        caption="Real GDP per resident (results.real_gdp: chained real GDP / year-end resident "
        "population, base-year prices; METHODS §2), the level whose dispersion the indices "
        "below measure.",
    )  # fmt: skip


def inequality(rep: Report, load: Loader) -> None:
    sec = rep.section("inequality", "Regional inequality")
    df = load("inequality")
    if df is None:
        sec.note("This run has no results.inequality table.")
        return
    if "year" not in df.columns:
        rep.table(sec, df, name="inequality")
        return
    _gdp_per_capita_map(rep, sec, load)
    if "group" in df.columns:  # the national indices; group rows (Dagum d_jh, …) are in the CSV
        df = df.filter(pl.col("group").is_null()).drop("group")
    long = _long_inequality(df)
    for s in _series_order(long["series"].to_list())[:4]:
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
            svg.line_chart(xs, series, label=f"inequality {s}", y_label="index value (unitless)"),
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
                value_label="share of the index (0–1)",
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
    if "region_code" not in df.columns or "year" not in df.columns:
        rep.table(sec, df, name="coupling")
        return
    dcol = K.COUPLING_D if K.COUPLING_D in df.columns else None
    lvl = K.COUPLING_GRADE if K.COUPLING_GRADE in df.columns else None
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
        chart, table = province_heatmap(d, dcol, label="D", vmin=0.0, vmax=1.0, table="coupling")
        rep.figure(sec, "Coupling coordination degree D", chart,
                   "Coupling coordination degree D by province and year (METHODS §6.2).",
                   table, "coupling-d")  # fmt: skip
    if dcol:
        per_y = d.group_by("year").agg(
            *(pl.col(c).mean() for c in (K.COUPLING_C, K.COUPLING_T, dcol) if c in d.columns)
        )
        cols = [c for c in per_y.columns if c != "year"]
        xs, series = series_over_time(per_y, "year", cols)
        rep.figure(
            sec,
            "Mean coupling (C), development (T) and coordination (D) degrees",
            svg.line_chart(xs, series, label="coupling over time", y_label="degree (0–1)"),
            "Arithmetic means over provinces per year.",
            per_y.sort("year"),
            "coupling-means",
        )
    if dcol:
        latest_year_map(
            rep, sec, d, dcol, table="coupling", what="Coupling coordination degree D",
            caption="D = sqrt(C·T) of the system shown (METHODS §6.2); colours fitted to the "
            "provinces' range (the ten-level grade is in the chart above).",
        )  # fmt: skip
    _lagging(rep, sec, d, dcol, lvl)


def _lagging(rep: Report, sec, d: pl.DataFrame, dcol, lvl) -> None:
    lag = K.COUPLING_LAG if K.COUPLING_LAG in d.columns else None
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
    col = K.SYNERGY if K.SYNERGY in df.columns else None
    if col is None or "region_code" not in df.columns or "year" not in df.columns:
        rep.table(sec, df, name="synergy")
        return
    vals = df[col].drop_nulls().to_list()
    lo, hi = color_span(vals, diverging=True, center=0.0)
    chart, table = province_heatmap(df, col, label=f"synergy degree (scale ±{svg.fmt(hi)})",
                                    diverging=True, center=0.0, vmin=lo, vmax=hi,
                                    table="synergy")  # fmt: skip
    rep.figure(
        sec,
        "Synergy degree by province and year",
        chart,
        "Composite-system synergy degree C ∈ [−1, 1] (孟庆松 & 韩文秀 2000, METHODS §7.3): "
        "red = all subsystems more ordered (synergy), blue = non-synergistic. The colour "
        "scale is symmetric around 0 and fitted to the 2nd–98th percentile of the values.",
        table,
        "synergy-heatmap",
    )
    per_y = df.group_by("year").agg(pl.col(col).mean().alias("mean synergy")).sort("year")
    xs, series = series_over_time(per_y, "year", ["mean synergy"])
    rep.figure(sec, "Mean synergy degree", svg.line_chart(xs, series, label="synergy", ref=0.0,
                                 y_label="synergy degree (−1…1)"),
               "Arithmetic mean over provinces of the synergy degree per year.", per_y,
               "synergy-mean")  # fmt: skip
    latest_year_map(rep, sec, df, col, table="synergy", what="Synergy degree",
                    caption="Composite-system synergy degree (METHODS §7.3), symmetric colour "
                    "scale around 0 fitted to the provinces' range.", diverging=True)  # fmt: skip


def composite(rep: Report, load: Loader) -> None:
    w, ci = load("indicator_weights"), load("composite_index")
    if w is None and ci is None:
        return
    sec = rep.section("composite", "Indicator weights and composite index")
    if w is not None:
        wc = K.WEIGHT if K.WEIGHT in w.columns else None
        ic = K.WEIGHT_INDICATOR if K.WEIGHT_INDICATOR in w.columns else None
        if wc and ic:
            d = w
            sub = K.SUBSYSTEM if K.SUBSYSTEM in d.columns else None
            if "year" in d.columns and d["year"].n_unique() > 1:
                d = d.group_by([c for c in (sub, ic) if c]).agg(pl.col(wc).mean())
            d = d.sort([c for c in (sub, wc) if c], descending=[False, True][: 2 if sub else 1])
            cats = [(f"{r[sub]} · " if sub else "") + str(r[ic]) for r in d.iter_rows(named=True)]
            rep.figure(
                sec,
                "Entropy weights of the indicators",
                svg.bar_chart(
                    cats,
                    {"weight": [_f(v) for v in d[wc].to_list()]},
                    label="indicator weights",
                    value_label="weight within the subsystem (sums to 1)",
                ),  # fmt: skip
                "Entropy weight of each indicator within its subsystem (METHODS §4.2; mean over "
                "years when weights are per year).",
                d,
                "indicator-weights",
            )
        else:
            generic(rep, sec, "indicator_weights", w)
    if ci is not None:
        sub = K.COMPOSITE_SUB if K.COMPOSITE_SUB in ci.columns else None
        val = K.COMPOSITE_SCORE if K.COMPOSITE_SCORE in ci.columns else None
        if val and "region_code" in ci.columns and "year" in ci.columns:
            subs = sorted(set(ci[sub].drop_nulls().to_list())) if sub else [None]
            for s in subs[:4]:
                d = ci.filter(pl.col(sub) == s) if s is not None else ci
                chart, table = province_heatmap(d, val, label=val, table="composite_index")
                rep.figure(
                    sec,
                    f"Composite index{f' — {s}' if s else ''} by province and year",
                    chart,
                    "Entropy-weighted composite index (METHODS §4).",
                    table,
                    f"composite-{s or 'index'}",
                )
                latest_year_map(rep, sec, d, val, table="composite_index",
                                what=f"Composite index{f' — {s}' if s else ''}",
                                caption="Entropy-weighted composite index (METHODS §4).")  # fmt: skip
        else:
            generic(rep, sec, "composite_index", ci)
