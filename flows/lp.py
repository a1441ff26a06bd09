"""The LP fan-out of the refresh as a named subflow (`lp-work`): DEA + cross-efficiency per
year (and per block of DMUs of a year larger than the DEA `block_size`, METHODS §9.1) and
Malmquist per adjacent period pair, submitted to the chosen task runner (threads, or Dask via
prefect-dask). Composition only; the tasks are in tasks/lp.py.

    tables = lp_tables(dpanel, params, runner="dask", address=None, years=None)
"""

from __future__ import annotations

from typing import Any

import polars as pl
from prefect import flow, get_run_logger
from prefect.futures import PrefectFuture, as_completed

from flows.runners import make_task_runner
from tasks import lp
from tasks.monitoring import LpProgress

# one submitted LP unit: ("dea", year), ("dea-block", year, block), ("malmquist", year | None)
Unit = tuple[str, int | None] | tuple[str, int, int]


@flow(name="lp-work", log_prints=True)
def lp_work(
    panel: pl.DataFrame,
    dea_params: dict,
    malmquist_params: dict,
    years: list[int] | None = None,
) -> dict[str, pl.DataFrame]:
    """Fan the LP work out over the flow's task runner and re-assemble the result tables."""
    logger = get_run_logger()
    ys = lp.years_of(panel, years)
    mparams = {"dea": dea_params, "malmquist": malmquist_params}
    futures: dict[PrefectFuture[Any], Unit] = {}
    slices = {y: lp.year_slice(panel, [y]) for y in ys}
    blocks = {y: lp.year_blocks(slices[y], dea_params, y) for y in ys}
    dea = {y: lp.dea_year.submit(slices[y], dea_params, y, lp.year_tables(blocks[y])) for y in ys}
    futures.update({f: ("dea", y) for y, f in dea.items()})
    block_keys = {y: [("dea-block", y, b) for b in range(blocks[y])] if blocks[y] > 1 else []
                  for y in ys}  # fmt: skip
    for key in (k for y in ys for k in block_keys[y]):
        futures[lp.dea_block.submit(slices[key[1]], dea_params, key[1], key[2])] = key
    split = lp.pair_splittable(mparams)
    share = lp.game_shareable(mparams)  # each year's game once, handed to its two pairs
    if split:
        for a, b in zip(ys, ys[1:], strict=False):
            years_dea = [dea[a], dea[b]] if share else None
            # Prefect resolves the futures to their dicts before the task runs; submit's
            # P.args type has no room for futures
            f = lp.malmquist_pair.submit(lp.year_slice(panel, [a, b]), mparams, a, b, years_dea)  # type: ignore[arg-type]
            futures[f] = ("malmquist", a)
    else:
        years_dea = [dea[y] for y in ys] if share else None
        f = lp.malmquist_all.submit(lp.year_slice(panel, ys), mparams, years_dea)  # type: ignore[arg-type]  # as above
        futures[f] = ("malmquist", None)
    progress = LpProgress(len(futures), key="lp-progress", description="LP work: DEA years (and blocks) and Malmquist pairs")  # fmt: skip
    done: dict[Unit, Any] = {}  # a dea_year dict, a dea_block frame or a Malmquist dict
    for f in as_completed(list(futures)):
        done[futures[f]] = f.result()
        progress.step()
    n_blocks = sum(len(v) for v in block_keys.values())
    logger.info("LP work: %d DEA years, %d DEA blocks, %d Malmquist units", len(ys), n_blocks,
                len(futures) - len(ys) - n_blocks)  # fmt: skip
    eff = lp.concat_efficiency(
        [lp.with_blocks(done[("dea", y)], [done[k] for k in block_keys[y]]) for y in ys]
    )
    m_parts = [v for k, v in sorted(done.items(), key=lambda kv: str(kv[0])) if k[0] == "malmquist"]
    malm = lp.assemble_malmquist(m_parts, mparams) if split else m_parts[0]
    return {**eff, **malm}


def lp_tables(
    panel: pl.DataFrame,
    params: dict,
    runner: str = "local",
    address: str | None = None,
    years: list[int] | None = None,
) -> dict[str, pl.DataFrame]:
    """Run `lp_work` on the `runner` task runner ("local" threads or "dask"); `params` is the
    whole `load_params()` dict (its "dea" and "malmquist" parts are used)."""
    sub = lp_work.with_options(task_runner=make_task_runner(runner, address))
    return sub(panel, params.get("dea", {}), params.get("malmquist", {}), years)
