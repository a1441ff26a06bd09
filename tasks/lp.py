"""The LP work of the refresh split into independent, cacheable units (ARCHITECTURE.md, Scale):
DEA + cross-efficiency + game cross-efficiency of ONE year, Malmquist of ONE adjacent period
pair. Each unit caches on its own slice of the panel (INPUTS + TASK_SOURCE + code version), so
a new file that touches one year recomputes only that year and the pairs that contain it.
A year with more DMUs than the DEA `block_size` (METHODS §9.1, blocks of DMUs) also has ONE
task per block of its `efficiency` rows (`dea_block`); its `dea_year` then computes only the
cross-efficiency tables, and `with_blocks` puts the year's result back together.

Thin: the maths is in measures/ (through transforms.efficiency / transforms.productivity); this module
only slices the panel and re-assembles the pieces into the tables the monolithic tasks return.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from prefect import task

from measures.malmquist import CC_COMPONENTS, COMPONENTS, CCResult, MalmquistResult
from tasks._cache import COMPUTE_CACHE
from transforms.efficiency import TABLES, concat_blocks, efficiency_block, efficiency_tables
from transforms.efficiency import year_blocks as _year_blocks
from transforms.productivity import _params as malmquist_params
from transforms.productivity import game_shareable as _game_shareable
from transforms.productivity import productivity_tables

EFFICIENCY_TABLES = ("efficiency", "cross_efficiency", "game_cross_efficiency")


def years_of(panel: pl.DataFrame, years: list[int] | None = None) -> list[int]:
    """Sorted years of the panel, restricted to `years` when given."""
    have = sorted(int(y) for y in panel["year"].unique().to_list())
    return [y for y in have if years is None or y in set(int(v) for v in years)]


def year_slice(panel: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    return panel.filter(pl.col("year").is_in(list(years))).sort(["year", "region_code"])


def pair_splittable(params: dict) -> bool:
    """Malmquist splits into independent adjacent pairs only for the adjacent frontier with
    NaN/drop handling of infeasible LPs (the `global` fallback needs every period at once)."""
    p = malmquist_params(params)
    return p["frontier"] == "adjacent" and p["infeasible"] in ("nan", "drop")


@task(name="dea-year", task_run_name="dea-{year}", cache_policy=COMPUTE_CACHE)
def dea_year(
    panel: pl.DataFrame, params: dict, year: int, tables: tuple[str, ...] = TABLES
) -> dict[str, pl.DataFrame]:
    """DEA, cross-efficiency and game cross-efficiency of one year (`panel` holds that year);
    `tables`: those of `year_tables` (without `efficiency` when the year runs in blocks)."""
    return efficiency_tables(panel, params, tables)


def year_blocks(panel: pl.DataFrame, params: dict, year: int) -> int:
    """Blocks of the year's `efficiency` rows (METHODS §9.1): 1 up to `block_size` DMUs."""
    return _year_blocks(panel, params, year)


def year_tables(blocks: int) -> tuple[str, ...]:
    """The tables `dea_year` computes for a year of `blocks` blocks: all of them for one
    block, the cross-efficiency tables only when `dea_block` tasks compute `efficiency`."""
    return TABLES if blocks <= 1 else tuple(t for t in TABLES if t != "efficiency")


@task(name="dea-block", task_run_name="dea-{year}-block-{block}", cache_policy=COMPUTE_CACHE)
def dea_block(panel: pl.DataFrame, params: dict, year: int, block: int) -> pl.DataFrame:
    """The `efficiency` rows of block `block` (0-based) of one year (`panel` holds that year):
    CCR/BCC with slacks, peers and scale efficiency of its DMUs against the whole year."""
    return efficiency_block(panel, params, year, block)


def with_blocks(
    year_result: dict[str, pl.DataFrame], blocks: list[pl.DataFrame]
) -> dict[str, pl.DataFrame]:
    """A `dea_year` result completed with its year's `efficiency` from the block rows (in block
    order); unchanged when there are no blocks (the year computed `efficiency` itself)."""
    if not blocks:
        return year_result
    return {**year_result, "efficiency": concat_blocks(blocks)}


def game_shareable(params: dict) -> bool:
    """The DEA years' game cross-efficiency is CC-Malmquist's own-period game (same settings):
    the pairs then take it from the two `dea_year` results instead of solving it again."""
    return _game_shareable(params.get("dea"), params)


# The DEA results a Malmquist unit reuses are a function of its panel, params and code, all in
# its key; hashing them as well keys on their pickle, which differs between freshly computed and
# cached frames: every refresh after a fresh DEA recomputed all Malmquist pairs.
MALMQUIST_CACHE = COMPUTE_CACHE - "years_dea"


