"""`cbec entropy`: entropy weights (熵权法) and a composite score per row of your own
CSV/XLSX/Parquet file (METHODS §4).

Output: one row per input row with the id, the period (when --period is given) and `score`
= Σ_j w_j z_ij in [0, 1] exactly (z min–max standardised; DEFAULT --score unit), ready for
`cbec coupling`. The shift that keeps log(0) out of the weights (ε = 1e-4 added, or --shift
rescale to [a, b], or --shift none) changes the weights only; --score shifted gives the
literal S = Σ_j w_j z'_ij of METHODS §4.2 on the shifted values (in [ε, 1 + ε] with --shift
add, as the warehouse composite). --normalise sum scores are in the indicators' units
(--score shifted is their DEFAULT). Files keep 14 significant digits (--digits N: N decimals).
The weights table (indicator,
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
  cbec entropy data/nbs_prov_ecommerce_internet_2020_2024/ecommerce_internet_2020_2024.csv \\
      --id province --period year --subsystem ec=ec_sales_100m_yuan,ec_firms \\
      --subsystem net=broadband_users_10k,mobile_internet_users_10k --out u.csv
  cbec coupling u.csv --id province --period year --subsystems ec,net     # chains on the file
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
        help="indicator columns, comma-separated; a leading minus marks a negative indicator "
        "(output column `score`)",
    )
    p.add_argument(
        "--subsystem", action="append", metavar="NAME=COLS",
        help="instead of --indicators: one score column NAME per subsystem, weights within "
        "each (METHODS §4.3), e.g. --subsystem ecommerce=sales,firms --subsystem net=users; "
        "the file then feeds `cbec coupling --subsystems ecommerce,net`",
    )  # fmt: skip
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
    p.add_argument(
        "--score", choices=["unit", "shifted"],
        help="unit (DEFAULT with --normalise minmax): Σ w z on the min–max values, in [0, 1] | "
        "shifted (DEFAULT with --normalise sum): Σ w z' on the shifted values (METHODS §4.2; up "
        "to 1 + ε with --shift add)",
    )  # fmt: skip
    add_out(p, digits_note="closed form: every digit is exact to float precision")
    p.set_defaults(handler=handle)


def weights_path(out: str) -> str:
    p = Path(out)
    return str(p.with_name(f"{p.stem}_weights{p.suffix or '.csv'}"))


def _subsystems(args: argparse.Namespace) -> dict[str, list[str]]:
    """{score column: indicator specs}: `score` for --indicators, one per --subsystem."""
    subs: dict[str, list[str]] = {}
    if args.indicators:
        subs["score"] = split_list(args.indicators)
    for text in args.subsystem or []:
        name, sep, cols = text.partition("=")
        if not sep or not name.strip() or not split_list(cols):
            raise UsageError(f"--subsystem needs NAME=COL,COL…, got {text!r}")
        if name.strip() in subs:
            raise UsageError(f"subsystem {name.strip()!r} is given twice")
        subs[name.strip()] = split_list(cols)
    if not subs:
        raise UsageError("give --indicators COLS or one --subsystem NAME=COLS per subsystem")
    if args.indicators and args.subsystem:
        raise UsageError("give --indicators or --subsystem, not both")
    return subs


def handle(args: argparse.Namespace) -> int:
    import polars as pl

    from measures.entropy import parse_indicators

    parsed = {k: parse_indicators(v) for k, v in _subsystems(args).items()}
    every = [n for names, _ in parsed.values() for n in names]
    if len(set(every)) != len(every):
        raise UsageError("an indicator is listed twice in --indicators/--subsystem")
    if args.scope == "by_year" and not args.period:
        raise UsageError("--scope by_year needs --period")
    if args.score is None:
        args.score = "shifted" if args.normalise == "sum" else "unit"
    if args.normalise == "sum" and args.score == "unit":
        raise UsageError("--normalise sum scores are not in [0, 1]: use --score shifted")
    try:
        a, b = (float(v) for v in args.rescale.split(","))
    except ValueError:
        raise UsageError(f"--rescale needs two numbers A,B, got {args.rescale!r}") from None
    if not (0 <= a < b) or not args.epsilon > 0:
        raise UsageError("--rescale needs 0 ≤ A < B and --epsilon must be > 0")
    df = read_table(args.file)
    require_columns(df, [args.id, *every, *([args.period] if args.period else [])], args.file)
    x = numeric_matrix(df, every, args.file, id_col=args.id)
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
        hint = "" if args.period else f"; a panel? give --period COLUMN{_period_hint(df, args.id)}"
        raise InputError(f"{' / '.join(keys)} {df.row(i, named=True)[args.id]!r} appears more "
                         f"than once{hint}", file=args.file, line=i + 2)  # fmt: skip
    d = df.select(*keys).with_columns(pl.from_numpy(x, schema=every))
    groups = d.group_by(args.period).len() if args.scope == "by_year" else None
    if d.height < 2 or (groups is not None and groups["len"].min() < 2):
        raise InputError("entropy weights need at least 2 rows (per period with --scope by_year)",
                         file=args.file)  # fmt: skip
    scores, wparts = d.select(keys), []
    for sub, (names, dirs) in parsed.items():
        w, sc = _entropy(d, names, dirs, args, (a, b))
        scores = scores.with_columns(sc["score"].alias(sub))
        wparts.append(
            w if len(parsed) == 1 else w.insert_column(0, pl.Series("subsystem", [sub] * w.height))
        )
    _emit(args, scores, pl.concat(wparts), list(parsed))
    return 0


def _entropy(d, names: list[str], dirs: list[str], args: argparse.Namespace, rescale):
    """(weights, scores) of one indicator set (METHODS §4; within-subsystem weights §4.3)."""
    from measures.entropy import ConstantIndicatorWarning, entropy_index

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            weights, scores = entropy_index(
                d, list(zip(names, dirs, strict=True)), id_cols=args.id, period=args.period,
                scope=args.scope, normalise=args.normalise, shift=args.shift,
                epsilon=args.epsilon, rescale=rescale,
                score="unit" if args.score == "unit" else "z",
            )  # fmt: skip
        except ValueError as exc:
            raise InputError(str(exc), file=args.file) from exc
    for c in caught:
        if issubclass(c.category, (ConstantIndicatorWarning, UserWarning)):
            print(f"warning: {c.message}", file=sys.stderr)
    weights = weights.drop("n_obs")
    if args.period and args.period in weights.columns:
        weights = weights.rename({args.period: "period"})
    return weights, scores


def _emit(args: argparse.Namespace, scores, weights, subs: list[str]) -> None:
    from cbec.commands._common import emit
    from cbec.output.writers import check_suffix, write_csv

    if args.out and check_suffix(args.out) != ".xlsx":  # the weights beside the scores
        wp = weights_path(args.out)
        if wp.endswith(".parquet"):
            weights.write_parquet(wp)
        else:
            write_csv(weights, wp, bom=not args.no_bom, digits=args.digits)
        if not args.json:
            print(f"wrote {weights.height} weight rows to {wp}")
    summary: list[tuple[str, object]] = [
        ("rows", scores.height),
        ("indicators", weights["indicator"].n_unique()),
    ]
    for sub in subs:
        sc = scores[sub]
        summary += [(f"mean {sub}", sc.mean()), (f"min {sub}", sc.min()), (f"max {sub}", sc.max())]
    top = weights.sort("weight", descending=True).unique("indicator", maintain_order=True)
    summary.append(("largest weights", ", ".join(f"{i} {w:.4f}" for i, w in
                                                 top.select("indicator", "weight").head(3).iter_rows())))  # fmt: skip
    how = "unit: Σ w z ∈ [0, 1]" if args.score == "unit" else "shifted: Σ w z'"
    emit(args, {"scores": scores, "weights": weights}, summary=summary,
         method=f"entropy weights, {args.normalise}, shift {args.shift}, {args.scope}, score "
         f"{how} (METHODS §4)", formats={"weight": "0.000000", **{s: "0.000000" for s in subs}})  # fmt: skip


def _period_hint(df, id_col: str) -> str:
    """Name a likely period column (year, period, t …) for the 'appears more than once' hint."""
    for c in df.columns:
        if c != id_col and c.lower() in ("year", "years", "period", "t", "time", "年份", "年"):
            return f" (e.g. --period {c})"
    return ""
