"""`cbec report`: one self-contained HTML file with the charts of a published run.

The file opens offline (no CDN, no external URL): charts are drawn as SVG when the report is
written, and every chart has a caption and a "download CSV" link for the table behind it.
"""

from __future__ import annotations

import argparse

EXAMPLES = """examples:
  cbec report                                  # newest published refresh run → report.html
  cbec report --out var/report.html            # choose the output file
  cbec report --run 20260301T120000-ab12cd     # a given run (a unique prefix is enough)
  cbec report --db /tmp/w.duckdb --out /tmp/w.html

exit codes: 0 written; 2 unknown or ambiguous --run; 3 no warehouse / no published run.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write an offline HTML report (charts, lineage, CSV downloads) of a run",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--run", metavar="ID", help="run id or unique prefix (default: newest refresh)")
    p.add_argument("--out", default="report.html", metavar="FILE.html", help="default report.html")
    p.add_argument("--db", help="warehouse file (default var/cbec.duckdb or $CBEC_DB)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from cbec.errors import InputError, UsageError
    from cbec.report import RunNotFound, write_report

    try:
        out, rid = write_report(args.db, args.run, args.out)
    except FileNotFoundError as exc:
        raise InputError(
            "no warehouse here; `cbec run` (or `cbec run --db FILE`) creates one", file=str(exc)
        ) from exc
    except ValueError as exc:  # ambiguous run id prefix
        raise UsageError(f"{exc}; give more characters of the run id") from exc
    except RunNotFound as exc:
        if args.run:
            raise UsageError(f"{exc}; `cbec runs` lists the run ids") from exc
        raise InputError(f"{exc}; `cbec run` publishes one") from exc
    size = out.stat().st_size / 1024
    print(f"wrote {out} ({size:.0f} KiB) for run {rid}; open it in any browser, no network needed")
    return 0
