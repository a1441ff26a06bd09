"""`cbec validate [FILE…]`: check source files without loading them into the warehouse.

Each file is read with the warehouse readers (structural problems — encoding, truncation, unknown
province, text in numeric cells … — are input errors, exit 3), its records are validated, then
staged in memory together with the embedded sources (so jumps against existing years and other
vintages are seen) and the panel is validated. Exit 0 when no critical expectation fails, 4
otherwise. With no FILE the embedded sources of config/sources.toml are validated.
"""

from __future__ import annotations

import argparse
import json

from warehouse.readers import READERS

EXAMPLES = """examples:
  cbec validate                                  # the embedded sources (config/sources.toml)
  cbec validate new/分省年度数据2025.csv          # a new yearbook export, against the embedded data
  cbec validate a.csv b.xlsx --html report.html  # offline HTML report (no internet needed)
  cbec validate gdp.csv --no-context --json      # the file alone, JSON result on stdout

exit codes: 0 passed (warnings allowed), 3 unreadable/malformed file, 4 a critical expectation failed
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check source files against the expectation suites without loading them",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", metavar="FILE", help=".csv/.xlsx source files")
    p.add_argument("--html", metavar="FILE.html", help="write the offline HTML report here")
    p.add_argument("--json", action="store_true", help="print the JSON result instead")
    p.add_argument(
        "--reader",
        choices=sorted(READERS),
        help="reader to use (default: detected from the file)",
    )
    p.add_argument(
        "--vintage", help="vintage of the files (default: this month, i.e. the newest edition)"
    )
    p.add_argument(
        "--no-context",
        action="store_true",
        help="validate the files alone (no embedded sources to compare against)",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from cbec.errors import UsageError
    from tasks.validate import validate_files
    from warehouse.ingest import check_customs_months
    from warehouse.vintage import VintageError, validate_vintage

    if args.vintage:
        try:
            validate_vintage(args.vintage)
        except VintageError as exc:
            raise UsageError(f"--vintage: {exc}") from None
    check = validate_files(
        args.files or None,
        context=not args.no_context,
        vintage=args.vintage,
        reader=args.reader,
    )
    for note in check_customs_months(
        check.raw.get("customs")
    ):  # a past year short of months: exit 3
        print(f"note: {note}")
    if args.json:
        print(json.dumps(check.to_dict(), ensure_ascii=False, indent=1, default=str))
    else:
        print(check.summary_markdown())
    if args.html:
        from expectations.report import write_html

        path = write_html(
            args.html,
            check.results,
            title="cbec validation report",
            subtitle=", ".join(check.files),
        )
        if not args.json:
            print(f"\nHTML report: {path}")
    return 0 if check.passed else 4
