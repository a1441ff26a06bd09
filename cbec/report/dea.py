"""Report sections: production inputs, DEA efficiency and Malmquist productivity (METHODS §1–3, §9)."""

from __future__ import annotations

import polars as pl

from cbec.report import columns as K
from cbec.report import svg
from cbec.report.common import (
    NAME_EN,
    Loader,
    _f,
    _region_frame,
    geo_mean,
    province_heatmap,
    province_label,
    series_over_time,
    time_col,
)  # fmt: skip
from cbec.report.maps import latest_year_map, province_map
from cbec.report.page import Report


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
                svg.line_chart(
                    xs,
                    series,
                    label="production inputs index",
                    ref=100,
                    y_label="index, first common year = 100",
                ),
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
            chart, table = province_heatmap(d, col, label=col, table="real_gdp")
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
        sc = K.EFFICIENCY_SCORE if K.EFFICIENCY_SCORE in eff.columns else None
        if sc:
            chart, table = province_heatmap(
                eff, sc, label=f"DEA {sc}", vmin=None, vmax=1.0, table="efficiency"
            )
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
            latest_year_map(
                rep, sec, _one_spec(eff), sc, table="efficiency", what="DEA efficiency score",
                caption=f"DEA efficiency ({orient} orientation, {rts}; METHODS §9.1): yellow = on or "
                "nearest the frontier (1), purple = farthest; colours fitted to the provinces' range."
                + _panel_gaps(load, eff, sc),
            )  # fmt: skip
        if "scale_eff" in eff.columns and "te_vrs" in eff.columns:
            d = eff.group_by("year").agg(
                pl.col(c).mean() for c in ("te_crs", "te_vrs", "scale_eff") if c in eff.columns
            )
            cols = [c for c in ("te_crs", "te_vrs", "scale_eff") if c in d.columns]
            xs, series = series_over_time(d, "year", cols)
            rep.figure(
                sec,
                "Mean technical, pure technical and scale efficiency",
                svg.line_chart(
                    xs, series, label="efficiency decomposition", y_label="efficiency score (0–1)"
                ),
                "Arithmetic means over provinces: TE under CRS, pure TE under VRS and scale "
                "efficiency SE = TE_CRS / TE_VRS (METHODS §9.1).",
                d.sort("year"),
                "efficiency-decomposition",
            )
    if eff is None:
        sec.note("results.efficiency is not in this run.")
    _ranking(rep, sec, eff, ce, gce)


def _panel_gaps(load: Loader, eff: pl.DataFrame, score: str) -> str:
    """Why provinces have no DEA score in the latest year: the input tables (labour, capital
    stock, real GDP) that have no row for them that year ('' when every province has one)."""
    have = eff.filter(pl.col(score).is_not_null() & pl.col(score).is_finite())
    if have.is_empty() or "year" not in have.columns:
        return ""
    last = have["year"].max()
    scored = set(have.filter(pl.col("year") == last)["region_code"].to_list())
    missing = [c for c in NAME_EN if c not in scored]
    if not missing:
        return ""
    why = []
    for table in ("labour", "capital_stock", "real_gdp"):
        df = load(table)
        if df is None or "region_code" not in df.columns or "year" not in df.columns:
            continue
        present = set(df.filter(pl.col("year") == last)["region_code"].to_list())
        lacking = [c for c in missing if c not in present]
        if lacking:
            who = "" if lacking == missing else ": " + ", ".join(map(province_label, lacking))
            why.append(f"results.{table}{who}")
    names = ", ".join(province_label(c) for c in missing)
    reason = f" (no {last} row in " + "; ".join(why) + ")" if why else ""
    return f" Not in the {last} DEA panel: {names}{reason}."


def _one_spec(eff: pl.DataFrame) -> pl.DataFrame:
    """The rows of the first (orientation, rts) of results.efficiency (a map shows one)."""
    for c in ("orientation", "rts"):
        if c in eff.columns and eff[c].n_unique() > 1:
            eff = eff.filter(pl.col(c) == eff[c].drop_nulls()[0])
    return eff


def _ranking(rep: Report, sec, eff, ce, gce) -> None:
    # rankings in the latest year common to the tables present
    frames = []
    for df, c, label in ((eff, K.EFFICIENCY_SCORE, "DEA score"),
                         (ce, K.CROSS_EFF, "cross-efficiency"),
                         (gce, K.GAME_CROSS_EFF, "game cross-efficiency")):  # fmt: skip
        if df is not None and c in df.columns:
            frames.append(df.select("region_code", "year", pl.col(c).alias(label)))
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
            value_label="efficiency score (0–1)",
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


def productivity(rep: Report, load: Loader) -> None:
    sec = rep.section("productivity", "Productivity (Malmquist)")
    m = load("malmquist")
    if m is None:
        sec.note("This run has no results.malmquist table.")
        summ = load("malmquist_summary")
        if summ is not None:
            rep.table(sec, summ, name="malmquist-summary")
        return
    tc = time_col(m, "malmquist")
    found = {lab: c if c in m.columns else None for lab, c in K.MALMQUIST.items()}
    found = {
        k: v
        for k, v in found.items()
        if v and m.schema[v].is_numeric() and m[v].cast(pl.Float64).fill_nan(None).count() > 0
    }
    if not found or tc is None or "region_code" not in m.columns:
        sec.note("results.malmquist has no recognised index columns; the table is shown as is.")
        rep.table(sec, m, name="malmquist")
        return
    d = m  # one decomposition per row (results.malmquist has no variant column)
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
        svg.line_chart(
            xs, series, label="malmquist over time", ref=1.0, y_label="index, 1 = no change"
        ),
        "Geometric means over provinces of the Malmquist TFP index M = EC × TC for each pair of "
        "adjacent years (METHODS §9.7, DEAP convention). Above 1 (dashed line) = growth.",
        per_t,
        "malmquist-over-time",
    )
    _malmquist_regions(rep, sec, d, cols, found, labels, tc)
    chart, table = province_heatmap(
        d, found[labels[0]], label=labels[0], diverging=True, center=1.0, table="malmquist"
    )
    rep.figure(
        sec,
        f"{labels[0]} by province",
        chart,
        "Blue = productivity decline (< 1), red = growth (> 1), white = no change.",
        table,
        "malmquist-heatmap",
    )
    per_p = d.group_by("region_code").agg(
        geo_mean(found[labels[0]]),
        *(
            [
                pl.col("quality")
                .list.explode(keep_nulls=False, empty_as_null=False)
                .drop_nulls()
                .unique()
            ]
            if "quality" in d.columns
            else []
        ),
    )
    province_map(
        rep, sec, per_p, found[labels[0]],
        title=f"{labels[0]}: geometric mean per province",
        caption=f"Geometric mean over the year pairs of {labels[0]} for each province (METHODS "
        "§9.7). Blue = decline (< 1), red = growth (> 1); the scale is symmetric around 1 and "
        "fitted to the provinces' range.",
        unit=f"index, 1 = no change ({labels[0].split(' ')[0]})",
        name="map-malmquist-geomean", diverging=True, center=1.0,
    )  # fmt: skip


def _malmquist_regions(rep: Report, sec, d: pl.DataFrame, cols, found, labels, tc) -> None:
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
                value_label="index, 1 = no change",
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
            svg.line_chart(
                xs,
                series,
                label="malmquist regions over time",
                ref=1.0,
                y_label="index, 1 = no change",
            ),
            f"Geometric mean of {labels[0]} over the provinces of each NBS region, per year pair.",
            per_rt,
            "malmquist-regions-over-time",
        )
