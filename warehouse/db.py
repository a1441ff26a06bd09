"""DuckDB connections: one place that opens the warehouse, with extension auto-install and
auto-load turned off (nothing may download at run time)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

from cbec.paths import db_path


def connect(
    path: str | Path | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    p = Path(path) if path else db_path()
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    config = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    con = duckdb.connect(str(p), read_only=read_only, config=config)
    if not read_only:
        from warehouse.schema import ensure_schema

        ensure_schema(con)
    return con


@contextmanager
def connection(path: str | Path | None = None, *, read_only: bool = False):
    con = connect(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def query_pl(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """Run a query and return a polars DataFrame (DuckDB 2.0: via Arrow)."""
    import polars as pl

    return (
        pl.from_arrow(con.sql(sql, params=params).to_arrow_table())
        if params
        else pl.from_arrow(con.sql(sql).to_arrow_table())
    )
