"""Green TFP of the province panel (METHODS §9.9–9.10; issue 20): Malmquist–Luenberger /
Luenberger with CO2 as the bad output. Pure (polars + measures.green_tfp); the task is tasks/green.py. Runs only
when config/green.toml lists `bad_outputs`."""

from __future__ import annotations

import polars as pl

from cbec.params import section_dict
from transforms._scalars import as_int

SCHEMA = {"region_code": pl.Utf8, "year_from": pl.Int64, "year_to": pl.Int64, "index": pl.Utf8,
          "tfpch": pl.Float64, "ec": pl.Float64, "tc": pl.Float64, "d_from": pl.Float64,
          "d_to": pl.Float64, "status": pl.Utf8, "bad_output_note": pl.Utf8}  # fmt: skip


def green_panel(tables: dict[str, pl.DataFrame], panel: pl.DataFrame, p: dict) -> pl.DataFrame:
    """Wide balanced panel: computed tables (capital_stock, labour, real_gdp) joined with the
    staging variables the config names, inside the configured window. Balanced as DEA needs:
    the years with the widest province coverage, their longest run of consecutive years, and
    the provinces present in every year of that run (the rest is printed, not imputed)."""
    cols = [*p["inputs"], *p["outputs"], *p["bad_outputs"]]
    w: pl.DataFrame | None = None
    for c in cols:
        if c in tables and c in tables[c].columns:
            s = tables[c].select("region_code", "year", c)
        else:
            s = panel.filter(pl.col("variable") == c).select(
                "region_code", "year", pl.col("value").alias(c))  # fmt: skip
        w = s if w is None else w.join(s, on=["region_code", "year"], how="inner")
    assert w is not None, "green TFP needs at least one input, output and bad output"
    lo, hi = (p.get("years") or [None, None])[:2]
    if lo is not None:
        w = w.filter(pl.col("year").is_between(int(lo), int(hi)))
    w = w.drop_nulls().filter(pl.all_horizontal(pl.col(cols) > 0))
    if w.height == 0:
        return w
    cover = w.group_by("year").agg(pl.col("region_code").n_unique().alias("n")).sort("year")
    best = cover.filter(pl.col("n") == cover["n"].max())["year"].to_list()
    run = _longest_run(best)
    w = w.filter(pl.col("year").is_in(run))
    full = w.group_by("region_code").agg(pl.len().alias("n")).filter(pl.col("n") == len(run))
    kept = w.filter(pl.col("region_code").is_in(full["region_code"].implode()))
    first, last = as_int(cover["year"].min()), as_int(cover["year"].max())
    print(f"green TFP panel: {kept['region_code'].n_unique()} provinces, years {run[0]}–{run[-1]}"
          f" (of {first}–{last} with data)")  # fmt: skip
    return kept.sort(["year", "region_code"])


def _longest_run(years: list[int]) -> list[int]:
    """The longest run of consecutive years (the latest one on ties)."""
    best: list[int] = []
    cur: list[int] = []
    for y in sorted(years):
        cur = cur + [y] if cur and y == cur[-1] + 1 else [y]
        if len(cur) >= len(best):
            best = cur
    return best


def green_tables(tables: dict[str, pl.DataFrame], panel: pl.DataFrame, p: dict) -> dict:
    """{"green_tfp": table} — empty (with its schema) when the panel has < 2 years."""
    from measures.green_tfp import green_tfp_panel

    p = section_dict("green", p)
    w = green_panel(tables, panel, p)
    if w.height == 0 or w["year"].n_unique() < 2:
        return {"green_tfp": pl.DataFrame(schema=SCHEMA)}
    r = green_tfp_panel(
        w, dmu="region_code", period="year", inputs=p["inputs"], outputs=p["outputs"],
        bad_outputs=p["bad_outputs"], index=p["index"],
        technology=p["technology"], nonradial=bool(p["nonradial"]),
        weights=p["weights"], direction=p["direction"],
        rts=p["rts"], bad=p["bad_disposability"],
    )  # fmt: skip
    t = r.table().rename({"dmu": "region_code", "period_from": "year_from", "period_to": "year_to"})
    t = t.with_columns(
        pl.col("year_from").cast(pl.Int64), pl.col("year_to").cast(pl.Int64),
        pl.lit(p["bad_output_note"]).alias("bad_output_note"),
    )  # fmt: skip
    return {"green_tfp": t.select(list(SCHEMA))}
