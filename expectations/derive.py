"""Derived check columns for rules Great Expectations has no built-in expectation for.

Each function takes a table (polars) and the gate parameters (config/expectations.toml, already
resolved by `expectations.runner.load_params`) and returns the same rows plus derived columns,
which the suites then check with ordinary GX expectations (e.g. `yoy_factor` with
`expect_column_values_to_be_between`). A derived column is null where its rule does not apply.
`<column>__ctx` holds a readable explanation of the observed value for the findings, and
`<column>__src` the source names involved (used to match [[accepted]] entries).

Rules:
- raw `missing_provinces`: a file gives an (indicator, year) for 2..30 provinces;
- raw `unit_unmapped`: a known indicator arrives in a unit config/variables.toml cannot convert
  (e.g. 地区生产总值 in 万元);
- raw `sector_sum_gap`: a file that gives GDP and the three sectors' value added for a province-year
  must add up (staging may take the sectors from another, higher-ranked source, so this is the
  only place a bad sector split in a new file is seen);
- panel `yoy_factor`: year-on-year change factor max(v/prev, prev/v) of level variables;
- panel `chain_index` / `chain_level_growth`: previous-year = 100 indices within a band, and not a
  fixed-base level (a strictly increasing run of years);
- panel `sector_sum_gap`: |(primary + secondary + tertiary value added) / GDP − 1| when all four
  cells come from one source (`sector_sum_gap_mixed` when they do not);
- panel `missing_provinces`: a nearly complete (variable, year) lacks provinces;
- conflicts `vintage_factor`: two vintages of one cell differing by a unit factor.
"""

from __future__ import annotations

import fnmatch

import polars as pl

from warehouse.provinces import CODES, NAME_ZH

SECTORS = ("va_primary", "va_secondary", "va_tertiary")


def _expected_codes(year: int, established: dict[str, int]) -> list[str]:
    return [c for c in CODES if year >= int(established.get(c, 0))]


def _missing_list(present: list[str], year: int, established: dict[str, int]) -> str:
    miss = [c for c in _expected_codes(year, established) if c not in set(present)]
    return ", ".join(f"{NAME_ZH[c]} ({c})" for c in miss)


def _coverage(
    df: pl.DataFrame, keys: list[str], params: dict, *, min_present: int, region: str
) -> pl.DataFrame:
    """Per group of `keys` (must include year): the expected provinces that are absent, as a
    string, when the group has at least `min_present` provinces (else null)."""
    est = {str(k): int(v) for k, v in params["provinces"]["established"].items()}
    groups = (
        df.filter(pl.col(region).is_not_null())
        .group_by(keys)
        .agg(pl.col(region).n_unique().alias("_n"))
        .filter((pl.col("_n") >= min_present) & (pl.col("_n") < len(CODES)))
        .drop("_n")
    )
    if groups.height:
        groups = (
            groups.join(df, on=keys, how="left", nulls_equal=True)
            .group_by(keys)
            .agg(pl.col(region).unique().alias("_present"))
        )
    if groups.is_empty():
        return df.with_columns(pl.lit(None, dtype=pl.Utf8).alias("missing_provinces"))
    missing = [
        _missing_list(p, int(y), est) or None
        for p, y in zip(groups["_present"].to_list(), groups["year"].to_list(), strict=True)
    ]
    groups = groups.with_columns(pl.Series("missing_provinces", missing, dtype=pl.Utf8)).drop(
        "_present"
    )
    return df.join(groups, on=keys, how="left", nulls_equal=True)


