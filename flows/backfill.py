"""Backfill: recompute the LP work (DEA per year, Malmquist pairs) of a chosen range of years
and publish it as its own run (the run's params record `years`). Composition only: a refresh
restricted to `first_year..last_year`, run in THIS flow run (not as a subflow: its logs, name
and artifacts are on the run the operator triggered); unchanged years come from the task cache.
It is a 'partial' run (kind/scope in results.runs): it never replaces results.latest_* (which
follow the newest full refresh) unless an operator runs `cbec runs promote RUN`."""

from __future__ import annotations

from prefect import flow

from flows.refresh import initial_run_name, refresh

FLOW_NAME = "backfill"


@flow(name=FLOW_NAME, log_prints=True, flow_run_name=initial_run_name)
def backfill(
    first_year: int,
    last_year: int,
    db: str | None = None,
    runner: str = "local",
    address: str | None = None,
) -> dict:
    """Recompute years `first_year`..`last_year` (inclusive): the refresh's body in this run."""
    if last_year < first_year:
        raise ValueError(f"last_year {last_year} < first_year {first_year}")
    years = list(range(int(first_year), int(last_year) + 1))
    return refresh.fn(db=db, years=years, runner=runner, address=address)
