"""`cbec coevolve`: Lotka–Volterra co-evolution of two series in your own CSV/XLSX/Parquet
file (METHODS §8; reference study D), optionally with Granger causality and a VAR in both
directions (reference study C).

Models: predator-prey (DEFAULT; dx/dt = a1·x − b1·x·y, dy/dt = −a2·y + b1·b2·x·y, x in the
prey role) or competition (logistic competition/mutualism, dx/dt = r1·x·(1 − x/K1 +
σ12·y/K1), "+σ means benefit"). Estimation: ode_nls (DEFAULT: discretised OLS start values,
then non-linear least squares on the ODE solution with a multi-start) or discrete (the
discretised regressions only). Printed: parameters with standard errors and intervals
(Wald on the log scale, or residual-bootstrap percentiles with --bootstrap N), the
equilibrium, its Jacobian eigenvalues and stability class, R² and MAPE per series, the
condition number of JᵀJ, observed vs fitted values, and every identification warning.

One row per period in the file, all values > 0. Identification: a model with 4 (6)
parameters needs enough points and co-movement; too few points or a constant series stop
with a message (exit code 5). A fit whose JᵀJ is singular or that did not converge is
printed with status "not_identified"/"not_converged" and exit code 5: the numbers are one
minimiser among many, not estimates. A stability class that less than --level of the
parameter uncertainty supports makes the status "weak" (never "ok"). With --causality the
Granger/VAR part runs even when the LV model is not identified, and complete causality
results exit 0 (the LV status is printed and written with them). A "weak" status (few points, ill-conditioned JᵀJ,
sign violations in the discretised step) exits 0 with the warnings printed.

--causality adds ADF/KPSS stationarity checks (both series differenced together when
needed), VAR lag selection by --ic and the Granger F tests x → y and y → x (statsmodels);
it needs ≥ 8 points, otherwise a note says why it was skipped."""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from cbec.commands._common import (
    Progress,
    add_out,
    numeric_matrix,
    read_table,
    require_columns,
)
from cbec.errors import InputError, NumericalError, UsageError

if TYPE_CHECKING:  # imported inside the functions: `cbec CMD --help` stays light
    import numpy as np

EXAMPLES = """examples (Zhejiang CBEC trade 2016–2020 of reference study D, shipped in data/):
  cbec coevolve data/zhejiang_cbec_2016_2020/zhejiang_cbec_trade.csv \\
      --x cbec_export --y cbec_import                  # 5 points: flagged as not identified
  cbec coevolve data/zhejiang_cbec_2016_2020/zhejiang_cbec_trade.csv \\
      --x cbec_export --y cbec_import --method discrete --model competition
  cbec coevolve series.csv --t year --x ecommerce --y logistics --model competition \\
      --bootstrap 200 --causality --out fit.csv        # also writes fit_causality.csv
"""

MODEL_NAMES = {"predator-prey": "predator_prey", "competition": "competition"}
RULE_TEXT = {
    "toda-yamamoto": "no differencing; levels VAR with d_max extra lags (d_max: a unit root "
    "only where ADF does not reject and KPSS rejects), Wald test on the first p lags",
    "agree": "difference only where ADF does not reject and KPSS rejects",
    "both": "stationary only where ADF rejects and KPSS does not",
    "adf": "stationary where ADF rejects",
    "kpss": "stationary where KPSS does not reject",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "coevolve",
        help="Lotka–Volterra co-evolution (predator–prey/competition) and Granger/VAR of two series",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="CSV, XLSX or Parquet file, one row per period")
    p.add_argument("--x", required=True, help="column of x1 (prey role in the predator–prey model)")
    p.add_argument("--y", required=True, help="column of x2 (predator role)")
    p.add_argument("--t", default="year", help="column with the time (DEFAULT year)")
    p.add_argument(
        "--model",
        choices=list(MODEL_NAMES),
        default="predator-prey",
        help="predator-prey (DEFAULT, METHODS §8.1–8.2) | competition (§8.3)",
    )
    p.add_argument(
        "--method",
        choices=["ode_nls", "discrete"],
        default="ode_nls",
        help="ode_nls (DEFAULT: ODE least squares from the discretised start) | discrete",
    )
    p.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="residual-bootstrap percentile intervals from N refits (DEFAULT 0: Wald intervals)",
    )
    p.add_argument(
        "--starts", type=int, default=20, metavar="N",
        help="random multi-starts around the discretised start (DEFAULT 20)",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help="seed of the multi-start and bootstrap")
    p.add_argument(
        "--scale",
        choices=["first", "mean", "none"],
        default="first",
        help="rescale each series by its first value (DEFAULT) or mean before fitting",
    )
    p.add_argument(
        "--fit-x0", action="store_true", help="estimate the initial state (DEFAULT: the data's)"
    )
    p.add_argument("--level", type=float, default=0.95, help="interval level (DEFAULT 0.95)")
    p.add_argument(
        "--causality", action="store_true", help="also Granger causality and a VAR, both directions"
    )
    p.add_argument(
        "--ic", choices=["aic", "bic", "hqic"], default="aic",
        help="VAR lag order criterion (DEFAULT aic)",
    )  # fmt: skip
    p.add_argument(
        "--rule", choices=list(RULE_TEXT), default="toda-yamamoto",
        help="integration-order rule before Granger (DEFAULT toda-yamamoto; size/power "
        "table in bench/granger_size_power.md)",
    )  # fmt: skip
    add_out(p, digits_note="estimates: their precision is the interval columns")
    p.set_defaults(handler=handle)