# --------------------------------------------------------------------------------------------
# raw.*
# --------------------------------------------------------------------------------------------
def derive_raw(df: pl.DataFrame, params: dict) -> pl.DataFrame:
    """raw.* records (one row per published cell) → + record_key, missing_provinces,
    unit_unmapped."""
    cols = df.columns
    key_cols = [
        c
        for c in (
            "source_file",
            "region_code",
            "year",
            "month",
            "indicator",
            "unit",
            "flow",
            "trade_mode",
            "currency",
        )
        if c in cols
    ]
    # 64-bit hash of the key columns (fast for GX's uniqueness check; findings name the row)
    out = df.with_columns(pl.struct(key_cols).hash(seed=0).alias("record_key"))
    if "region_code" in cols and "year" in cols:
        if "flow" in cols:  # customs: provinces present for any trade mode of a period and flow
            keys = [c for c in ("source_file", "year", "month", "flow", "currency") if c in cols]
        else:
            keys = [c for c in ("source_file", "indicator", "year", "month") if c in cols]
        out = _coverage(out, keys, params, min_present=2, region="region_code")
        src = "source_name" if "source_name" in cols else None
        out = out.with_columns(
            (pl.col(src) if src else pl.lit(None, dtype=pl.Utf8)).alias("missing_provinces__src")
        )
    out = _raw_sector_sum(out, params)
    pairs: set[tuple[str, str]] = params["_mapping_pairs"]
    known = {i for i, _ in pairs}
    if "indicator" in cols and "unit" in cols and known:
        ind_unit = out.select("indicator", "unit").unique()
        bad = [
            (i, u)
            for i, u in ind_unit.iter_rows()
            if i in known and (i, u or "") not in pairs and (i, u) not in pairs
        ]
        if bad:
            bad_df = pl.DataFrame(
                {
                    "indicator": [b[0] for b in bad],
                    "unit": [b[1] for b in bad],
                    "unit_unmapped": [
                        f"{i} ({u or 'no unit'}); config/variables.toml converts only "
                        + ", ".join(sorted(uu or "''" for ii, uu in pairs if ii == i))
                        for i, u in bad
                    ],
                },
                schema={"indicator": pl.Utf8, "unit": pl.Utf8, "unit_unmapped": pl.Utf8},
            )
            out = out.join(bad_df, on=["indicator", "unit"], how="left", nulls_equal=True)
        else:
            out = out.with_columns(pl.lit(None, dtype=pl.Utf8).alias("unit_unmapped"))
    return out


def _raw_sector_sum(df: pl.DataFrame, params: dict) -> pl.DataFrame:
    """+ sector_sum_gap on the GDP row of a file that also gives the three sectors' value added
    for that province and year: |(primary + secondary + tertiary) / GDP − 1| (one publication
    must add up; checked here because staging may take the sectors from another source)."""
    cols = set(df.columns)
    null = df.with_columns(
        pl.lit(None, dtype=pl.Float64).alias("sector_sum_gap"),
        pl.lit(None, dtype=pl.Utf8).alias("sector_sum_gap__ctx"),
        pl.lit(None, dtype=pl.Utf8).alias("sector_sum_gap__src"),
    )
    need = {"source_file", "region_code", "year", "indicator", "unit", "value"}
    imap = {k: v for k, v in params.get("_indicator_map", {}).items() if v[0] in ("gdp", *SECTORS)}
    if not need <= cols or not imap or df.is_empty():
        return null
    m = pl.DataFrame(
        {
            "indicator": [k[0] for k in imap],
            "unit": [k[1] for k in imap],
            "_var": [v[0] for v in imap.values()],
            "_factor": [v[1] for v in imap.values()],
        },
        schema={"indicator": pl.Utf8, "unit": pl.Utf8, "_var": pl.Utf8, "_factor": pl.Float64},
    )
    keys = ["source_file", "region_code", "year"]
    if "month" in cols:
        keys.append("month")
    parts = (
        df.with_row_index("_ri")
        .select(["_ri", *keys, "indicator", "unit", "value"])
        .with_columns(pl.col("unit").fill_null(""))
        .join(m, on=["indicator", "unit"], how="inner")
        .with_columns((pl.col("value") * pl.col("_factor")).alias("_v"))
    )
    if parts.is_empty() or parts["_var"].n_unique() < 4:
        return null
    sectors = (
        parts.filter(pl.col("_var").is_in(list(SECTORS)))
        .group_by(keys)
        .agg([pl.col("_v").filter(pl.col("_var") == s).first().alias(s) for s in SECTORS])
        .drop_nulls(list(SECTORS))
    )
    gdp = parts.filter(pl.col("_var") == "gdp").select(["_ri", *keys, "_v"])
    w = gdp.join(sectors, on=keys, how="inner", nulls_equal=True).filter(pl.col("_v") > 0)
    if w.is_empty():
        return null
    total = pl.sum_horizontal([pl.col(c) for c in SECTORS])
    w = w.select(
        "_ri",
        ((total / pl.col("_v")) - 1.0).abs().alias("sector_sum_gap"),
        pl.format(
            "GDP {} vs primary + secondary + tertiary {} + {} + {} = {} (same file)",
            pl.col("_v"),
            *[pl.col(c) for c in SECTORS],
            total.round(4),
        ).alias("sector_sum_gap__ctx"),
    )
    out = df.with_row_index("_ri").join(w, on="_ri", how="left").sort("_ri").drop("_ri")
    src = pl.col("source_name") if "source_name" in cols else pl.lit(None, dtype=pl.Utf8)
    return out.with_columns(
        pl.when(pl.col("sector_sum_gap").is_not_null()).then(src).alias("sector_sum_gap__src")
    )


