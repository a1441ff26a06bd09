"""`cbec entropy`: entropy weights (熵权法) and a composite score per row of your own
CSV/XLSX/Parquet file (METHODS §4).

Output: one row per input row with the id, the period (when --period is given) and `score`
= Σ_j w_j z'_ij (min–max standardised, shifted by ε = 1e-4; --shift rescale maps z to [a, b]
instead, --shift none keeps z). The weights table (indicator,
direction, weight, entropy, divergence, constant; per period with --scope by_year) is printed;
with --out it is also written next to the scores as <name>_weights.<ext>.
A leading minus marks a negative (cost) indicator: write `--indicators=A,B,-C` (with "=")
when the list starts with a minus so that it is not read as an option."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from cbec.commands._common import add_out, numeric_matrix, read_table, require_columns, split_list
from cbec.errors import InputError, UsageError

if TYPE_CHECKING:  # imported inside the functions: `cbec CMD --help` stays light
    pass

EXAMPLES = """examples:
  printf 'city,gdp,trade,pollution\\nA,10,5,3\\nB,20,8,6\\nC,15,2,1\\nD,30,9,8\\n' > ind.csv
  cbec entropy ind.csv --id city --indicators gdp,trade,-pollution
  cbec entropy panel.csv --id province --period year --indicators=-energy,gdp,express \\
      --scope by_year --out scores.csv          # also writes scores_weights.csv
  cbec entropy ind.csv --id city --indicators gdp,trade --normalise sum   # classical MCDM form
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "entropy",
        help="entropy weights and composite scores of indicators in a CSV",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="CSV, XLSX or Parquet file, one row per unit (and period)")
    p.add_argument("--id", required=True, help="column naming the unit (province, city, firm …)")
    p.add_argument(
        "--indicators",
        required=True,
        help="indicator columns, comma-separated; a leading minus marks a negative indicator",
    )
    p.add_argument("--period", help="column with the period (year)")
    p.add_argument(
        "--normalise",
        choices=["minmax", "sum"],
        default="minmax",
        help="minmax (DEFAULT; negative indicators reversed) | sum (x ≥ 0, not reversed)",
    )
    p.add_argument(
        "--scope",
        choices=["pooled", "by_year"],
        default="pooled",
        help="pooled (DEFAULT: one weight vector over all rows, time-entropy) | by_year "
        "(weights per --period value)",
    )
    p.add_argument(
        "--shift", choices=["add", "rescale", "none"], default="add",
        help="after min–max: add ε (DEFAULT, --epsilon) | rescale to [a, b] (--rescale) | none "
        "(zeros then carry no entropy information; METHODS §4.1)",
    )  # fmt: skip
    p.add_argument("--epsilon", type=float, default=1e-4, help="ε for --shift add (DEFAULT 1e-4)")
    p.add_argument("--rescale", default="0.01,0.99", metavar="A,B",
                   help="target interval for --shift rescale (DEFAULT 0.01,0.99)")  # fmt: skip
    add_out(p)
    p.set_defaults(handler=handle)


def weights_path(out: str) -> str:
    p = Path(out)
    return str(p.with_name(f"{p.stem}_weights{p.suffix or '.csv'}"))


def handle(args: argparse.Namespace) -> int:
    import polars as pl

    from measures.entropy import ConstantIndicatorWarning, entropy_index, parse_indicators

    spec = split_list(args.indicators)
    if not spec:
        raise UsageError("give at least one --indicators column")
    names, dirs = parse_indicators(spec)
    if len(set(names)) != len(names):
        raise UsageError("an indicator is listed twice in --indicators")
    if args.scope == "by_year" and not args.period:
        raise UsageError("--scope by_year needs --period")
    try:
        a, b = (float(v) for v in args.rescale.split(","))
    except ValueError:
        raise UsageError(f"--rescale needs two numbers A,B, got {args.rescale!r}") from None
    if not (0 <= a < b) or not args.epsilon > 0:
        raise UsageError("--rescale needs 0 ≤ A < B and --epsilon must be > 0")
    df = read_table(args.file)
    require_columns(df, [args.id, *names, *([args.period] if args.period else [])], args.file)
    x = numeric_matrix(df, names, args.file, id_col=args.id)
    if args.normalise == "sum" and (x < 0).any():
        i = int((x < 0).any(axis=1).argmax())
        raise InputError(
            f"--normalise sum needs non-negative values ({args.id}={df[args.id][i]})",
            file=args.file,
            line=i + 2,
        )
    keys = [args.id, *([args.period] if args.period else [])]
    dup = df.select(~pl.struct(keys).is_first_distinct()).to_series()
    if dup.any():
        i = int(dup.arg_true()[0])
        raise InputError(f"{' / '.join(keys)} {df.row(i, named=True)[args.id]!r} appears more "
                         "than once", file=args.file, line=i + 2)  # fmt: skip
    d = df.select(*keys).with_columns(pl.from_numpy(x, schema=names))
    groups = d.group_by(args.period).len() if args.scope == "by_year" else None
    if d.height < 2 or (groups is not None and groups["len"].min() < 2):
        raise InputError("entropy weights need at least 2 rows (per period with --scope by_year)",
                         file=args.file)  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            weights, scores = entropy_index(
                d,
                list(zip(names, dirs, strict=True)),
                id_cols=args.id,
                period=args.period,
                scope=args.scope,
                normalise=args.normalise,
                shift=args.shift,
                epsilon=args.epsilon,
                rescale=(a, b),
            )
        except ValueError as exc:
            raise InputError(str(exc), file=args.file) from exc
    for c in caught:
        if issubclass(c.category, (ConstantIndicatorWarning, UserWarning)):
            print(f"warning: {c.message}", file=sys.stderr)
    weights = weights.drop("n_obs")
    if args.period:
        weights = weights.rename({args.period: "period"}) if args.period in weights.columns \
            else weights  # fmt: skip
    with pl.Config(tbl_rows=200, tbl_cols=20, tbl_width_chars=200):
        print(weights)
    from cbec.commands._common import write_output

    if args.out:
        wp = weights_path(args.out)
        if wp.endswith(".parquet"):
            weights.write_parquet(wp)
        else:
            weights.write_csv(wp)
        print(f"wrote {weights.height} weight rows to {wp}")
    write_output(scores, args.out)
    return 0
