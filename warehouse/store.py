"""Versioned result store (ARCHITECTURE.md, versioning semantics).

- `start_run` records an attempted run (status 'running'), `fail_run` marks it failed.
- `publish_run` writes every result table of a run and flips it to 'published' in ONE
  transaction: a killed or failed run leaves nothing visible in `results.latest_*`.
- Published runs are never modified; `results.latest_<table>` views show the newest
  published run that has that table; older versions stay queryable by run_id.
- A run with the same flow, input fingerprint, parameters and code version as a published
  run is not written again: `find_reusable_run` returns the existing run id.
- Runs have a `kind`: 'full' (a complete refresh) or 'partial' (a backfill or year subset, with
  its `scope`). `results.latest_*` follow the newest full run, or a run an operator promoted
  (`promote_run`) if that is newer; partial runs stay queryable by run_id.
- Tables are created from their contracts (warehouse/contracts), never from the first write:
  a frame with an undeclared column, a column of the wrong type or without a key column is
  refused with the table and column named (`warehouse.contracts.ContractError`).
- Every write goes through a write session (warehouse/workcopy.py: writer lock, side file,
  atomic replace), joined when the caller already holds one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import sys
import time
from pathlib import Path

import duckdb
import polars as pl

from warehouse import workcopy
from warehouse.contracts import ddl
from warehouse.db import connect, connect_for_reading
from warehouse.versions import _all_latest_views, latest_run_id, list_runs, promote_run

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE_DIRS = ("measures", "tasks", "flows", "warehouse")


def code_version() -> str:
    """Package version + a hash of the computing code, so a code change is a new version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("cbec-observatory")
    except PackageNotFoundError:  # pragma: no cover
        v = "0"
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for d in _CODE_DIRS:
        for f in sorted((root / d).rglob("*.py")):
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return f"{v}+{h.hexdigest()[:12]}"


def params_hash(params: dict) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


KINDS = ("full", "partial")


def _db(db_path: str | Path | None) -> Path:
    from cbec.paths import db_path as default_db

    return Path(db_path) if db_path else default_db()


def find_reusable_run(
    db_path: str | Path | None, *, flow: str, input_fingerprint: str, params: dict
) -> str | None:
    con = connect_for_reading(_db(db_path))
    try:
        row = con.execute(
            """SELECT run_id FROM results.runs WHERE status = 'published' AND flow = ?
               AND input_fingerprint = ? AND params_hash = ? AND code_version = ?
               ORDER BY finished_at DESC LIMIT 1""",
            [flow, input_fingerprint, params_hash(params), code_version()],
        ).fetchall()
    finally:
        con.close()
    return row[0][0] if row else None


def start_run(
    db_path: str | Path | None,
    *,
    flow: str,
    params: dict,
    input_fingerprint: str | None = None,
    prefect_flow_run_id: str | None = None,
    kind: str = "full",
    scope: str | None = None,
) -> str:
    run_id = new_run_id()
    with workcopy.session(_db(db_path)):
        con = connect(_db(db_path))
        try:
            _insert_run(
                con, run_id, flow, params, input_fingerprint, prefect_flow_run_id, kind, scope
            )
        finally:
            con.close()
    return run_id


