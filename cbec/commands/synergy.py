"""`cbec synergy`: composite-system synergy degree (复合系统协同度, 孟庆松 & 韩文秀 2000;
METHODS §7) of two or more subsystems in your own panel CSV/XLSX/Parquet file.

Each --subsystem NAME=COL,COL,-COL lists its order parameters (a leading minus marks a
negative parameter). Order degrees u(e_ji) use common bounds over all unit-periods (DEFAULT
sample min/max, METHODS §7.1; expand10: min − 10 %·|min|, max + 10 %·|max|, recommended with
the geometric mean, which is 0 whenever a parameter sits at its minimum); subsystem order degrees are
the geometric (DEFAULT) or equal-weight linear mean; the synergy degree between periods t0
and t1 is C = θ·[Π_j |u_j(t1) − u_j(t0)|]^{1/k}, θ = +1 when every subsystem improved, else
−1 (METHODS §7.3).
Output: one row per unit and period pair: id, year_from, year_to, base, order_<name>_from/_to,
synergy, grade ([−1, 0] non-synergistic, (0, .3] low, (.3, .6] moderate, (.6, .9] high,
(.9, 1] very high); --out also writes the order degrees to <name>_order.<ext>."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from cbec.commands._checks import require_rows
from cbec.commands._common import add_out, emit, read_table, require_columns
from cbec.errors import InputError, UsageError

if TYPE_CHECKING:  # imported inside the functions: `cbec CMD --help` stays light
    pass

EXAMPLES = """examples:
  cbec synergy panel.csv --id province --period year \\
      --subsystem cbec=cbec_export,cbec_import --subsystem logistics=express,freight,-cost
  cbec synergy panel.csv --id province --subsystem a=x1,x2 --subsystem b=y1 --base fixed \\
      --bounds sample --out synergy.csv         # also writes synergy_order.csv
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "synergy",
        help="composite-system synergy degree (复合系统协同度) of subsystems in a panel CSV",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="CSV, XLSX or Parquet file, one row per unit and period")
    p.add_argument("--id", required=True, help="column naming the unit (province …)")
    p.add_argument("--period", default="year", help="integer period column (DEFAULT year)")
    p.add_argument("--subsystem", action="append", required=True, metavar="NAME=COL,…",
                   help="a subsystem and its order parameters; give it twice or more")  # fmt: skip
    p.add_argument("--bounds", choices=["sample", "expand10"], default="sample",
                   help="order-parameter bounds (DEFAULT sample, METHODS §7.1)")  # fmt: skip
    p.add_argument("--method", choices=["geometric", "linear"], default="geometric",
                   help="subsystem order degree: geometric (DEFAULT) or equal-weight linear mean")  # fmt: skip
    p.add_argument("--base", choices=["previous", "fixed"], default="previous",
                   help="t0 = the previous period (DEFAULT) or a fixed base period")  # fmt: skip
    p.add_argument("--base-year", type=int, help="base period for --base fixed (DEFAULT first)")
    add_out(p, digits_note="closed form: every digit is exact to float precision")
    p.set_defaults(handler=handle)


def parse_subsystems(specs: list[str]) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for spec in specs:
        name, sep, cols = spec.partition("=")
        name = name.strip()
        params = [c.strip() for c in cols.split(",") if c.strip()]
        if not sep or not name or not params:
            raise UsageError(f"--subsystem must look like NAME=COL,COL,-COL, got {spec!r}")
        if name in out:
            raise UsageError(f"subsystem {name!r} is given twice")
        out[name] = [(c.lstrip("-−"), "-" if c[0] in "-−" else "+") for c in params]
    if len(out) < 2:
        raise UsageError("synergy needs at least two --subsystem")
    return out


def handle(args: argparse.Namespace) -> int:
    import polars as pl

    from measures.synergy import synergy_frame

    subs = parse_subsystems(args.subsystem)
    df = read_table(args.file)
    cols = [c for params in subs.values() for c, _ in params]
    require_columns(df, [args.id, args.period, *cols], args.file)
    require_rows(df, args.file)
    if df[args.period].cast(pl.Int64, strict=False).null_count():
        i = int(df[args.period].cast(pl.Int64, strict=False).is_null().arg_true()[0])
        raise InputError(f"column {args.period!r} must hold integer periods", file=args.file,
                         line=i + 2)  # fmt: skip
    for c in cols:
        cast = df[c].cast(pl.Float64, strict=False)
        bad = (cast.is_null() | cast.is_nan()).arg_true()
        if len(bad):
            i = int(bad[0])
            raise InputError(f"column {c!r} has a missing or non-numeric value {df[c][i]!r}",
                             file=args.file, line=i + 2)  # fmt: skip
    d = df.with_columns(
        pl.col(args.period).cast(pl.Int64), *(pl.col(c).cast(pl.Float64) for c in cols)
    )
    try:
        order, syn = synergy_frame(d, subs, id_col=args.id, period=args.period, bounds=args.bounds,
                                   method=args.method, base=args.base, base_year=args.base_year)  # fmt: skip
    except ValueError as exc:
        raise InputError(str(exc), file=args.file) from exc
    syn = syn.rename({args.id: "id"}).with_columns(pl.col("id").cast(pl.Utf8))
    if args.out and not args.out.lower().endswith(".xlsx"):
        from cbec.output.writers import write_csv

        p = Path(args.out)
        op = p.with_name(f"{p.stem}_order{p.suffix or '.csv'}")
        if op.suffix == ".parquet":
            order.write_parquet(op)
        else:
            write_csv(order, str(op), bom=not args.no_bom, digits=args.digits)
        print(f"wrote {order.height} order-degree rows to {op}")
    s = syn["synergy"]
    grades = syn.group_by("grade").len().sort("len", descending=True)
    summary = [("rows", syn.height), ("subsystems", ", ".join(subs)), ("mean synergy", s.mean()),
               ("min synergy", s.min()), ("max synergy", s.max()),
               ("grades", ", ".join(f"{g} {n}" for g, n in grades.iter_rows()))]  # fmt: skip
    emit(args, {"synergy": syn, "order degrees": order}, summary=summary,
         sheets={"synergy": syn, "order degrees": order},
         method=f"composite-system synergy degree, {args.method} mean (METHODS §7)",
         formats={"synergy": "0.000000", "order_": "0.000000"})  # fmt: skip
    return 0
