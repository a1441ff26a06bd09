"""Report figures that map one indicator over the 31 provinces (cbec/report/choropleth.py):
the latest year of a province × year table, or a per-province summary (e.g. the geometric-mean
Malmquist index). Units come from the table contracts (warehouse/contracts)."""

from __future__ import annotations

import polars as pl

from cbec.report.choropleth import choropleth
from cbec.report.common import _f, province_label
from cbec.report.page import Report, Section
from warehouse.contracts import find
from warehouse.provinces import NAME_EN, NAME_ZH


def unit_of(table: str, column: str) -> str:
    """The contract's unit of results.<table>.<column> ("" when it declares none)."""
    t = find(f"results.{table}")
    if t is None:
        return ""
    try:
        return t.column(column).unit
    except KeyError:
        return ""


def province_map(
    rep: Report,
    sec: Section,
    d: pl.DataFrame,
    value: str,
    *,
    title: str,
    caption: str,
    unit: str,
    name: str,
    diverging: bool = False,
    center: float = 0.0,
) -> None:
    """A choropleth of `d` (one row per region_code; mean when several) with its CSV."""
    d = d.drop_nulls("region_code").group_by("region_code").agg(pl.col(value).mean())
    d = d.sort("region_code")
    values = {str(c): _f(v) for c, v in d.iter_rows()}
    svg = choropleth(
        values,
        label=title,
        unit=unit or value,
        names={c: province_label(c) for c in NAME_EN},
        diverging=diverging,
        center=center,
    )
    table = d.with_columns(
        pl.col("region_code").replace_strict(NAME_EN, default=None).alias("province_en"),
        pl.col("region_code").replace_strict(NAME_ZH, default=None).alias("province_zh"),
    ).select("region_code", "province_en", "province_zh", value)
    missing = 31 - sum(v is not None for v in values.values())
    note = f" {missing} of 31 provinces have no value (hatched)." if missing > 0 else ""
    rep.figure(sec, title, svg, caption + note, table, name)


def latest_year_map(
    rep: Report,
    sec: Section,
    df: pl.DataFrame,
    value: str,
    *,
    table: str,
    what: str,
    caption: str,
    time: str = "year",
    diverging: bool = False,
    center: float = 0.0,
) -> None:
    """Map `value` of results.<table> in the latest year that has any value."""
    if value not in df.columns or time not in df.columns or "region_code" not in df.columns:
        return
    have = df.filter(pl.col(value).is_not_null() & pl.col(value).is_finite())
    if have.is_empty():
        return
    last = have[time].max()
    province_map(
        rep,
        sec,
        have.filter(pl.col(time) == last),
        value,
        title=f"{what}, {last}",
        caption=f"{caption} Latest year with values: {last}.",
        unit=f"{value} ({u})" if (u := unit_of(table, value)) else value,
        name=f"map-{table}-{value}-{last}",
        diverging=diverging,
        center=center,
    )
