"""`cbec sql`: read-only SQL on the warehouse (table output, --csv, --parquet FILE)."""

from __future__ import annotations

import argparse
import sys

import polars as pl

EXAMPLES = """examples:
  cbec sql "SELECT * FROM results.latest_capital_stock WHERE region_code = '33' ORDER BY year"
  cbec sql --csv "SELECT * FROM results.latest_efficiency" > efficiency.csv
  cbec sql --parquet eff.parquet "SELECT * FROM results.efficiency WHERE run_id = '…'"
  cbec sql "SHOW ALL TABLES"

Tables: raw.* (rows as read, with source_file/sha256/vintage), staging.panel, staging.conflicts,
results.runs, results.<table> (every version, by run_id), results.latest_<table> (newest published).
"""


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
        "--limit", type=int, default=200, help="rows shown in table output (default 200)"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    import duckdb

    from cbec.errors import InputError, UsageError
    from cbec.paths import db_path
    from warehouse.db import connect, query_pl

    path = Path(args.db) if args.db else db_path()
    if not path.exists():
        raise InputError("warehouse not found; run `cbec run` first", file=str(path))
    con = connect(path, read_only=True)
    try:
        df = query_pl(con, args.query)
    except duckdb.Error as exc:
        raise UsageError(f"SQL error: {exc}") from exc
    finally:
        con.close()
    if args.csv:
        from cbec.tabular import flat

        sys.stdout.write(flat(df).write_csv())
    elif args.parquet:
        df.write_parquet(args.parquet)
        print(f"wrote {df.height} rows to {args.parquet}")
    else:
        with pl.Config(tbl_rows=args.limit, tbl_cols=40, tbl_width_chars=220, fmt_str_lengths=80):
            print(df)
    return 0
