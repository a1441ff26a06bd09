"""Quality flags of staging cells (ARCHITECTURE.md versioning semantics 4): what a number rests
on, carried from staging.panel into every results row that uses it.

Flags set here:
- `fallback_source`: a better-ranked value of the cell was blocked by a reconciliation check;
- `compilation`: the value comes from a source family marked unofficial (a compilation that
  only fills cells the official sources lack);
- the flags declared per variable in config/variables.toml, e.g.
  `quality = [{ flag = "imputed_upstream", years = [2018, 2022], reason = "…" }]`
  (optional `sources = [patterns]` restricts a flag to some sources).
"""

from __future__ import annotations

import fnmatch

import polars as pl

FLAG_FALLBACK = "fallback_source"
FLAG_COMPILATION = "compilation"


def declared_flags(cfg: dict) -> list[dict]:
    """[{variable, flag, first, last, sources, reason}] from config/variables.toml."""
    out = []
    for var, spec in cfg.get("variables", {}).items():
        for q in spec.get("quality", []):
            years = q.get("years", [-(10**6), 10**6])
            out.append(
                {
                    "variable": var,
                    "flag": str(q["flag"]),
                    "first": int(years[0]),
                    "last": int(years[-1]),
                    "sources": list(q.get("sources", ["*"])),
                    "reason": str(q.get("reason", "")),
                }
            )
    return out


def cell_quality(panel: pl.DataFrame, cfg: dict) -> pl.DataFrame:
    """panel (with `_fallback`, `official`) → + `quality` (sorted list of flags, [] if none)."""
    parts: list[pl.Expr] = [
        pl.when(pl.col("_fallback").fill_null(False)).then(pl.lit(FLAG_FALLBACK)),
        pl.when(~pl.col("official").fill_null(False)).then(pl.lit(FLAG_COMPILATION)),
    ]
    names = panel["source"].unique().to_list()
    for d in declared_flags(cfg):
        cond = (pl.col("variable") == d["variable"]) & pl.col("year").is_between(
            d["first"], d["last"]
        )
        if d["sources"] != ["*"]:
            cond &= pl.col("source").is_in(
                [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in d["sources"])]
            )
        parts.append(pl.when(cond).then(pl.lit(d["flag"])))
    flags = pl.concat_list([p.cast(pl.Utf8) for p in parts]).list.drop_nulls().list.unique()
    return panel.with_columns(flags.list.sort().alias("quality"))


def flags_of(panel: pl.DataFrame, variables: list[str]) -> pl.DataFrame:
    """region_code, year, quality: the union of the flags of `variables`' cells, with each
    declared flag kept as is (used by the transforms that combine several cells)."""
    sub = panel.filter(pl.col("variable").is_in(variables))
    if "quality" not in sub.columns:
        sub = sub.with_columns(pl.lit([], dtype=pl.List(pl.Utf8)).alias("quality"))
    return sub.group_by(["region_code", "year"]).agg(
        pl.col("quality")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .sort()
        .alias("quality")
    )
