"""The pipeline task of the green-TFP table (METHODS §9.9–9.10), thin: the table is built by
transforms/green.py; it runs only when config/green.toml lists `bad_outputs`."""

from __future__ import annotations

import polars as pl
from prefect import task

from cbec.settings import load_green_params  # noqa: F401 - the refresh flow reads it here
from transforms.green import green_tables


@task(name="compute-green-tfp")
def compute_green(tables: dict[str, pl.DataFrame], panel: pl.DataFrame, params: dict) -> dict:
    """Prefect task around `green_tables` (no result when no bad output is configured)."""
    if not params.get("bad_outputs"):
        return {}
    return green_tables(tables, panel, params)