# --------------------------------------------------------------------------------------------
# staging.panel
# --------------------------------------------------------------------------------------------
def _is_exempt(variable: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(variable, p) for p in patterns)


def derive_panel(df: pl.DataFrame, params: dict) -> pl.DataFrame:
    """staging.panel rows → + nonneg_value, share_value, chain_index, chain_level_growth,
    yoy_factor, sector_sum_gap, missing_provinces (and their __ctx/__src columns)."""
    chain_unit = "上年=100"
    jumps = params["jumps"]
    signed = set(params["signed"]["variables"])
    variables = df["variable"].unique().to_list() if df.height else []
    exempt = [v for v in variables if _is_exempt(v, list(jumps.get("exempt", [])))]
    is_chain = pl.col("unit") == chain_unit
    d = df.with_row_index("_row").sort(["variable", "region_code", "year"])
    over = ["variable", "region_code"]
    d = d.with_columns(
        pl.col("value").shift(1).over(over).alias("_prev"),
        pl.col("year").shift(1).over(over).alias("_prev_year"),
        pl.col("source_file").shift(1).over(over).alias("_prev_file"),
        pl.col("source").shift(1).over(over).alias("_prev_source"),
    )
    consecutive = (pl.col("year") - pl.col("_prev_year")) == 1
    level_ok = (
        consecutive
        & ~is_chain
        & ~pl.col("variable").is_in(exempt)
        & (pl.col("value") > 0)
        & (pl.col("_prev") > 0)
    )
    ratio = pl.col("value") / pl.col("_prev")
    d = d.with_columns(
        pl.when(~pl.col("variable").is_in(list(signed)) & ~is_chain)
        .then(pl.col("value"))
        .otherwise(None)
        .alias("nonneg_value"),
        pl.when(pl.col("unit") == "%").then(pl.col("value")).otherwise(None).alias("share_value"),
        pl.when(is_chain).then(pl.col("value")).otherwise(None).alias("chain_index"),
        pl.when(level_ok)
        .then(pl.max_horizontal(ratio, 1.0 / ratio))
        .otherwise(None)
        .alias("yoy_factor"),
        pl.format(
            "{} → {}: {} → {} (previous year from {})",
            pl.col("_prev_year"),
            pl.col("year"),
            pl.col("_prev"),
            pl.col("value"),
            pl.col("_prev_file"),
        ).alias("yoy_factor__ctx"),
        pl.concat_str(
            [pl.col("source"), pl.col("_prev_source").fill_null("")], separator=","
        ).alias("yoy_factor__src"),
    )
    # chain index given as a level: a strictly increasing run of consecutive years
    up = (consecutive & (pl.col("value") > pl.col("_prev"))).fill_null(False)
    d = d.with_columns(pl.when(is_chain).then(~up).otherwise(True).alias("_run_start"))
    d = d.with_columns(pl.col("_run_start").cast(pl.Int32).cum_sum().over(over).alias("_run"))
    run_over = [*over, "_run"]
    d = d.with_columns(
        pl.col("value").first().over(run_over).alias("_run_first"),
        pl.col("year").first().over(run_over).alias("_run_first_year"),
        (pl.int_range(pl.len()).over(run_over) + 1).alias("_run_len"),
    )
    cp = params["chain_index"]
    d = d.with_columns(
        pl.when(is_chain & (pl.col("_run_len") >= int(cp["level_run_years"])))
        .then(pl.col("value") / pl.col("_run_first"))
        .otherwise(None)
        .alias("chain_level_growth"),
        pl.format(
            "rises every year from {} ({}) to {} ({}): a fixed-base level, not previous year = 100?",
            pl.col("_run_first"),
            pl.col("_run_first_year"),
            pl.col("value"),
            pl.col("year"),
        ).alias("chain_level_growth__ctx"),
        pl.col("source").alias("chain_level_growth__src"),
    )
    # sector value added summing to GDP
    if df.height and "gdp" in variables and all(s in variables for s in SECTORS):
        parts = d.filter(pl.col("variable").is_in(["gdp", *SECTORS]))
        w = parts.pivot(on="variable", index=["region_code", "year"], values="value")
        s = parts.pivot(on="variable", index=["region_code", "year"], values="source")
        s = s.rename({c: f"{c}__s" for c in s.columns if c not in ("region_code", "year")})
        w = w.join(s, on=["region_code", "year"]).drop_nulls(["gdp", *SECTORS])
        total = pl.sum_horizontal([pl.col(c) for c in SECTORS])
        gap = ((total / pl.col("gdp")) - 1.0).abs()
        same = pl.all_horizontal([pl.col(f"{c}__s") == pl.col("gdp__s") for c in SECTORS])
        w = (
            w.filter(pl.col("gdp") > 0)
            .select(
                "region_code",
                "year",
                pl.lit("gdp").alias("variable"),
                # one publication must add up (critical); across sources and vintages (e.g. a
                # revised GDP next to older sector figures) a gap is only reported
                pl.when(same).then(gap).otherwise(None).alias("sector_sum_gap"),
                pl.when(same).then(None).otherwise(gap).alias("sector_sum_gap_mixed"),
                pl.format(
                    "GDP {} vs primary + secondary + tertiary {} + {} + {} = {}",
                    pl.col("gdp"),
                    *[pl.col(c) for c in SECTORS],
                    total.round(4),
                ).alias("sector_sum_gap__ctx"),
                pl.concat_str([pl.col(f"{c}__s") for c in ("gdp", *SECTORS)], separator=",").alias(
                    "sector_sum_gap__src"
                ),
            )
            .with_columns(
                pl.col("sector_sum_gap__ctx").alias("sector_sum_gap_mixed__ctx"),
                pl.col("sector_sum_gap__src").alias("sector_sum_gap_mixed__src"),
            )
        )
        d = d.join(w, on=["region_code", "year", "variable"], how="left")
    else:
        d = d.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("sector_sum_gap"),
            pl.lit(None, dtype=pl.Float64).alias("sector_sum_gap_mixed"),
            pl.lit(None, dtype=pl.Utf8).alias("sector_sum_gap__ctx"),
            pl.lit(None, dtype=pl.Utf8).alias("sector_sum_gap__src"),
        )
    # nearly complete (variable, year)
    d = _coverage(
        d,
        ["variable", "year"],
        params,
        min_present=int(params["provinces"]["nearly_complete_min"]),
        region="region_code",
    ).with_columns(pl.col("source").alias("missing_provinces__src"))
    tmp = [c for c in d.columns if c.startswith("_") and c != "_row"]
    return d.sort("_row").drop([*tmp, "_row"])


