"""`cbec malmquist`: Malmquist productivity index of the DMUs in your own panel CSV
(METHODS §9.7; CC-Malmquist on game cross-efficiency §9.8 with --cross-efficiency).

One row per DMU and period in the file. Output: one row per DMU and pair of consecutive
periods with columns dmu, period_from, period_to, mi, ec, tc, pec, sec, status
(mi = ec × tc, ec = pec × sec; > 1 means growth in both orientations);
--cross-efficiency adds cc_mi, ec_cc, tc_cc, cc_status; --cumulative adds cum_<index>
(chained from the first period). The DEAP-style geometric-mean summaries by period and by
DMU are printed to stderr, or written with --summary FILE.csv.

Frontiers: adjacent (DEFAULT, Färe et al. 1994), fixed (base = first period, Berg et al.
1992; tc is the remaining ratio mi/ec), global (Pastor & Lovell 2005; tc is the
best-practice gap change), sequential (Shestalova 2003). Decompositions: fgnz (DEFAULT,
DEAP: tc = mi/ec, sec = ec/pec) or rd (Ray & Desli 1997: tc = VRS technical change,
sec = scale change, ec = pec × sec). VRS cross-period LPs (rd only) can be infeasible:
status "infeasible" with NaN (DEFAULT), or --infeasible global|drop.

Green productivity (METHODS §9.10): --index ml (Malmquist–Luenberger, Chung et al. 1997) or
--index luenberger (Chambers et al. 1996) on directional distance functions with
--bad-outputs (e.g. CO2); --frontier adjacent (contemporaneous, geometric mean of the two
adjacent technologies), global (Oh 2010) or sequential; --direction output (DEFAULT
g = (0, y, b), as gtfpch) | full (x, y, b) | input; --nonradial (Luenberger only) with
--weights; --bad-disposability weak (DEFAULT) | strong. Output columns: dmu, period_from,
period_to, index, tfpch, ec, tc (ML: tfpch = ec × tc > 1 is growth; Luenberger: tfpch =
ec + tc > 0 is growth), d_from, d_to (the own-period DDFs), status.

Periods are ordered numerically when they are numbers and naturally when they are text
("y9" before "y10", "2019Q4" before "2020Q1"); the order used is printed. --period-order
a,b,c gives it explicitly.

The panel must be balanced and strictly positive: a missing DMU-period, a duplicate,
an empty cell or a value ≤ 0 is an error naming the DMU and period (exit code 3), unless
--drop-unbalanced or --zero-replace VALUE says how to treat it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cbec.commands._checks import require_rows
from cbec.commands._common import (
    Progress,
    add_out,
    emit,
    read_frame,
    require_columns,
    split_list,
)
from cbec.errors import InputError, NumericalError, UsageError
from cbec.frame import Frame, row_line, typed_values
from measures.periods import order_periods

if TYPE_CHECKING:  # imported inside the functions: `cbec CMD --help` stays light
    from measures.malmquist import MalmquistResult

EXAMPLES = """examples (DEAP 2.1's EG4 data, Coelli 1996: 5 firms, 3 years, 1 input, 1 output):
  printf 'firm,year,y,x\\n1,1,1,2\\n2,1,2,4\\n3,1,3,3\\n4,1,4,5\\n5,1,5,6\\n1,2,1,2\\n2,2,3,4\\n3,2,4,3\\n4,2,3,5\\n5,2,5,5\\n1,3,1,2\\n2,3,3,4\\n3,3,4,3\\n4,3,3,5\\n5,3,5,5\\n' > eg4.csv
  cbec malmquist eg4.csv --dmu firm --period year --inputs x --outputs y --orientation output
  cbec malmquist eg4.csv --dmu firm --period year --inputs x --outputs y --frontier global \\
      --decomposition rd --cross-efficiency --out malmquist.csv --summary summary.csv
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "malmquist",
        help="Malmquist productivity index (FGNZ/Ray–Desli, CC-Malmquist) of a panel CSV",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="CSV, XLSX or Parquet file, one row per DMU and period")
    p.add_argument("--dmu", required=True, help="column naming the DMU")
    p.add_argument("--period", required=True, help="column with the period (sorted ascending)")
    p.add_argument("--inputs", required=True, help="input columns, comma-separated")
    p.add_argument("--outputs", required=True, help="output columns, comma-separated")
    p.add_argument(
        "--orientation", choices=["input", "output"], default="input", help="DEFAULT input"
    )
    p.add_argument(
        "--frontier",
        choices=["adjacent", "fixed", "global", "sequential"],
        default="adjacent",
        help="reference technology (DEFAULT adjacent)",
    )
    p.add_argument(
        "--base",
        default=None,
        help="base period for --frontier fixed (DEFAULT: the first period)",
    )
    p.add_argument(
        "--decomposition", choices=["fgnz", "rd"], default="fgnz", help="DEFAULT fgnz (DEAP)"
    )
    p.add_argument(
        "--infeasible",
        choices=["nan", "global", "drop"],
        default="nan",
        help="infeasible VRS cross-period LPs: NaN (DEFAULT), recompute against the global "
        "frontier, or leave out of the averages",
    )
    p.add_argument(
        "--cross-efficiency",
        action="store_true",
        help="add CC-Malmquist on game cross-efficiency (cc_mi, ec_cc, tc_cc)",
    )
    p.add_argument("--game-tol", type=float, default=1e-6, help="game tolerance (DEFAULT 1e-6)")
    p.add_argument("--cumulative", action="store_true", help="add chained cum_<index> columns")
    p.add_argument(
        "--drop-unbalanced",
        action="store_true",
        help="drop DMUs not observed in every period (DEFAULT: error)",
    )
    p.add_argument(
        "--zero-replace",
        type=float,
        default=None,
        metavar="VALUE",
        help="replace zero inputs/outputs by VALUE > 0 (DEFAULT: error)",
    )
    p.add_argument("--summary", metavar="FILE.csv", help="write the geometric-mean summaries here")
    p.add_argument(
        "--period-order", help="periods in time order, comma-separated (DEFAULT: natural)"
    )
    _green_options(p)
    p.add_argument("--jobs", type=int, default=1,
                   help="threads for the LPs (DEFAULT 1, fastest on 2 cores)")  # fmt: skip
    add_out(
        p,
        digits_note="ratios of LP optima, exact to about 1e-7: --digits 6 keeps what the method guarantees",
    )
    p.set_defaults(handler=handle)


