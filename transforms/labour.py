"""results.labour: the labour input L·s of every province-year (METHODS §3, §3.1).

`employment(panel, params)` builds the quantity series named by `params["series"]` with its
lineage (`employment_series`) and flags; `labour(panel, params)` adds schooling quality.
Pure polars/numpy: no Prefect, no DuckDB, no files.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from cbec.params import section_dict
from measures.labour import (
    average_schooling,
    interpolate_geometric,
    interpolate_linear,
    labour_input,
    ratio_splice,
)
from transforms._scalars import as_int
from warehouse.staging_quality import flags_of

KEY = ["region_code", "year"]
OLD, NEW = "emp_total_3sector", "emp_total_csy"
BREAK_YEAR = 2020  # first year of the census-benchmarked vintage (METHODS §3.1)
LEVELS = {
    "none": "edu_none",
    "primary": "edu_primary",
    "junior": "edu_junior",
    "senior": "edu_senior",
    "college": "edu_college",
}
FLAG_PROXY = "proxy:urban_employment"


def _series(panel: pl.DataFrame, variable: str) -> pl.DataFrame:
    return panel.filter(pl.col("variable") == variable).select(
        *KEY, pl.col("value").alias(variable)
    )


def employment(panel: pl.DataFrame, params: dict) -> pl.DataFrame:
    """region_code, year, employment (万人), employment_series, quality (METHODS §3.1)."""
    params = _labour_params(params)
    if params["series"] == "urban_proxy":
        return _urban_proxy(panel, list(params["proxy"]))
    return _total_employed(panel, params["splice"])


def _labour_params(params: dict | None) -> dict:
    """config/production.toml's [labour] table, completed by cbec.params."""
    return section_dict("production", {"labour": params or {}})["labour"]


def _urban_proxy(panel: pl.DataFrame, parts: list[str]) -> pl.DataFrame:
    w = None
    for v in parts:
        s = _series(panel, v)
        w = s if w is None else w.join(s, on=KEY, how="inner")
    assert w is not None
    name = "proxy: " + " + ".join(parts)
    return (
        w.with_columns(pl.sum_horizontal(parts).alias("employment"))
        .select(*KEY, "employment", pl.lit(name).alias("employment_series"))
        .join(flags_of(panel, parts), on=KEY, how="left")
        .with_columns(_add_flag(pl.col("quality"), FLAG_PROXY))
        .sort(KEY)
    )


def _total_employed(panel: pl.DataFrame, splice: str) -> pl.DataFrame:
    """2012–2019 old vintage (spliced onto the 2020 level unless splice = "none"), 2020–2021
    census-benchmarked, 2022 interpolated, 2023–2024 yearbook table 4-3."""
    old = _series(panel, OLD).rename({OLD: "v"}).with_columns(pl.lit(OLD).alias("var"))
    new = _series(panel, NEW).rename({NEW: "v"}).with_columns(pl.lit(NEW).alias("var"))
    both = pl.concat([old, new]).sort([*KEY, "var"], descending=[False, False, True])
    both = both.unique(subset=KEY, keep="first")  # the yearbook table first where both exist
    frames = []
    for code in sorted(both["region_code"].unique().to_list()):
        frames.append(_one_region(both.filter(pl.col("region_code") == code), code, splice))
    out = pl.concat(frames) if frames else _empty()
    q = flags_of(panel, [OLD, NEW])
    return (
        out.join(q, on=KEY, how="left")
        .with_columns(
            pl.concat_list(
                [pl.col("quality").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))), "_flags"]
            )
            .list.unique()
            .list.sort()
            .alias("quality")
        )
        .drop("_flags")
        .sort(KEY)
    )


