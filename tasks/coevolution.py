"""Per-province co-evolution of composite subsystem indices: Lotka–Volterra predator–prey and
competition/mutualism fits (METHODS §8; reference study D) and Granger causality / VAR
(reference study C). Thin: the maths is in measures.coevolution and measures.causality.

Tables: `coevolution` (one row per region × pair × model) and `causality` (one row per
region × pair × direction). A fit or test that cannot be done for a province gives a row
with NULL numbers and `status`/`message`, never an exception. A fit that is not identified
(`ok`/`weak` are the identified statuses) publishes only its keys, sample, status and
message: parameters, intervals, equilibrium, stability and interaction label are NULL
(issue 15) — a not-converged optimiser's numbers are not estimates."""

from __future__ import annotations

import multiprocessing
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import polars as pl
from prefect import task

from cbec.params import section_dict
from tasks._cache import COMPUTE_CACHE

# The maths (measures.coevolution, measures.causality: scipy.stats, scipy.integrate)
# is imported where it is used, so importing the flow costs nothing when a run reuses results.

IDENTIFIED = ("ok", "weak")  # fit statuses whose numbers are published
# what a fit row that is not identified keeps (everything else is NULL)
KEEP_UNIDENTIFIED = ("region_code", "pair", "x1", "x2", "model", "method", "ode_solver", "n_obs",
                     "year_start", "year_end", "converged", "status", "message")  # fmt: skip


def _params(params: dict | None) -> dict:
    """config/coevolution.toml's tables completed by the parameter model (cbec.params); a
    `workers` key (operational, not recorded) is kept for the fits' process count."""
    params = dict(params or {})
    if "coevolution" in params and isinstance(params["coevolution"], dict):
        params = params["coevolution"]  # the whole load_params() dict was passed
    p = section_dict("coevolution", params)
    if "workers" in params:
        p["workers"] = params["workers"]
    return p


def _causality_rows(region: str, pair: str, x1n: str, x2n: str, a, b, cp) -> list[dict]:
    from measures.causality import SeriesTooShortError, granger_var

    base = {"region_code": region, "pair": pair}
    try:
        r = granger_var(a, b, names=(x1n, x2n), **cp)
    except (SeriesTooShortError, ValueError, np.linalg.LinAlgError) as exc:
        status = "too_short" if isinstance(exc, SeriesTooShortError) else "failed"
        nan = float("nan")
        return [
            {**base, "cause": c, "effect": e, "direction": f"{c}->{e}", "ic": cp["ic"],
             "lags": None, "diff_order": None, "n_obs": len(a), "n_obs_var": None,
             "f_stat": nan, "p_value": nan, "df_num": None, "df_denom": nan,
             "var_f_stat": nan, "var_p_value": nan, "irf_h1": nan, "irf_cum": nan,
             "stationary": None, "var_stable": None, "status": status, "message": str(exc)}
            for c, e in ((x1n, x2n), (x2n, x1n))
        ]  # fmt: skip
    out = []
    for d in r.directions:
        out.append({**base, "cause": d.cause, "effect": d.effect,
                    "direction": f"{d.cause}->{d.effect}", "ic": r.ic, "lags": d.lags,
                    "diff_order": r.diff_order, "n_obs": r.n_obs, "n_obs_var": r.n_obs_var,
                    "f_stat": d.f_stat, "p_value": d.p_value, "df_num": d.df_num,
                    "df_denom": d.df_denom, "var_f_stat": d.var_f_stat,
                    "var_p_value": d.var_p_value, "irf_h1": d.irf_h1, "irf_cum": d.irf_cum,
                    "stationary": r.stationary_after_diff, "var_stable": r.var_stable,
                    "status": "weak" if r.warnings else "ok",
                    "message": "; ".join([*r.warnings, *r.notes])})  # fmt: skip
    return out