def _green_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("green productivity (METHODS §9.9–9.10)")
    g.add_argument(
        "--index", choices=["malmquist", "ml", "luenberger"], default="malmquist",
        help="malmquist (DEFAULT, radial, no bad outputs) | ml (Malmquist–Luenberger) | "
        "luenberger; ml and luenberger need --bad-outputs",
    )  # fmt: skip
    g.add_argument("--bad-outputs", help="undesirable output columns (e.g. CO2), comma-separated")
    g.add_argument("--direction", choices=["output", "full", "input"], default="output",
                   help="DDF direction: (0, y, b) DEFAULT | (x, y, b) | (x, 0, 0)")  # fmt: skip
    g.add_argument("--nonradial", action="store_true", help="non-radial DDF (Luenberger only)")
    g.add_argument("--weights", help="non-radial weights: inputs, outputs, bad outputs")
    g.add_argument(
        "--rts", choices=["crs", "vrs"], default="crs", help="DDF technology (DEFAULT crs)"
    )
    g.add_argument("--bad-disposability", choices=["weak", "strong"], default="weak",
                   help="weak (DEFAULT, Σλb = b − βg_b) | strong (≤)")  # fmt: skip


def handle(args: argparse.Namespace) -> int:
    inputs, outputs = split_list(args.inputs), split_list(args.outputs)
    if not inputs or not outputs:
        raise UsageError("give at least one --inputs and one --outputs column")
    if args.zero_replace is not None and not args.zero_replace > 0:
        raise UsageError("--zero-replace needs a positive value")
    df = read_frame(args.file)
    require_columns(df, [args.dmu, args.period, *inputs, *outputs], args.file)
    require_rows(df, args.file)
    df = df.with_column(args.period, typed_values(df[args.period]))  # 2019 is a number
    explicit = split_list(args.period_order) or None
    try:
        periods = order_periods(df[args.period], explicit)
    except ValueError as exc:
        raise InputError(f"--period-order: {exc}", file=args.file) from exc
    print(f"periods in order: {', '.join(map(str, periods))}"
          f" ({'as given by --period-order' if explicit else 'natural order'})", file=sys.stderr)  # fmt: skip
    if args.index != "malmquist" or args.bad_outputs:
        return _green(args, df, inputs, outputs, explicit)
    base = 0
    if args.base is not None:
        if args.frontier != "fixed":
            raise UsageError("--base only applies to --frontier fixed")
        labels = [str(v) for v in periods]
        if args.base not in labels:
            raise UsageError(f"--base {args.base!r} is not a period of the file: {labels}")
        base = labels.index(args.base)
    res = _run(args, df, inputs, outputs, base, explicit)
    for note in res.notes:
        print(f"note: {note}", file=sys.stderr)
    for case in res.infeasible_cases[:20]:
        print(
            f"  {case['dmu']} {case['period_from']}→{case['period_to']}: {case['lps']}",
            file=sys.stderr,
        )
    if res.n_infeasible > 20:
        print(f"  … and {res.n_infeasible - 20} more", file=sys.stderr)
    if res.cc is not None:
        print(
            f"CC-Malmquist: {res.cc.lp_count} game LPs, game iterations per period "
            f"{res.cc.game_iterations}",
            file=sys.stderr,
        )
    out = Frame(res.table_columns(cumulative=args.cumulative))
    _emit(args, out, res)
    return 0


