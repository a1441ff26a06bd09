"""Which published run `results.latest_*` show, and the operator's view of versions.

`latest` is the newest complete refresh: runs of kind 'full', or a run an operator promoted
(`promote_run`, `cbec runs promote RUN`) if that is newer; 'partial' runs (backfill, a year
subset) are versions of their own. Readers work on warehouses written by older versions (the
issue-16 columns are NULL there).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import polars as pl

from warehouse import workcopy
from warehouse.db import connect, connect_for_reading, query_pl

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
LATEST_ELIGIBLE = (
    "r.status = 'published' AND (coalesce(r.kind, 'full') = 'full' OR r.promoted_at IS NOT NULL)"
)
LATEST_ORDER = "coalesce(greatest(r.promoted_at, r.finished_at), r.finished_at) DESC, r.run_id DESC"


def _db(db_path: str | Path | None) -> Path:
    from cbec.paths import db_path as default_db

    return Path(db_path) if db_path else default_db()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _latest_view(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(
        f"""CREATE OR REPLACE VIEW results.latest_{name} AS SELECT * FROM results.{name}
            WHERE run_id = (SELECT r.run_id FROM results.runs r JOIN results.run_tables t USING (run_id)
                            WHERE {LATEST_ELIGIBLE} AND t.table_name = '{name}'
                            ORDER BY {LATEST_ORDER} LIMIT 1)"""
    )


def _all_latest_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create results.latest_<table> for every result table ever published, with the
    comments of the table's contract (CREATE OR REPLACE VIEW drops them)."""
    from warehouse.contracts.ddl import comment_statements

    for (name,) in con.execute("SELECT DISTINCT table_name FROM results.run_tables").fetchall():
        if _NAME.match(name):
            _latest_view(con, name)
    for stmt in comment_statements(con):
        con.execute(stmt)


def promote_run(db_path: str | Path | None, run_id: str, *, wait: float | None = None) -> dict:
    """Make a published run (e.g. a partial one, or an older full one) what results.latest_*
    show, until a newer full run is published. Returns the run row."""
    with workcopy.session(_db(db_path), wait=wait, label="cbec runs promote"):
        con = connect(_db(db_path))
        try:
            row = resolve_run(con, run_id, flow=None)
            if row is None or row["status"] != "published":
                state = "not found" if row is None else f"status {row['status']!r}"
                raise LookupError(f"run {run_id!r}: {state}; only published runs can be promoted")
            con.execute("BEGIN TRANSACTION")
            con.execute(
                "UPDATE results.runs SET promoted_at = ? WHERE run_id = ?", [_now(), row["run_id"]]
            )
            _all_latest_views(con)
            con.execute("COMMIT")
        finally:
            con.close()
    return row


def _run_cols(con: duckdb.DuckDBPyConnection) -> str:
    """results.runs plus the issue-16 columns (NULL on a warehouse of an older version)."""
    from warehouse.db import has_column

    extra = [c if has_column(con, "results", "runs", c) else f"NULL AS {c}"
             for c in ("kind", "scope", "pid", "host", "promoted_at")]  # fmt: skip
    return (
        f"(SELECT *, {', '.join(extra)} FROM results.runs)"
        if any("NULL" in e for e in extra)
        else "results.runs"
    )


def latest_run_id(con: duckdb.DuckDBPyConnection, flow: str | None = "refresh") -> str | None:
    """The run results.latest_* follow (newest full or promoted run of `flow`)."""
    sql = f"SELECT r.run_id FROM {_run_cols(con)} r WHERE {LATEST_ELIGIBLE}"
    args = []
    if flow:
        sql += " AND r.flow = ?"
        args.append(flow)
    row = con.execute(sql + f" ORDER BY {LATEST_ORDER} LIMIT 1", args).fetchall()
    return row[0][0] if row else None


def list_runs(db_path: str | Path | None = None) -> pl.DataFrame:
    """Every run, newest first, with kind/scope and whether results.latest_* follow it (read
    only: never blocks a refresh)."""
    con = connect_for_reading(_db(db_path))
    try:
        flows = [f for (f,) in con.execute("SELECT DISTINCT flow FROM results.runs").fetchall()]
        latest = [x for x in (latest_run_id(con, flow=f) for f in flows) if x]
        return query_pl(
            con,
            """SELECT r.run_id, r.flow, coalesce(r.kind, 'full') AS kind,
                      coalesce(r.scope, 'all years') AS scope, r.status, list_contains(?::VARCHAR[], r.run_id) AS latest,
                      r.started_at, r.finished_at, r.input_fingerprint, r.code_version, r.params,
                      r.message, r.pid, r.host, r.promoted_at,
                      (SELECT string_agg(table_name || ':' || rows, ', ' ORDER BY table_name)
                         FROM results.run_tables t WHERE t.run_id = r.run_id) AS tables
               FROM RUNS r ORDER BY r.started_at DESC""".replace("RUNS", _run_cols(con)),
            [latest],
        )
    finally:
        con.close()


def resolve_run(
    con: duckdb.DuckDBPyConnection, run_id: str | None = None, *, flow: str | None = "refresh"
) -> dict | None:
    """The run row for `run_id` (a unique prefix is enough), or, when `run_id` is None, the
    newest published run of `flow`. None if nothing matches; ValueError if a prefix is ambiguous."""
    cols = "run_id, flow, status, started_at, finished_at, input_fingerprint, params, params_hash, code_version, prefect_flow_run_id, message"
    if run_id is None:  # the run results.latest_* follow (newest full or promoted run)
        latest = latest_run_id(con, flow=flow)
        if latest is None:
            return None
        rows = query_pl(con, f"SELECT {cols} FROM results.runs WHERE run_id = ?", [latest])
    else:
        rows = query_pl(con, f"SELECT {cols} FROM results.runs WHERE run_id = ?", [run_id])
        if rows.is_empty():
            rows = query_pl(
                con,
                f"SELECT {cols} FROM results.runs WHERE starts_with(run_id, ?) ORDER BY run_id",
                [run_id],
            )
            if rows.height > 1:
                raise ValueError(
                    f"run id prefix {run_id!r} matches {rows.height} runs: "
                    + ", ".join(rows["run_id"].to_list()[:5])
                )
    return rows.row(0, named=True) if rows.height else None