def _one_region(s: pl.DataFrame, code: str, splice: str) -> pl.DataFrame:
    s = s.sort("year")
    years = np.arange(as_int(s["year"].min()), as_int(s["year"].max()) + 1)
    got = dict(zip(s["year"].to_list(), s["v"].to_list(), strict=True))
    src = dict(zip(s["year"].to_list(), s["var"].to_list(), strict=True))
    vals = np.array([got.get(int(y), np.nan) for y in years], dtype=float)
    flags: list[list[str]] = [[] for _ in years]
    names = [_series_name(src.get(int(y)), int(y)) for y in years]
    before = years < BREAK_YEAR
    if splice == "ratio" and before.any() and (~before).any():
        old_last = vals[before][np.isfinite(vals[before])][-1:]
        first_new = vals[~before][np.isfinite(vals[~before])][:1]
        if len(old_last) and len(first_new) and int(years[~before][0]) == BREAK_YEAR:
            vals[before] = ratio_splice(vals[before], old_last[0], first_new[0])
            for i in np.flatnonzero(before):
                flags[i].append("spliced")
                names[i] += f", spliced onto the {BREAK_YEAR} level"
    after = ~before
    filled, gap = interpolate_geometric(years[after], vals[after])
    vals[after] = filled
    for j, i in enumerate(np.flatnonzero(after)):
        if gap[j]:
            flags[i].append("interpolated")
            names[i] = "interpolated (log-linear between the neighbouring years)"
    keep = np.isfinite(vals)
    return pl.DataFrame(
        {
            "region_code": [code] * int(keep.sum()),
            "year": years[keep].astype(np.int64),
            "employment": vals[keep],
            "employment_series": [n for n, k in zip(names, keep, strict=True) if k],
            "_flags": [f for f, k in zip(flags, keep, strict=True) if k],
        },
        schema_overrides={"_flags": pl.List(pl.Utf8)},
    )


def _series_name(var: str | None, year: int) -> str:
    if var == NEW:
        return "total employed: China Statistical Yearbook table 4-3"
    if var == OLD and year >= BREAK_YEAR:
        return "total employed: provincial yearbooks, census-benchmarked vintage"
    if var == OLD:
        return "total employed: provincial yearbooks, pre-census vintage"
    return ""


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"region_code": pl.Utf8, "year": pl.Int64, "employment": pl.Float64,
                "employment_series": pl.Utf8, "_flags": pl.List(pl.Utf8)}
    )  # fmt: skip


def _add_flag(col: pl.Expr, flag: str) -> pl.Expr:
    base = col.fill_null(pl.lit([], dtype=pl.List(pl.Utf8)))
    return base.list.concat(pl.lit([flag])).list.unique().list.sort().alias("quality")


def schooling(panel: pl.DataFrame, interp: str) -> pl.DataFrame:
    """region_code, year, schooling_years, schooling_interpolated (METHODS §3)."""
    w = None
    for v in LEVELS.values():
        s = _series(panel, v)
        w = s if w is None else w.join(s, on=KEY, how="full", coalesce=True)
    assert w is not None
    w = w.drop_nulls().sort(KEY)
    yrs = average_schooling({k: w[c].to_numpy() for k, c in LEVELS.items()})
    w = w.select(*KEY).with_columns(pl.Series("schooling_years", yrs))
    frames = []
    for code in sorted(w["region_code"].unique().to_list()):
        s = w.filter(pl.col("region_code") == code).sort("year")
        years = np.arange(as_int(s["year"].min()), as_int(s["year"].max()) + 1)
        got = dict(zip(s["year"].to_list(), s["schooling_years"].to_list(), strict=True))
        vals = np.array([got.get(int(y), np.nan) for y in years], dtype=float)
        flag = np.zeros(len(years), dtype=bool)
        if interp == "linear":
            vals, flag = interpolate_linear(years, vals)
        frames.append(
            pl.DataFrame(
                {"region_code": code, "year": years.astype(np.int64),
                 "schooling_years": vals, "schooling_interpolated": flag}
            ).filter(pl.col("schooling_years").is_not_nan())
        )  # fmt: skip
    return pl.concat(frames)


def labour(panel: pl.DataFrame, params: dict) -> pl.DataFrame:
    """results.labour: employment × schooling quality (METHODS §3), with lineage and flags."""
    params = _labour_params(params)
    method = params["method"]
    emp = employment(panel, params)
    if method == "count":
        w = emp.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("schooling_years"),
            pl.lit(False).alias("schooling_interpolated"),
        )
    else:
        w = emp.join(schooling(panel, params["interp"]), on=KEY, how="inner")
    lab = labour_input(
        w["employment"].to_numpy(),
        w["schooling_years"].fill_null(np.nan).to_numpy(),
        method,
    )
    school_flag = pl.when(pl.col("schooling_interpolated")).then(pl.lit("interpolated"))
    return w.with_columns(
        pl.Series("labour", lab),
        pl.lit(method).alias("method"),
        pl.concat_list([pl.col("quality"), school_flag.cast(pl.Utf8)])
        .list.drop_nulls()
        .list.unique()
        .list.sort()
        .alias("quality"),
    ).select(
        *KEY,
        "employment",
        "employment_series",
        "schooling_years",
        "schooling_interpolated",
        "labour",
        "method",
        "quality",
    )
