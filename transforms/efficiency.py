"""Yearly DEA efficiency, cross-efficiency and game cross-efficiency of the province panel
(METHODS §9.1–9.6; reference study A). Pure (polars + measures.dea): the pipeline's
per-year task (tasks/lp.py) calls `efficiency_tables`."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from cbec.params import section_dict
from measures.dea import cross_efficiency, dea_model, game_cross_efficiency, scale_efficiency
from measures.dea.game import GameConvergenceError
from transforms.dea_columns import slack_target_columns


def _params(params: dict | None) -> dict:
    """The DEA parameters (config/dea.toml's keys), completed from the typed model."""
    return section_dict("dea", params)


def _year_efficiency(codes, year, X, Y, p, inputs, outputs) -> pl.DataFrame:
    orient = p["orientation"]
    main = dea_model(X, Y, model="ccr" if p["rts"] == "crs" else "bcc", orientation=orient,
                     rts=p["rts"])  # fmt: skip
    se = scale_efficiency(X, Y, orientation=orient)
    cols = {
        "region_code": codes,
        "year": [year] * len(codes),
        "orientation": [orient] * len(codes),
        "rts": [p["rts"]] * len(codes),
        "score": main.score,
        "phi": main.phi,
        "te_crs": se["crs"],
        "te_vrs": se["vrs"],
        "te_nirs": se["nirs"],
        "scale_eff": se["scale"],
        "rts_class": se["rts_class"].tolist(),
    }
    cols.update(slack_target_columns(main, inputs, outputs))
    cols["peers"] = [
        ";".join(f"{codes[j]}:{main.lambdas[i, j]:.6g}" for j in peers)
        for i, peers in enumerate(main.peers)
    ]
    status = np.where(main.status == "optimal", se["status"], main.status)
    cols["status"] = status.tolist()
    return pl.DataFrame(cols)


TABLES = ("efficiency", "cross_efficiency", "game_cross_efficiency")


def efficiency_tables(
    panel: pl.DataFrame, params: dict | None, tables: tuple[str, ...] = TABLES
) -> dict[str, pl.DataFrame]:
    """Per year: CCR/BCC/NIRS scores, scale efficiency, RTS class, slacks, targets, peers
    (`efficiency`, METHODS §9.1); aggressive (+ benevolent) cross-efficiency
    (`cross_efficiency`, §9.5); game cross-efficiency with iterations and convergence
    (`game_cross_efficiency`, §9.6) — those of `tables`.
    `panel`: wide, region_code, year and one column per variable of params (config/dea.toml)."""
    p = _params(params)
    inputs, outputs = list(p["inputs"]), list(p["outputs"])
    missing = [c for c in ["region_code", "year", *inputs, *outputs] if c not in panel.columns]
    if missing:
        raise ValueError(f"DEA panel lacks column(s) {missing}")
    parts: dict[str, list[pl.DataFrame]] = {t: [] for t in tables}
    for year in sorted(panel["year"].unique().to_list()):
        d = panel.filter(pl.col("year") == year).sort("region_code")
        d = d.drop_nulls([*inputs, *outputs])
        if d.height < 2:
            continue
        codes = d["region_code"].to_list()
        X = d.select(inputs).to_numpy().astype(float)
        Y = d.select(outputs).to_numpy().astype(float)
        if np.any(X <= 0) or np.any(Y <= 0):
            raise ValueError(f"DEA needs positive inputs/outputs; year {year} has zeros/negatives")
        if "efficiency" in parts:
            parts["efficiency"].append(_year_efficiency(codes, year, X, Y, p, inputs, outputs))
        if "cross_efficiency" in parts:
            parts["cross_efficiency"].append(_year_cross(codes, year, X, Y, p["crosseff"]))
        if "game_cross_efficiency" in parts:
            parts["game_cross_efficiency"].append(_year_game(codes, year, X, Y, p["game"]))
    return {t: _cat(frames) for t, frames in parts.items()}


def _year_cross(codes: list, year: int, X: np.ndarray, Y: np.ndarray, ce_p: dict) -> pl.DataFrame:
    """Aggressive (or the configured secondary goal) and benevolent cross-efficiency (§9.5)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        secondary = {"arbitrary": "none"}.get(ce_p["secondary"], ce_p["secondary"])
        agg = cross_efficiency(X, Y, secondary=secondary,
                               include_self=bool(ce_p["include_self"]))  # fmt: skip
        ben = cross_efficiency(X, Y, secondary="benevolent",
                               include_self=bool(ce_p["include_self"]))  # fmt: skip
    return pl.DataFrame(
        {
            "region_code": codes,
            "year": [year] * len(codes),
            "ccr": agg.theta,
            "cross_eff": agg.scores,
            "cross_eff_benevolent": ben.scores,
            "maverick": agg.maverick,
            "secondary": [ce_p["secondary"]] * len(codes),
            "status": agg.status.tolist(),
        }
    )


def _year_game(codes: list, year: int, X: np.ndarray, Y: np.ndarray, gp: dict) -> pl.DataFrame:
    """Game cross-efficiency of one year (§9.6); a failure is a status, not an exception."""
    acc = None if gp["accelerate"] in (None, "none") else gp["accelerate"]
    try:
        g = game_cross_efficiency(
            X, Y, tol=float(gp["tol"]), max_iter=int(gp["max_iter"]), start=gp["start"],
            accelerate=acc, on_max_iter="return",
        )  # fmt: skip
        g_scores, its, conv, st = g.scores, g.iterations, g.converged, g.status
        last = g.trace[-1] if g.trace else np.nan
    except GameConvergenceError as exc:
        g_scores = np.full(len(codes), np.nan)
        its, conv, st, last = 0, False, f"failed: {exc}", np.nan
    return pl.DataFrame(
        {
            "region_code": codes,
            "year": [year] * len(codes),
            "game_cross_eff": g_scores,
            "iterations": [its] * len(codes),
            "converged": [conv] * len(codes),
            "max_delta": [last] * len(codes),
            "status": [st] * len(codes),
        }
    )


def _cat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame()
    out = pl.concat(frames, how="vertical_relaxed").with_columns(pl.col("year").cast(pl.Int64))
    floats = [c for c, t in out.schema.items() if t in (pl.Float32, pl.Float64)]
    return out.with_columns([pl.col(c).cast(pl.Float64) for c in floats])
