"""`cbec dea`: DEA efficiency of the DMUs in your own CSV/XLSX/Parquet file (CCR, BCC, SBM,
super-efficiency), like DEAP or MaxDEA. One frontier per period when --period is given.

Output columns: dmu, period, score, phi, status, slack_<var>…, target_<var>…, peers.
score is the Farrell efficiency in (0, 1] (θ for input orientation, 1/φ for output
orientation; ρ for SBM; super-efficiency scores can exceed 1); phi is φ* ≥ 1 for
output-oriented radial models; status is the LP status ("infeasible" → score NaN, never 1);
peers lists reference DMUs with their λ (dmu:lambda;…). Methods: METHODS.md §9.1–9.4.
A DMU whose outputs are all 0 gets status "degenerate_zero_output" (θ = 0 is not an estimate).

--model radial: CCR/BCC with any --rts (crs, vrs, nirs, ndrs).
--model ddf (METHODS §9.9): dmu, period, ddf (β* or Σ w_k β_k*), status, beta_<var>… with
  --bad-outputs, --direction / --gx --gy --gb, --nonradial --weights, --bad-disposability.
--bootstrap B (METHODS §9.11, radial models): dmu, period, score, score_bc, ci95_low, ci95_high
  (Farrell scale, like score), bias = score − score_bc, [phi, phi_bc, phi_ci95_low/high for
  output orientation], boot_var, bias_sd_ratio, bandwidth, replicates, seed.
--scale-efficiency: dmu, period, te_crs, te_vrs, te_nirs, scale, rts_class (crs/drs/irs), status.
Bad input (a non-numeric, negative or infinite cell, an empty DMU name, a header-only file)
is an error naming the file and line (exit code 3)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cbec.commands._checks import dmu_names, finite_matrix, num, require_rows
from cbec.commands._common import (
    Progress,
    add_out,
    numeric_matrix,
    read_frame,
    require_columns,
    split_list,
)
from cbec.errors import InputError, UsageError
from cbec.frame import Frame, row_line

if TYPE_CHECKING:  # imported inside the functions: `cbec dea --help` stays light
    import numpy as np

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
        choices=["ccr", "bcc", "radial", "sbm", "super", "super-sbm", "ddf"],
        default="ccr",
        help="ccr (DEFAULT), bcc, radial (any --rts: crs/vrs/nirs/ndrs), sbm (Tone 2001), "
        "super (Andersen–Petersen), super-sbm (ρ for inefficient, Tone 2002 δ for efficient "
        "DMUs), ddf (directional distance function with --bad-outputs, METHODS §9.9)",
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
    g = p.add_argument_group("directional distance function (--model ddf, METHODS §9.9)")
    g.add_argument("--bad-outputs", help="undesirable output columns (e.g. CO2), comma-separated")
    g.add_argument(
        "--direction", choices=["full", "output", "input"], default="full",
        help="g = (x, y, b) (DEFAULT, Stata teddf's (−x, y, −b)) | (0, y, b) | (x, 0, 0)",
    )  # fmt: skip
    g.add_argument("--gx", help="direction columns for the inputs (magnitudes ≥ 0)")
    g.add_argument("--gy", help="direction columns for the good outputs")
    g.add_argument("--gb", help="direction columns for the bad outputs")
    g.add_argument("--nonradial", action="store_true", help="non-radial DDF (one β per variable)")
    g.add_argument("--weights", help="non-radial weights: inputs, outputs, bad outputs (DEFAULT 1)")
    g.add_argument(
        "--bad-disposability", choices=["weak", "strong"], default="weak",
        help="weak (DEFAULT: Σλb = b − βg_b) | strong (Σλb ≤ b − βg_b)",
    )  # fmt: skip
    b = p.add_argument_group("bootstrap and scale (radial models)")
    b.add_argument(
        "--bootstrap", type=int, default=0, metavar="B",
        help="Simar–Wilson (1998) bootstrap with B replicates: bias-corrected scores and "
        "intervals (METHODS §9.11)",
    )  # fmt: skip
    b.add_argument("--seed", type=int, default=0, help="bootstrap seed (DEFAULT 0)")
    b.add_argument("--alpha", type=float, default=0.05, help="1 − interval level (DEFAULT 0.05)")
    b.add_argument(
        "--scale-efficiency", action="store_true",
        help="θ_CRS, θ_VRS, θ_NIRS, scale efficiency and the RTS class (crs/drs/irs)",
    )  # fmt: skip
    add_out(
        p,
        digits_note="LP optima are exact to HiGHS's tolerance 1e-7: --digits 6 keeps what the method guarantees (the .xlsx shows 6 decimals)",
    )
    p.set_defaults(handler=handle)


def _check_values(df: Frame, mat: np.ndarray, cols: list[str], file: str, dmu: str):
    import numpy as np

    bad = np.argwhere(mat < 0)
    if bad.size:
        i, k = bad[0]
        raise InputError(
            f"column {cols[k]!r} has a negative value {num(mat[i, k])} ({dmu}={df[dmu][int(i)]}); "
            "DEA needs non-negative data",
            file=file,
            line=row_line(df, int(i)),
        )


def _peer_str(names: list[str], lam_row: np.ndarray | None) -> str:
    import numpy as np

    if lam_row is None:
        return ""
    idx = np.flatnonzero(np.asarray(lam_row) > 1e-9)  # NaN compares False
    return ";".join(f"{names[j]}:{lam_row[j]:.6g}" for j in idx)


def resolve_options(model: str, orientation: str | None, rts: str | None) -> tuple[str, str]:
    if model == "ddf":
        return "none", rts or "crs"
    if model == "radial":
        model = "bcc" if rts == "vrs" else "ccr" if rts in (None, "crs") else "super"
        if orientation == "none":
            raise UsageError("--model radial: use --orientation input or output")
        return orientation or "input", rts or "crs"
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
    df: Frame,
    *,
    file: str,
    dmu: str,
    period: str | None,
    inputs: list[str],
    outputs: list[str],
    model: str,
    orientation: str,
    rts: str,
    extra=None,
    quiet: bool = False,
) -> Frame:
    """One frontier per period group; `extra(rows, names, period, progress)` replaces the
    model run (ddf, bootstrap, scale efficiency) and returns that group's frame. Progress
    (per block of DMUs, with an ETA) on stderr unless `quiet`."""
    import numpy as np

    require_rows(df, file)
    names = dmu_names(df, dmu, file)
    X = numeric_matrix(df, inputs, file, id_col=dmu)
    Y = numeric_matrix(df, outputs, file, id_col=dmu)
    for mat, cols in ((X, inputs), (Y, outputs)):
        finite_matrix(df, mat, cols, file, dmu)
        _check_values(df, mat, cols, file, dmu)
    periods = df[period] if period else [None] * df.height
    groups: dict = {}
    for i, pv in enumerate(periods):
        groups.setdefault(pv, []).append(i)
    frames = []
    with Progress(f"DEA {model}", total=df.height, unit="DMUs", quiet=quiet) as progress:
        for pv, rows in groups.items():
            rows = np.asarray(rows)
            gnames = [names[i] for i in rows]
            if len(set(gnames)) != len(gnames):
                dup = next(n for n in gnames if gnames.count(n) > 1)
                where = f" in period {pv}" if period else ""
                hint = "" if period else "; a panel? give --period COLUMN (one frontier a period)"
                raise InputError(f"DMU {dup!r} appears more than once{where}{hint}", file=file)
            before = progress.done
            tick = progress.part(before, len(rows))  # the solver reports per block of DMUs
            if extra is not None:
                frames.append(extra(rows, gnames, pv, tick))
            else:
                frames.append(_model_frame(X[rows], Y[rows], gnames, pv, inputs, outputs,
                                           (model, orientation, rts), tick))  # fmt: skip
            progress.update(before + len(rows))
    return _typed(Frame.concat(frames))


def _typed(out: Frame) -> Frame:
    """Number columns as floats without "-0.0" (a zero LP optimum comes back as −0.0), the
    period as text."""
    text = ("dmu", "period", "status", "peers", "kind", "rts_class")
    for c in out.columns:
        if c not in text and out.kind(c) != "str":
            out = out.with_column(c, [None if v is None else float(v) + 0.0 for v in out[c]],
                                  "float")  # fmt: skip
    return out.with_column("period", [None if v is None else str(v) for v in out["period"]], "str")


def _model(model: str, rts: str) -> str:
    return "ccr" if model == "radial" else model


def _model_frame(X: np.ndarray, Y: np.ndarray, gnames: list[str], pv, inputs: list[str],
                 outputs: list[str], how: tuple[str, str, str], tick) -> Frame:  # fmt: skip
    """One period's `dea_model` results as a frame; `tick` is the solver's progress."""
    from measures.dea.models import dea_model
    from transforms.dea_columns import slack_target_columns

    model, orientation, rts = how
    r = dea_model(X, Y, model=_model(model, rts), orientation=orientation, rts=rts,
                  progress=tick)  # fmt: skip
    cols = {
        "dmu": gnames,
        "period": [None if pv is None else str(pv)] * len(gnames),
        "score": r.score,
        "phi": r.phi,
        "status": r.status.tolist(),
    }
    cols.update(slack_target_columns(r, inputs, outputs))
    cols["peers"] = [_peer_str(gnames, None if r.lambdas is None else r.lambdas[k])
                     for k in range(len(gnames))]  # fmt: skip
    if r.kind is not None:
        cols["kind"] = r.kind.tolist()
    return Frame(cols, {"dmu": "str", "period": "str", "status": "str", "peers": "str"})


def _extra(df: Frame, args, inputs, outputs, orientation: str, rts: str):
    """The per-group runner for ddf / bootstrap / scale efficiency (or None)."""
    import numpy as np

    from cbec.commands import _dea_extra as ex

    radial = args.model in ("ccr", "bcc", "radial")
    if args.bootstrap and args.scale_efficiency:
        raise UsageError("give --bootstrap or --scale-efficiency, not both")
    if (args.bootstrap or args.scale_efficiency) and not radial:
        raise UsageError(
            "--bootstrap and --scale-efficiency apply to radial models (ccr, bcc, radial)"
        )
    if args.bootstrap < 0 or (args.bootstrap and args.bootstrap < 2):
        raise UsageError("--bootstrap needs B ≥ 2 replicates (e.g. 2000)")
    if not 0 < args.alpha < 1:
        raise UsageError("--alpha must be in (0, 1)")
    bads = split_list(args.bad_outputs)
    if args.model != "ddf":
        if bads or args.nonradial or args.gx or args.gy or args.gb or args.weights:
            raise UsageError("--bad-outputs/--nonradial/--gx/--gy/--gb/--weights need --model ddf")
    else:
        require_columns(df, bads, args.file)
    read = lambda cols: _matrix(df, cols, args)  # noqa: E731
    X, Y = read(inputs), read(outputs)
    if args.model == "ddf":
        Bd = read(bads) if bads else np.zeros((df.height, 0))
        G = ex.directions(df, X, Y, Bd, args, read)
        return lambda rows, names, pv, tick: ex.frame(
            ex.ddf_rows(names, X[rows], Y[rows], Bd[rows], tuple(g[rows] for g in G), args,
                        (inputs, outputs, bads), tick), pv)  # fmt: skip
    if args.bootstrap:
        return lambda rows, names, pv, tick: ex.frame(
            ex.bootstrap_rows(names, X[rows], Y[rows], args, orientation, rts, tick), pv
        )
    if args.scale_efficiency:
        return lambda rows, names, pv, tick: ex.frame(
            ex.scale_rows(names, X[rows], Y[rows], orientation, tick), pv
        )
    return None


def _matrix(df: Frame, cols: list[str], args) -> np.ndarray:
    require_columns(df, cols, args.file)
    m = numeric_matrix(df, cols, args.file, id_col=args.dmu)
    finite_matrix(df, m, cols, args.file, args.dmu)
    _check_values(df, m, cols, args.file, args.dmu)
    return m


def _zero_output_status(out: Frame, df: Frame, outputs: list[str], file: str) -> Frame:
    """A DMU with every output 0 has the degenerate θ = 0: status says so (never "optimal")."""
    if "score" not in out.columns or out.height != df.height:
        return out
    zero = (numeric_matrix(df, outputs, file) == 0).all(axis=1)
    if not zero.any():
        return out
    status = [
        "degenerate_zero_output" if z else s for z, s in zip(zero, out["status"], strict=True)
    ]
    return out.with_column("status", status, "str")


def handle(args: argparse.Namespace) -> int:
    import sys

    from cbec.commands._common import emit

    inputs, outputs = split_list(args.inputs), split_list(args.outputs)
    if not inputs or not outputs:
        raise UsageError("give at least one --inputs and one --outputs column")
    orientation, rts = resolve_options(args.model, args.orientation, args.rts)
    df = read_frame(args.file)
    need = [args.dmu] + ([args.period] if args.period else []) + inputs + outputs
    require_columns(df, need, args.file)
    require_rows(df, args.file)
    dmu_names(df, args.dmu, args.file)
    extra = _extra(df, args, inputs, outputs, orientation, rts)
    out = run_dea(df, file=args.file, dmu=args.dmu, period=args.period, inputs=inputs,
                  outputs=outputs, model=args.model, orientation=orientation, rts=rts,
                  extra=extra, quiet=args.quiet)  # fmt: skip
    if extra is None and args.model not in ("ddf",):
        out = _zero_output_status(out, df, outputs, args.file)
    if "status" in out.columns:
        bad = [(d, s) for d, s in zip(out["dmu"], out["status"], strict=True) if s != "optimal"]
        if bad:
            print(
                f"note: {len(bad)} DMU(s) with a non-optimal or degenerate LP: "
                + ", ".join(f"{d} ({s})" for d, s in bad),
                file=sys.stderr,
            )
    if args.bootstrap:
        print(f"Simar–Wilson bootstrap: B = {args.bootstrap}, seed {args.seed}, basic "
              f"{100 * (1 - args.alpha):g}% intervals (METHODS §9.11)", file=sys.stderr)  # fmt: skip
    from cbec.output.summaries import dea_sheets, dea_summary

    score = "ddf" if args.model == "ddf" else "te_crs" if args.scale_efficiency else "score"
    emit(args, {"results": out}, method=_method(args, orientation, rts), summary=dea_summary(out, score),
         sheets=dea_sheets(out), formats=FORMATS)  # fmt: skip
    return 0


# Excel display formats (the cell keeps 14 significant digits): DEAP prints scores with 3
# decimals; 6 here, the precision of HiGHS's default optimality tolerance (1e-7).
FORMATS = {"score": "0.000000", "phi": "0.000000", "te_": "0.000000", "scale": "0.000000",
           "ddf": "0.000000", "beta_": "0.000000", "ci": "0.000000", "lambda": "0.000000"}  # fmt: skip


def _method(args, orientation: str, rts: str) -> str:
    """The method line of the Excel header and the summary (METHODS sections of --help)."""
    if args.model == "ddf":
        kind = "non-radial " if args.nonradial else ""
        return f"{kind}directional distance function, {rts.upper()} (METHODS §9.9)"
    name = {"ccr": "CCR", "bcc": "BCC", "radial": "radial", "sbm": "SBM (Tone 2001)",
            "super": "super-efficiency (Andersen–Petersen)", "super-sbm": "super-SBM (Tone 2002)"}[args.model]  # fmt: skip
    how = "non-oriented" if orientation == "none" else f"{orientation}-oriented"
    extra = ""
    if args.bootstrap:
        extra = f", Simar–Wilson bootstrap B = {args.bootstrap} (METHODS §9.11)"
    elif args.scale_efficiency:
        extra = ", scale efficiency (METHODS §9.1)"
    return f"{name} {how}, {rts.upper()} (METHODS §9.1–9.4){extra}"
