"""`cbec runs`: list result versions (kind, scope, status; which one results.latest_* follow);
`cbec runs diff A B`: what changed between two runs; `cbec runs promote RUN`: make a published
run (e.g. a partial backfill, or an older full run) the one results.latest_* show, until a newer
full run is published. Listing is read-only and works while a refresh runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported inside the functions: `cbec CMD --help` stays light
    pass


EXAMPLES = """examples:
  cbec runs                       # every run: id, flow, status, fingerprint, tables, params
  cbec runs --json                # machine-readable
  cbec runs diff RUN_A RUN_B      # rows added/removed and largest changes per result table
  cbec runs promote RUN           # results.latest_* follow RUN (operator decision)
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "runs",
        help="list result versions (runs diff A B: compare two runs)",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--db", help="warehouse file (default var/cbec.duckdb or $CBEC_DB)")
    p.add_argument("--json", action="store_true", help="print JSON lines")
    p.add_argument("action", nargs="?", choices=["list", "diff", "promote"], default="list")
    p.add_argument("run_a", nargs="?")
    p.add_argument("run_b", nargs="?")
    p.add_argument("--top", type=int, default=10, help="largest changes shown per table (diff)")
    p.add_argument(
        "--wait", type=float, metavar="SECONDS", help="promote: wait at most SECONDS for the lock"
    )
    p.set_defaults(handler=handle)


def _require_warehouse(db_arg: str | None) -> None:
    from cbec.errors import InputError
    from cbec.paths import db_path

    db = Path(db_arg) if db_arg else db_path()
    if not db.exists():  # never create an empty warehouse by looking at one
        raise InputError(f"no warehouse at {db}: run `cbec run` first (or pass --db)", file=str(db))


def handle(args: argparse.Namespace) -> int:
    import polars as pl

    from cbec.errors import UsageError
    from warehouse.store import list_runs

    if args.action == "diff":
        if not (args.run_a and args.run_b):
            raise UsageError("runs diff needs two run ids: cbec runs diff RUN_A RUN_B")
        _require_warehouse(args.db)
        from cbec.commands._diff import print_diff

        return print_diff(args.db, args.run_a, args.run_b, top=args.top, as_json=args.json)
    _require_warehouse(args.db)
    if args.action == "promote":
        return _promote(args)
    runs = list_runs(args.db)
    _print_writer(args.db)
    if args.json:
        for row in runs.iter_rows(named=True):
            import json

            print(json.dumps(row, default=str, ensure_ascii=False))
        return 0
    if runs.is_empty():
        print("no runs yet: `cbec run` publishes the first one")
        return 0
    show = runs.select(
        "run_id",
        "status",
        "kind",
        "scope",
        pl.when(pl.col("latest")).then(pl.lit("*")).otherwise(pl.lit("")).alias("latest"),
        "flow",
        pl.col("started_at").dt.strftime("%Y-%m-%d %H:%M:%S"),
        pl.col("input_fingerprint").str.slice(0, 12).alias("fingerprint"),
        "tables",
        "code_version",
    )
    with pl.Config(
        tbl_rows=100,
        tbl_cols=-1,
        tbl_width_chars=240,
        fmt_str_lengths=50,
        tbl_hide_dataframe_shape=True,
    ):
        print(show)
    print("latest = * (results.latest_* follow the newest full run, or a promoted one)")
    print("params of a run:  cbec sql \"SELECT params FROM results.runs WHERE run_id = '…'\"")
    return 0


def _print_writer(db_arg: str | None) -> None:
    """Say so when a refresh holds the warehouse lock (its run row appears when it publishes)."""
    from cbec.paths import db_path
    from warehouse.lock import describe, process_alive, read_owner

    owner = read_owner(Path(db_arg) if db_arg else db_path())
    if owner and process_alive(owner.get("pid"), owner.get("pid_start")):
        print(f"writing now: {describe(owner)}")


def _promote(args: argparse.Namespace) -> int:
    from cbec.errors import InputError, UsageError
    from cbec.paths import db_path
    from warehouse.store import promote_run

    if not args.run_a or args.run_b:
        raise UsageError("runs promote needs one run id: cbec runs promote RUN")
    db = args.db or str(db_path())
    try:
        row = promote_run(db, args.run_a, wait=args.wait)
    except (LookupError, ValueError) as exc:
        raise InputError(str(exc).strip("'\""), file=db) from None
    print(f"promoted {row['run_id']} ({row.get('flow')}): results.latest_* now follow it")
    return 0
