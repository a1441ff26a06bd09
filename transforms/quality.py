"""The `quality` column of every results table (ARCHITECTURE.md versioning semantics 4): the
flags of the staging cells a row rests on (warehouse/staging_quality.py), plus the flags a
transform adds (proxy:<what>, spliced, interpolated, …).

A row keyed by (region_code, year) takes the flags of that province-year; a Malmquist row
(region_code, year_from, year_to) the union of both years; a row without a province (a summary,
an inequality index) the union over the provinces of its year, or of the whole input.
"""

from __future__ import annotations

import polars as pl

KEY = ["region_code", "year"]
EMPTY = pl.lit([], dtype=pl.List(pl.Utf8))


def union(*cols: pl.Expr) -> pl.Expr:
    """Sorted union of list columns (nulls as empty)."""
    return (
        pl.concat_list([c.fill_null(EMPTY) for c in cols])
        .list.drop_nulls()
        .list.unique()
        .list.sort()
    )


def cumulative(q: pl.DataFrame) -> pl.DataFrame:
    """region_code, year, quality → the union of the flags of all years ≤ year of the province
    (a capital stock or a chained real GDP rests on every earlier cell)."""
    rows = []
    for code in q["region_code"].unique().sort().to_list():
        acc: set[str] = set()
        for y, flags in q.filter(pl.col("region_code") == code).sort("year").select("year", "quality").iter_rows():  # fmt: skip
            acc |= set(flags or [])
            rows.append({"region_code": code, "year": y, "quality": sorted(acc)})
    return pl.DataFrame(
        rows, schema={"region_code": pl.Utf8, "year": pl.Int64, "quality": pl.List(pl.Utf8)}
    )


def with_flag(df: pl.DataFrame, flag: str, when: pl.Expr | None = None) -> pl.DataFrame:
    """Add `flag` to the quality of the rows where `when` holds (all rows by default)."""
    add = pl.lit([flag], dtype=pl.List(pl.Utf8))
    if when is not None:
        add = pl.when(when).then(add).otherwise(EMPTY)
    base = df["quality"] if "quality" in df.columns else None
    col = pl.col("quality") if base is not None else EMPTY
    return df.with_columns(union(col, add).alias("quality"))


def attach(table: pl.DataFrame, q: pl.DataFrame) -> pl.DataFrame:
    """`table` + quality from `q` (region_code, year, quality), by the table's keys (module
    docstring). An existing quality column is kept and merged."""
    q = q.select(*KEY, pl.col("quality").alias("_q"))
    cols = set(table.columns)
    if {"region_code", "year"} <= cols:
        out = table.join(q, on=KEY, how="left")
    elif {"region_code", "year_from", "year_to"} <= cols:
        a = q.rename({"year": "year_from", "_q": "_qa"})
        b = q.rename({"year": "year_to", "_q": "_qb"})
        out = table.join(a, on=["region_code", "year_from"], how="left").join(
            b, on=["region_code", "year_to"], how="left"
        )
        out = out.with_columns(union(pl.col("_qa"), pl.col("_qb")).alias("_q")).drop("_qa", "_qb")
    elif "region_code" in cols:
        per_region = q.group_by("region_code").agg(
            pl.col("_q").list.explode(keep_nulls=False, empty_as_null=False).unique().sort()
        )
        out = table.join(per_region, on="region_code", how="left")
    elif "year" in cols:
        per_year = q.group_by("year").agg(
            pl.col("_q").list.explode(keep_nulls=False, empty_as_null=False).unique().sort()
        )
        out = table.join(per_year, on="year", how="left")
    elif {"year_from", "year_to"} <= cols:
        per_year = q.group_by("year").agg(
            pl.col("_q").list.explode(keep_nulls=False, empty_as_null=False).unique().sort()
        )
        a = per_year.rename({"year": "year_from", "_q": "_qa"})
        b = per_year.rename({"year": "year_to", "_q": "_qb"})
        out = table.join(a, on="year_from", how="left").join(b, on="year_to", how="left")
        out = out.with_columns(union(pl.col("_qa"), pl.col("_qb")).alias("_q")).drop("_qa", "_qb")
    else:
        flags = sorted({f for fl in q["_q"].to_list() for f in (fl or [])})
        out = table.with_columns(pl.lit(flags, dtype=pl.List(pl.Utf8)).alias("_q"))
    mine = pl.col("quality") if "quality" in cols else EMPTY
    return out.with_columns(union(mine, pl.col("_q")).alias("quality")).drop("_q")


LP_TABLES = ("efficiency", "cross_efficiency", "game_cross_efficiency", "malmquist",
             "malmquist_summary")  # fmt: skip


def structure_variables(params: dict) -> list[str]:
    """Every staging variable the composite indicator system and the inequality step read."""
    out: set[str] = set()
    for sub in params.get("indicators", {}).get("subsystems", {}).values():
        for ind in sub.get("indicators", []):
            out |= {ind["variable"], *([ind["per"]] if ind.get("per") else [])}
    for v in params.get("structure", {}).get("inequality", {}).get("variables", []):
        out |= {x for x in (v.get("numerator"), v.get("denominator"), v.get("name")) if x}
    return sorted(out)


def attach_all(
    tables: dict[str, pl.DataFrame], panel: pl.DataFrame, params: dict
) -> dict[str, pl.DataFrame]:
    """Every results table with its `quality` column: LP tables from the DEA panel's rows,
    the structure and co-evolution tables from the indicator cells, the rest kept (they set
    their own)."""
    from warehouse.staging_quality import flags_of

    out = dict(tables)
    dp = tables.get("dea_panel")
    if dp is not None and "quality" in dp.columns:
        for name in LP_TABLES:
            if name in out:
                out[name] = attach(out[name], dp.select(*KEY, "quality"))
    if "green_tfp" in out and "quality" not in out["green_tfp"].columns:
        out["green_tfp"] = attach(out["green_tfp"], _green_inputs(tables, panel, params))
    struct_q = flags_of(panel, structure_variables(params))
    for name, t in out.items():
        if "quality" not in t.columns:
            out[name] = attach(t, struct_q)
    return out


def _green_inputs(
    tables: dict[str, pl.DataFrame], panel: pl.DataFrame, params: dict
) -> pl.DataFrame:
    """region_code, year, quality of the green-TFP inputs: the production tables' rows and the
    staging cells of the other (bad) inputs and outputs (config/green.toml)."""
    from warehouse.staging_quality import flags_of

    green = params.get("green") or {}
    names = [*green.get("inputs", []), *green.get("outputs", []), *green.get("bad_outputs", [])]
    parts = [tables[n].select(*KEY, "quality") for n in ("capital_stock", "labour", "real_gdp")
             if n in names and n in tables and "quality" in tables[n].columns]  # fmt: skip
    other = [n for n in names if n not in ("capital_stock", "labour", "real_gdp")]
    parts.append(flags_of(panel, other))
    allq = pl.concat(parts, how="vertical_relaxed")
    return allq.group_by(KEY).agg(
        pl.col("quality").list.explode(keep_nulls=False, empty_as_null=False).unique().sort()
    )
