"""Report sections for tables without a dedicated chart (co-evolution, causality, survey, other)."""

from __future__ import annotations

import polars as pl

from cbec.report import columns as K
from cbec.report import svg
from cbec.report.columns import unit_of
from cbec.report.common import (
    Loader,
    _f,
    numeric_cols,
    province_heatmap,
    series_over_time,
)  # fmt: skip
from cbec.report.page import Report, Section


def _axis_label(table: str, column: str) -> str:
    """`column (unit)` from the table's contract (the column alone when it declares no unit)."""
    u = unit_of(table, column)
    return f"{column} ({u})" if u else column


def _shared_unit(table: str, columns: list[str]) -> str:
    units = {unit_of(table, c) for c in columns}
    return (
        f"mean per year ({units.pop()})" if len(units) == 1 and "" not in units else "mean per year"
    )


def generic(rep: Report, sec: Section, name: str, df: pl.DataFrame) -> None:
    """A table we have no dedicated chart for: heatmap if province × year, a line chart if yearly,
    a bar chart of the first numeric column by label otherwise; plus the table itself."""
    nums = numeric_cols(df, exclude=("n", "k", "df", "n_items", "bartlett_df", "year_from",
                                     "year_to", "window_first", "window_last", "n_obs"))  # fmt: skip
    pref = K.headline(name)
    if pref in nums:
        nums = [pref, *[c for c in nums if c != pref]]
    yc = K.time_col(df, name) or ("year" if "year" in df.columns else None)
    if "region_code" in df.columns and yc and nums and df["region_code"].n_unique() > 1:
        chart, table = province_heatmap(df, nums[0], label=nums[0], table=name)
        rep.figure(sec, f"{name}: {nums[0]} by province and year", chart,
                   f"Colour = {nums[0]} of results.{name}.", table, f"{name}-{nums[0]}")  # fmt: skip
    elif yc and nums and df[yc].n_unique() > 1:
        w = df.group_by(yc).agg(pl.col(c).mean() for c in nums[:6]).sort(yc)
        xs, series = series_over_time(w, yc, nums[:6])
        rep.figure(sec, f"{name} over time", svg.line_chart(xs, series, label=name,
                                  y_label=_shared_unit(name, nums[:6])),
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
            svg.bar_chart(
                cats,
                {nums[0]: [_f(v) for v in d[nums[0]].to_list()]},
                label=name,
                value_label=_axis_label(name, nums[0]),
            ),
            f"{nums[0]} for each row of results.{name}"
            + (" (first 60 rows)" if df.height > 60 else "")
            + ".",
            d,
            f"{name}-{nums[0]}",
        )
    rep.table(sec, df, max_rows=15, name=name)  # every row is in the CSV


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