def _run(args: argparse.Namespace, df: Frame, inputs: list[str], outputs: list[str],
         base: int, explicit: list[str] | None):  # fmt: skip
    """malmquist_panel with a progress bar over its radial LPs (per block of DMUs, with an
    ETA) and the CC-Malmquist steps on its note; data errors named by file/line."""
    from measures.dea.game import GameConvergenceError
    from measures.malmquist import PanelDataError, malmquist_panel

    label = f"Malmquist ({args.frontier}, {args.decomposition})"
    try:
        with Progress(label, unit="LPs", quiet=args.quiet) as progress:
            radial, cc_steps = _callbacks(progress, args.cross_efficiency)
            return malmquist_panel(
                df, dmu=args.dmu, period=args.period, inputs=inputs, outputs=outputs,
                unbalanced="drop_dmus" if args.drop_unbalanced else "raise",
                zero_replace=args.zero_replace, orientation=args.orientation,
                frontier=args.frontier, decomposition=args.decomposition, base=base,
                infeasible=args.infeasible, cross_efficiency=args.cross_efficiency,
                game_tol=args.game_tol, n_jobs=args.jobs, period_order=explicit,
                progress=radial, cc_progress=cc_steps,
            )  # fmt: skip
    except PanelDataError as exc:
        line = None if exc.row is None else row_line(df, int(exc.row))
        raise InputError(str(exc), file=args.file, line=line) from exc
    except GameConvergenceError as exc:
        raise NumericalError(f"game cross-efficiency: {exc}") from exc
    except ValueError as exc:
        raise InputError(str(exc), file=args.file) from exc


def _callbacks(progress: Progress, cc: bool):
    """(radial, cc) callbacks of the bar: the radial LPs per block; with --cross-efficiency the
    note then says the CC-Malmquist game runs and counts its games and pairs, with an ETA from
    the time since the radial LPs ended."""
    import time

    from cbec.commands._progress import eta_text

    cc_start: list[float] = []

    def radial(done: int, total: int) -> None:
        progress.update(done, total)
        if cc and done >= total:
            progress.note = "CC-Malmquist game cross-efficiency …"
            cc_start[:] = cc_start or [time.perf_counter()]

    def steps(done: int, total: int) -> None:
        start = cc_start[0] if cc_start else time.perf_counter()
        eta = eta_text(time.perf_counter() - start, done, total)
        progress.note = f"CC-Malmquist game cross-efficiency {done}/{total} steps" + (
            f"  {eta}" if eta else ""
        )

    return radial, (steps if cc else None)


