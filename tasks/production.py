"""Production measures of the refresh: real GDP, capital stock, labour (METHODS §1–3). Thin
@task wrappers around transforms/."""

from __future__ import annotations

import polars as pl
from prefect import task

from tasks._cache import COMPUTE_CACHE
from transforms.dea_panel import dea_panel
from transforms.production import production_tables
from transforms.quality import attach_all
from transforms.sensitivity import efficiency_sensitivity


@task(name="production-measures", cache_policy=COMPUTE_CACHE)
def compute_production(panel: pl.DataFrame, params: dict) -> dict[str, pl.DataFrame]:
    """real_gdp, capital_stock, labour (METHODS §1–3)."""
    return production_tables(panel, params)


@task(name="dea-panel", cache_policy=COMPUTE_CACHE)
def build_dea_panel(
    tables: dict[str, pl.DataFrame], panel: pl.DataFrame, dea_params: dict
) -> pl.DataFrame:
    """The balanced DEA/Malmquist panel of the configured specification (config/dea.toml)."""
    return dea_panel(tables, panel, dea_params)


@task(name="efficiency-sensitivity", cache_policy=COMPUTE_CACHE)
def compute_sensitivity(
    panel: pl.DataFrame, tables: dict[str, pl.DataFrame], params: dict
) -> pl.DataFrame:
    """results.efficiency_sensitivity (config/dea.toml [[sensitivity]])."""
    return efficiency_sensitivity(panel, tables, params)


@task(name="quality-flags")
def with_quality(
    tables: dict[str, pl.DataFrame], panel: pl.DataFrame, params: dict
) -> dict[str, pl.DataFrame]:
    """The `quality` column on every results table (transforms/quality.py)."""
    return attach_all(tables, panel, params)