COEV_SCHEMA_OVERRIDES = {"year_start": pl.Int64, "year_end": pl.Int64, "n_obs": pl.Int64}
CAUS_SCHEMA = {
    "region_code": pl.Utf8, "pair": pl.Utf8, "cause": pl.Utf8, "effect": pl.Utf8,
    "direction": pl.Utf8, "ic": pl.Utf8, "lags": pl.Int64, "diff_order": pl.Int64,
    "n_obs": pl.Int64, "n_obs_var": pl.Int64, "f_stat": pl.Float64, "p_value": pl.Float64,
    "df_num": pl.Int64, "df_denom": pl.Float64, "var_f_stat": pl.Float64,
    "var_p_value": pl.Float64, "irf_h1": pl.Float64, "irf_cum": pl.Float64,
    "stationary": pl.Boolean, "var_stable": pl.Boolean, "status": pl.Utf8, "message": pl.Utf8,
}  # fmt: skip


def _publishable(row: dict) -> dict:
    """A fit row as published: NaN → None, and for a fit that is not identified every number
    and label other than KEEP_UNIDENTIFIED → None (issue 15)."""
    out = {}
    keep_all = row.get("status") in IDENTIFIED
    for k, v in row.items():
        if not keep_all and k not in KEEP_UNIDENTIFIED:
            v = None
        elif isinstance(v, float) and np.isnan(v):
            v = None
        out[k] = v
    return out


def _coev_frame(rows: list[dict]) -> pl.DataFrame:
    from tasks._coevolution_worker import fit_row

    if not rows:
        rows = [fit_row("", "", "", "", "", [], [], [], {"method": ""})]
        df = pl.DataFrame(rows).clear()
    else:
        df = pl.DataFrame([_publishable(r) for r in rows], infer_schema_length=None)
    casts: dict[str, pl.DataType | type[pl.DataType]] = {}
    for c, dt in df.schema.items():
        if c in COEV_SCHEMA_OVERRIDES:
            casts[c] = COEV_SCHEMA_OVERRIDES[c]
        elif c in COEV_TEXT:
            casts[c] = pl.Utf8
        elif c == "converged":
            casts[c] = pl.Boolean
        elif dt in (pl.Int64, pl.Int32, pl.Float32, pl.Null):
            casts[c] = pl.Float64
    return df.with_columns([pl.col(c).cast(t) for c, t in casts.items()])


COEV_TEXT = ("region_code", "pair", "x1", "x2", "model", "method", "ode_solver", "stability",
             "interaction", "sign_violations", "status", "message")  # fmt: skip


def fit_counts(coevolution: pl.DataFrame, causality: pl.DataFrame) -> dict:
    """Identified co-evolution fits and too_short causality rows (for the run summary)."""
    n_fit = coevolution.height
    n_id = coevolution.filter(pl.col("status").is_in(IDENTIFIED)).height if n_fit else 0
    n_caus = causality.height
    n_short = causality.filter(pl.col("status") == "too_short").height if n_caus else 0
    return {"fits": n_fit, "identified": n_id, "causality": n_caus, "too_short": n_short}


def _nan_to_null(df: pl.DataFrame) -> pl.DataFrame:
    floats = [c for c, dt in df.schema.items() if dt == pl.Float64]
    return df.with_columns([pl.col(c).fill_nan(None) for c in floats])


def _context():
    """forkserver: workers are forked from a clean server process that imported only the fit
    module (numpy, scipy, measures.coevolution: tasks._coevolution_worker), never prefect or
    this threaded process; spawn where forkserver does not exist."""
    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:  # pragma: no cover - no forkserver on this platform
        return multiprocessing.get_context("spawn")
    ctx.set_forkserver_preload(["tasks._coevolution_worker"])
    return ctx


def _run_fits(jobs: list[tuple], p: dict) -> list[dict]:
    """The ODE fits, in `workers` processes (config; 0 = one per core, 1 = in this process).
    Each fit is independent and deterministic (its own seeded starts), so the result does not
    depend on the number of workers."""
    from cbec.settings import load_operational  # operational: not part of the run version
    from tasks._coevolution_worker import fit_job

    workers = int(p.get("workers") or load_operational().coevolution_workers) or (
        os.cpu_count() or 1
    )
    workers = min(workers, len(jobs))
    if workers <= 1 or len(jobs) < 8:
        return [fit_job(j) for j in jobs]
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
            # one fit per task: fits differ ×10 in cost, so big chunks left a core idle at the end
            return list(pool.map(fit_job, jobs, chunksize=1))
    except (BrokenProcessPool, AssertionError, OSError) as exc:
        # no child processes here (e.g. inside a daemonic worker) or one died: same fits inline
        warnings.warn(
            f"co-evolution fits run in-process ({type(exc).__name__}: {exc})", stacklevel=2
        )
        return [fit_job(j) for j in jobs]