def _insert_run(con, run_id, flow, params, fingerprint, prefect_id, kind, scope) -> None:
    import socket

    if kind not in KINDS:
        raise ValueError(f"run kind {kind!r} not in {KINDS}")
    con.execute(
        """INSERT INTO results.runs (run_id, flow, status, started_at, input_fingerprint, params,
           params_hash, code_version, prefect_flow_run_id, kind, scope, pid, host)
           VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [run_id, flow, _now(), fingerprint, json.dumps(params, default=str), params_hash(params),
         code_version(), prefect_id, kind, scope or "all years", os.getpid(), socket.gethostname()],
    )  # fmt: skip


def fail_run(db_path: str | Path | None, run_id: str, message: str) -> None:
    with workcopy.session(_db(db_path)):
        con = connect(_db(db_path))
        try:
            con.execute(
                "UPDATE results.runs SET status = 'failed', finished_at = ?, message = ? WHERE run_id = ? AND status = 'running'",
                [_now(), message[:4000], run_id],
            )
        finally:
            con.close()


def mark_reused(db_path: str | Path | None, run_id: str, existing: str) -> None:
    """The attempted `run_id` found a published run with the same inputs, params and code."""
    with workcopy.session(_db(db_path)):
        con = connect(_db(db_path))
        try:
            con.execute(
                "UPDATE results.runs SET status = 'reused', finished_at = ?, message = ? WHERE run_id = ? AND status = 'running'",
                [_now(), f"same inputs and parameters as published run {existing}", run_id],
            )
        finally:
            con.close()


def record_validation(
    db_path: str | Path | None, run_id: str | None, stage: str, result: dict
) -> None:
    """Store a validation result (JSON) against the attempted run, whatever its outcome."""
    with workcopy.session(_db(db_path)):
        con = connect(_db(db_path))
        try:
            con.execute(
                "INSERT INTO results.validations VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    stage,
                    bool(result.get("passed")),
                    int(result.get("critical_failures", 0)),
                    int(result.get("warnings", 0)),
                    json.dumps(result, default=str, ensure_ascii=False),
                    _now(),
                ],
            )
        finally:
            con.close()


def _contract(name: str):
    """The contract of results.<name>; ContractError if the table has none."""
    from warehouse.contracts import ContractError, find

    table = find(f"results.{name}")
    if table is None:
        raise ContractError(
            f"results.{name} has no table contract: declare it in warehouse/contracts first"
        )
    return table


def _check_inputs_current(
    con: duckdb.DuckDBPyConnection, inputs: pl.DataFrame | None, kind: str
) -> None:
    """A full run must have used every input added with --add and not removed since: otherwise
    its result is stale (it started before the input was added) and is refused."""
    if kind != "full" or inputs is None:
        return
    used = set(inputs["source_sha256"].to_list())
    missing = [
        f for sha, f in con.execute(
            "SELECT source_sha256, source_file FROM raw.added_inputs WHERE removed_at IS NULL"
        ).fetchall() if sha not in used
    ]  # fmt: skip
    if missing:
        from cbec.errors import Busy

        raise Busy(
            "stale result not published: the warehouse now has added input(s) this run did not "
            f"use ({', '.join(missing[:5])}); run again"
        )


def publish_run(
    db_path: str | Path | None,
    tables: dict[str, pl.DataFrame],
    *,
    flow: str,
    params: dict,
    input_fingerprint: str,
    run_id: str | None = None,
    prefect_flow_run_id: str | None = None,
    inputs: pl.DataFrame | None = None,
    kind: str = "full",
    scope: str | None = None,
) -> str:
    """Publish all `tables` of one run atomically and return the run id.

    If a published run with the same flow, fingerprint, params and code version exists, its id is
    returned and nothing is written (the attempted `run_id`, if any, is marked as a reuse).
    A 'partial' run is published as a version of its own and never becomes results.latest_*."""
    for name in tables:
        if (
            not _NAME.match(name)
            or name.startswith("latest_")
            or name in ("runs", "run_tables", "run_inputs", "validations")
        ):
            raise ValueError(f"invalid result table name {name!r}")
        _contract(name)  # before any write: a table without a contract is refused
    with workcopy.session(_db(db_path)):
        existing = find_reusable_run(
            db_path, flow=flow, input_fingerprint=input_fingerprint, params=params
        )
        if existing:
            if run_id:
                mark_reused(db_path, run_id, existing)
            return existing
        con = connect(_db(db_path))
        try:
            run_id = _publish_in(con, tables, run_id, flow, params, input_fingerprint,
                                 prefect_flow_run_id, inputs, kind, scope)  # fmt: skip
        finally:
            con.close()
        workcopy.kill_point("published")
    return run_id


def _publish_in(con, tables, run_id, flow, params, fingerprint, prefect_id, inputs, kind, scope):
    """The publishing transaction (see publish_run)."""
    pause = float(os.environ.get("CBEC_TEST_PUBLISH_PAUSE", "0") or 0)
    try:
        con.execute("BEGIN TRANSACTION")
        _check_inputs_current(con, inputs, kind)
        if run_id is None:
            run_id = new_run_id()
            _insert_run(con, run_id, flow, params, fingerprint, prefect_id, kind, scope)
        for k, (name, frame) in enumerate(sorted(tables.items())):
            rel = f"_pub_{name}"
            con.register(rel, frame.to_arrow())
            ddl.prepare_write(con, _contract(name), rel)
            con.execute(
                f"INSERT INTO results.{name} BY NAME SELECT ? AS run_id, * FROM {rel}", [run_id]
            )
            con.unregister(rel)
            con.execute(
                "INSERT INTO results.run_tables VALUES (?, ?, ?)", [run_id, name, frame.height]
            )
            if k == 0:
                workcopy.kill_point("publishing")
            if pause and k == 0:
                print("CBEC_PUBLISH_PAUSED", flush=True, file=sys.stdout)
                time.sleep(pause)
        if inputs is not None and inputs.height:
            con.register("_pub_inputs", inputs.to_arrow())
            con.execute(
                "INSERT INTO results.run_inputs BY NAME SELECT ? AS run_id, * FROM _pub_inputs",
                [run_id],
            )
            con.unregister("_pub_inputs")
        con.execute(
            """UPDATE results.runs SET status = 'published', finished_at = ?, input_fingerprint = ?,
               prefect_flow_run_id = coalesce(?, prefect_flow_run_id), kind = ?,
               scope = coalesce(?, scope, 'all years') WHERE run_id = ?""",
            [_now(), fingerprint, prefect_id, kind, scope, run_id],
        )
        _all_latest_views(con)
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except Exception:
            pass
        raise
    return run_id


def run_tables(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    return dict(
        con.execute(
            "SELECT table_name, rows FROM results.run_tables WHERE run_id = ?", [run_id]
        ).fetchall()
    )


__all__ = ["latest_run_id", "list_runs", "promote_run"]  # re-exported from warehouse.versions
