"""results.efficiency_sensitivity: how much the efficiency conclusions depend on the
specification (METHODS §9.1, §9.7; config/dea.toml [[sensitivity]]).

For the default specification and every alternative: per year the mean CCR efficiency, the
number and names of frontier provinces, and the mean Malmquist TFP change into that year
(geometric mean over provinces of the adjacent-frontier FGNZ index, CRS).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from cbec.params import section_dict
from measures.dea import dea_model
from measures.malmquist import malmquist_panel
from transforms._scalars import as_int
from transforms.dea_panel import dea_panel
from transforms.labour import labour

FRONTIER_TOL = 1e-6
DEFAULT_NAME = "default"


def specifications(dea: dict, labour_params: dict) -> list[dict]:
    """The default specification first, then config/dea.toml [[sensitivity]] entries, each
    with inputs, outputs, window, proxies and the full labour parameters it uses (an entry's
    missing keys: the default specification's, its window: the model's default)."""
    dea = section_dict("dea", dea)
    default_window = section_dict("dea", {})["window"]
    base = {
        "name": DEFAULT_NAME,
        "description": "the published default (config/dea.toml inputs/outputs/window)",
        "inputs": list(dea["inputs"]),
        "outputs": list(dea["outputs"]),
        "window": dea["window"],
        "labour": dict(labour_params),
    }
    out = [base]
    for alt in dea["sensitivity"]:
        out.append(
            {
                "name": str(alt["name"]),
                "description": str(alt.get("description", "")),
                "inputs": list(alt.get("inputs", base["inputs"])),
                "outputs": list(alt.get("outputs", base["outputs"])),
                "window": alt.get("window", default_window),
                "labour": {**labour_params, **alt.get("labour", {})},
            }
        )
    for s in out:
        s["proxies"] = dict(dea["proxies"])
    return out


def _year_rows(dp: pl.DataFrame, spec: dict) -> list[dict]:
    rows = []
    for year in sorted(dp["year"].unique().to_list()):
        d = dp.filter(pl.col("year") == year).sort("region_code")
        res = dea_model(d.select(spec["inputs"]).to_numpy(), d.select(spec["outputs"]).to_numpy())
        score = np.asarray(res.score, dtype=float)
        on = [c for c, s in zip(d["region_code"].to_list(), score, strict=True) if s >= 1 - FRONTIER_TOL]  # fmt: skip
        rows.append(
            {
                "year": int(year),
                "n_dmu": d.height,
                "mean_efficiency": float(np.nanmean(score)),
                "n_frontier": len(on),
                "frontier_provinces": on,
            }
        )
    return rows


def _tfp_by_year(dp: pl.DataFrame, spec: dict) -> dict[int, float]:
    if dp["year"].n_unique() < 2:
        return {}
    res = malmquist_panel(
        dp, dmu="region_code", period="year", inputs=spec["inputs"], outputs=spec["outputs"],
        frontier="adjacent", decomposition="fgnz",
    )  # fmt: skip
    tab = res.table()
    g = tab.group_by("period_to").agg(pl.col("mi").log().mean().exp().alias("tfp"))
    return {int(r["period_to"]): float(r["tfp"]) for r in g.iter_rows(named=True)}


def efficiency_sensitivity(
    panel: pl.DataFrame, tables: dict[str, pl.DataFrame], params: dict
) -> pl.DataFrame:
    """specification × year: n_dmu, mean_efficiency, n_frontier, frontier_provinces,
    mean_tfp_change (null in a window's first year), and what the specification is."""
    lab_params = params["production"]["labour"]
    out = []
    for spec in specifications(params["dea"], lab_params):
        t = dict(tables)
        if spec["name"] != DEFAULT_NAME:
            t["labour"] = labour(panel, spec["labour"])
        dp = dea_panel(t, panel, spec)
        tfp = _tfp_by_year(dp, spec)
        lab = spec["labour"]
        for r in _year_rows(dp, spec):
            year_q = dp.filter(pl.col("year") == r["year"])["quality"].to_list()
            flags = sorted({f for q in year_q for f in q})
            out.append(
                {
                    "specification": spec["name"],
                    "description": spec["description"],
                    "inputs": spec["inputs"],
                    "outputs": spec["outputs"],
                    "labour_series": f"{lab.get('series')}, splice {lab.get('splice')}, {lab.get('method')}",  # fmt: skip
                    "window_first": as_int(dp["year"].min()),
                    "window_last": as_int(dp["year"].max()),
                    **r,
                    "mean_tfp_change": tfp.get(r["year"]),
                    "quality": flags,
                }
            )
    return pl.DataFrame(
        out,
        schema_overrides={
            "mean_tfp_change": pl.Float64,
            "frontier_provinces": pl.List(pl.Utf8),
            "inputs": pl.List(pl.Utf8),
            "outputs": pl.List(pl.Utf8),
            "quality": pl.List(pl.Utf8),
        },
    )
