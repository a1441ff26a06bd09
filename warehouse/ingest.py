"""Ingest: find the configured source files, read the new ones, load them into raw.* with
lineage (file, sha256, vintage, loaded_at), and rebuild staging from the active files.

Loading the same file (same sha256) twice is a no-op. A new edition is a new file with its own
vintage; it never overwrites an older one (ARCHITECTURE.md, versioning semantics 3).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cbec.errors import InputError
from cbec.paths import config_dir, data_dir
from warehouse.db import connect, query_pl
from warehouse.readers import RawTable, read_source
from warehouse.readers.common import sha256_of
from warehouse.schema import RAW_TABLES

_SOURCE_KEYS = {"glob", "reader", "vintage", "publisher", "optional", "files"}


@dataclass
class SourceFile:
    path: Path
    display: str  # path relative to the data folder (or as given)
    source_name: str
    reader: str | None
    vintage: str | None
    options: dict = field(default_factory=dict)
    sha256: str = ""


def load_sources_config(path: Path | None = None) -> dict:
    with open(path or config_dir() / "sources.toml", "rb") as fh:
        return tomllib.load(fh)


def discover(
    cfg: dict | None = None,
    base: Path | None = None,
    extra_files: list[str] | None = None,
    extra_vintage: str | None = None,
) -> list[SourceFile]:
    """The configured source files (sorted, reproducible) plus any extra files given by the user."""
    cfg = cfg or load_sources_config()
    base = base or data_dir()
    out: list[SourceFile] = []
    for name, spec in cfg.get("sources", {}).items():
        paths = sorted(
            p
            for p in base.glob(spec["glob"])
            if p.is_file() and p.suffix.lower() in (".csv", ".xlsx")
        )
        if not paths and not spec.get("optional"):
            raise InputError(f"source {name!r}: no file matches {spec['glob']!r} under {base}")
        common = {k: v for k, v in spec.items() if k not in _SOURCE_KEYS}
        for p in paths:
            opts = dict(common)
            opts.update(spec.get("files", {}).get(p.name, {}))
            out.append(
                SourceFile(
                    p,
                    p.relative_to(base).as_posix(),
                    name,
                    spec.get("reader"),
                    spec.get("vintage"),
                    opts,
                )
            )
    for f in extra_files or []:
        p = Path(f)
        out.append(
            SourceFile(
                p,
                p.name,
                f"user:{p.name}",
                None,
                extra_vintage or dt.date.today().isoformat()[:7],
                {},
            )
        )
    for s in out:
        s.sha256 = sha256_of(s.path)
    return out


def loaded_shas(db_path: str | Path | None) -> set[str]:
    con = connect(db_path)
    try:
        return {r[0] for r in con.execute("SELECT source_sha256 FROM raw.files").fetchall()}
    finally:
        con.close()


def read_new(files: list[SourceFile], already: set[str]) -> list[tuple[SourceFile, RawTable]]:
    """Read the files not loaded yet. Any reader error stops here, before anything is written."""
    out = []
    seen: set[str] = set()
    for sf in files:
        if sf.sha256 in already or sf.sha256 in seen:
            continue
        seen.add(sf.sha256)
        table = read_source(sf.path, reader=sf.reader, options=sf.options, display=sf.display)
        table.vintage = sf.vintage
        out.append((sf, table))
    return out


def insert_raw(
    db_path: str | Path | None, tables: list[tuple[SourceFile, RawTable]]
) -> dict[str, int]:
    """Insert newly read files into raw.* in one transaction; returns rows per file."""
    if not tables:
        return {}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    con = connect(db_path)
    try:
        con.execute("BEGIN TRANSACTION")
        for sf, t in tables:
            if t.kind not in RAW_TABLES:
                raise ValueError(t.kind)
            frame = t.records.with_columns(
                pl.lit(sf.sha256).alias("source_sha256"),
                pl.lit(sf.vintage).alias("vintage"),
                pl.lit(sf.source_name).alias("source_name"),
                pl.lit(now).alias("loaded_at"),
            )
            con.register("_raw", frame.to_arrow())
            con.execute(f"INSERT INTO raw.{t.kind} BY NAME SELECT * FROM _raw")
            con.unregister("_raw")
            con.execute(
                "INSERT INTO raw.files VALUES (?, ?, ?, ?, ?, ?, ?)",
                [sf.sha256, sf.display, sf.source_name, t.kind, sf.vintage, frame.height, now],
            )
            counts[sf.display] = frame.height
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return counts


def active_records(db_path: str | Path | None, shas: list[str]) -> pl.DataFrame:
    """Raw rows of the given files, in one long frame (customs columns null for other readers)."""
    con = connect(db_path)
    try:
        con.register("_shas", pl.DataFrame({"sha": shas}).to_arrow())
        parts = []
        for t in RAW_TABLES:
            extra = (
                "flow, trade_mode, currency, month"
                if t == "customs"
                else "NULL::VARCHAR AS flow, NULL::VARCHAR AS trade_mode, NULL::VARCHAR AS currency, month"
            )
            parts.append(
                f"SELECT source_file, source_sha256, source_name, vintage, line_no, region_code, year, "
                f"indicator, unit, value, {extra} FROM raw.{t} WHERE source_sha256 IN (SELECT sha FROM _shas)"
            )
        return query_pl(con, " UNION ALL ".join(parts))
    finally:
        con.close()


RECORD_COLUMNS = (
    "source_file", "source_sha256", "source_name", "vintage", "line_no", "region_code", "year",
    "indicator", "unit", "value", "flow", "trade_mode", "currency", "month",
)  # fmt: skip


def memory_records(tables: list[tuple[SourceFile, RawTable]]) -> pl.DataFrame | None:
    """Newly read files as the long record frame of `active_records` (nothing written)."""
    parts = []
    for sf, t in tables:
        df = t.records.with_columns(
            pl.lit(sf.sha256).alias("source_sha256"),
            pl.lit(sf.vintage, dtype=pl.Utf8).alias("vintage"),
            pl.lit(sf.source_name).alias("source_name"),
        )
        missing = [c for c in RECORD_COLUMNS if c not in df.columns]
        df = df.with_columns([pl.lit(None, dtype=pl.Utf8).alias(c) for c in missing])
        parts.append(df.select(RECORD_COLUMNS))
    return pl.concat(parts, how="vertical_relaxed") if parts else None


def staging_records(
    db_path: str | Path | None, files: list[SourceFile], new: list[tuple[SourceFile, RawTable]]
) -> pl.DataFrame:
    """Records of the active files: already-loaded ones from raw.*, new ones from memory, so
    staging can be built and validated before anything is written."""
    new_shas = {sf.sha256 for sf, _ in new}
    old = active_records(db_path, [f.sha256 for f in files if f.sha256 not in new_shas])
    mem = memory_records(new)
    if mem is None:
        return old
    old = old.select(RECORD_COLUMNS)
    return pl.concat([old, mem.cast(dict(old.schema), strict=False)], how="vertical_relaxed")


def write_staging(db_path: str | Path | None, panel: pl.DataFrame, conflicts: pl.DataFrame) -> None:
    """Replace staging with the panel built from the active files (one transaction)."""
    con = connect(db_path)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM staging.panel")
        con.execute("DELETE FROM staging.conflicts")
        con.register("_p", panel.to_arrow())
        con.execute("INSERT INTO staging.panel BY NAME SELECT * FROM _p")
        con.register("_c", conflicts.to_arrow())
        con.execute("INSERT INTO staging.conflicts BY NAME SELECT * FROM _c")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def fingerprint(panel: pl.DataFrame) -> str:
    """Hash of the staging rows used by a run (order-independent)."""
    import hashlib

    h = hashlib.sha256()
    rows = panel.select(["region_code", "year", "variable", "value", "unit"]).sort(
        ["variable", "region_code", "year"]
    )
    h.update(rows.write_csv().encode())
    return h.hexdigest()[:32]
