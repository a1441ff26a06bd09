"""Warehouse DDL (ARCHITECTURE.md, data model). raw.* keep rows as read plus lineage;
staging.panel is the tidy long panel; results.* are versioned by run_id."""

from __future__ import annotations

import duckdb

RAW_TABLES = ("nbs_export", "nbs_long", "yearbook_xlsx", "tidy_csv", "customs", "national_series")

_RAW_COLUMNS = """
    source_file VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    vintage VARCHAR,
    source_name VARCHAR,
    loaded_at TIMESTAMP NOT NULL,
    line_no BIGINT,
    region_raw VARCHAR,
    region_code VARCHAR,
    year BIGINT,
    month BIGINT,
    indicator VARCHAR,
    unit VARCHAR,
    value_raw VARCHAR,
    value DOUBLE
"""

DDL = [
    "CREATE SCHEMA IF NOT EXISTS raw",
    "CREATE SCHEMA IF NOT EXISTS staging",
    "CREATE SCHEMA IF NOT EXISTS results",
    """CREATE TABLE IF NOT EXISTS raw.files (
        source_sha256 VARCHAR PRIMARY KEY,
        source_file VARCHAR NOT NULL,
        source_name VARCHAR,
        reader VARCHAR NOT NULL,
        vintage VARCHAR,
        rows BIGINT,
        loaded_at TIMESTAMP NOT NULL
    )""",
    *[
        f"CREATE TABLE IF NOT EXISTS raw.{t} ({_RAW_COLUMNS}{', flow VARCHAR, trade_mode VARCHAR, trade_mode_name VARCHAR, currency VARCHAR' if t == 'customs' else ''})"
        for t in RAW_TABLES
    ],
    """CREATE TABLE IF NOT EXISTS staging.panel (
        region_code VARCHAR NOT NULL,
        year BIGINT NOT NULL,
        variable VARCHAR NOT NULL,
        value DOUBLE,
        unit VARCHAR,
        source VARCHAR,
        vintage VARCHAR,
        source_file VARCHAR,
        source_rank INTEGER,
        choice VARCHAR,
        quality VARCHAR[],
        PRIMARY KEY (region_code, year, variable)
    )""",
    """CREATE TABLE IF NOT EXISTS staging.conflicts (
        variable VARCHAR, region_code VARCHAR, year BIGINT,
        chosen_value DOUBLE, chosen_source VARCHAR, chosen_vintage VARCHAR, chosen_file VARCHAR,
        other_value DOUBLE, other_source VARCHAR, other_vintage VARCHAR, other_file VARCHAR,
        other_line BIGINT, rel_diff DOUBLE, status VARCHAR, "check" VARCHAR, reason VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS results.runs (
        run_id VARCHAR PRIMARY KEY,
        flow VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        input_fingerprint VARCHAR,
        params JSON,
        params_hash VARCHAR,
        code_version VARCHAR,
        prefect_flow_run_id VARCHAR,
        message VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS results.run_tables (
        run_id VARCHAR NOT NULL, table_name VARCHAR NOT NULL, rows BIGINT, PRIMARY KEY (run_id, table_name)
    )""",
    """CREATE TABLE IF NOT EXISTS results.run_inputs (
        run_id VARCHAR NOT NULL, source_file VARCHAR, source_sha256 VARCHAR, vintage VARCHAR, reader VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS results.validations (
        run_id VARCHAR, stage VARCHAR, passed BOOLEAN, critical_failures BIGINT, warnings BIGINT,
        result JSON, created_at TIMESTAMP
    )""",
]


# columns added after the first release: a warehouse written by an older version gains them
MIGRATIONS = [
    "ALTER TABLE staging.panel ADD COLUMN IF NOT EXISTS source_rank INTEGER",
    "ALTER TABLE staging.panel ADD COLUMN IF NOT EXISTS choice VARCHAR",
    "ALTER TABLE staging.panel ADD COLUMN IF NOT EXISTS quality VARCHAR[]",
    "ALTER TABLE staging.conflicts ADD COLUMN IF NOT EXISTS other_line BIGINT",
    "ALTER TABLE staging.conflicts ADD COLUMN IF NOT EXISTS status VARCHAR",
    'ALTER TABLE staging.conflicts ADD COLUMN IF NOT EXISTS "check" VARCHAR',
    "ALTER TABLE staging.conflicts ADD COLUMN IF NOT EXISTS reason VARCHAR",
]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in DDL + MIGRATIONS:
        con.execute(stmt)
