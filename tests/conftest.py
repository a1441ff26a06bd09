"""Shared fixtures. Pure code is unit-tested without Prefect; flow tests share ONE session-scoped
Prefect test harness (ephemeral server, analytics off) and one published baseline warehouse."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test harness for the whole session (its own temporary database)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def published_db(prefect_harness, tmp_path_factory) -> Path:
    """A warehouse with one published refresh of the embedded data (built once per session).
    Tests that write must copy it (see `db_copy`)."""
    from flows.refresh import refresh

    db = tmp_path_factory.mktemp("warehouse") / "cbec.duckdb"
    result = refresh(db=str(db))
    assert not result["reused"]
    return db


@pytest.fixture
def db_copy(published_db, tmp_path) -> Path:
    """A private copy of the published baseline warehouse."""
    dst = tmp_path / "cbec.duckdb"
    shutil.copy(published_db, dst)
    wal = published_db.with_suffix(".duckdb.wal")
    if wal.exists():
        shutil.copy(wal, dst.with_suffix(".duckdb.wal"))
    return dst


def embedded_records(*suffixes: str):
    """Raw records of the embedded sources (config/sources.toml) as staging takes them, read
    with the real readers; only the files whose name ends with one of `suffixes` when given."""
    import polars as pl

    from warehouse import ingest
    from warehouse.readers import read_source

    parts = []
    for sf in ingest.discover():
        if suffixes and not sf.display.endswith(suffixes):
            continue
        t = read_source(sf.path, reader=sf.reader, options=sf.options, display=sf.display)
        parts.append(
            t.records.with_columns(
                pl.lit(sf.source_name).alias("source_name"),
                pl.lit(sf.vintage).alias("vintage"),
                pl.lit(sf.display).alias("source_file"),
            ).drop([c for c in ("region_raw", "value_raw") if c in t.records.columns])
        )
    return pl.concat(parts, how="diagonal_relaxed")


@pytest.fixture(scope="session")
def embedded_staged():
    """(staging.panel, staging.conflicts) of the embedded data, built once per test session."""
    from warehouse import staging

    return staging.build_panel(embedded_records())


@pytest.fixture
def progress_updates(monkeypatch) -> list[int]:
    """Every `done` the commands' progress bar is updated with (the bar still draws), with
    CBEC_PROGRESS=1 so that it draws to the captured stderr."""
    from cbec.commands._progress import Progress

    seen: list[int] = []
    update = Progress.update

    def spy(self, done, total=None):
        seen.append(done)
        update(self, done, total)

    monkeypatch.setattr(Progress, "update", spy)
    monkeypatch.setenv("CBEC_PROGRESS", "1")
    return seen
