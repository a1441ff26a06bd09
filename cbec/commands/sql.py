"""`cbec sql`: one read-only SQL query on the warehouse (table output, --csv, --parquet FILE).

The warehouse is opened read-only with external access disabled (no ATTACH, COPY … TO,
read_csv/glob/read_text of other files, INSTALL, LOAD, httpfs), extension auto-install and
auto-load off, Python replacement scans off and the configuration locked. Exactly one SELECT
(or EXPLAIN) statement is accepted. The query stops after --timeout seconds (default 60) or on
Ctrl-C (within 2 s), and DuckDB may use at most --memory-limit (default 2GB). Results are
streamed: table output fetches only --limit rows; --csv and --parquet write batch by batch.
Works while a refresh runs (it reads the published version).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

EXAMPLES = """examples:
  cbec sql "SELECT * FROM results.latest_capital_stock WHERE region_code = '33' ORDER BY year"
  cbec sql --csv "SELECT * FROM results.latest_efficiency" > efficiency.csv
  cbec sql --csv --excel-safe "SELECT * FROM staging.conflicts" > conflicts.csv
  cbec sql --parquet eff.parquet "SELECT * FROM results.efficiency WHERE run_id = '…'"
  cbec sql --timeout 300 "SELECT …"             # a long query
  cbec sql "SHOW ALL TABLES"

Tables: raw.* (rows as read, with source_file/sha256/vintage), staging.panel, staging.conflicts,
results.runs, results.<table> (every version, by run_id), results.latest_<table> (newest full run).
exit codes: 0 ok, 2 SQL error / refused statement / timeout / memory limit, 3 no warehouse,
130 interrupted (Ctrl-C)
"""
ALLOWED = ("SELECT", "EXPLAIN")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sql",
        help="run a read-only SQL query on the warehouse",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query")
    p.add_argument("--db", help="warehouse file (default var/cbec.duckdb or $CBEC_DB)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--csv", action="store_true", help="write CSV to stdout")
    g.add_argument("--parquet", metavar="FILE", help="write the result to a Parquet file")
    p.add_argument(
        "--excel-safe",
        action="store_true",
        help="with --csv: prefix text cells starting with = + - @ with ' (no formula injection)",
    )
    p.add_argument(
        "--limit", type=int, default=200, help="rows shown in table output (default 200)"
    )
    p.add_argument(
        "--timeout", type=float, default=60.0, help="stop the query after SECONDS (default 60)"
    )
    p.add_argument(
        "--memory-limit", default="2GB", help="DuckDB memory limit (default 2GB, e.g. 500MB)"
    )
    p.set_defaults(handler=handle)


def open_sandboxed(path, memory_limit: str = "2GB"):
    """The warehouse, read-only, external access off, configuration locked."""
    import duckdb

    from warehouse.db import retry_locked

    config = {
        "enable_external_access": "false",
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "python_enable_replacements": "false",
        "memory_limit": memory_limit,
        "threads": "2",
        "lock_configuration": "true",
    }
    return retry_locked(
        lambda: duckdb.connect(str(path), read_only=True, config=config), what=str(path)
    )


def check_statement(con, query: str) -> None:
    """Exactly one SELECT/EXPLAIN statement, else UsageError."""
    import duckdb

    from cbec.errors import UsageError

    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise UsageError(f"SQL error: {exc}") from None
    if len(statements) != 1:
        raise UsageError(
            f"one statement per call (found {len(statements)}): cbec sql runs a single SELECT"
        )
    kind = str(statements[0].type).rsplit(".", 1)[-1]
    if kind not in ALLOWED:
        raise UsageError(
            f"{kind} statements are refused: cbec sql is read-only (SELECT or EXPLAIN only)"
        )


def excel_safe(df):
    """Text cells starting with = + - @ (or tab/CR) prefixed with ' ; returns (frame, count)."""
    import polars as pl

    count = 0
    cols = []
    for name, dtype in df.schema.items():
        if dtype == pl.Utf8:
            risky = df[name].str.starts_with(FORMULA_START[0])
            for c in FORMULA_START[1:]:
                risky = risky | df[name].str.starts_with(c)
            count += int(risky.fill_null(False).sum())
            cols.append(
                pl.when(risky.fill_null(False))
                .then("'" + pl.col(name))
                .otherwise(pl.col(name))
                .alias(name)
            )
    return (df.with_columns(cols) if cols else df), count


