"""`cbec inputs`: the files added with `cbec run --add`, which every later run uses as part of
its configured inputs (besides config/sources.toml) until they are removed here. Removing one
takes effect at the next `cbec run` (staging is rebuilt without it, a new run is published)."""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLES = """examples:
  cbec inputs                         # list added inputs (also: cbec inputs list)
  cbec inputs list --all              # including removed ones
  cbec inputs remove new_export.csv   # by file name, path or sha256 prefix (≥ 8 characters)
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inputs",
        help="list or remove the files added with `cbec run --add`",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", nargs="?", choices=["list", "remove"], default="list")
    p.add_argument("file", nargs="?", help="remove: file name, path or sha256 prefix")
    p.add_argument("--db", help="warehouse file (default var/cbec.duckdb or $CBEC_DB)")
    p.add_argument("--all", action="store_true", help="list: include removed inputs")
    p.add_argument("--note", default="", help="remove: why (stored with the record)")
    p.add_argument("--wait", type=float, metavar="SECONDS", help="remove: lock wait limit")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from cbec.errors import InputError, UsageError
    from cbec.paths import db_path
    from warehouse import ingest, workcopy

    db = Path(args.db) if args.db else db_path()
    if not db.exists():
        raise InputError(f"no warehouse at {db}: run `cbec run` first (or pass --db)", file=str(db))
    if args.action == "list":
        rows = ingest.added_inputs(db, include_removed=args.all)
        if not rows:
            print("no added inputs (files given with `cbec run --add` are listed here)")
        for sf in rows:
            removed = sf.options.get("removed_at")
            state = f"removed {removed:%Y-%m-%d %H:%M}" if removed else "active"
            print(
                f"{sf.sha256[:12]}  {sf.vintage or '-':<10} {state:<22} {sf.display}  ({sf.path})"
            )
        return 0
    if not args.file:
        raise UsageError("inputs remove needs a file name, path or sha256 prefix")
    try:
        with workcopy.session(db, wait=args.wait, label="cbec inputs remove"):
            names = ingest.remove_added(db, args.file, args.note)
    except LookupError as exc:
        raise InputError(str(exc).strip("'\""), file=str(db)) from None
    print(f"removed {', '.join(names)}: the next `cbec run` publishes without it")
    return 0
