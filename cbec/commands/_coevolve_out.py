"""`cbec coevolve` result tables and files (--out .csv/.parquet with a _causality side file,
or one .xlsx workbook; METHODS §8)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


def _side_path(out: str, tag: str) -> str:
    p = Path(out)
    return str(p.with_name(f"{p.stem}_{tag}{p.suffix or '.csv'}"))


def _method(args: argparse.Namespace) -> str:
    return (f"Lotka–Volterra {args.model} model, {args.method} (METHODS §8)"
            + ("; Granger causality / VAR" if args.causality else ""))  # fmt: skip


def _tables(args, f, caus) -> dict:
    import polars as pl

    tables = {}
    if f is not None:
        table = _param_table(f, args).with_columns(pl.lit("").alias("note"))
        table = pl.concat([table, pl.DataFrame(_derived_rows(f, args.x, args.y))], how="vertical")
        meta = pl.DataFrame({"model": [f.model], "method": [f.method], "status": [f.status],
                             "stability": [f.analysis.stability], "interaction": [f.interaction],
                             "ci_method": [f.ci_method], "ode_solver": [ode_solver_of(f)],
                             "message": [f.message],
                             "stability_share": [f.stability_share]})  # fmt: skip
        tables["parameters"] = table.join(meta, how="cross")
    if caus is not None:
        tables["causality"] = caus
    return tables


def ode_solver_of(f) -> str:
    """The integrator of an ODE fit, as in results.coevolution.ode_solver ("" for discrete)."""
    if f.method != "ode_nls":
        return ""
    from measures.coevolution import native

    return native.solver_label(f.model, "LSODA")


def _write_outputs(args, tables: dict) -> None:
    from cbec.output.writers import check_suffix, write_csv, write_xlsx

    say = (lambda *a, **k: None) if args.json or args.quiet else print  # noqa: E731
    if check_suffix(args.out) == ".xlsx":
        write_xlsx(tables, args.out, header=[f"cbec coevolve: {_method(args)}",
                   f"series: x1 = {args.x}, x2 = {args.y} (units as in the input file)",
                   f"source: {args.file}", "missing values are empty cells"],
                   digits=args.digits)  # fmt: skip
        say(f"\nwrote {', '.join(tables)} to {args.out}")
        return
    for name, df in tables.items():
        path = args.out if name == "parameters" else _side_path(args.out, "causality")
        if path.endswith(".parquet"):
            df.write_parquet(path)
        else:
            write_csv(df, path, bom=not args.no_bom, digits=args.digits)
        what = "rows" if name == "parameters" else "causality rows"
        say(f"{'' if name == 'causality' else chr(10)}wrote {df.height} {what} to {path}")


def _param_table(f, args) -> pl.DataFrame:
    import polars as pl

    names = list(f.params)
    return pl.DataFrame(
        {
            "parameter": names,
            "estimate": [float(f.params[k]) for k in names],
            "se": [float(f.se[k]) for k in names],
            "ci_low": [float(f.ci_low[k]) for k in names],
            "ci_high": [float(f.ci_high[k]) for k in names],
            "discrete_start": [float(f.discrete.params[k]) for k in names],
        }
    )


def _derived_rows(f, xn: str, yn: str) -> list[dict]:
    import numpy as np

    an = f.analysis
    eig = np.asarray(an.eigenvalues, dtype=complex)
    nan = float("nan")
    rows = [
        (f"{xn}_star", an.equilibrium[0], "equilibrium x1*"),
        (f"{yn}_star", an.equilibrium[1], "equilibrium x2*"),
        ("eig1_real", eig[0].real, "Jacobian eigenvalue at the equilibrium"),
        ("eig1_imag", eig[0].imag, ""),
        ("eig2_real", eig[1].real, ""),
        ("eig2_imag", eig[1].imag, ""),
        ("period", an.period, "2π/|Im λ| of the linearised oscillation"),
        (f"r2_{xn}", f.r2[0], "R² of levels"),
        (f"r2_{yn}", f.r2[1], "R² of levels"),
        (f"mape_{xn}", f.mape[0], "MAPE of levels, %"),
        (f"mape_{yn}", f.mape[1], "MAPE of levels, %"),
        ("ssr_log", f.ssr_log, "SSR of log levels (ode_nls)"),
        ("cond_jtj", f.cond_jtj, "condition number of JᵀJ (ode_nls)"),
        ("n_obs", float(f.n_obs), ""),
    ]
    return [
        {"parameter": k, "estimate": float(v), "se": nan, "ci_low": nan, "ci_high": nan,
         "discrete_start": nan, "note": note}
        for k, v, note in rows
    ]  # fmt: skip
