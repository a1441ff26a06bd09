"""`cbec sql`: one read-only SQL query on the warehouse (table output, --csv, --json,
--parquet FILE).

The warehouse is opened read-only with external access disabled (no ATTACH, COPY … TO,
read_csv/glob/read_text of other files, INSTALL, LOAD, httpfs), extension auto-install and
auto-load off, Python replacement scans off and the configuration locked. Exactly one SELECT
(or EXPLAIN) statement is accepted. The query stops after --timeout seconds (default 60) or on
Ctrl-C (within 2 s), and DuckDB may use at most --memory-limit (default 2GB). Results are
streamed: table output fetches only --limit rows (and counts the rest for 2 s at most);
--csv, --json and --parquet write batch by batch. The table fits the terminal width ($COLUMNS):
wide results are split into column blocks (at most 4, then "… N more columns"), lists are
shown as 'a; b', missing values as empty cells, numbers with 6 significant digits.
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
  cbec sql --json "SELECT * FROM results.runs" > runs.json      # one JSON array of rows
  cbec sql --parquet eff.parquet "SELECT * FROM results.efficiency WHERE run_id = '…'"
  cbec sql --timeout 300 "SELECT …"             # a long query
  cbec sql "SHOW ALL TABLES"

Tables: raw.* (rows as read, with source_file/sha256/vintage), staging.panel, staging.conflicts,
results.runs, results.<table> (every version, by run_id), results.latest_<table> (newest full run).
exit codes: 0 ok, 2 SQL error / refused statement / timeout / memory limit, 3 no warehouse,
130 interrupted (Ctrl-C)
"""
ALLOWED = ("SELECT", "EXPLAIN")
COUNT_SECONDS = 2.0  # table output: time spent counting the rows beyond --limit
MAX_BLOCKS = 4  # table output: column blocks shown before "… N more columns"
KEYS = ("region_code", "region", "province", "dmu", "id", "year", "period")  # repeated per block
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
    g.add_argument(
        "--json", action="store_true", help="write a JSON array of row objects to stdout"
    )
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
        elif args.json:
            _write_json(res)
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
            _fetch_table(res, args.limit, out)
    except BaseException as exc:  # noqa: BLE001 - handed to the main thread
        out["error"] = exc


def _fetch_table(res, limit: int, out: dict) -> None:
    """out["frame"]: the first `limit` rows (all if limit <= 0); out["more"]: rows counted
    beyond them (for COUNT_SECONDS at most; out["more_open"] when counting stopped early)."""
    import polars as pl

    names = list(res.columns) if res is not None else []
    empty = pl.DataFrame(schema={c: pl.Utf8 for c in names})
    if res is None:
        out["frame"] = empty
        return
    if limit <= 0:
        table = res.to_arrow_table()
        out["frame"] = pl.from_arrow(table) if table.num_rows else empty
        return
    reader = res.to_arrow_reader(limit + 1)
    first = next(iter(reader), None)
    if first is None or first.num_rows == 0:
        out["frame"] = empty
        return
    frame = pl.from_arrow(first)
    out["frame"] = frame.head(limit)
    more = frame.height - min(frame.height, limit)
    if more:
        stop = time.monotonic() + COUNT_SECONDS
        for batch in reader:
            more += batch.num_rows
            if time.monotonic() > stop:
                out["more_open"] = True
                break
    out["more"] = more


def _write_json(res) -> None:
    """A JSON array of row objects, written batch by batch (NaN/inf as null)."""
    import json
    import math

    import polars as pl

    def plain(v):
        return None if isinstance(v, float) and not math.isfinite(v) else v

    sys.stdout.write("[")
    sep = "\n "
    for batch in res.to_arrow_reader(50_000) if res is not None else []:
        for r in pl.from_arrow(batch).iter_rows(named=True):
            row = {k: plain(v) for k, v in r.items()}
            sys.stdout.write(sep + json.dumps(row, ensure_ascii=False, default=str))
            sep = ",\n "
    sys.stdout.write("\n]\n" if sep != "\n " else "]\n")


def _print_table(out: dict) -> None:
    """The result for people: width-aware, no shape/dtype lines (cbec.output.terminal)."""
    from cbec.output.terminal import table_text

    df = out["frame"]
    if df.width == 0:
        print("(no columns)")
        return
    if df.columns == ["explain_key", "explain_value"]:  # EXPLAIN: the plan as DuckDB draws it
        for v in df["explain_value"].to_list():
            print(v)
        return
    more = out.get("more", 0)
    hint = "--limit N for more; --csv / --json for all"
    keep = 0
    while keep < df.width and df.columns[keep] in KEYS:
        keep += 1
    print(table_text(df, keep=keep, missing="", more_rows=more, max_blocks=MAX_BLOCKS,
                     hint=hint))  # fmt: skip
    if out.get("more_open"):
        print("  (counting stopped after 2 s: there may be more rows)")
    elif df.height == 0:
        print("(0 rows)")


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
    elif not args.json:
        _print_table(out)
    return 0
