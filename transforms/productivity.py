"""Malmquist productivity index and CC-Malmquist of the province panel (METHODS §9.7–9.8;
reference study A). Pure (polars + measures.malmquist): the pipeline's
pair tasks (tasks/lp.py) call `productivity_tables`."""

from __future__ import annotations

import numpy as np
import polars as pl

from cbec.params import section_dict
from measures.dea.game import GameConvergenceError
from measures.malmquist import CC_COMPONENTS, COMPONENTS, malmquist_panel

_MALM_KEYS = ("orientation", "frontier", "base", "decomposition", "infeasible",
              "cross_efficiency", "game")  # fmt: skip


def _params(params: dict | None) -> dict:
    """Accepts either the flat parameters (inputs/outputs as in config/dea.toml plus the keys
    of config/malmquist.toml) or the whole `load_params()` dict ({"dea": …, "malmquist": …}).
    Inputs/outputs always come from the DEA parameters, the rest from malmquist, each completed
    from the typed model (cbec.params)."""
    params = dict(params or {})
    dea = params.get("dea", params)
    malm = params.get("malmquist", params if "dea" not in params else {})
    spec = section_dict("dea", {k: list(dea[k]) for k in ("inputs", "outputs") if k in dea})
    mk = {k: malm[k] for k in _MALM_KEYS if k in malm}
    if "game" in mk:  # a flat dict may carry the DEA game's keys (accelerate): keep §9.8's
        mk["game"] = {k: v for k, v in mk["game"].items() if k in ("tol", "max_iter", "start")}
    p = section_dict("malmquist", mk)
    return {"inputs": spec["inputs"], "outputs": spec["outputs"], **p}


def _empty() -> dict[str, pl.DataFrame]:
    comps = dict.fromkeys(COMPONENTS, pl.Float64)
    cc = dict.fromkeys(CC_COMPONENTS, pl.Float64)
    keys = {"region_code": pl.Utf8, "year_from": pl.Int64, "year_to": pl.Int64}
    main = pl.DataFrame(schema={**keys, **comps, "status": pl.Utf8, **cc, "cc_status": pl.Utf8})
    summ = pl.DataFrame(schema={"scope": pl.Utf8, **keys, "n": pl.Int64, **comps, **cc})
    return {"malmquist": main, "malmquist_summary": summ}


def game_shareable(dea_params: dict | None, params: dict | None) -> bool:
    """Whether the yearly game cross-efficiency of the DEA tables (transforms.efficiency,
    §9.6) is the own-period game of CC-Malmquist (§9.8): the same tol, max_iter and start, and
    Anderson acceleration (the Malmquist game's). Then each year's game is solved once."""
    if not _params(params)["cross_efficiency"]:
        return False
    g_dea = section_dict("dea", dea_params)["game"]
    g_malm = _params(params)["game"]
    same = all(g_dea[k] == g_malm[k] for k in ("tol", "max_iter", "start"))
    return same and g_dea["accelerate"] == "anderson"


def _game_own(game: pl.DataFrame | None, panel: pl.DataFrame) -> np.ndarray | None:
    """(T, n) own-year game scores from the yearly `game_cross_efficiency` rows (years and
    region codes in the order of `malmquist_panel`), when they cover every DMU of every year
    of `panel`, each game converged with finite scores; else None (the games are rerun)."""
    if game is None or game.height == 0:
        return None
    codes = sorted(panel["region_code"].unique().to_list())
    rows = []
    for year in sorted(panel["year"].unique().to_list()):
        g = game.filter(pl.col("year") == year).sort("region_code")
        if g["region_code"].to_list() != codes or not all(g["converged"].to_list()):
            return None
        rows.append(g["game_cross_eff"].cast(pl.Float64).to_numpy())
    out = np.vstack(rows)
    return out if np.all(np.isfinite(out)) else None


def productivity_tables(
    panel: pl.DataFrame, params: dict | None, game: pl.DataFrame | None = None
) -> dict[str, pl.DataFrame]:
    """Malmquist index (FGNZ DEFAULT) and CC-Malmquist of the wide province panel
    (`region_code`, `year`, one column per variable of config/dea.toml):
    `malmquist` — one row per province and pair of consecutive years (mi = ec × tc,
    ec = pec × sec, status; cc_mi = ec_cc × tc_cc, cc_status); `malmquist_summary` —
    DEAP-style geometric means by province (scope "region"), by year pair ("period") and
    overall ("all"). `game`: the yearly game_cross_efficiency rows of these years when
    `game_shareable` (each year's game solved once, not again per pair; same results)."""
    p = _params(params)
    inputs, outputs = p["inputs"], p["outputs"]
    missing = [c for c in ["region_code", "year", *inputs, *outputs] if c not in panel.columns]
    if missing:
        raise ValueError(f"Malmquist panel lacks column(s) {missing}")
    if panel.height == 0 or panel["year"].n_unique() < 2:
        return _empty()
    kw = {
        "dmu": "region_code",
        "period": "year",
        "inputs": inputs,
        "outputs": outputs,
        "orientation": p["orientation"],
        "frontier": p["frontier"],
        "base": int(p["base"]),
        "decomposition": p["decomposition"],
        "infeasible": p["infeasible"],
    }
    g = p["game"]
    cc_error = None
    if p["cross_efficiency"]:
        try:
            res = malmquist_panel(
                panel, **kw, cross_efficiency=True, game_tol=float(g["tol"]),
                game_max_iter=int(g["max_iter"]), game_start=g["start"],
                game_own=_game_own(game, panel),
            )  # fmt: skip
        except GameConvergenceError as exc:
            cc_error = f"failed: {exc}"
            res = malmquist_panel(panel, **kw)
    else:
        res = malmquist_panel(panel, **kw)
    tab = res.table()
    if res.cc is None:
        tab = tab.with_columns(
            *[pl.lit(np.nan, dtype=pl.Float64).alias(k) for k in CC_COMPONENTS],
            pl.lit(cc_error or "not_computed").alias("cc_status"),
        )
    main = tab.rename({"dmu": "region_code", "period_from": "year_from", "period_to": "year_to"})
    main = main.with_columns(
        pl.col("region_code").cast(pl.Utf8),
        pl.col("year_from").cast(pl.Int64),
        pl.col("year_to").cast(pl.Int64),
        *[pl.col(k).cast(pl.Float64) for k in (*COMPONENTS, *CC_COMPONENTS)],
    ).select(list(_empty()["malmquist"].columns))
    summ = res.summary().rename(
        {"dmu": "region_code", "period_from": "year_from", "period_to": "year_to"}
    )
    for k in CC_COMPONENTS:
        if k not in summ.columns:
            summ = summ.with_columns(pl.lit(np.nan, dtype=pl.Float64).alias(k))
    summ = summ.with_columns(
        pl.col("scope").replace({"dmu": "region"}),
        pl.col("region_code").cast(pl.Utf8),
        pl.col("year_from").cast(pl.Int64),
        pl.col("year_to").cast(pl.Int64),
        pl.col("n").cast(pl.Int64),
        *[pl.col(k).cast(pl.Float64) for k in (*COMPONENTS, *CC_COMPONENTS)],
    ).select(list(_empty()["malmquist_summary"].columns))
    return {"malmquist": main, "malmquist_summary": summ}
