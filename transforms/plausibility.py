"""Plausibility of a run's results (warnings in the results gate, listed in the run summary;
bounds in config/expectations.toml [plausibility]). Economic sanity, not arithmetic:

- capital–output ratio K/Y (both at base-year prices) outside [k_y_min, k_y_max] (1–6);
- the mean Malmquist TFP change of a year pair outside [tfp_min, tfp_max] (0.9–1.1);
- one province on the CCR frontier in every year of the window;
- a coupling coordination degree D whose rank correlation with GDP exceeds
  `coupling_gdp_rho_max` (0.95) in a year: the index then only restates size.

`plausibility(tables, bounds)` returns one row per check and subject with `ok`, the observed
value and a message; the results suite `results_plausibility` turns each `ok = false` row into
a warning.
"""

from __future__ import annotations

import numpy as np
import polars as pl

DEFAULT_BOUNDS = {
    "k_y_min": 1.0,
    "k_y_max": 6.0,
    "tfp_min": 0.9,
    "tfp_max": 1.1,
    "coupling_gdp_rho_max": 0.95,
}
SCHEMA = {
    "check": pl.Utf8,
    "region_code": pl.Utf8,
    "year": pl.Int64,
    "value": pl.Float64,
    "ok": pl.Boolean,
    "message": pl.Utf8,
}


def _capital_output(dp: pl.DataFrame, b: dict) -> list[dict]:
    if not {"capital_stock", "real_gdp"} <= set(dp.columns):
        return []
    out = []
    for r in dp.with_columns((pl.col("capital_stock") / pl.col("real_gdp")).alias("ky")).iter_rows(named=True):  # fmt: skip
        ok = b["k_y_min"] <= r["ky"] <= b["k_y_max"]
        out.append({"check": "capital_output_ratio", "region_code": r["region_code"],
                    "year": r["year"], "value": r["ky"], "ok": ok,
                    "message": f"K/Y = {r['ky']:.2f} (plausible {b['k_y_min']:g}–{b['k_y_max']:g})"})  # fmt: skip
    return out


def _tfp(summary: pl.DataFrame, b: dict) -> list[dict]:
    if summary.is_empty() or "scope" not in summary.columns:
        return []
    out = []
    for r in summary.filter(pl.col("scope") == "period").iter_rows(named=True):
        v = r["mi"]
        ok = v is not None and np.isfinite(v) and b["tfp_min"] <= v <= b["tfp_max"]
        out.append({"check": "mean_tfp_change", "region_code": None, "year": r["year_to"],
                    "value": v, "ok": bool(ok),
                    "message": f"mean Malmquist TFP change {r['year_from']}→{r['year_to']} = {v:.3f} (plausible {b['tfp_min']:g}–{b['tfp_max']:g})"})  # fmt: skip
    return out


def _always_frontier(eff: pl.DataFrame) -> list[dict]:
    if eff.is_empty() or "score" not in eff.columns:
        return []
    n_years = eff["year"].n_unique()
    on = eff.filter(pl.col("score") >= 1 - 1e-6).group_by("region_code").agg(pl.len().alias("n"))
    out = []
    for r in on.iter_rows(named=True):
        ok = not (n_years > 1 and r["n"] == n_years)
        out.append({"check": "always_on_frontier", "region_code": r["region_code"],
                    "year": None, "value": float(r["n"]), "ok": ok,
                    "message": f"on the CCR frontier in {r['n']} of {n_years} years"})  # fmt: skip
    return out


def _coupling_vs_gdp(coupling: pl.DataFrame, real_gdp: pl.DataFrame, b: dict) -> list[dict]:
    need = {"region_code", "year", "d"}
    if coupling.is_empty() or not need <= set(coupling.columns) or real_gdp.is_empty():
        return []
    c = coupling
    if "system" in c.columns:
        c = c.filter(pl.col("system") == c["system"].sort()[0])
    j = c.join(real_gdp.select("region_code", "year", "gdp_nominal"), on=["region_code", "year"])
    out = []
    for (year,), g in j.group_by(["year"]):
        if g.height < 5:
            continue
        rho = g.select(pl.corr("d", "gdp_nominal", method="spearman")).item()
        ok = rho is None or not np.isfinite(rho) or rho <= b["coupling_gdp_rho_max"]
        out.append({"check": "coupling_rank_vs_gdp", "region_code": None, "year": int(year),
                    "value": rho, "ok": bool(ok),
                    "message": f"Spearman ρ(D, GDP) = {rho:.3f} in {year} (the index restates size above {b['coupling_gdp_rho_max']:g})"})  # fmt: skip
    return out


def plausibility(tables: dict[str, pl.DataFrame], bounds: dict | None = None) -> pl.DataFrame:
    """One row per plausibility check and subject (module docstring)."""
    b = {**DEFAULT_BOUNDS, **(bounds or {})}
    empty = pl.DataFrame(schema=SCHEMA)
    rows = _capital_output(tables.get("dea_panel", empty), b)
    rows += _tfp(tables.get("malmquist_summary", empty), b)
    rows += _always_frontier(tables.get("efficiency", empty))
    rows += _coupling_vs_gdp(tables.get("coupling", empty), tables.get("real_gdp", empty), b)
    return pl.DataFrame(rows, schema=SCHEMA) if rows else empty