def coevolution_tables(composite: pl.DataFrame, params: dict | None) -> dict[str, pl.DataFrame]:
    """The undecorated logic of `compute_coevolution` (callable in unit tests)."""
    from tasks._coevolution_worker import fit_row

    p = _params(params)
    need = ["region_code", "year", "subsystem", "score"]
    missing = [c for c in need if c not in composite.columns]
    if missing:
        raise ValueError(f"composite lacks column(s) {missing}")
    fp = {k: v for k, v in p["fit"].items()}
    fp["n_starts"] = int(fp["n_starts"])
    cp = dict(p["causality"])
    subsystems = set(composite["subsystem"].unique().to_list())
    coev: list = []
    caus: list = []
    jobs: list = []
    for region in sorted(composite["region_code"].unique().to_list()):
        d = composite.filter(pl.col("region_code") == region)
        wide = d.pivot(on="subsystem", index="year", values="score", aggregate_function="first")
        wide = wide.sort("year")
        for x1n, x2n in p["pairs"]:
            pair = f"{x1n}-{x2n}"
            if x1n not in subsystems or x2n not in subsystems:
                absent = [s for s in (x1n, x2n) if s not in subsystems]
                msg = f"subsystem(s) {absent} not in the composite (has {sorted(subsystems)})"
                for model in p["models"]:
                    r = fit_row(region, pair, x1n, x2n, model, [], [], [], {"method": fp["method"]})
                    r.update(status="missing_subsystem", message=msg)
                    coev.append(r)
                caus += [{**x, "status": "missing_subsystem", "message": msg}
                         for x in _causality_rows(region, pair, x1n, x2n, [], [], cp)]  # fmt: skip
                continue
            w = wide.select("year", x1n, x2n).drop_nulls()
            w = w.filter(pl.col(x1n).is_not_nan() & pl.col(x2n).is_not_nan())
            years = w["year"].to_list()
            a = w[x1n].cast(pl.Float64).to_numpy()
            b = w[x2n].cast(pl.Float64).to_numpy()
            for model in p["models"]:
                jobs.append((len(coev), (region, pair, x1n, x2n, model, years, a, b, fp)))
                coev.append(None)
            caus += _causality_rows(region, pair, x1n, x2n, a, b, cp)
    for slot, row in zip([j[0] for j in jobs], _run_fits([j[1] for j in jobs], p), strict=True):
        coev[slot] = row
    causality = pl.DataFrame(caus, schema=CAUS_SCHEMA) if caus else pl.DataFrame(schema=CAUS_SCHEMA)
    return {"coevolution": _coev_frame(coev), "causality": _nan_to_null(causality)}


@task(name="coevolution", cache_policy=COMPUTE_CACHE)
def compute_coevolution(composite: pl.DataFrame, params: dict) -> dict[str, pl.DataFrame]:
    """Lotka–Volterra (predator–prey and competition) fits and Granger/VAR per province for
    each subsystem pair of params (config/coevolution.toml).
    `composite`: long, region_code (str), year (Int64), subsystem (str), score (Float64 > 0).
    Logs how many fits are identified and how many causality rows are too_short."""
    out = coevolution_tables(composite, params)
    n = fit_counts(out["coevolution"], out["causality"])
    msg = (f"co-evolution: {n['identified']} of {n['fits']} fits identified (ok/weak); "
           f"causality: {n['too_short']} of {n['causality']} rows too_short")  # fmt: skip
    try:
        from prefect import get_run_logger

        get_run_logger().info(msg)
    except Exception:  # noqa: BLE001 - no run context (plain call): nothing to log to
        pass
    return out
