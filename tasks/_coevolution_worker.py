"""The co-evolution fit of one region × pair × model (METHODS §8), as run in the worker
processes of tasks.coevolution. This module imports only numpy and measures.coevolution, so a
worker (forkserver/spawn) starts without the orchestration stack (prefect, polars, DuckDB)."""

from __future__ import annotations

import numpy as np

from measures.coevolution import COMP_NAMES, PP_NAMES, IdentificationError, fit_lv, native

ALL_PARAMS = (*PP_NAMES, *COMP_NAMES)


def fit_job(args: tuple) -> dict:
    """`fit_row(*args)` (a top-level function: picklable for the process pool)."""
    return fit_row(*args)


def fit_row(region: str, pair: str, x1n: str, x2n: str, model: str, years, a, b, fp) -> dict:
    """One fit row: parameters, intervals, equilibrium analysis and fit statistics, or NaN
    numbers with status `not_identified`/`failed` and the reason (never an exception)."""
    ode = fp["method"] == "ode_nls" and len(years) > 0
    row: dict = {"region_code": region, "pair": pair, "x1": x1n, "x2": x2n, "model": model,
                 "method": fp["method"],
                 "ode_solver": native.solver_label(model, fp["ode_method"]) if ode else "",
                 "n_obs": len(years),
                 "year_start": int(years[0]) if len(years) else None,
                 "year_end": int(years[-1]) if len(years) else None}  # fmt: skip
    nan = float("nan")
    for k in ALL_PARAMS:
        row[k] = row[f"se_{k}"] = row[f"ci_low_{k}"] = row[f"ci_high_{k}"] = nan
    row.update(x1_star=nan, x2_star=nan, eig1_real=nan, eig1_imag=nan, eig2_real=nan,
               eig2_imag=nan, stability="", period=nan, interaction="", r2_x1=nan, r2_x2=nan,
               mape_x1=nan, mape_x2=nan, mape=nan, cond_jtj=nan, converged=False,
               sign_violations="", status="", message="")  # fmt: skip
    try:
        f = fit_lv(a, b, np.asarray(years, dtype=float), model=model, **fp)
    except IdentificationError as exc:
        row.update(status="not_identified", message=f"{exc.reason}: {exc}")
        return row
    except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
        row.update(status="failed", message=str(exc))
        return row
    keep = f.status != "not_identified"
    for k, v in f.params.items():
        row[k] = v if keep else nan
        row[f"se_{k}"] = f.se[k]
        row[f"ci_low_{k}"] = f.ci_low[k]
        row[f"ci_high_{k}"] = f.ci_high[k]
    an = f.analysis
    eig = np.asarray(an.eigenvalues, dtype=complex)
    if keep:
        row.update(x1_star=an.equilibrium[0], x2_star=an.equilibrium[1],
                   eig1_real=eig[0].real, eig1_imag=eig[0].imag, eig2_real=eig[1].real,
                   eig2_imag=eig[1].imag, stability=an.stability, period=an.period,
                   interaction=f.interaction)  # fmt: skip
    row.update(r2_x1=f.r2[0], r2_x2=f.r2[1], mape_x1=f.mape[0], mape_x2=f.mape[1],
               mape=float(np.mean(f.mape)), cond_jtj=f.cond_jtj, converged=f.converged,
               sign_violations=",".join(f.discrete.sign_violations), status=f.status,
               message=f.message)  # fmt: skip
    return row