# --------------------------------------------------------------------------------------------
# staging.conflicts
# --------------------------------------------------------------------------------------------
def derive_conflicts(df: pl.DataFrame, params: dict) -> pl.DataFrame:
    """staging.conflicts → + vintage_factor (max ratio of the two values, both > 0); a blocked
    or unresolved row is located at the losing value's file and line, with the check's reason."""
    if not {"chosen_value", "other_value"} <= set(df.columns):
        return df
    if {"status", "reason", "other_file", "other_line"} <= set(df.columns):
        df = df.with_columns(
            pl.col("other_file").alias("file"),
            pl.col("other_line").alias("line_no"),
            pl.col("reason").alias("status__ctx"),
            pl.col("other_source").alias("status__src"),
        )
    r = pl.col("chosen_value") / pl.col("other_value")
    both = (pl.col("chosen_value") > 0) & (pl.col("other_value") > 0)
    return df.with_columns(
        pl.when(both).then(pl.max_horizontal(r, 1.0 / r)).otherwise(None).alias("vintage_factor"),
        pl.format(
            "{} ({}, vintage {}) vs {} ({}, vintage {})",
            pl.col("chosen_value"),
            pl.col("chosen_file"),
            pl.col("chosen_vintage"),
            pl.col("other_value"),
            pl.col("other_file"),
            pl.col("other_vintage"),
        ).alias("vintage_factor__ctx"),
        pl.concat_str([pl.col("chosen_source"), pl.col("other_source")], separator=",").alias(
            "vintage_factor__src"
        ),
    ).with_columns(
        pl.col("vintage_factor__ctx").alias("rel_diff__ctx"),
        pl.col("vintage_factor__src").alias("rel_diff__src"),
    )