def _consume(con, query: str, args: argparse.Namespace, out: dict) -> None:
    """Run the query and write its output (in a worker thread, so Ctrl-C stays responsive)."""
    import polars as pl

    try:
        res = con.sql(query)
        if args.csv:
            reader = res.to_arrow_reader(50_000)
            first, neutralised = True, 0
            from cbec.tabular import flat

            for batch in reader:
                df = flat(pl.from_arrow(batch))  # list columns (quality) as 'a; b'
                if args.excel_safe:
                    df, n = excel_safe(df)
                    neutralised += n
                sys.stdout.write(df.write_csv(include_header=first))
                first = False
            if first:  # no rows: header only
                names = list(res.columns) if res is not None else []
                sys.stdout.write(",".join(names) + "\n")
            out["neutralised"] = neutralised
        elif args.parquet:
            import pyarrow.parquet as pq

            reader = res.to_arrow_reader(50_000)
            n = 0
            with pq.ParquetWriter(args.parquet, reader.schema) as w:
                for batch in reader:
                    w.write_batch(batch)
                    n += batch.num_rows
            out["rows"] = n
        else:
            table = (res.to_arrow_table() if res is not None else None) if args.limit <= 0 else None
            if table is None and res is not None:
                reader = res.to_arrow_reader(max(1, args.limit) + 1)
                table = next(iter(reader), None)
                out["more"] = table is not None and table.num_rows > args.limit
            out["frame"] = pl.from_arrow(table) if table is not None else pl.DataFrame()
    except BaseException as exc:  # noqa: BLE001 - handed to the main thread
        out["error"] = exc


def _run(con, query: str, args: argparse.Namespace) -> dict:
    """Run `_consume` in a worker thread; the main thread enforces the timeout and turns Ctrl-C
    (its own SIGINT handler: the default one is not delivered while DuckDB runs) into
    con.interrupt(), so the query stops within 2 s."""
    import signal

    from cbec.errors import UsageError

    out: dict = {}
    interrupted = threading.Event()
    worker = threading.Thread(target=_consume, args=(con, query, args, out), daemon=True)
    deadline = time.monotonic() + args.timeout
    main_thread = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, lambda *_: interrupted.set()) if main_thread else None
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.05)
            if interrupted.is_set():
                con.interrupt()
                worker.join(1.5)
                raise KeyboardInterrupt
            if worker.is_alive() and time.monotonic() > deadline:
                con.interrupt()
                worker.join(2)
                raise UsageError(f"query stopped after the --timeout of {args.timeout:g} s")
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, old)
    err = out.get("error")
    if err is not None:
        _raise_sql(err)
    return out


def _raise_sql(err: BaseException) -> None:
    import duckdb

    from cbec.errors import UsageError

    if isinstance(err, duckdb.InterruptException):
        raise KeyboardInterrupt
    if isinstance(err, duckdb.OutOfMemoryException):
        raise UsageError(f"query needs more than the --memory-limit: {err}") from None
    if isinstance(err, duckdb.PermissionException):
        raise UsageError(
            f"refused (cbec sql is read-only, no file or network access): {err}"
        ) from None
    if isinstance(err, duckdb.Error):
        raise UsageError(f"SQL error: {err}") from None
    if isinstance(err, OSError):
        raise UsageError(f"cannot write the output: {err}") from None
    raise err


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    import duckdb
    import polars as pl

    from cbec.errors import InputError, UsageError
    from cbec.paths import db_path

    if args.excel_safe and not args.csv:
        raise UsageError("--excel-safe applies to --csv output")
    if args.timeout <= 0:
        raise UsageError("--timeout must be > 0 seconds")
    path = Path(args.db) if args.db else db_path()
    if not path.is_file():
        raise InputError("warehouse not found; run `cbec run` first", file=str(path))
    try:
        con = open_sandboxed(path, args.memory_limit)
    except duckdb.Error as exc:
        raise InputError(f"cannot open the warehouse read-only: {exc}", file=str(path)) from None
    try:
        check_statement(con, args.query)
        out = _run(con, args.query, args)
    finally:
        con.close()
    if args.csv:
        if args.excel_safe:
            print(
                f"excel-safe: {out.get('neutralised', 0)} cell(s) prefixed with '", file=sys.stderr
            )
    elif args.parquet:
        print(f"wrote {out.get('rows', 0)} rows to {args.parquet}")
    else:
        df = out["frame"]
        with pl.Config(tbl_rows=args.limit, tbl_cols=40, tbl_width_chars=220, fmt_str_lengths=80):
            print(df.head(args.limit) if args.limit > 0 else df)
        if out.get("more"):
            print(f"(first {args.limit} rows; --limit N for more, --csv for all)")
    return 0
