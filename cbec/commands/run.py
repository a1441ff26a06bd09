"""`cbec run`: refresh the warehouse now (ingest → validate → compute → publish)."""

from __future__ import annotations

import argparse
import time

EXAMPLES = """examples:
  cbec run                                   # embedded data → var/cbec.duckdb
  cbec run --db /tmp/w.duckdb                # another warehouse file
  cbec run --add new_export.csv --vintage 2026-03   # include a new yearbook export
  cbec run --runner dask                     # LP work on a local Dask cluster (2 workers)
  cbec run --runner dask --address tcp://10.0.0.5:8786   # … on an existing Dask cluster
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="refresh the warehouse from the embedded data now",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--db", help="warehouse file (default var/cbec.duckdb or $CBEC_DB)")
    p.add_argument(
        "--add", nargs="+", metavar="FILE", help="extra source files to load in this run"
    )
    p.add_argument("--vintage", help="vintage label of the --add files (default: this month)")
    p.add_argument(
        "--runner", choices=["local", "dask"], default="local", help="task runner for the LP work"
    )
    p.add_argument("--address", help="Dask scheduler address (tcp://…); default: a LocalCluster")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from cbec.errors import UsageError
    from cbec.paths import db_path
    from cbec.settings import load_params

    if args.address and args.runner != "dask":
        raise UsageError("--address needs --runner dask")
    load_params()  # a configuration error is exit 2 before Prefect or any data is touched
    from flows.refresh import refresh

    t0 = time.perf_counter()
    db = args.db or str(db_path())
    result = refresh(
        db=db,
        extra_files=args.add,
        extra_vintage=args.vintage,
        runner=args.runner,
        address=args.address,
    )
    dt = time.perf_counter() - t0
    state = "reused existing run" if result["reused"] else "published run"
    print(f"\n{state}: {result['run_id']}   ({dt:.1f} s)")
    from warehouse.db import connect
    from warehouse.store import run_tables

    con = connect(db, read_only=True)
    try:
        rows = sorted(run_tables(con, result["run_id"]).items())
    finally:
        con.close()
    print(f"warehouse: {db}")
    for name, n in rows:
        print(f"  results.{name:<28} {n:>8} rows")
    print('\nquery it:  cbec sql "SELECT * FROM results.latest_efficiency LIMIT 10"')
    print("           cbec runs            # versions with status, fingerprint, params")
    return 0