@task(
    name="malmquist-pair",
    task_run_name="malmquist-{year_from}-{year_to}",
    cache_policy=MALMQUIST_CACHE,
)
def malmquist_pair(
    panel: pl.DataFrame,
    params: dict,
    year_from: int,
    year_to: int,
    years_dea: list[dict[str, pl.DataFrame]] | None = None,
) -> dict[str, pl.DataFrame]:
    """Malmquist (+ CC-Malmquist) of one adjacent period pair (`panel` holds both years);
    `years_dea`: the two years' `dea_year` results, whose game cross-efficiency is reused."""
    return productivity_tables(panel, params, _games(years_dea))


def _games(years_dea: list[dict[str, pl.DataFrame]] | None) -> pl.DataFrame | None:
    """The game_cross_efficiency rows of the given `dea_year` results (None: none given)."""
    games = [d.get("game_cross_efficiency") for d in years_dea or []]
    frames = [g for g in games if g is not None and g.height]
    return pl.concat(frames, how="vertical_relaxed") if frames else None


@task(name="malmquist-all", cache_policy=MALMQUIST_CACHE)
def malmquist_all(
    panel: pl.DataFrame, params: dict, years_dea: list[dict[str, pl.DataFrame]] | None = None
) -> dict[str, pl.DataFrame]:
    """Malmquist over all periods at once (frontiers that do not split into pairs);
    `years_dea` as in `malmquist_pair`."""
    return productivity_tables(panel, params, _games(years_dea))


def concat_efficiency(parts: list[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    out = {}
    for name in EFFICIENCY_TABLES:
        frames = [p[name] for p in parts if p.get(name) is not None and p[name].height]
        out[name] = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()
    return out


def _grid(main: pl.DataFrame, col: str, dmus: list, pairs: list) -> np.ndarray:
    """(n, P) array of `col` from the long per-pair table."""
    wide = main.select("region_code", "year_from", col)
    idx = {(r, y): v for r, y, v in wide.iter_rows()}
    return np.array([[idx.get((d, a), np.nan) for a, _ in pairs] for d in dmus], dtype=object)


def assemble_malmquist(
    pair_tables: list[dict[str, pl.DataFrame]], params: dict
) -> dict[str, pl.DataFrame]:
    """Join per-pair Malmquist tables into the `malmquist` and `malmquist_summary` tables of
    the whole panel. The summary (DEAP geometric means) is recomputed by
    `measures.malmquist.MalmquistResult.summary` on the joined indices, not averaged here."""
    frames = [t["malmquist"] for t in pair_tables if t["malmquist"].height]
    if not frames:
        return _empty_malmquist()
    main = pl.concat(frames, how="vertical_relaxed").sort(["region_code", "year_from"])
    dmus = sorted(main["region_code"].unique().to_list())
    pairs = sorted(set(zip(main["year_from"].to_list(), main["year_to"].to_list(), strict=True)))
    periods = [pairs[0][0], *[b for _, b in pairs]]
    num = {k: _grid(main, k, dmus, pairs).astype(float) for k in (*COMPONENTS, *CC_COMPONENTS)}
    status = _grid(main, "status", dmus, pairs).astype(str)
    cc_status = _grid(main, "cc_status", dmus, pairs).astype(str)
    p = malmquist_params(params)
    has_cc = not np.all(np.isnan(num["cc_mi"]))
    cc = None
    if has_cc:
        cc = CCResult(
            cc_mi=num["cc_mi"], ec_cc=num["ec_cc"], tc_cc=num["tc_cc"],
            g_own=np.empty((0, len(dmus))), g_fwd=np.empty((0, len(dmus))),
            g_bwd=np.empty((0, len(dmus))), game_iterations=[], game_converged=[],
            lp_count=0, status=cc_status,
        )  # fmt: skip
    res = MalmquistResult(
        dmus=dmus, periods=periods, mi=num["mi"], ec=num["ec"], tc=num["tc"], pec=num["pec"],
        sec=num["sec"], status=status, orientation=p["orientation"], frontier=p["frontier"],
        decomposition=p["decomposition"], infeasible=p["infeasible"], base=int(p["base"]), cc=cc,
    )  # fmt: skip
    summ = res.summary().rename(
        {"dmu": "region_code", "period_from": "year_from", "period_to": "year_to"}
    )
    for k in CC_COMPONENTS:
        if k not in summ.columns:
            summ = summ.with_columns(pl.lit(np.nan, dtype=pl.Float64).alias(k))
    template = _empty_malmquist()
    summ = summ.with_columns(
        pl.col("scope").replace({"dmu": "region"}),
        pl.col("region_code").cast(pl.Utf8),
        pl.col("year_from").cast(pl.Int64),
        pl.col("year_to").cast(pl.Int64),
        pl.col("n").cast(pl.Int64),
        *[pl.col(k).cast(pl.Float64) for k in (*COMPONENTS, *CC_COMPONENTS)],
    ).select(list(template["malmquist_summary"].columns))
    return {
        "malmquist": main.select(list(template["malmquist"].columns)),
        "malmquist_summary": summ,
    }


def _empty_malmquist() -> dict[str, pl.DataFrame]:
    from transforms.productivity import _empty

    return _empty()
