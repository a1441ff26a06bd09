"""Yearly DEA efficiency, cross-efficiency and game cross-efficiency of the province panel
(METHODS §9.1–9.6; reference study A). Pure (polars + measures.dea): the pipeline's
per-year task (tasks/lp.py) calls `efficiency_tables`.

A year with more DMUs than `block_size` (config/dea.toml, METHODS §9.1 "Blocks of DMUs") has
its `efficiency` rows computed in blocks against the whole year's technology
(`measures.dea_blocks`); `efficiency_block` is one block's rows, so the LP work can fan the
blocks of a large year out over many workers and get the same table bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from cbec.params import section_dict
from measures.dea import cross_efficiency, dea_model, game_cross_efficiency, scale_efficiency
from measures.dea.game import GameConvergenceError
from measures.dea_blocks import block_bounds, dea_model_block, scale_efficiency_block
from transforms.dea_columns import slack_target_columns


def _params(params: dict | None) -> dict:
    """The DEA parameters (config/dea.toml's keys), completed from the typed model."""
    return section_dict("dea", params)


def _year_efficiency(codes, year, X, Y, p, inputs, outputs) -> pl.DataFrame:
    """The `efficiency` rows of one year (§9.1): in one go up to `block_size` DMUs, else the
    concatenation of its blocks (`efficiency_block`), in DMU order."""
    bounds = block_bounds(len(codes), int(p["block_size"]))
    if len(bounds) > 1:
        return concat_blocks([_block_efficiency(codes, year, X, Y, p, inputs, outputs, b)
                              for b in bounds])  # fmt: skip
    orient = p["orientation"]
    main = dea_model(X, Y, model="ccr" if p["rts"] == "crs" else "bcc", orientation=orient,
                     rts=p["rts"])  # fmt: skip
    se = scale_efficiency(X, Y, orientation=orient)
    return _efficiency_frame(codes, codes, year, main, se, p, inputs, outputs)


def _block_efficiency(codes, year, X, Y, p, inputs, outputs, bounds) -> pl.DataFrame:
    """The `efficiency` rows of DMUs bounds[0]..bounds[1]−1, evaluated against all DMUs of
    the year (§9.1, blocks of DMUs)."""
    a, b = bounds
    orient, rts = p["orientation"], p["rts"]
    main = dea_model_block(X, Y, a, b, model="ccr" if rts == "crs" else "bcc",
                           orientation=orient, rts=rts)  # fmt: skip
    se = scale_efficiency_block(X, Y, a, b, orientation=orient)
    return _efficiency_frame(codes[a:b], codes, year, main, se, p, inputs, outputs)


def _efficiency_frame(rows, codes, year, main, se, p, inputs, outputs) -> pl.DataFrame:
    """The `efficiency` table of the evaluated DMUs `rows`; `codes`: the reference DMUs that
    λ's columns (the peers) refer to."""
    orient = p["orientation"]
    cols = {
        "region_code": rows,
        "year": [year] * len(rows),
        "orientation": [orient] * len(rows),
        "rts": [p["rts"]] * len(rows),
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
        data = _year_data(panel, p, year)
        if data is None:
            continue
        codes, X, Y = data
        if "efficiency" in parts:
            parts["efficiency"].append(_year_efficiency(codes, year, X, Y, p, inputs, outputs))
        if "cross_efficiency" in parts:
            parts["cross_efficiency"].append(_year_cross(codes, year, X, Y, p["crosseff"]))
        if "game_cross_efficiency" in parts:
            parts["game_cross_efficiency"].append(_year_game(codes, year, X, Y, p["game"]))
    return {t: _cat(frames) for t, frames in parts.items()}


def _year_data(
    panel: pl.DataFrame, p: dict, year: int
) -> tuple[list, np.ndarray, np.ndarray] | None:
    """(DMU codes in region_code order, X, Y) of one year without missing values; None when
    fewer than two DMUs are left. `panel` must hold the columns of `p` (checked by callers)."""
    inputs, outputs = list(p["inputs"]), list(p["outputs"])
    d = panel.filter(pl.col("year") == year).sort("region_code")
    d = d.drop_nulls([*inputs, *outputs])
    if d.height < 2:
        return None
    X = d.select(inputs).to_numpy().astype(float)
    Y = d.select(outputs).to_numpy().astype(float)
    if np.any(X <= 0) or np.any(Y <= 0):
        raise ValueError(f"DEA needs positive inputs/outputs; year {year} has zeros/negatives")
    return d["region_code"].to_list(), X, Y


def year_blocks(panel: pl.DataFrame, params: dict | None, year: int) -> int:
    """How many blocks the `efficiency` rows of `year` are computed in (§9.1, blocks of
    DMUs): 1 up to `block_size` DMUs, 0 when the year has no DEA (fewer than two DMUs)."""
    p = _params(params)
    data = _year_data(panel, p, year)
    return 0 if data is None else len(block_bounds(len(data[0]), int(p["block_size"])))


def efficiency_block(
    panel: pl.DataFrame, params: dict | None, year: int, block: int
) -> pl.DataFrame:
    """The `efficiency` rows of block `block` (0-based, of `year_blocks`) of `year`: its DMUs
    evaluated against every DMU of the year (§9.1). `concat_blocks` of all blocks is exactly
    the year's `efficiency` table from `efficiency_tables`."""
    p = _params(params)
    data = _year_data(panel, p, year)
    if data is None:
        return pl.DataFrame()
    codes, X, Y = data
    bounds = block_bounds(len(codes), int(p["block_size"]))
    if not 0 <= block < len(bounds):
        raise ValueError(f"year {year} has {len(bounds)} DEA block(s), not block {block}")
    inputs, outputs = list(p["inputs"]), list(p["outputs"])
    if len(bounds) == 1:
        return _year_efficiency(codes, year, X, Y, p, inputs, outputs)
    return _block_efficiency(codes, year, X, Y, p, inputs, outputs, bounds[block])


def concat_blocks(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """One year's `efficiency` rows from its blocks' rows, in block (= DMU) order, with the
    column types of `efficiency_tables`."""
    return _cat(frames)


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
