"""From raw records to staging.panel (ARCHITECTURE.md data model; config/variables.toml).

`build_panel` maps source indicators to canonical variables with explicit unit conversion,
aggregates customs detail (months → year only when all 12 months are present; trade modes →
totals and the cross-border e-commerce modes), and resolves cells given by several sources or
vintages with the documented rule, listing every such cell in the conflicts frame.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl

from cbec.errors import InputError
from cbec.paths import config_dir

PANEL_COLUMNS = [
    "region_code",
    "year",
    "variable",
    "value",
    "unit",
    "source",
    "vintage",
    "source_file",
]


def load_variables(path: Path | None = None) -> dict:
    with open(path or config_dir() / "variables.toml", "rb") as fh:
        return tomllib.load(fh)


def mapping_frame(cfg: dict) -> pl.DataFrame:
    """One row per (indicator, source unit[, source name]) → (variable, canonical unit, factor,
    priority, rule). A source entry with `source = "<source name>"` only takes that source's rows
    (used to rank one source's series above another's for the same indicator)."""
    default_rule = cfg.get("staging", {}).get("rule", "newest_vintage")
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
                    "rule": spec.get("rule", default_rule),
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


def build_panel(
    records: pl.DataFrame, cfg: dict | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """records: long rows with region_code, year, indicator, unit, value, source_name, vintage,
    source_file (customs rows also month, trade_mode). Returns (panel, conflicts)."""
    cfg = cfg or load_variables()
    mapping = mapping_frame(cfg)
    recs = records.filter(pl.col("value").is_not_null() & pl.col("region_code").is_not_null())
    if "trade_mode" in recs.columns:
        is_customs = pl.col("indicator").str.starts_with("customs_")
        customs = recs.filter(is_customs)
        rest = recs.filter(~is_customs)
        modes_cfg = tomllib.loads(
            (config_dir() / "customs_trade_modes.toml").read_text(encoding="utf-8")
        )
        agg = aggregate_customs(customs, list(modes_cfg.get("cbec_modes", [])))
        cols = [
            "source_name",
            "vintage",
            "source_file",
            "region_code",
            "year",
            "indicator",
            "unit",
            "value",
        ]
        recs = pl.concat([rest.select(cols), agg.select(cols)], how="vertical_relaxed")
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
        "vintage",
        "source_file",
        "priority",
        "rule",
    )
    # rank candidates: newest vintage first (rule newest_vintage) or config order (priority)
    cand = cand.with_columns(
        pl.when(pl.col("rule") == "priority")
        .then(pl.col("priority").cast(pl.Utf8).str.zfill(4))
        .otherwise(pl.lit("0000"))
        .alias("_k1")
    ).sort(
        ["region_code", "year", "variable", "_k1", "vintage", "priority", "source_file"],
        descending=[False, False, False, False, True, False, False],
        nulls_last=True,
    )
    ranked = cand.with_columns(
        pl.int_range(pl.len()).over(["region_code", "year", "variable"]).alias("_rank")
    )
    panel = (
        ranked.filter(pl.col("_rank") == 0)
        .select(PANEL_COLUMNS)
        .sort(["variable", "region_code", "year"])
    )
    chosen = ranked.filter(pl.col("_rank") == 0).select(
        "region_code",
        "year",
        "variable",
        "rule",
        pl.col("value").alias("chosen_value"),
        pl.col("source").alias("chosen_source"),
        pl.col("vintage").alias("chosen_vintage"),
        pl.col("source_file").alias("chosen_file"),
    )
    others = ranked.filter(pl.col("_rank") > 0).select(
        "region_code",
        "year",
        "variable",
        pl.col("value").alias("other_value"),
        pl.col("source").alias("other_source"),
        pl.col("vintage").alias("other_vintage"),
        pl.col("source_file").alias("other_file"),
    )
    conflicts = (
        chosen.join(others, on=["region_code", "year", "variable"], how="inner")
        .with_columns(
            (
                (pl.col("other_value") - pl.col("chosen_value")).abs()
                / pl.max_horizontal(pl.col("chosen_value").abs(), pl.lit(1e-12))
            ).alias("rel_diff")
        )
        .select(
            "variable",
            "region_code",
            "year",
            "chosen_value",
            "chosen_source",
            "chosen_vintage",
            "chosen_file",
            "other_value",
            "other_source",
            "other_vintage",
            "other_file",
            "rel_diff",
            "rule",
        )
        .sort(["variable", "region_code", "year"])
    )
    return panel, conflicts


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
