"""Row-by-row comparison of the latest published run of two warehouses (issue 19's check that a
restructuring changed no published number).

    python -m bench.compare_warehouses BEFORE.duckdb AFTER.duckdb [--rel 1e-9] [--abs 1e-12]

Every `results.latest_*` view and the staging tables (panel, conflicts) present in either file is compared: the same columns (run ids,
timestamps and the run's parameter record are left out), the same number of rows, and — after
sorting both by every non-float column — the same values: text, integers and lists exactly,
floats within `--rel`/`--abs` (NaN equals NaN). Prints one line per table and exits 1 when
any table differs (a table only in one file counts as a difference).
"""

from __future__ import annotations

import argparse
import math
import sys

import duckdb

SKIP_COLUMNS = {"run_id", "published_at", "started_at", "finished_at", "created_at", "params"}


def latest_views(con: duckdb.DuckDBPyConnection) -> set[str]:
    """`results.latest_*` views and the staging tables, as qualified names."""
    rows = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE (table_schema = 'results' AND table_name LIKE 'latest\\_%' ESCAPE '\\') "
        "OR (table_schema = 'staging' AND table_name IN ('panel', 'conflicts'))"
    ).fetchall()
    return {r[0] for r in rows}


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE {view}").fetchall()
    return {r[0]: r[1] for r in rows if r[0] not in SKIP_COLUMNS}


def _rows(con: duckdb.DuckDBPyConnection, view: str, cols: dict[str, str]) -> list[tuple]:
    keys = [c for c, t in cols.items() if t not in ("DOUBLE", "FLOAT", "REAL")]
    order = ", ".join(f'"{c}"' for c in keys + [c for c in cols if c not in keys])
    names = ", ".join(f'"{c}"' for c in cols)
    return con.execute(f"SELECT {names} FROM {view} ORDER BY {order}").fetchall()


def _same(a: object, b: object, rel: float, abs_: float) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)
    return a == b


def compare_view(before, after, view: str, rel: float, abs_: float) -> str | None:
    """None when the view is the same in both, else a one-line description of the first change."""
    cb, ca = _columns(before, view), _columns(after, view)
    if cb != ca:
        gone, new = sorted(set(cb) - set(ca)), sorted(set(ca) - set(cb))
        return f"columns differ (only before: {gone}, only after: {new}, or types)"
    rb, ra = _rows(before, view, cb), _rows(after, view, ca)
    if len(rb) != len(ra):
        return f"{len(rb)} rows before, {len(ra)} after"
    names = list(cb)
    for i, (x, y) in enumerate(zip(rb, ra, strict=True)):
        for name, a, b in zip(names, x, y, strict=True):
            if not _same(a, b, rel, abs_):
                return f"row {i + 1}, column {name}: {a!r} before, {b!r} after"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rel", type=float, default=1e-9, help="relative tolerance of floats")
    parser.add_argument("--abs", type=float, default=1e-12, help="absolute tolerance of floats")
    args = parser.parse_args(argv)
    before = duckdb.connect(args.before, read_only=True)
    after = duckdb.connect(args.after, read_only=True)
    views = sorted(latest_views(before) | latest_views(after))
    changed = 0
    for view in views:
        if view not in latest_views(before) or view not in latest_views(after):
            print(f"{view}: only in {'after' if view in latest_views(after) else 'before'}")
            changed += 1
            continue
        problem = compare_view(before, after, view, args.rel, args.abs)
        n = before.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0]
        print(f"{view}: {'identical' if problem is None else 'DIFFERS: ' + problem} ({n} rows)")
        changed += problem is not None
    print(f"{len(views) - changed} of {len(views)} tables identical (floats rel {args.rel:g})")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
