"""`cbec crosseff`: cross-efficiency of the DMUs in your own CSV (METHODS §9.5–9.6):
arbitrary (Sexton et al. 1986), aggressive/benevolent (Doyle & Green 1994) or game
cross-efficiency (Liang, Wu, Cook & Zhu 2008).

Output columns: dmu, [period with --period: one cross-efficiency matrix per period], ccr (the rater's own DEA score: θ* ≤ 1 for input orientation, φ* ≥ 1 for
--orientation output; BCC under --rts vrs), cross_eff (mean appraisal, self included unless
--exclude-self), maverick ((E_jj − e_j)/e_j), status; --method game adds iterations and
converged. --orientation output (deaR "oo"): E_dj = (v_d'x_j + v0_d)/u_d'y_j ≥ 1, lower is
better. --rts vrs --correction lim-zhu: Lim & Zhu (2015) E_dj = u_d'y_j/(v_d'x_j + u0_d) ∈ [0, 1]
(METHODS §9.5.1).
--matrix writes the cross-efficiency matrix: one row per rating DMU d, one column per rated
DMU j (E_dj; for the game, α_dj at convergence)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cbec.commands._checks import dmu_names, finite_matrix, num, require_rows
from cbec.commands._common import (
    Progress,
    add_out,
    emit,
    numeric_matrix,
    read_table,
    require_columns,
    split_list,
)
from cbec.errors import InputError, NumericalError, UsageError

if TYPE_CHECKING:  # imported inside the functions: `cbec CMD --help` stays light
    pass

EXAMPLES = """examples (DEAP 2.1's EG1 data, Coelli 1996):
  printf 'firm,y,x1,x2\\nA,1,2,5\\nB,2,2,4\\nC,3,6,6\\nD,1,3,2\\nE,2,6,2\\n' > eg1.csv
  cbec crosseff eg1.csv --dmu firm --inputs x1,x2 --outputs y               # aggressive
  cbec crosseff eg1.csv --dmu firm --inputs x1,x2 --outputs y --method game --tol 1e-9 \\
      --matrix game_matrix.csv --out game.csv
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "crosseff",
        help="cross-efficiency and game cross-efficiency of the DMUs in a CSV",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="CSV, XLSX or Parquet file, one row per DMU")
    p.add_argument("--dmu", required=True, help="column naming the DMU")
    p.add_argument("--period", help="column with the period: cross-efficiency within each period")
    p.add_argument("--inputs", required=True, help="input columns, comma-separated")
    p.add_argument("--outputs", required=True, help="output columns, comma-separated")
    p.add_argument(
        "--method",
        choices=["arbitrary", "benevolent", "aggressive", "game"],
        default="aggressive",
        help="secondary goal (DEFAULT aggressive) or game cross-efficiency",
    )
    p.add_argument(
        "--dg-method", choices=["iii", "ii"], default="iii",
        help="Doyle & Green (1994) secondary-goal form for aggressive/benevolent: iii (DEFAULT; "
        "deaR M3) or ii (min/max the others' summed virtual output − input; deaR M2)",
    )  # fmt: skip
    p.add_argument("--rts", choices=["crs", "vrs"], default="crs", help="DEFAULT crs")
    p.add_argument(
        "--orientation", choices=["input", "output"], default="input", help="DEFAULT input"
    )
    p.add_argument(
        "--correction", choices=["none", "lim-zhu"], default="none",
        help="VRS input-oriented: Lim & Zhu (2015) correction (no negative cross-efficiencies)",
    )  # fmt: skip
    p.add_argument(
        "--exclude-self",
        action="store_true",
        help="average over the n−1 other raters (DEFAULT: self-appraisal included)",
    )
    p.add_argument("--tol", type=float, default=1e-6, help="game tolerance (DEFAULT 1e-6)")
    p.add_argument("--max-iter", type=int, default=1000, help="game iteration cap")
    p.add_argument(
        "--start",
        choices=["aggressive", "benevolent", "arbitrary", "ccr"],
        default="aggressive",
        help="game start vector (DEFAULT aggressive cross-efficiency)",
    )
    p.add_argument("--matrix", metavar="FILE.csv", help="write the rater × rated matrix here")
    add_out(
        p,
        digits_note="LP optima, exact to 1e-7 (HiGHS): --digits 6 keeps what the method guarantees",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import numpy as np

    inputs, outputs = split_list(args.inputs), split_list(args.outputs)
    if not inputs or not outputs:
        raise UsageError("give at least one --inputs and one --outputs column")
    if args.method == "game" and (args.rts != "crs" or args.orientation != "input"):
        raise UsageError(
            "game cross-efficiency is defined for CRS, input orientation (METHODS §9.6)"
        )
    correction = None if args.correction == "none" else args.correction
    if correction and (args.rts != "vrs" or args.orientation != "input"):
        raise UsageError("--correction lim-zhu applies to --rts vrs with input orientation")
    df = read_table(args.file)
    require_columns(df, [args.dmu, *([args.period] if args.period else []), *inputs, *outputs],
                    args.file)  # fmt: skip
    require_rows(df, args.file)
    names = dmu_names(df, args.dmu, args.file)
    X = numeric_matrix(df, inputs, args.file, id_col=args.dmu)
    Y = numeric_matrix(df, outputs, args.file, id_col=args.dmu)
    for mat, cols in ((X, inputs), (Y, outputs)):
        finite_matrix(df, mat, cols, args.file, args.dmu)
        bad = np.argwhere(mat <= 0)
        if bad.size:
            i, k = bad[0]
            raise InputError(
                f"column {cols[k]!r} has a non-positive value {num(mat[i, k])} "
                f"({args.dmu}={df[args.dmu][int(i)]}); cross-efficiency needs positive data",
                file=args.file,
                line=int(i) + 2,
            )
    periods = df[args.period].cast(str).to_list() if args.period else [None] * df.height
    groups: dict = {}
    for i, pv in enumerate(periods):
        groups.setdefault(pv, []).append(i)
    frames, mats = _periods(args, groups, names, X, Y, correction)
    import polars as pl

    out = pl.concat(frames)
    if args.matrix:
        _write_matrix(args, mats)
    _emit(args, out)
    return 0


def _periods(args: argparse.Namespace, groups: dict, names: list[str], X, Y, correction):
    """Cross-efficiency of each period group: (tables, [(period, names, matrix)]), with a
    bar per block of rating DMUs (the game has its own iteration ticker)."""
    frames, mats = [], []
    label = f"{args.method} cross-efficiency"
    quiet = args.quiet or args.method == "game"
    with Progress(label, total=len(names), unit="raters", quiet=quiet) as progress:
        for pv, rows in groups.items():
            gnames = [names[i] for i in rows]
            if len(set(gnames)) != len(gnames):
                dup = next(n for n in gnames if gnames.count(n) > 1)
                where = f" in period {pv}" if args.period else ""
                hint = (
                    "" if args.period else "; a panel? give --period COLUMN (one frontier a period)"
                )
                raise InputError(f"DMU {dup!r} appears more than once{where}: DMU names must be "
                                 f"unique{hint}", file=args.file)  # fmt: skip
            before = progress.done
            out, M = _one(X[rows], Y[rows], gnames, args, correction,
                          progress.part(before, len(rows)))  # fmt: skip
            progress.update(before + len(rows))
            if args.period:
                out = out.insert_column(1, pl_series("period", [pv] * len(rows)))
            frames.append(out)
            mats.append((pv, gnames, M))
    return frames, mats


def pl_series(name: str, values: list):
    import polars as pl

    return pl.Series(name, values, dtype=pl.Utf8)


def _one(X, Y, names: list[str], args: argparse.Namespace, correction, tick=None):
    """Cross-efficiency of one set of DMUs (one period): (table, rater × rated matrix);
    `tick` is the progress callback of measures.dea.crosseff."""
    import warnings

    import numpy as np
    import polars as pl

    from cbec.commands._game_eta import announce, iteration_note
    from measures.dea.crosseff import appraisal_scores, cross_efficiency
    from measures.dea.game import GameConvergenceError, game_cross_efficiency

    include_self = not args.exclude_self
    extra: dict = {}
    if args.method == "game":
        try:
            if not args.quiet:
                announce(X, Y, args.max_iter)
            with Progress("game cross-efficiency", quiet=args.quiet) as p:
                g = game_cross_efficiency(
                    X, Y, tol=args.tol, max_iter=args.max_iter, start=args.start,
                    progress=iteration_note(p),
                )  # fmt: skip
        except GameConvergenceError as exc:
            raise NumericalError(str(exc)) from exc
        M = g.alpha_matrix
        theta = g.theta
        scores = g.scores if include_self else appraisal_scores(M, False)
        status = np.full(len(names), g.status)
        extra = {"iterations": [g.iterations] * len(names), "converged": [g.converged] * len(names)}
        if not args.quiet:
            print(
                f"game converged in {g.iterations} iterations (max|Δα| = {g.trace[-1]:.2e})",
                file=sys.stderr,
            )
    else:
        secondary = "none" if args.method == "arbitrary" else args.method
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ce = cross_efficiency(
                X, Y, secondary=secondary, rts=args.rts, include_self=include_self,
                orientation=args.orientation, correction=correction, progress=tick,
                dg_method=1 if args.dg_method == "iii" else 2,
            )  # fmt: skip
        for w in caught:
            print(f"warning: {w.message}", file=sys.stderr)
        if ce.note:
            print(f"warning: {ce.note}", file=sys.stderr)
        M, theta, scores, status = ce.matrix, ce.theta, ce.scores, ce.status
    with np.errstate(divide="ignore", invalid="ignore"):
        mav = (np.diag(M) - scores) / scores
    out = pl.DataFrame(
        {"dmu": names, "ccr": theta, "cross_eff": scores, "maverick": mav,
         "status": list(status), **extra}
    )  # fmt: skip
    return out, M


def _write_matrix(args: argparse.Namespace, mats: list) -> None:
    import polars as pl

    from cbec.output.writers import write_csv

    parts = []
    for pv, names, M in mats:
        m = pl.DataFrame({"rater": names}).hstack(pl.DataFrame(M, schema=names, orient="row"))
        parts.append(
            m if pv is None else m.insert_column(0, pl_series("period", [pv] * len(names)))
        )
    mdf = pl.concat(parts, how="diagonal_relaxed")
    if args.matrix.lower().endswith(".xlsx"):
        from cbec.output.writers import write_xlsx

        write_xlsx({"matrix": mdf}, args.matrix, header=[f"cbec crosseff: {_method(args)}",
                   "rows: rating DMU d; columns: rated DMU j (E_dj)"])  # fmt: skip
    else:
        write_csv(mdf, args.matrix, bom=not args.no_bom, digits=args.digits)
    n = len(mats[0][1])
    print(f"wrote the {n}×{n} matrix to {args.matrix}", file=sys.stderr)


def _method(args: argparse.Namespace) -> str:
    if args.method == "game":
        return f"game cross-efficiency (Liang et al. 2008), tol {args.tol:g} (METHODS §9.6)"
    lz = ", Lim–Zhu correction" if args.correction != "none" else ""
    return (f"{args.method} cross-efficiency, {args.rts.upper()}, {args.orientation}-oriented"
            f"{lz} (METHODS §9.5)")  # fmt: skip


def _emit(args: argparse.Namespace, out) -> None:
    import polars as pl

    from cbec.output.summaries import EFFICIENT_TOL

    ce = out["cross_eff"]
    best = out.sort("cross_eff", descending=args.orientation == "input").head(5)
    summary = [("DMUs (rows)", out.height), ("mean ccr", out["ccr"].mean()),
               ("ccr efficient", out.filter((pl.col("ccr") - 1).abs() <= EFFICIENT_TOL).height),
               ("mean cross_eff", ce.mean()), ("min cross_eff", ce.min()),
               ("max cross_eff", ce.max()),
               ("best by cross_eff", ", ".join(best["dmu"].to_list()))]  # fmt: skip
    if "period" in out.columns:
        summary.append(("periods", out["period"].n_unique()))
    emit(args, {"results": out}, method=_method(args), summary=summary,
         formats={"ccr": "0.000000", "cross_eff": "0.000000", "maverick": "0.000000"})  # fmt: skip
