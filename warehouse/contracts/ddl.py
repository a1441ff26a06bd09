"""DDL and data dictionary generated from the table contracts: CREATE TABLE, the columns an
older warehouse lacks (ALTER TABLE … ADD COLUMN), `COMMENT ON TABLE / VIEW / COLUMN` (unit and
description, so any SQL client shows them) and the ref.regions rows. Idempotent and cheap on a
current warehouse: only what differs is executed."""

from __future__ import annotations

import duckdb

from warehouse.contracts import RUN_ID, TABLES, Column, ContractError, Table, check_columns
from warehouse.contracts.reference import REGIONS, region_rows

SCHEMAS = ("raw", "staging", "results", "ref")
LEGACY = "column written by an older version; not in the table's contract (warehouse/contracts)"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def all_columns(table: Table) -> tuple[Column, ...]:
    """Declared columns in table order (run_id first for a versioned results table)."""
    return ((RUN_ID,) if table.versioned else ()) + table.columns


def create_sql(table: Table) -> str:
    cols = [f"{_q(c.name)} {c.type}{' NOT NULL' if c.not_null else ''}" for c in all_columns(table)]
    if table.extra_sql:
        cols.append(table.extra_sql)
    return f"CREATE TABLE IF NOT EXISTS {table.schema}.{table.name} ({', '.join(cols)})"


def _existing(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], dict[str, tuple]]:
    """(schema, table or view) → column → (type, comment) for the warehouse schemas."""
    out: dict[tuple[str, str], dict[str, tuple]] = {}
    rows = con.execute(
        "SELECT schema_name, table_name, column_name, data_type, comment FROM duckdb_columns() "
        f"WHERE schema_name IN ({', '.join(map(_lit, SCHEMAS))}) ORDER BY column_index"
    ).fetchall()
    for s, t, c, typ, comment in rows:
        out.setdefault((s, t), {})[c] = (typ, comment)
    return out


def _object_comments(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, str]]:
    sql = f"schema_name IN ({', '.join(map(_lit, SCHEMAS))})"
    tabs = con.execute(f"SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE {sql}")
    out = {(s, t): ("TABLE", c) for s, t, c in tabs.fetchall()}
    views = con.execute(f"SELECT schema_name, view_name, comment FROM duckdb_views() WHERE {sql}")
    out.update({(s, v): ("VIEW", c) for s, v, c in views.fetchall()})
    return out


def _contract_of(schema: str, name: str) -> tuple[Table | None, str]:
    """The contract behind a table or a results.latest_<table> view, and the view's prefix."""
    if schema == "results" and name.startswith("latest_"):
        return TABLES.get(f"results.{name.removeprefix('latest_')}"), "Newest published version of "
    return TABLES.get(f"{schema}.{name}"), ""


def comment_statements(con: duckdb.DuckDBPyConnection) -> list[str]:
    """COMMENT statements for every table, view and column whose comment is missing or stale."""
    stmts = []
    objects = _object_comments(con)
    for (s, t), cols in _existing(con).items():
        kind, have = objects.get((s, t), ("TABLE", None))
        table, prefix = _contract_of(s, t)
        if table is None:
            want = "not in the warehouse contracts (warehouse/contracts)"
        else:
            want = prefix + (f"results.{table.name}: " if prefix else "") + table.comment()
        if have != want:
            stmts.append(f"COMMENT ON {kind} {s}.{_q(t)} IS {_lit(want)}")
        for c, (_typ, old) in cols.items():
            new = _column_comment(table, c)
            if old != new:
                stmts.append(f"COMMENT ON COLUMN {s}.{_q(t)}.{_q(c)} IS {_lit(new)}")
    return stmts


def _column_comment(table: Table | None, column: str) -> str:
    if table is None:
        return LEGACY
    if column == "run_id" and table.versioned:
        return RUN_ID.comment()
    try:
        return table.column(column).comment()
    except KeyError:
        return LEGACY


def _load_regions(con: duckdb.DuckDBPyConnection) -> None:
    rows = region_rows()
    have = con.execute(f"SELECT * FROM {REGIONS.qualified} ORDER BY region_code").fetchall()
    if [tuple(r) for r in have] != rows:
        con.execute(f"DELETE FROM {REGIONS.qualified}")
        con.executemany(
            f"INSERT INTO {REGIONS.qualified} VALUES ({', '.join('?' * len(REGIONS.columns))})",
            rows,
        )


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create every declared table, add the declared columns an older warehouse lacks, load
    ref.regions and bring every comment up to date."""
    for s in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
    existing = _existing(con)
    for table in TABLES.values():
        cols = existing.get((table.schema, table.name))
        if cols is None:
            con.execute(create_sql(table))
            continue
        for c in all_columns(table):
            if c.name not in cols:
                con.execute(
                    f"ALTER TABLE {table.schema}.{table.name} ADD COLUMN IF NOT EXISTS "
                    f"{_q(c.name)} {c.type}"
                )
    _load_regions(con)
    for stmt in comment_statements(con):
        con.execute(stmt)


def prepare_write(con: duckdb.DuckDBPyConnection, table: Table, relation: str) -> None:
    """Check the registered `relation` against `table` (ContractError naming table and column)
    and add the family columns (e.g. slack_<input>) the table does not have yet."""
    actual = {
        col: typ for col, typ, *_ in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    }
    if "run_id" in actual and table.versioned:
        raise ContractError(
            f"{table.qualified}: the frame must not carry run_id (the store adds it)"
        )
    declared = check_columns(table, actual)
    con.execute(create_sql(table))  # a table registered at run time
    have = _existing(con).get((table.schema, table.name), {})
    for c in declared:
        if c.name not in have:
            con.execute(
                f"ALTER TABLE {table.qualified} ADD COLUMN {_q(c.name)} {c.type}; "
                f"COMMENT ON COLUMN {table.qualified}.{_q(c.name)} IS {_lit(c.comment())}"
            )
        elif not _fits(have[c.name][0], c.type):
            raise ContractError(
                f"{table.qualified}: column {c.name!r} is {have[c.name][0]} in the warehouse, "
                f"the contract says {c.type}"
            )


def _fits(stored: str, declared: str) -> bool:
    from warehouse.contracts import _compatible

    return _compatible(declared, stored) or _compatible(stored, declared)
