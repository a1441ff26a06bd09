"""The pipeline task of the regional-structure tables (METHODS §4–7), thin: the tables are
built by transforms/structure.py."""

from __future__ import annotations

import polars as pl
from prefect import task

from tasks._cache import COMPUTE_CACHE
from transforms.structure import structure_tables


@task(name="compute-structure", cache_policy=COMPUTE_CACHE)
def compute_structure(panel: pl.DataFrame, params: dict | None = None) -> dict[str, pl.DataFrame]:
    """Composite indices, inequality, coupling and synergy (METHODS §4–7)."""
    return structure_tables(panel, params)
