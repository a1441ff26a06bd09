"""DuckDB connections: one place that opens the warehouse, with extension auto-install and
auto-load turned off (nothing may download at run time).

While this process holds a write session on the warehouse (warehouse/workcopy.py), its
connections go to the session's side file; read-only connections of other processes open the
published file and retry for a few seconds if a writer outside the lock holds it."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb

from cbec.paths import db_path
from warehouse.retry import is_lock_error, retry_locked  # noqa: F401 - re-exported

T = TypeVar("T")
CONFIG = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def connect(
    path: str | Path | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    from warehouse.workcopy import redirect

    p = redirect(Path(path) if path else db_path())
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    con = retry_locked(
        lambda: duckdb.connect(str(p), read_only=read_only, config=dict(CONFIG)), what=str(p)
    )
    if not read_only:
        from warehouse.schema import ensure_schema
        from warehouse.workcopy import ensure_run_columns

        ensure_schema(con)
        ensure_run_columns(con)
    return con


def connect_for_reading(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Read connection: the session's side file when this process is writing `path`, else the
    published file read-only (never blocks a writer, never creates a file)."""
    from warehouse.workcopy import active

    p = Path(path) if path else db_path()
    if active(p) is not None:
        return connect(p)
    if not p.exists():  # nothing published yet: an empty in-memory warehouse
        from warehouse.schema import ensure_schema
        from warehouse.workcopy import ensure_run_columns

        con = duckdb.connect(":memory:", config=dict(CONFIG))
        ensure_schema(con)
        ensure_run_columns(con)
        return con
    return connect(p, read_only=True)


def has_column(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str | None = None
) -> bool:
    """Whether a table (or one of its columns) exists: read-only readers of a warehouse written
    by an older version adapt instead of failing."""
    sql = (
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
    )
    args = [schema, table]
    if column:
        sql += " AND column_name = ?"
        args.append(column)
    return con.execute(sql, args).fetchall()[0][0] > 0


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
