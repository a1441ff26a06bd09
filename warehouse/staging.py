"""From raw records to staging.panel (ARCHITECTURE.md data model and versioning semantics 6;
config/variables.toml).

`build_panel` maps source indicators to canonical variables with explicit unit conversion,
aggregates customs detail (months → year only when all 12 months are present; trade modes →
totals and the cross-border e-commerce modes), and resolves every cell given by several
candidates:

1. cells listed in `[[staging.exclude]]` drop that source's value (reason kept);
2. reconciliation checks (warehouse/reconcile.py) block candidates with a unit error or an
   identity that fails within their own source;
3. the best clean candidate wins: sources ranked by quality (`[staging] families`, official
   database first, compilations last), the newest vintage only between vintages of the same
   family, then the order of the variable's source entries;
4. after the choice, a value more than `official_tol` from another official source's value
   (unless `[[staging.accepted]]` names the cell) or a cross-source identity failure blocks
   the chosen value and the next one is taken.

staging.panel records the winner, its rank and why (`choice`) and the quality flags of the
cell; staging.conflicts keeps every loser with its status (lower_rank, superseded_vintage,
duplicate, blocked, excluded) and cells without any clean value as status `unresolved` —
the staging gate's critical finding.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import polars as pl

from cbec.errors import InputError
from cbec.paths import config_dir, data_dir
from warehouse import contracts, reconcile
from warehouse.reconcile import CAND_ID, CELL

# the column lists of staging.panel / staging.conflicts, read from their contracts
PANEL_COLUMNS = list(contracts.get("staging.panel").names)
CONFLICT_COLUMNS = list(contracts.get("staging.conflicts").names)


def load_variables(path: Path | None = None) -> dict:
    with open(path or config_dir() / "variables.toml", "rb") as fh:
        return tomllib.load(fh)


def mapping_frame(cfg: dict) -> pl.DataFrame:
    """One row per (indicator, source unit[, source name]) → (variable, canonical unit, factor,
    priority). A source entry with `source = "<source name>"` only takes that source's rows.
    `priority` (the entry's position) only orders candidates of the same family and vintage."""
    rows = []
    for var, spec in cfg["variables"].items():
        for prio, src in enumerate(spec["sources"]):
            rows.append(
                {
                    "indicator": src["indicator"],
                    "unit": src.get("unit", ""),
                    "variable": var,
                    "canonical_unit": spec["unit"],
                    "factor": float(src.get("factor", 1.0)),
                    "priority": prio,
                    "only_source": src.get("source"),
                }
            )
    m = pl.DataFrame(rows, schema_overrides={"only_source": pl.Utf8})
    dup = m.filter(pl.struct("indicator", "unit", "only_source").is_duplicated())
    if dup.height:
        r = dup.row(0, named=True)
        raise InputError(
            f"config/variables.toml maps indicator {r['indicator']!r} ({r['unit']}) to more than one variable"
        )
    return m


def aggregate_customs(records: pl.DataFrame, cbec_modes: list[str]) -> pl.DataFrame:
    """Customs detail → yearly totals per (region, indicator) and cross-border e-commerce sums.

    Monthly data become a year only when all 12 months are present (otherwise dropped and
    reported by the validation gate as incomplete)."""
    if records.is_empty():
        return records
    keys = ["source_name", "vintage", "source_file", "region_code", "year", "indicator", "unit"]
    base = records.with_columns(
        pl.col("trade_mode").is_in(cbec_modes).fill_null(False).alias("_cbec")
    )
    parts = [base]
    cbec = base.filter(pl.col("_cbec")).with_columns(
        pl.col("indicator").str.replace("^customs_", "customs_cbec_")
    )
    parts.append(cbec)
    allrows = pl.concat(parts)
    monthly = allrows.filter(pl.col("month").is_not_null())
    yearly = allrows.filter(pl.col("month").is_null())
    out = []
    if yearly.height:
        out.append(yearly.group_by(keys).agg(pl.col("value").sum()))
    if monthly.height:
        agg = monthly.group_by(keys).agg(
            pl.col("value").sum(), pl.col("month").n_unique().alias("_months")
        )
        out.append(agg.filter(pl.col("_months") == 12).drop("_months"))
    return pl.concat(out, how="vertical_relaxed") if out else records.head(0)


def candidates(records: pl.DataFrame, cfg: dict) -> pl.DataFrame:
    """Every mapped value of every cell, in canonical units, with its source's family, rank and
    officialness (`ranking.source_table`) and a `cand_id`."""
    from warehouse.ranking import source_table, vintage_key

    mapping = mapping_frame(cfg)
    recs = records.filter(pl.col("value").is_not_null() & pl.col("region_code").is_not_null())
    if "line_no" not in recs.columns:
        recs = recs.with_columns(pl.lit(None, dtype=pl.Int64).alias("line_no"))
    if "trade_mode" in recs.columns:
        recs = _with_customs_totals(recs)
    cand = recs.join(mapping, on=["indicator", "unit"], how="inner")
    cand = cand.filter(
        pl.col("only_source").is_null() | (pl.col("only_source") == pl.col("source_name"))
    )
    if mapping["only_source"].is_not_null().any():  # a row matched by two entries: keep the first
        key = ["source_file", "region_code", "year", "indicator", "unit", "variable", "value"]
        cand = cand.sort("priority").unique(subset=key, keep="first", maintain_order=True)
    cand = cand.select(
        "region_code",
        "year",
        "variable",
        (pl.col("value") * pl.col("factor")).alias("value"),
        pl.col("canonical_unit").alias("unit"),
        pl.col("source_name").alias("source"),
        pl.col("vintage").cast(pl.Utf8),
        "source_file",
        pl.col("line_no").cast(pl.Int64),
        "priority",
    )
    sources = source_table(cand["source"].unique().to_list(), cfg.get("staging", {}))
    cand = cand.join(sources, on="source", how="left").with_columns(
        pl.col("vintage").map_elements(vintage_key, return_dtype=pl.Utf8).alias("vintage_key")
    )
    return cand.sort([*CELL, "family_rank", "source_file", "line_no"]).with_row_index(CAND_ID)


def _with_customs_totals(recs: pl.DataFrame) -> pl.DataFrame:
    is_customs = pl.col("indicator").str.starts_with("customs_")
    customs = recs.filter(is_customs)
    rest = recs.filter(~is_customs)
    modes_cfg = tomllib.loads(
        (config_dir() / "customs_trade_modes.toml").read_text(encoding="utf-8")
    )
    agg = aggregate_customs(customs, list(modes_cfg.get("cbec_modes", [])))
    cols = ["source_name", "vintage", "source_file", "region_code", "year", "indicator", "unit"]
    cols += ["value", "line_no"]
    if "line_no" not in agg.columns:
        agg = agg.with_columns(pl.lit(None, dtype=pl.Int64).alias("line_no"))
    return pl.concat([rest.select(cols), agg.select(cols)], how="vertical_relaxed")


def build_panel(
    records: pl.DataFrame, cfg: dict | None = None, rates: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """records: long rows with region_code, year, indicator, unit, value, source_name, vintage,
    source_file[, line_no] (customs rows also month, trade_mode). Returns (panel, conflicts);
    the steps are those of the module docstring."""
    from warehouse.ranking import assemble, choose_with_checks

    cfg = cfg or load_variables()
    st = cfg.get("staging", {})
    cand = candidates(records, cfg)
    cand, excluded = _exclude(cand, st.get("exclude", []))
    if rates is None and st.get("checks", {}).get("rates"):
        rates = reconcile.load_rates(data_dir() / st["checks"]["rates"])
    chosen, blocked = choose_with_checks(cand, cfg, rates)
    return assemble(cand, chosen, blocked, excluded, cfg)


def _exclude(cand: pl.DataFrame, rules: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split off the candidates named by [[staging.exclude]] (source, variable, region, year or
    years = [first, last]), with the rule's reason."""
    if not rules or cand.is_empty():
        return cand, cand.head(0).with_columns(pl.lit(None, dtype=pl.Utf8).alias("reason"))
    hit = pl.lit(None, dtype=pl.Utf8)
    names = cand["source"].unique().to_list()
    for r in rules:
        cond = pl.col("variable") == r["variable"]
        if "source" in r:
            cond &= pl.col("source").is_in(
                [n for n in names if fnmatch.fnmatchcase(n, r["source"])]
            )
        if "region" in r:
            cond &= pl.col("region_code") == str(r["region"])
        if "year" in r:
            cond &= pl.col("year") == int(r["year"])
        if "years" in r:
            cond &= pl.col("year").is_between(int(r["years"][0]), int(r["years"][1]))
        hit = pl.when(hit.is_null() & cond).then(pl.lit(str(r["reason"]))).otherwise(hit)
    tagged = cand.with_columns(hit.alias("reason"))
    return (
        tagged.filter(pl.col("reason").is_null()).drop("reason"),
        tagged.filter(pl.col("reason").is_not_null()),
    )


def wide(panel: pl.DataFrame, variables: list[str]) -> pl.DataFrame:
    """region_code, year, one column per variable (null where the panel has no value)."""
    sub = panel.filter(pl.col("variable").is_in(variables))
    w = sub.pivot(on="variable", index=["region_code", "year"], values="value").sort(
        ["region_code", "year"]
    )
    for v in variables:
        if v not in w.columns:
            w = w.with_columns(pl.lit(None, dtype=pl.Float64).alias(v))
    return w.select(["region_code", "year", *variables])


def as_added(panel: pl.DataFrame, conflicts: pl.DataFrame, files: set[str]) -> pl.DataFrame | None:
    """The panel as it would be if every value of `files` (files added in this run) had won
    its cell — so that the staging checks (signs, shares, unit switches, chain-index bands)
    judge the added files themselves even where a reconciliation check blocked their values
    and an older source was taken. None when every value of `files` won anyway."""
    lost = conflicts.filter(
        pl.col("other_file").is_in(list(files)) & (pl.col("status") != "excluded")
    )
    if lost.is_empty():
        return None
    units = panel.select("variable", "unit").unique(subset="variable")
    over = lost.join(units, on="variable", how="left").select(
        "region_code",
        "year",
        "variable",
        pl.col("other_value").alias("value"),
        "unit",
        pl.col("other_source").alias("source"),
        pl.col("other_vintage").alias("vintage"),
        pl.col("other_file").alias("source_file"),
    )
    over = over.unique(subset=["region_code", "year", "variable"], keep="first")
    keep = panel.join(over.select("region_code", "year", "variable"), on=["region_code", "year", "variable"], how="anti")  # fmt: skip
    return pl.concat([keep.select(over.columns), over], how="vertical_relaxed").sort(
        ["variable", "region_code", "year"]
    )
