"""Shared pieces of the report sections: province labels, the NBS region groups (METHODS §0),
the province × time heatmap, series and geometric means for charts. Only aggregation for charts
happens here; every number comes from the warehouse."""

from __future__ import annotations

import math
from collections.abc import Callable

import polars as pl

from cbec.report import columns as K
from cbec.report import svg
from cbec.report.page import Report, Section  # noqa: F401 - re-exported
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


def numeric_cols(df: pl.DataFrame, exclude: tuple[str, ...] = ()) -> list[str]:
    skip = {"year", "base_year", "iterations", *exclude}
    return [
        c
        for c, t in df.schema.items()
        if t.is_numeric() and t != pl.Boolean and c.lower() not in skip
    ]


def time_col(df: pl.DataFrame, table: str | None = None) -> str | None:
    """The contract's time column of results.<table> (else year_to or year, as every result
    table names them)."""
    tc = K.time_col(df, table)
    return tc or next((c for c in ("year_to", "year") if c in df.columns), None)


def _f(v):
    return float(v) if v is not None and not (isinstance(v, float) and math.isnan(v)) else None


def province_heatmap(
    df: pl.DataFrame,
    value: str,
    *,
    label: str,
    diverging=False,
    center=0.0,
    vmin=None,
    vmax=None,
    table: str | None = None,
):
    """Heatmap svg + the long table behind it (province × time of results.<table>)."""
    tc = time_col(df, table)
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