def _series(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import numpy as np

    if len({args.x, args.y}) < 2:
        raise UsageError("--x and --y must be different columns")
    df = read_table(args.file)
    require_columns(df, [args.t, args.x, args.y], args.file)
    m = numeric_matrix(df, [args.t, args.x, args.y], args.file, id_col=args.t)
    if df.height == 0:
        raise InputError("no data rows", file=args.file)
    order = np.argsort(m[:, 0], kind="stable")
    t = m[order, 0]
    dup = np.flatnonzero(np.diff(t) == 0)
    if dup.size:
        i = int(order[dup[0] + 1])
        raise InputError(
            f"{args.t} = {_num(t[dup[0]])} appears more than once: one row per period "
            "(filter a panel to one unit first)",
            file=args.file,
            line=i + 2,
        )
    for k, col in ((1, args.x), (2, args.y)):
        bad = np.flatnonzero(m[:, k] <= 0)
        if bad.size:
            i = int(bad[0])
            raise InputError(
                f"column {col!r} has a value ≤ 0 ({_num(m[i, k])} at {args.t} = {_num(m[i, 0])}); "
                "Lotka–Volterra populations must be positive",
                file=args.file,
                line=i + 2,
            )
    if np.all(t == np.round(t)):
        t = t.astype(np.int64).astype(float)
    return t, m[order, 1], m[order, 2]


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _fmt(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "NaN"
    return f"{v:.6g}"


def _print_fit(f, args, t) -> None:
    import numpy as np
    import polars as pl

    model = "predator–prey" if f.model == "predator_prey" else "competition/mutualism"
    roles = " (x1 prey role, x2 predator role)" if f.model == "predator_prey" else ""
    print(f"Lotka–Volterra {model} fit: x1 = {args.x}, x2 = {args.y}{roles}")
    print(f"  {f.n_obs} points, {args.t} {_num(t[0])}–{_num(t[-1])}; method {f.method}; "
          f"scale {args.scale}; initial state {'fitted' if f.x0_fitted else 'fixed at the data'}")  # fmt: skip
    print(f"  status: {f.status.replace('_', ' ').upper()}")
    if f.status in ("not_identified", "not_converged"):
        print("  the data do not identify the parameters: the numbers below are one minimiser "
              "among many, not estimates")  # fmt: skip
    ci = {"wald_log": "Wald, log scale (linear for σ)", "wald_discrete": "Wald (discretised OLS, HC1)",
          "bootstrap": f"residual bootstrap, {f.boot_n_ok} refits"}.get(f.ci_method, f.ci_method)  # fmt: skip
    print(f"\nParameters ({int(round(f.level * 100))}% intervals: {ci})")
    with pl.Config(tbl_rows=50, tbl_cols=20, tbl_width_chars=200, float_precision=6,
                   tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):  # fmt: skip
        from cbec.commands._coevolve_out import _param_table

        print(_param_table(f, args))
    an = f.analysis
    eig = np.asarray(an.eigenvalues, dtype=complex)
    eig_s = ", ".join(f"{z.real:.6g}{z.imag:+.6g}i" for z in eig)
    print(f"\nEquilibrium: x1* = {_fmt(an.equilibrium[0])}, x2* = {_fmt(an.equilibrium[1])}"
          f"{'' if an.exists else '  (not in the positive quadrant)'}")  # fmt: skip
    print(f"  eigenvalues of J*: {eig_s}")
    print(f"  stability: {an.stability}" + (f"; period {_fmt(an.period)}" if
                                            np.isfinite(an.period) else ""))  # fmt: skip
    if np.isfinite(f.stability_share):
        print(f"  stability class supported by {100 * f.stability_share:.0f}% of the parameter "
              f"uncertainty ({', '.join(f'{k} {100 * v:.0f}%' for k, v in f.stability_classes.items())})")  # fmt: skip
    if an.note:
        print(f"  {an.note}")
    if f.model == "predator_prey" and an.origin_eigenvalues is not None:
        print(f"  origin E0: {an.origin_stability} (eigenvalues "
              f"{', '.join(f'{z.real:.6g}' for z in np.asarray(an.origin_eigenvalues))})")  # fmt: skip
    print(f"  interaction: {f.interaction}")
    print("\nFit")
    print(f"  R²: {args.x} {_fmt(f.r2[0])}, {args.y} {_fmt(f.r2[1])}; "
          f"MAPE %: {args.x} {_fmt(f.mape[0])}, {args.y} {_fmt(f.mape[1])}")  # fmt: skip
    if f.method == "ode_nls":
        print(f"  SSR (log levels) {_fmt(f.ssr_log)}, σ̂² {_fmt(f.sigma2_log)}, "
              f"{f.n_res} residuals, {f.n_params} parameters; cond(JᵀJ) {_fmt(f.cond_jtj)}; "
              f"converged {f.converged}; {f.nfev} evaluations from {f.n_starts} starts")  # fmt: skip
        from cbec.commands._coevolve_out import ode_solver_of

        print(f"  ODE solver: {ode_solver_of(f)} (METHODS §0)")
        if f.model == "predator_prey" and np.isfinite(f.v_drift):
            print(f"  conserved quantity V along the fitted path: relative range {_fmt(f.v_drift)}")
    d = f.discrete
    print(f"  discretised step: R² {_fmt(d.r2[0])}, {_fmt(d.r2[1])} on {d.nobs} growth rates"
          + (f"; sign violations: {', '.join(d.sign_violations)}" if d.sign_violations else ""))  # fmt: skip
    tcol = t.astype(np.int64) if np.all(t == np.round(t)) else t
    path = pl.DataFrame({args.t: tcol, f"{args.x}": f.observed[:, 0], f"{args.x}_fit": f.fitted[:, 0],
                         f"{args.y}": f.observed[:, 1], f"{args.y}_fit": f.fitted[:, 1]})  # fmt: skip
    with pl.Config(tbl_rows=200, tbl_cols=20, tbl_width_chars=200, float_precision=4,
                   tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):  # fmt: skip
        print("\nObserved and fitted")
        print(path)
    if f.warnings:
        print("\nWarnings")
        for w in f.warnings:
            print(f"  - {w}")


def _causality(args, t, x, y):
    """Run granger_var; returns (table or None, note)."""
    import polars as pl

    from measures.causality import SeriesTooShortError, granger_var

    try:
        r = granger_var(x, y, names=(args.x, args.y), ic=args.ic, rule=args.rule)
    except SeriesTooShortError as exc:
        return None, f"Granger/VAR not done: {exc}"
    print("\nGranger causality and VAR (statsmodels)")
    st = pl.DataFrame([s.to_dict() for s in r.stationarity]).select(
        "series", "diff_order", "n_obs", "adf_stat", "adf_pvalue", "kpss_stat", "kpss_pvalue",
        "stationary",
    )  # fmt: skip
    tab = pl.DataFrame([d.to_dict() for d in r.directions]).select(
        pl.concat_str([pl.col("cause"), pl.lit(" → "), pl.col("effect")]).alias("direction"),
        "lags", "f_stat", "p_value", "df_num", "df_denom", "var_f_stat", "var_p_value",
        "irf_h1", "irf_cum",
    )  # fmt: skip
    with pl.Config(tbl_rows=50, tbl_cols=20, tbl_width_chars=200, float_precision=4,
                   tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):  # fmt: skip
        print(f"  stationarity (ADF H0 unit root, KPSS H0 stationary); rule {r.rule!r}: "
              + RULE_TEXT.get(r.rule, ""))  # fmt: skip
        print(st)
        how = (f"levels VAR, d_max = {r.diff_order}" if r.var_in_levels
               else f"differenced {r.diff_order} time(s)")  # fmt: skip
        print(f"  {how}; VAR lags {r.lags} by {r.ic.upper()} "
              f"(selected {r.selected_lags}, max {r.max_lags}); {r.n_obs_var} observations; "
              f"VAR stable {r.var_stable}")  # fmt: skip
        print(tab)
    for w in [*r.warnings, *r.notes]:
        print(f"  - {w}")
    out = tab.with_columns(
        pl.lit(r.diff_order).alias("diff_order"),
        pl.lit(r.rule).alias("rule"),
        pl.lit(r.ic).alias("ic"),
        pl.lit(r.n_obs_var).alias("n_obs_var"),
        pl.lit(r.stationary_after_diff).alias("stationary"),
        pl.lit("; ".join([*r.warnings, *r.notes])).alias("message"),
    )
    return out, ""


def handle(args: argparse.Namespace) -> int:

    if args.bootstrap < 0:
        raise UsageError("--bootstrap must be ≥ 0")
    if args.starts < 0:
        raise UsageError("--starts must be ≥ 0")
    if not 0 < args.level < 1:
        raise UsageError("--level must be in (0, 1)")
    if args.bootstrap and args.method == "discrete":
        raise UsageError("--bootstrap applies to --method ode_nls")
    t, x, y = _series(args)
    import contextlib
    import io

    quiet = args.quiet or args.json  # the report below goes nowhere; files and JSON stay
    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        f, caus = _fit_and_print(args, t, x, y)
    from cbec.commands._coevolve_out import _method, _tables, _write_outputs

    tables = _tables(args, f, caus)
    if args.out:
        _write_outputs(args, tables)
    if args.json:
        from cbec.output.terminal import json_text

        status = {} if f is None else {"status": f.status, "stability": f.analysis.stability,
                                       "interaction": f.interaction}  # fmt: skip
        print(json_text(tables, status, _method(args)))
    lv_failed = f is None or f.status in ("not_identified", "not_converged")
    if lv_failed and f is not None:
        why = next((w for w in f.warnings if "singular" in w or "converge" in w), f.status)
        print(
            f"cbec coevolve: {args.file}: the {args.model} model is not identified by these "
            f"{f.n_obs} points ({why}); see the warnings above",
            file=sys.stderr,
        )
    # exit 5 only when nothing requested was estimated: with --causality, complete causality
    # results exit 0 whatever the LV status (which is printed and written with the results)
    if lv_failed and caus is None:
        return NumericalError.exit_code
    return 0


def _fit_and_print(args: argparse.Namespace, t, x, y):
    """The Lotka–Volterra fit (and --causality) with the printed report: (fit | None, table)."""
    from measures.coevolution import IdentificationError, fit_lv

    model = MODEL_NAMES[args.model]
    f, lv_error = None, ""
    quiet = args.quiet or args.method == "discrete"  # the discretised OLS takes no time
    try:
        with Progress(f"Lotka–Volterra {args.model} fit", unit="fits", quiet=quiet) as p:
            f = fit_lv(x, y, t, model=model, method=args.method, scale=args.scale,
                       fit_x0=args.fit_x0, n_starts=args.starts, seed=args.seed,
                       level=args.level, n_boot=args.bootstrap, progress=p.update)  # fmt: skip
    except IdentificationError as exc:
        hint = {
            "too_few_points": " Use a longer series.",
            "no_co_movement": " A constant series carries no information on the interaction.",
        }.get(exc.reason, "")
        lv_error = (f"{args.file}: the {args.model} model is not identified by these data "
                    f"({exc.reason}): {exc}.{hint}")  # fmt: skip
        if not args.causality:
            raise NumericalError(lv_error) from exc
        print(f"Lotka–Volterra fit not done: {lv_error}")
    if f is not None:
        _print_fit(f, args, t)
    caus = None
    if args.causality:
        caus, note = _causality(args, t, x, y)
        if note:
            print(f"\n{note}")
    return f, caus
