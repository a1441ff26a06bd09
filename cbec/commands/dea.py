"""`cbec dea`: DEA efficiency of the DMUs in your own CSV/XLSX/Parquet file (CCR, BCC, SBM,
super-efficiency), like DEAP or MaxDEA. One frontier per period when --period is given.

Output columns: dmu, period, score, phi, status, slack_<var>…, target_<var>…, peers.
score is the Farrell efficiency in (0, 1] (θ for input orientation, 1/φ for output
orientation; ρ for SBM; super-efficiency scores can exceed 1); phi is φ* ≥ 1 for
output-oriented radial models; status is the LP status ("infeasible" → score NaN, never 1);
peers lists reference DMUs with their λ (dmu:lambda;…). Methods: METHODS.md §9.1–9.4."""

from __future__ import annotations

import argparse

import numpy as np
import polars as pl

from cbec.commands._common import (
    Progress,
    add_out,
    numeric_matrix,
    read_table,
    require_columns,
    split_list,
)
from cbec.errors import InputError, UsageError

EXAMPLES = """examples (DEAP 2.1's EG1 data, Coelli 1996):
  printf 'firm,y,x1,x2\\nA,1,2,5\\nB,2,2,4\\nC,3,6,6\\nD,1,3,2\\nE,2,6,2\\n' > eg1.csv
  cbec dea eg1.csv --dmu firm --inputs x1,x2 --outputs y        # CCR input: 0.5 1 0.833 0.714 1
  cbec dea eg1.csv --dmu firm --inputs x1,x2 --outputs y --model bcc --orientation output
  cbec dea eg1.csv --dmu firm --inputs x1,x2 --outputs y --model super-sbm --out sbm.csv
  cbec dea panel.csv --dmu province --period year --inputs K,L --outputs gdp  # one frontier a year
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dea",
        help="DEA efficiency (CCR/BCC/SBM/super-efficiency) of the DMUs in a CSV",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="CSV, XLSX or Parquet file, one row per DMU (and period)")
    p.add_argument("--dmu", required=True, help="column naming the DMU")
    p.add_argument("--period", help="column with the period: one frontier per period")
    p.add_argument("--inputs", required=True, help="input columns, comma-separated")
    p.add_argument("--outputs", required=True, help="output columns, comma-separated")
    p.add_argument(
        "--model",
        choices=["ccr", "bcc", "sbm", "super", "super-sbm"],
        default="ccr",
        help="ccr (DEFAULT), bcc, sbm (Tone 2001), super (Andersen–Petersen), "
        "super-sbm (ρ for inefficient, Tone 2002 δ for efficient DMUs)",
    )
    p.add_argument(
        "--orientation",
        choices=["input", "output", "none"],
        help="input (DEFAULT for radial models) | output | none (DEFAULT for SBM models)",
    )
    p.add_argument(
        "--rts",
        choices=["crs", "vrs", "nirs", "ndrs"],
        help="returns to scale (DEFAULT crs; vrs for --model bcc)",
    )
    add_out(p)
    p.set_defaults(handler=handle)


def _check_values(df: pl.DataFrame, mat: np.ndarray, cols: list[str], file: str, dmu: str):
    bad = np.argwhere(mat < 0)
    if bad.size:
        i, k = bad[0]
        raise InputError(
            f"column {cols[k]!r} has a negative value {mat[i, k]!r} ({dmu}={df[dmu][int(i)]}); "
            "DEA needs non-negative data",
            file=file,
            line=int(i) + 2,
        )


def _peer_str(names: list[str], lam_row: np.ndarray | None) -> str:
    if lam_row is None:
        return ""
    idx = np.flatnonzero(np.nan_to_num(lam_row) > 1e-9)
    return ";".join(f"{names[j]}:{lam_row[j]:.6g}" for j in idx)


def resolve_options(model: str, orientation: str | None, rts: str | None) -> tuple[str, str]:
    sbm_like = model in ("sbm", "super-sbm")
    if orientation is None:
        orientation = "none" if sbm_like else "input"
    if rts is None:
        rts = "vrs" if model == "bcc" else "crs"
    if not sbm_like and orientation == "none":
        raise UsageError(f"--model {model} is radial: use --orientation input or output")
    if sbm_like and rts not in ("crs", "vrs"):
        raise UsageError(f"--model {model} supports --rts crs or vrs")
    if model == "ccr" and rts != "crs":
        raise UsageError("--model ccr is CRS; use --model bcc or --rts with --model super")
    if model == "bcc" and rts != "vrs":
        raise UsageError("--model bcc is VRS; use --model ccr for CRS")
    return orientation, rts


def run_dea(
    df: pl.DataFrame,
    *,
    file: str,
    dmu: str,
    period: str | None,
    inputs: list[str],
    outputs: list[str],
    model: str,
    orientation: str,
    rts: str,
) -> pl.DataFrame:
    from measures.dea.models import dea_model

    X = numeric_matrix(df, inputs, file, id_col=dmu)
    Y = numeric_matrix(df, outputs, file, id_col=dmu)
    _check_values(df, X, inputs, file, dmu)
    _check_values(df, Y, outputs, file, dmu)
    names = df[dmu].cast(pl.Utf8).to_list()
    periods = df[period].to_list() if period else [None] * df.height
    groups: dict = {}
    for i, pv in enumerate(periods):
        groups.setdefault(pv, []).append(i)
    frames = []
    with Progress(f"DEA {model}", total=len(groups)) as progress:
        for pv, rows in groups.items():
            rows = np.asarray(rows)
            gnames = [names[i] for i in rows]
            if len(set(gnames)) != len(gnames):
                dup = next(n for n in gnames if gnames.count(n) > 1)
                where = f" in period {pv}" if period else ""
                raise InputError(f"DMU {dup!r} appears more than once{where}", file=file)
            r = dea_model(X[rows], Y[rows], model=model, orientation=orientation, rts=rts)
            cols = {
                "dmu": gnames,
                "period": [None if pv is None else str(pv)] * len(rows),
                "score": r.score,
                "phi": r.phi,
                "status": r.status.tolist(),
            }
            for k, v in enumerate(inputs):
                cols[f"slack_{v}"] = r.slack_in[:, k]
            for k, v in enumerate(outputs):
                cols[f"slack_{v}"] = r.slack_out[:, k]
            for k, v in enumerate(inputs):
                cols[f"target_{v}"] = r.target_in[:, k]
            for k, v in enumerate(outputs):
                cols[f"target_{v}"] = r.target_out[:, k]
            cols["peers"] = [
                _peer_str(gnames, None if r.lambdas is None else r.lambdas[k])
                for k in range(len(rows))
            ]
            if r.kind is not None:
                cols["kind"] = r.kind.tolist()
            frames.append(pl.DataFrame(cols, strict=False))
            progress.step()
    out = pl.concat(frames, how="diagonal_relaxed")
    floats = [c for c in out.columns if c not in ("dmu", "period", "status", "peers", "kind")]
    return out.with_columns([pl.col(c).cast(pl.Float64) for c in floats]).with_columns(
        pl.col("period").cast(pl.Utf8)
    )


def handle(args: argparse.Namespace) -> int:
    inputs, outputs = split_list(args.inputs), split_list(args.outputs)
    if not inputs or not outputs:
        raise UsageError("give at least one --inputs and one --outputs column")
    orientation, rts = resolve_options(args.model, args.orientation, args.rts)
    df = read_table(args.file)
    need = [args.dmu] + ([args.period] if args.period else []) + inputs + outputs
    require_columns(df, need, args.file)
    out = run_dea(
        df,
        file=args.file,
        dmu=args.dmu,
        period=args.period,
        inputs=inputs,
        outputs=outputs,
        model=args.model,
        orientation=orientation,
        rts=rts,
    )
    bad = out.filter(pl.col("status") != "optimal")
    if bad.height:
        import sys

        print(
            f"note: {bad.height} DMU(s) with a non-optimal LP (score NaN): "
            + ", ".join(f"{d} ({s})" for d, s in zip(bad["dmu"], bad["status"], strict=True)),
            file=sys.stderr,
        )
    from cbec.commands._common import write_output

    write_output(out, args.out)
    return 0
