"""`cbec coupling`: coupling degree C, coordination index T, coupling coordination degree D,
its ten-level grade and the lagging type for each row of your own CSV/XLSX/Parquet file
(METHODS §6), like R's `coupling::ccd`.

Input: one column per subsystem score U_i ∈ [0, 1] (e.g. from `cbec entropy`), 2 or more.
Output columns: id, [period with --period], c, t, d, grade, lag_type, then c_model, c_traditional, c_wang (both C forms
always, METHODS §6.1), grade_label, stage (coupling stage of c), e (U2/U1) and label
("<grade>—<lagging subsystem>滞后型"). c is the traditional C = geometric mean /
arithmetic mean (DEFAULT), the corrected form of Wang et al. (2021, 自然资源学报 36(3)), or
Liao's (1999) power form {U1·U2/[(U1 + U2)/2]²}^k (--model liao --k K, two subsystems);
t = Σ α_i U_i (equal α by default); d = sqrt(c·t); grade 1..10 with intervals (lower, upper]
(1 极度失调 … 10 优质协调); lag_type for two subsystems from E = U2/U1 (U1 = the first listed):
E ≤ 0.8 "<U2> lagging", 0.8 < E ≤ 1.2 "synchronous", E > 1.2 "<U1> lagging"; empty for n > 2."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cbec.commands._checks import num
from cbec.commands._common import add_out, numeric_matrix, read_table, require_columns, split_list
from cbec.errors import InputError, UsageError

if TYPE_CHECKING:  # imported inside the functions: `cbec CMD --help` stays light
    pass

EXAMPLES = """examples:
  printf 'province,cbec,logistics\\nA,0.6,0.6\\nB,0.8,0.2\\nC,0.1,0.5\\n' > u.csv
  cbec coupling u.csv --id province --subsystems cbec,logistics      # A: c = 1, d = 0.775, grade 8
  cbec coupling u.csv --id province --subsystems cbec,logistics --model corrected
  cbec coupling u3.csv --id province --subsystems cbec,logistics,industry --weights 0.4,0.3,0.3 \\
      --out ccd.csv
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "coupling",
        help="coupling coordination degree of 2 or more subsystem scores in a CSV",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="CSV, XLSX or Parquet file, one row per unit (and period)")
    p.add_argument("--id", required=True, help="column naming the row (province, or province-year)")
    p.add_argument(
        "--period", help="column with the period (year): kept in the output, (id, period) unique"
    )
    p.add_argument("--subsystems", required=True, help="subsystem score columns, U1 first")
    p.add_argument(
        "--weights", help="coordination weights α, comma-separated, one per subsystem (sum 1)"
    )
    p.add_argument(
        "--model",
        choices=["traditional", "corrected", "liao"],
        default="traditional",
        help="traditional (DEFAULT) | corrected (Wang et al. 2021) | liao (power-k, n = 2)",
    )
    p.add_argument("--k", type=float, default=2.0,
                   help="Liao's adjustment coefficient k for --model liao (DEFAULT 2)")  # fmt: skip
    add_out(p, digits_note="closed form: every digit is exact to float precision")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import numpy as np
    import polars as pl

    from measures.coupling import coupling_frame

    subs = split_list(args.subsystems)
    if len(subs) < 2:
        raise UsageError("--subsystems needs at least 2 columns (coupling of n = 1 is undefined)")
    if len(set(subs)) != len(subs):
        raise UsageError("a subsystem is listed twice in --subsystems")
    alpha = None
    if args.weights:
        try:
            alpha = [float(v) for v in split_list(args.weights)]
        except ValueError:
            raise UsageError(f"--weights must be numbers, got {args.weights!r}") from None
        if len(alpha) != len(subs) or min(alpha) < 0 or abs(sum(alpha) - 1) > 1e-9:
            raise UsageError(
                f"--weights needs {len(subs)} values ≥ 0 summing to 1, got {args.weights!r}"
            )
    df = read_table(args.file)
    keys = [args.id, *([args.period] if args.period else [])]
    require_columns(df, [*keys, *subs], args.file)
    _unique_rows(df, keys, args)
    U = numeric_matrix(df, subs, args.file, id_col=args.id)
    bad = np.argwhere((U < 0) | (U > 1))
    if bad.size:
        i, k = (int(v) for v in bad[0])
        raise InputError(
            f"column {subs[k]!r} has the value {num(U[i, k])} ({args.id}={df[args.id][i]}); "
            "subsystem scores must lie in [0, 1]",
            file=args.file,
            line=i + 2,
        )
    d = df.select(keys).with_columns(pl.from_numpy(U, schema=subs))
    model = {"traditional": "traditional", "corrected": "wang2021", "liao": "liao_k"}[args.model]
    if model == "liao_k" and len(subs) != 2:
        raise UsageError("--model liao is defined for 2 subsystems")
    if not args.k > 0:
        raise UsageError("--k must be positive")
    f = coupling_frame(d, subs, keep=keys, weights=alpha, model=model, k=args.k)
    period = [pl.col(args.period).alias("period")] if args.period else []
    out = f.select(pl.col(args.id).cast(pl.Utf8).alias("id"), *period, "c", "t", "d", "grade",
                   "lag_type", "c_model", "c_traditional", "c_wang", "grade_label", "stage", "e",
                   "label")  # fmt: skip
    _emit(args, out, subs)
    return 0


def _unique_rows(df, keys: list[str], args: argparse.Namespace) -> None:
    """With --period, (id, period) is a key; without it a repeated id is allowed (each row is
    computed alone) but a note suggests --period."""
    import sys

    import polars as pl

    dup = df.select(~pl.struct(keys).is_first_distinct()).to_series()
    if not dup.any():
        return
    i = int(dup.arg_true()[0])
    if args.period:
        raise InputError(f"{' / '.join(keys)} {df[args.id][i]!r} / {df[args.period][i]!r} appears "
                         "more than once", file=args.file, line=i + 2)  # fmt: skip
    print(f"note: {args.id} {df[args.id][i]!r} appears more than once (line {i + 2}); a panel? "
          "--period COLUMN keeps the period in the output", file=sys.stderr)  # fmt: skip


def _emit(args: argparse.Namespace, out, subs: list[str]) -> None:
    from cbec.commands._common import emit

    grades = out.group_by("grade", "grade_label").len().sort("grade")
    lag = out.group_by("lag_type").len().sort("len", descending=True)
    summary = [("rows", out.height), ("subsystems", ", ".join(subs)),
               ("mean c", out["c"].mean()), ("mean t", out["t"].mean()),
               ("mean d", out["d"].mean()), ("min d", out["d"].min()), ("max d", out["d"].max()),
               ("grades", ", ".join(f"{g} {lab} {n}" for g, lab, n in grades.iter_rows())),
               ("lagging type", ", ".join(f"{k or '–'} {n}" for k, n in lag.iter_rows()))]  # fmt: skip
    emit(args, {"results": out}, summary=summary,
         method=f"coupling coordination degree, {args.model} C (METHODS §6)",
         formats={k: "0.000000" for k in ("c", "t", "d", "c_model", "c_traditional", "c_wang", "e")})  # fmt: skip