# --------------------------------------------------------------------------------------------
# results.*
# --------------------------------------------------------------------------------------------
def derive_results(table: str, df: pl.DataFrame, params: dict) -> pl.DataFrame:
    """Result tables → + table-specific derived columns."""
    cols = set(df.columns)
    if table == "plausibility" and "message" in cols:
        df = df.with_columns(pl.col("message").alias("ok__ctx"))
    if table == "real_gdp" and {"year", "base_year", "real_gdp", "gdp_nominal"} <= cols:
        # at the base year real GDP equals nominal GDP (METHODS §2)
        gap = ((pl.col("real_gdp") / pl.col("gdp_nominal")) - 1.0).abs()
        df = df.with_columns(
            pl.when(pl.col("year") == pl.col("base_year"))
            .then(gap)
            .otherwise(None)
            .alias("base_year_gap")
        )
    if table == "indicator_weights" and "weight" in cols:
        keys = [c for c in ("subsystem", "system", "year", "scheme", "method") if c in cols]
        total = pl.col("weight").sum().over(keys) if keys else pl.col("weight").sum()
        df = df.with_columns((total - 1.0).abs().alias("weight_sum_gap"))
    return df


DERIVERS = {
    "staging_panel": derive_panel,
    "staging_conflicts": derive_conflicts,
}


def derive(table: str, df: pl.DataFrame, params: dict) -> pl.DataFrame:
    """Add the derived check columns of `table` (suite name without `results_`)."""
    if table.startswith("raw_"):
        return derive_raw(df, params)
    if table in DERIVERS:
        return DERIVERS[table](df, params)
    if table == "staging_panel_as_added":  # the panel as the added files would make it
        return derive_panel(df, params)
    if table.startswith("results_"):
        return derive_results(table.removeprefix("results_"), df, params)
    return df
