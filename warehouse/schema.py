"""Warehouse schema (ARCHITECTURE.md, data model): generated from the table contracts in
warehouse/contracts. raw.* keep rows as read plus lineage; staging.panel is the tidy long
panel; results.* are versioned by run_id; ref.regions names the provinces.

Migrations: a warehouse written by an older version gains every declared column it lacks
(ALTER TABLE … ADD COLUMN, generated from the contracts) and the comments of the data
dictionary; `MIGRATIONS` holds the statements that are not additions of a declared column."""

from __future__ import annotations

import duckdb

from warehouse.contracts import ddl
from warehouse.contracts.raw import READER_TABLES

RAW_TABLES = READER_TABLES

# statements beyond "add the declared columns" (none so far); run after the contract DDL
MIGRATIONS: list[str] = []


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    ddl.ensure(con)
    for stmt in MIGRATIONS:
        con.execute(stmt)
