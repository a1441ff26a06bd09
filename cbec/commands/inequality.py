"""`cbec inequality`: inequality of a variable across the rows of your own CSV/XLSX/Parquet
file (METHODS §5), like PySAL's `inequality` or Stata's `ineqdeco`.

Output: long rows `period, measure, value`. Measures: cv, gini, theil_t, theil_l (unweighted);
with --weight also cv_weighted (Williamson), gini_weighted, theil_t_weighted, theil_l_weighted
(population-weighted forms); with --group, for each Theil variant X: X_between, X_within,
X_between_share, X_within_share and per group X_within_group:<group>,
X_within_group_contrib:<group>; and Dagum's (1997) decomposition (units unweighted):
dagum_g, dagum_gw, dagum_gnb, dagum_gt, their _share, dagum_gjj:<group>,
dagum_gjh:<richer>|<poorer>, dagum_djh:<richer>|<poorer> (relative economic affluence D_jh),
dagum_d_gross:<richer>|<poorer> (d_jh), dagum_p_trans:<richer>|<poorer> (p_jh),
dagum_pj:<group> (population share), dagum_sj:<group> (income share).
Values must be ≥ 0 with a positive mean (CV, Gini and Theil T are defined for y ≥ 0); Theil L
needs every value > 0: with a zero its rows are NaN and a note says so (METHODS §5).
--small-sample multiplies the Gini by n/(n−1); --ddof sets the CV's degrees of freedom."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cbec.commands._checks import num
from cbec.commands._common import add_out, numeric_matrix, read_table, require_columns
from cbec.errors import InputError

if TYPE_CHECKING:  # imported inside the functions: `cbec CMD --help` stays light
    import numpy as np
    import polars as pl

EXAMPLES = """examples (PySAL's Mexico per-capita GDP example has the same layout):
  printf 'state,region,pop,gdppc\\nA,east,10,30\\nB,east,20,25\\nC,west,15,10\\nD,west,5,12\\n' > r.csv
  cbec inequality r.csv --value gdppc
  cbec inequality r.csv --value gdppc --weight pop --group region --out ineq.csv
  cbec inequality panel.csv --value gdp_pc --weight population --group nbs_region --period year
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inequality",
        help="CV, Gini, Theil (with group decomposition) and Dagum's Gini decomposition",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="CSV, XLSX or Parquet file, one row per unit (and period)")
    p.add_argument("--value", required=True, help="the variable (e.g. per-capita GDP)")
    p.add_argument("--weight", help="population weights (weighted CV, Gini and Theil)")
    p.add_argument("--group", help="group column (region): Theil between/within and Dagum")
    p.add_argument("--period", help="period column: one cross-section per period")
    p.add_argument("--small-sample", action="store_true",
                   help="Gini × n/(n−1) (the unbiased small-sample form; DEFAULT off)")  # fmt: skip
    p.add_argument("--ddof", type=int, choices=[0, 1], default=0,
                   help="CV standard deviation ddof (DEFAULT 0, population σ)")  # fmt: skip
    add_out(p, digits_note="closed form: every digit is exact to float precision")
    p.set_defaults(handler=handle)


def _check(df: pl.DataFrame, v: np.ndarray, col: str, file: str, strict: bool) -> None:
    import numpy as np

    bad = np.flatnonzero(v <= 0) if strict else np.flatnonzero(v < 0)
    if bad.size:
        i = int(bad[0])
        need = "> 0 (Theil L)" if strict else "≥ 0"
        raise InputError(f"column {col!r} has the value {num(v[i])}; inequality needs values "
                         f"{need}", file=file, line=i + 2)  # fmt: skip


def handle(args: argparse.Namespace) -> int:
    import polars as pl

    from measures.inequality import inequality_long

    df = read_table(args.file)
    cols = [args.value, *(c for c in (args.weight, args.group, args.period) if c)]
    require_columns(df, cols, args.file)
    y = numeric_matrix(df, [args.value], args.file)[:, 0]
    _check(df, y, args.value, args.file, strict=False)
    if not y.mean() > 0:
        raise InputError(f"column {args.value!r} has mean 0: inequality is undefined",
                         file=args.file)  # fmt: skip
    if (y == 0).any():
        import sys

        print(f"note: {int((y == 0).sum())} value(s) of 0: Theil L (and its decomposition) "
              "needs y > 0 and is NaN; CV, Gini and Theil T are computed", file=sys.stderr)  # fmt: skip
    if args.weight:
        w = numeric_matrix(df, [args.weight], args.file)[:, 0]
        _check(df, w, args.weight, args.file, strict=False)
    for c in (args.group, args.period):
        if c and df[c].null_count():
            i = int(df[c].is_null().arg_true()[0])
            raise InputError(f"column {c!r} is empty", file=args.file, line=i + 2)
    d = df.select(cols).with_columns(pl.Series(args.value, y))
    if args.weight:
        d = d.with_columns(pl.Series(args.weight, w))
    try:
        out = inequality_long(d, args.value, weight=args.weight, group=args.group,
                              period=args.period, ddof=args.ddof,
                              small_sample=args.small_sample, l_nonpositive="nan")  # fmt: skip
    except ValueError as exc:
        raise InputError(str(exc), file=args.file) from exc
    out = out.select(
        pl.col("period").cast(pl.Utf8),
        pl.when(pl.col("group").is_null())
        .then(pl.col("measure"))
        .otherwise(pl.col("measure") + ":" + pl.col("group"))
        .alias("measure"),
        "value",
    )
    from cbec.commands._common import emit

    wide = out.filter(pl.col("measure").is_in(["cv", "gini", "theil_t", "theil_l"]))
    summary = [(f"{m}{'' if p is None else f' {p}'}", v) for p, m, v in wide.head(40).iter_rows()]
    emit(args, {"results": out}, summary=summary, units=f"{args.value}: as in the input file",
         method="inequality: CV, Gini, Theil T/L" + (", Dagum Gini decomposition" if args.group
                                                      else "") + " (METHODS §5)",
         formats={"value": "0.000000"})  # fmt: skip
    return 0
