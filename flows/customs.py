"""Monthly customs refresh: the refresh of the configured sources plus every customs export
dropped into the customs inbox (default `var/inbox/customs`, or $CBEC_CUSTOMS_INBOX), read by
the customs reader (warehouse/readers/customs.py). Files already loaded are no-ops (same
sha256); a month with no new file reuses the published run. The refresh runs in THIS flow run
(not as a subflow), so the run the schedule triggered carries its logs, name and artifacts.
Composition only."""

from __future__ import annotations

import os
from pathlib import Path

from prefect import flow, get_run_logger

from cbec.paths import var_dir
from flows.refresh import initial_run_name, refresh

FLOW_NAME = "customs"


def inbox_dir(inbox: str | None = None) -> Path:
    return Path(inbox or os.environ.get("CBEC_CUSTOMS_INBOX") or var_dir() / "inbox" / "customs")


def inbox_files(inbox: str | None = None) -> list[str]:
    """Every customs export in the inbox (all months so far: a refresh uses the active files)."""
    d = inbox_dir(inbox)
    if not d.is_dir():
        return []
    return [str(p) for p in sorted(d.iterdir()) if p.suffix.lower() in (".csv", ".xlsx")]


@flow(name=FLOW_NAME, log_prints=True, flow_run_name=initial_run_name)
def customs_refresh(
    db: str | None = None,
    inbox: str | None = None,
    vintage: str | None = None,
    runner: str = "local",
    address: str | None = None,
) -> dict:
    """Refresh with the customs inbox files (vintage default: this month, YYYY-MM)."""
    files = inbox_files(inbox)
    get_run_logger().info("customs inbox %s: %d file(s)", inbox_dir(inbox), len(files))
    return refresh.fn(
        db=db, extra_files=files or None, extra_vintage=vintage, runner=runner, address=address
    )
