"""Ingest tasks: read new source files (nothing written yet), then — after the raw gate —
load them into raw.* and rebuild staging.panel from the active files (warehouse/ingest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks._retry import retry_on_io
from warehouse import ingest, staging
from warehouse.ingest import SourceFile
from warehouse.readers import RawTable


@dataclass
class ReadResult:
    files: list[SourceFile]  # every active source file (configured + extra)
    new: list[tuple[SourceFile, RawTable]]  # files not loaded before, read into memory
    month_notes: list[str] | None = None  # customs year-to-date notes (stage)

    def notes(self) -> list[str]:
        """What the readers said about the new files (hidden sheets skipped, …)."""
        return [f"{sf.display}: {n}" for sf, t in self.new for n in t.notes]

    def raw_frames(self) -> dict[str, pl.DataFrame]:
        """Newly read records per raw table, with lineage columns, for the raw validation gate."""
        out: dict[str, list[pl.DataFrame]] = {}
        for sf, t in self.new:
            out.setdefault(t.kind, []).append(
                t.records.with_columns(
                    pl.lit(sf.vintage).alias("vintage"), pl.lit(sf.source_name).alias("source_name")
                )
            )
        return {k: pl.concat(v, how="vertical_relaxed") for k, v in out.items()}

    def inputs(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "source_file": [f.display for f in self.files],
                "source_sha256": [f.sha256 for f in self.files],
                "vintage": [f.vintage for f in self.files],
                "reader": [f.reader or "auto" for f in self.files],
            },
            schema={
                "source_file": pl.Utf8,
                "source_sha256": pl.Utf8,
                "vintage": pl.Utf8,
                "reader": pl.Utf8,
            },
        )


@task(
    name="read-sources",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=retry_on_io,
    cache_policy=NO_CACHE,
)
def read_sources(
    db: str,
    extra_files: list[str] | None = None,
    extra_vintage: str | None = None,
    data_dir: str | None = None,
    sources_config: str | None = None,
) -> ReadResult:
    cfg = ingest.load_sources_config(Path(sources_config)) if sources_config else None
    files = ingest.discover(
        cfg, Path(data_dir) if data_dir else None, extra_files, extra_vintage, db_path=db
    )
    return ReadResult(files=files, new=ingest.read_new(files, ingest.loaded_shas(db)))


@task(name="stage", cache_policy=NO_CACHE)
def stage(db: str, read: ReadResult) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    """Build staging.panel/conflicts in memory from the active files (loaded ones from raw.*,
    new ones from memory) — nothing is written before the staging gate."""
    records = ingest.staging_records(db, read.files, read.new)
    read.month_notes = ingest.check_customs_months(records)
    panel, conflicts = staging.build_panel(records)
    return panel, conflicts, ingest.fingerprint(panel)


@task(
    name="load-raw-and-staging",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=retry_on_io,
    cache_policy=NO_CACHE,
)
def load(db: str, read: ReadResult, panel: pl.DataFrame, conflicts: pl.DataFrame) -> None:
    """Write the validated new files into raw.* and replace staging (each one transaction), and
    record the --add files as configured inputs of every later run."""
    ingest.insert_raw(db, read.new)
    ingest.write_staging(db, panel, conflicts)


def record_inputs(db: str, read: ReadResult) -> int:
    """Record the --add files of this run as configured inputs (idempotent)."""
    return ingest.record_added(db, read.files, None)


def load_and_stage(db: str, read: ReadResult) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    """stage + load without gates (tests and tools that load trusted files)."""
    panel, conflicts, fp = stage.fn(db, read)
    load.fn(db, read, panel, conflicts)
    return panel, conflicts, fp


def staging_fingerprint(db: str) -> str:
    """Fingerprint of the staging panel the warehouse holds now."""
    return ingest.fingerprint(ingest.current_staging(db))


def inputs_key(read: ReadResult, sources_config: str | None = None) -> str:
    """Key of this refresh's input files and staging configuration (warehouse/reuse.py)."""
    from warehouse import reuse

    return reuse.inputs_key(read.files, Path(sources_config) if sources_config else None)


def unchanged_run(db: str, read: ReadResult, key: str, flow: str, params: dict) -> tuple[str, str] | None:  # fmt: skip
    """(run id, fingerprint) of the published run this refresh would reproduce — no new file,
    the same inputs key, parameters and code, its panel still staged — or None."""
    from warehouse import reuse, store

    if read.new:
        return None
    return reuse.unchanged_run(db, flow=flow, key=key, params_hash=store.params_hash(params),
                               code_version=store.code_version())  # fmt: skip


def record_inputs_key(db: str, run_id: str, key: str) -> None:
    """Record the inputs key of the run just published (the next unchanged refresh reuses it)."""
    from warehouse import reuse

    reuse.record_key(db, run_id, key)
