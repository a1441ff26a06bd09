"""Report figures that map one indicator over the 31 provinces (cbec/report/choropleth.py):
the latest year of a province × year table, or a per-province summary (e.g. the geometric-mean
Malmquist index). Units come from the table contracts (warehouse/contracts)."""

from __future__ import annotations

import polars as pl

from cbec.report.choropleth import choropleth
from cbec.report.columns import unit_of
from cbec.report.common import _f, province_label
from cbec.report.page import Report, Section
from warehouse.provinces import CODES, NAME_EN, NAME_ZH


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
    """A choropleth of `d` (one row per region_code; mean when several) with its CSV. The rows'
    quality flags (proxies, imputations, fallback sources: results.*.quality) stay on the map:
    in each province's tooltip, in the CSV and, counted, in the caption."""
    flagged = "quality" in d.columns
    aggs = [pl.col(value).mean()]
    if flagged:
        aggs.append(
            pl.col("quality")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .drop_nulls()
            .unique()
            .sort()
            .alias("quality")
        )
    d = d.drop_nulls("region_code").group_by("region_code").agg(aggs).sort("region_code")
    values = {str(r["region_code"]): _f(r[value]) for r in d.iter_rows(named=True)}
    flags = (
        {str(r["region_code"]): list(r["quality"]) for r in d.iter_rows(named=True)}
        if flagged
        else {}
    )
    svg = choropleth(
        values,
        label=title,
        unit=unit or value,
        names={c: province_label(c) for c in NAME_EN},
        diverging=diverging,
        center=center,
        notes={c: "flags: " + ", ".join(f) for c, f in flags.items() if f},
    )
    table = d.with_columns(
        pl.col("region_code").replace_strict(NAME_EN, default=None).alias("province_en"),
        pl.col("region_code").replace_strict(NAME_ZH, default=None).alias("province_zh"),
    ).select("region_code", "province_en", "province_zh", value, *(["quality"] if flagged else []))
    missing = len(CODES) - sum(v is not None for v in values.values())
    note = f" {missing} of {len(CODES)} provinces have no value (hatched)." if missing > 0 else ""
    rep.figure(sec, title, svg, caption + note + _flag_note(flags), table, name)


def _flag_note(flags: dict[str, list[str]]) -> str:
    """' Quality flags on the mapped rows: deflator:rpi (31 provinces), …' ('' when none)."""
    count: dict[str, int] = {}
    for fs in flags.values():
        for f in fs:
            count[f] = count.get(f, 0) + 1
    if not count:
        return ""
    parts = ", ".join(f"{f} ({n} province{'s' if n > 1 else ''})" for f, n in sorted(count.items()))
    return f" Quality flags on the mapped rows (tooltips, CSV): {parts}."


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
