"""Backfill: recompute the LP work (DEA per year, Malmquist pairs) of a chosen range of years
and publish it as its own run (the run's params record `years`). Composition only: a refresh
restricted to `first_year..last_year`; unchanged years come from the task cache. It is a
'partial' run (kind/scope in results.runs): it never replaces results.latest_* (which follow
the newest full refresh) unless an operator runs `cbec runs promote RUN`."""

from __future__ import annotations

from prefect import flow

from flows.refresh import refresh

FLOW_NAME = "backfill"


@flow(name=FLOW_NAME, log_prints=True)
def backfill(
    first_year: int,
    last_year: int,
    db: str | None = None,
    runner: str = "local",
    address: str | None = None,
) -> dict:
    """Recompute years `first_year`..`last_year` (inclusive) as a refresh subflow."""
    if last_year < first_year:
        raise ValueError(f"last_year {last_year} < first_year {first_year}")
    years = list(range(int(first_year), int(last_year) + 1))
    return refresh(db=db, years=years, runner=runner, address=address)
