"""Read back one published run: its metadata, inputs, validations and result tables.

Used by the presentation layer (`cbec report`, `cbec runs diff`), which must not know SQL.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

from warehouse.db import connect, query_pl
from warehouse.versions import resolve_run  # noqa: F401 - re-exported

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def open_read_only(db_path: str | Path | None) -> duckdb.DuckDBPyConnection:
    """A read-only connection; FileNotFoundError if the warehouse file does not exist."""
    from cbec.paths import db_path as default_db

    p = Path(db_path) if db_path else default_db()
    if not p.exists():
        raise FileNotFoundError(str(p))
    return connect(p, read_only=True)


def run_table_names(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Result tables written by the run → row count."""
    return dict(
        con.execute(
            "SELECT table_name, rows FROM results.run_tables WHERE run_id = ? ORDER BY table_name",
            [run_id],
        ).fetchall()
    )


def read_run_table(con: duckdb.DuckDBPyConnection, name: str, run_id: str) -> pl.DataFrame:
    """Rows of `results.<name>` for one run, without the run_id column."""
    if not _NAME.match(name):
        raise ValueError(f"invalid result table name {name!r}")
    df = query_pl(con, f'SELECT * FROM results."{name}" WHERE run_id = ?', [run_id])
    return df.drop("run_id") if "run_id" in df.columns else df


def read_run_inputs(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    return query_pl(
        con,
        """SELECT source_file, vintage, reader, source_sha256 FROM results.run_inputs
           WHERE run_id = ? ORDER BY source_file""",
        [run_id],
    )


def read_validations(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    return query_pl(
        con,
        """SELECT stage, passed, critical_failures, warnings, CAST(result AS VARCHAR) AS result,
                  created_at FROM results.validations WHERE run_id = ? ORDER BY created_at""",
        [run_id],
    )
