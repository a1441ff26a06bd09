"""Contracts of raw.*: rows exactly as read from each source file, with lineage
(ARCHITECTURE.md data model). The validated raw frames are the readers' records."""

from __future__ import annotations

from warehouse.contracts.base import Column, Table

READER_TABLES = (
    "nbs_export",
    "nbs_long",
    "yearbook_xlsx",
    "tidy_csv",
    "customs",
    "national_series",
)

_READER = {
    "nbs_export": "NBS data-portal export (wide, one file per indicator)",
    "nbs_long": "NBS long tables (region, year, indicator, value)",
    "yearbook_xlsx": "statistical-yearbook spreadsheets",
    "tidy_csv": "tidy CSV files (region, year, indicator, unit, value)",
    "customs": "China Customs monthly trade by province and trade mode",
    "national_series": "national anchor series (never staged)",
}

_RECORD = (
    Column(
        "source_file",
        "VARCHAR",
        "",
        "file the record was read from (path relative to the data directory)",
        required=True,
        not_null=True,
    ),
    Column("source_sha256", "VARCHAR", "", "SHA-256 of the file's bytes", not_null=True),
    Column(
        "vintage", "VARCHAR", "", "edition or publication date of the source (config/sources.toml)"
    ),
    Column(
        "source_name",
        "VARCHAR",
        "",
        "source name of config/sources.toml (user:… for files added with --add)",
    ),
    Column("loaded_at", "TIMESTAMP", "UTC", "when the file was loaded", not_null=True),
    Column(
        "line_no",
        "BIGINT",
        "",
        "line (CSV) or row (spreadsheet) of the cell in the file, 1-based",
        required=True,
    ),
    Column("region_raw", "VARCHAR", "", "region name or code exactly as the file gives it"),
    Column(
        "region_code",
        "VARCHAR",
        "",
        "GB/T 2260 two-digit province code (ref.regions); NULL for a national row",
        required=True,
    ),
    Column("year", "BIGINT", "year", "calendar year of the value", required=True),
    Column("month", "BIGINT", "month", "calendar month (monthly sources), else NULL"),
    Column(
        "indicator",
        "VARCHAR",
        "",
        "indicator name as published (mapped to a variable by config/variables.toml)",
        required=True,
    ),
    Column("unit", "VARCHAR", "", "unit as published", required=True),
    Column("value_raw", "VARCHAR", "", "cell text exactly as read"),
    Column(
        "value",
        "DOUBLE",
        "as `unit`",
        "numeric value of the cell in the published unit",
        required=True,
    ),
)

_CUSTOMS = (
    Column("flow", "VARCHAR", "", "trade flow: export, import or total", required=True),
    Column(
        "trade_mode",
        "VARCHAR",
        "",
        "customs trade-mode code (e.g. 9610, 9710, 9810, 1210)",
        required=True,
    ),
    Column("trade_mode_name", "VARCHAR", "", "trade-mode name as published"),
    Column("currency", "VARCHAR", "", "currency of the value (CNY or USD)", required=True),
)

FILES = Table(
    "raw", "files", "One row per source file loaded into raw.*", "",
    (
        Column("source_sha256", "VARCHAR", "", "SHA-256 of the file's bytes (primary key)", key=True),
        Column("source_file", "VARCHAR", "", "file path relative to the data directory", not_null=True),
        Column("source_name", "VARCHAR", "", "source name of config/sources.toml"),
        Column("reader", "VARCHAR", "", "reader that parsed the file (raw table it went to)", not_null=True),
        Column("vintage", "VARCHAR", "", "edition or publication date of the source"),
        Column("rows", "BIGINT", "rows", "records read from the file"),
        Column("loaded_at", "TIMESTAMP", "UTC", "when the file was loaded", not_null=True),
    ),
    versioned=False, extra_sql="PRIMARY KEY (source_sha256)",
)  # fmt: skip

ADDED_INPUTS = Table(
    "raw", "added_inputs", "Input files added with `cbec run --add` (and their removal)", "",
    (
        Column("source_sha256", "VARCHAR", "", "SHA-256 of the file's bytes", not_null=True),
        Column("source_file", "VARCHAR", "", "file name as shown in findings", not_null=True),
        Column("path", "VARCHAR", "", "path the file was added from"),
        Column("reader", "VARCHAR", "", "reader that parses the file"),
        Column("vintage", "VARCHAR", "", "vintage given with --vintage"),
        Column("added_at", "TIMESTAMP", "UTC", "when the file was added", not_null=True),
        Column("added_by_run", "VARCHAR", "", "run that added the file"),
        Column("removed_at", "TIMESTAMP", "UTC", "when the file was removed (NULL while in use)"),
        Column("removed_note", "VARCHAR", "", "why the file was removed"),
    ),
    versioned=False,
)  # fmt: skip


def _reader_table(kind: str) -> Table:
    cols = _RECORD + (_CUSTOMS if kind == "customs" else ())
    return Table("raw", kind, f"Records of the {_READER[kind]}, one row per published cell",
                 "", cols, versioned=False)  # fmt: skip


TABLES = (FILES, *(_reader_table(k) for k in READER_TABLES), ADDED_INPUTS)
