"""Publish task: the only writer of results.* (warehouse/store.py)."""

from __future__ import annotations

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks._retry import retry_on_io
from warehouse import store


@task(
    name="publish",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=retry_on_io,
    cache_policy=NO_CACHE,
)
def publish(
    db: str,
    tables: dict[str, pl.DataFrame],
    *,
    flow: str,
    params: dict,
    fingerprint: str,
    run_id: str,
    inputs: pl.DataFrame,
    prefect_flow_run_id: str | None,
    kind: str = "full",
    scope: str | None = None,
) -> str:
    return store.publish_run(
        db,
        tables,
        flow=flow,
        params=params,
        input_fingerprint=fingerprint,
        run_id=run_id,
        prefect_flow_run_id=prefect_flow_run_id,
        inputs=inputs,
        kind=kind,
        scope=scope,
    )
