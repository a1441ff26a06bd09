"""Contracts of staging.*: the tidy long panel in canonical units and the cells given by several
sources (ARCHITECTURE.md data model; winners chosen by rank and vintage)."""

from __future__ import annotations

from warehouse.contracts.base import Column, Table

PANEL = Table(
    "staging", "panel",
    "Tidy long panel in canonical units (config/variables.toml), one winning value per cell",
    "§0",
    (
        Column("region_code", "VARCHAR", "", "GB/T 2260 two-digit province code (ref.regions)", key=True, not_null=True),
        Column("year", "BIGINT", "year", "calendar year", key=True, not_null=True),
        Column("variable", "VARCHAR", "", "canonical variable name (config/variables.toml)", key=True, not_null=True),
        Column("value", "DOUBLE", "as `unit`", "value in the variable's canonical unit", required=True),
        Column("unit", "VARCHAR", "", "canonical unit of the variable (e.g. 亿元, 万人, 上年=100)", required=True),
        Column("source", "VARCHAR", "", "source name of the winning value (config/sources.toml)", required=True),
        Column("vintage", "VARCHAR", "", "vintage of the winning value", required=True),
        Column("source_file", "VARCHAR", "", "file the winning value was read from", required=True),
        Column("source_rank", "INTEGER", "rank", "rank of the winning source for the variable (1 = preferred)"),
        Column("choice", "VARCHAR", "", "why this value won (rank, newer vintage, only source …)"),
        Column("quality", "VARCHAR[]", "", "quality flags of the cell (compilation, pre_revision, proxy:…)"),
    ),
    time="year", versioned=False, extra_sql="PRIMARY KEY (region_code, year, variable)",
)  # fmt: skip

CONFLICTS = Table(
    "staging", "conflicts",
    "Cells given by several sources or vintages: every losing value, with its status", "§0",
    (
        Column("variable", "VARCHAR", "", "canonical variable name", required=True),
        Column("region_code", "VARCHAR", "", "GB/T 2260 two-digit province code", required=True),
        Column("year", "BIGINT", "year", "calendar year", required=True),
        Column("chosen_value", "DOUBLE", "canonical unit", "value that won (staging.panel.value)", required=True),
        Column("chosen_source", "VARCHAR", "", "source of the winning value"),
        Column("chosen_vintage", "VARCHAR", "", "vintage of the winning value"),
        Column("chosen_file", "VARCHAR", "", "file of the winning value"),
        Column("other_value", "DOUBLE", "canonical unit", "losing value", required=True),
        Column("other_source", "VARCHAR", "", "source of the losing value"),
        Column("other_vintage", "VARCHAR", "", "vintage of the losing value"),
        Column("other_file", "VARCHAR", "", "file of the losing value"),
        Column("other_line", "BIGINT", "", "line of the losing value in its file"),
        Column("rel_diff", "DOUBLE", "ratio", "|other − chosen| / |chosen|", required=True),
        Column("status", "VARCHAR", "", "lower_rank, superseded_vintage, agrees, blocked or unresolved"),
        Column("check", "VARCHAR", "", "check that judged the pair (findings refer to it)"),
        Column("reason", "VARCHAR", "", "the check's explanation in words"),
    ),
    time="year", versioned=False,
)  # fmt: skip

TABLES = (PANEL, CONFLICTS)