def _emit(args: argparse.Namespace, out: Frame, res: MalmquistResult) -> None:
    """Results, then DEAP's summaries of annual and of DMU (firm) geometric means."""
    from cbec.output.summaries import labelled_means
    from cbec.output.writers import write_csv

    if args.summary:
        table = Frame(res.summary_columns())
        write_csv(table, args.summary, bom=not args.no_bom, digits=args.digits)
        print(f"wrote {table.height} summary rows to {args.summary}", file=sys.stderr)

    annual = labelled_means(res.by_period_columns(), "period")
    firms = labelled_means(res.by_dmu_columns(), "dmu")
    overall = annual.row(annual.height - 1, named=True)
    comps = [c for c in annual.columns if c not in ("period", "n")]
    summary = [("DMUs", firms.height - 1), ("periods", len(res.periods)),
               *((f"geometric mean {c}", overall[c]) for c in comps)]  # fmt: skip
    method = (f"Malmquist index, {args.frontier} frontier, {args.decomposition.upper()} "
              f"decomposition, {args.orientation}-oriented (METHODS §9.7)")  # fmt: skip
    sheets = {"results": out, "annual means": annual, "DMU means": firms}
    emit(args, {"results": out}, method=method, summary=summary, sheets=sheets,
         formats={c: "0.000000" for c in comps})  # fmt: skip
    if not (args.quiet or args.json):
        from cbec.output.terminal import table_text

        print("\nannual means (geometric mean over DMUs of each period pair)")
        print(table_text(annual, keep=1))
        print("\nDMU means (geometric mean over period pairs of each DMU)")
        print(table_text(firms, keep=1))


def _green(args: argparse.Namespace, df: Frame, inputs, outputs, explicit) -> int:
    """--index ml|luenberger with --bad-outputs (measures.green_tfp)."""
    from measures.green_tfp import green_tfp_panel
    from measures.malmquist import PanelDataError

    bads = split_list(args.bad_outputs)
    if args.index == "malmquist" or not bads:
        raise UsageError("bad outputs need --index ml or luenberger, and those need --bad-outputs")
    if args.frontier == "fixed" or args.cross_efficiency or args.decomposition != "fgnz":
        raise UsageError("--index ml/luenberger support --frontier adjacent|global|sequential "
                         "(no --base, --cross-efficiency or --decomposition rd)")  # fmt: skip
    if args.nonradial and args.index == "ml":
        raise UsageError("--nonradial needs --index luenberger (ML uses the radial DDF)")
    require_columns(df, bads, args.file)
    weights = None
    if args.weights:
        try:
            weights = [float(v) for v in split_list(args.weights)]
        except ValueError:
            raise UsageError(f"--weights must be numbers, got {args.weights!r}") from None
    tech = {"adjacent": "contemporaneous", "global": "global", "sequential": "sequential"}
    try:
        label = f"{args.index} index with bad outputs"
        with Progress(label, unit="DDF LPs", quiet=args.quiet) as progress:
            res = green_tfp_panel(
                df, dmu=args.dmu, period=args.period, inputs=inputs, outputs=outputs,
                bad_outputs=bads, unbalanced="drop_dmus" if args.drop_unbalanced else "raise",
                zero_replace=args.zero_replace, period_order=explicit,
                index="ml" if args.index == "ml" else "luenberger", technology=tech[args.frontier],
                nonradial=args.nonradial, weights=weights, direction=args.direction, rts=args.rts,
                bad=args.bad_disposability, progress=progress.update,
            )  # fmt: skip
    except PanelDataError as exc:
        line = None if exc.row is None else row_line(df, int(exc.row))
        raise InputError(str(exc), file=args.file, line=line) from exc
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    for note in res.notes:
        print(f"note: {note}", file=sys.stderr)
    idx = "Malmquist–Luenberger" if args.index == "ml" else "Luenberger"
    emit(args, {"results": res.table()}, method=f"{idx} index with bad outputs, {args.frontier} "
         "frontier (METHODS §9.9–9.10)")  # fmt: skip
    return 0
