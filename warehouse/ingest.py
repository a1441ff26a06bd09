"""Ingest: find the configured source files, read the new ones, load them into raw.* with
lineage (file, sha256, vintage, loaded_at), and rebuild staging from the active files.

Loading the same file (same sha256) twice is a no-op. A new edition is a new file with its own
vintage; it never overwrites an older one (ARCHITECTURE.md, versioning semantics 3).
Files added with `cbec run --add` are recorded in raw.added_inputs when their run finishes and
are part of every later run's inputs (read back from raw.* by sha256, so the file itself may be
gone) until `cbec inputs remove` marks them removed. Vintages are validated (warehouse/vintage.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cbec.errors import InputError
from cbec.paths import config_dir, data_dir
from cbec.paths import db_path as default_db
from warehouse.db import connect, connect_for_reading, has_column, query_pl
from warehouse.readers import RawTable, read_source
from warehouse.readers.common import month_ranges as _ranges
from warehouse.readers.common import sha256_of
from warehouse.schema import RAW_TABLES
from warehouse.vintage import VintageError, default_vintage, validate_vintage


def _writes(fn):
    """Run a writing function inside a write session of its warehouse (joined if open)."""

    @functools.wraps(fn)
    def wrapper(db_path, *args, **kwargs):
        from warehouse import workcopy

        with workcopy.session(Path(db_path) if db_path else default_db()):
            return fn(db_path, *args, **kwargs)

    return wrapper


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
    added: bool = False  # given with --add (now or by an earlier run)


def load_sources_config(path: Path | None = None) -> dict:
    with open(path or config_dir() / "sources.toml", "rb") as fh:
        return tomllib.load(fh)


def discover(
    cfg: dict | None = None,
    base: Path | None = None,
    extra_files: list[str] | None = None,
    extra_vintage: str | None = None,
    db_path: str | Path | None = None,
) -> list[SourceFile]:
    """The configured source files (sorted, reproducible), the inputs added by earlier runs
    (raw.added_inputs of `db_path`) and the extra files given now. A missing or unreadable
    --add file, or an invalid vintage, is an InputError before anything is read."""
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
        vintage = _config_vintage(name, spec.get("vintage"))
        common = {k: v for k, v in spec.items() if k not in _SOURCE_KEYS}
        for p in paths:
            opts = dict(common)
            opts.update(spec.get("files", {}).get(p.name, {}))
            out.append(
                SourceFile(
                    p, p.relative_to(base).as_posix(), name, spec.get("reader"), vintage, opts
                )
            )
    for s in out:
        s.sha256 = sha256_of(s.path)
    have = {s.sha256 for s in out}
    for sf in added_inputs(db_path):
        if sf.sha256 not in have:
            have.add(sf.sha256)
            out.append(sf)
    vintage = extra_vintage or default_vintage()
    for f in extra_files or []:
        sf = _extra_file(f, vintage)
        if sf.sha256 not in have:
            have.add(sf.sha256)
            out.append(sf)
    return out


def _config_vintage(name: str, vintage: object) -> str | None:
    if vintage is None:
        return None
    try:
        return validate_vintage(vintage)
    except VintageError as exc:
        raise InputError(f"source {name!r}: {exc}", file="config/sources.toml") from None


def _extra_file(f: str, vintage: str) -> SourceFile:
    p = Path(f)
    if not p.exists():
        raise InputError("--add file not found", file=f)
    if not p.is_file():
        raise InputError("--add path is not a regular file (a folder?)", file=f)
    try:
        sha = sha256_of(p)
    except OSError as exc:
        raise InputError(f"cannot read --add file: {exc.strerror or exc}", file=f) from None
    sf = SourceFile(p, p.name, f"user:{p.name}", None, vintage, {}, sha, added=True)
    return sf


def added_inputs(db_path: str | Path | None, *, include_removed: bool = False) -> list[SourceFile]:
    """Inputs recorded by earlier `--add` runs (newest record per file)."""
    if db_path is None:
        return []
    con = connect_for_reading(db_path)
    try:
        if not has_column(con, "raw", "added_inputs"):
            return []
        rows = con.execute(
            f"""SELECT source_sha256, source_file, path, reader, vintage, removed_at FROM raw.added_inputs
                {"" if include_removed else "WHERE removed_at IS NULL"} ORDER BY added_at, source_file"""
        ).fetchall()
    finally:
        con.close()
    out = []
    for sha, display, path, reader, vintage, removed in rows:
        sf = SourceFile(Path(path or display), display, f"user:{display}", reader, vintage, {}, sha, added=True)  # fmt: skip
        sf.options = {"removed_at": removed} if removed else {}
        out.append(sf)
    return out


@_writes
def record_added(db_path: str | Path | None, files: list[SourceFile], run_id: str | None) -> int:
    """Record the --add files of a run as configured inputs (once per sha256)."""
    new = [f for f in files if f.added]
    if not new:
        return 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = connect(db_path)
    try:
        known = {r[0] for r in con.execute(
            "SELECT source_sha256 FROM raw.added_inputs WHERE removed_at IS NULL").fetchall()}  # fmt: skip
        n = 0
        for f in new:
            if f.sha256 in known:
                continue
            con.execute(
                "INSERT INTO raw.added_inputs VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                [f.sha256, f.display, str(f.path.resolve()), f.reader, f.vintage, now, run_id],
            )
            n += 1
        return n
    finally:
        con.close()


@_writes
def remove_added(db_path: str | Path, key: str, note: str = "") -> list[str]:
    """Mark the added input(s) whose file name, path or sha256 (prefix ≥ 8) is `key` removed;
    returns their names. LookupError if none matches."""
    con = connect(db_path)
    try:
        rows = con.execute(
            """SELECT source_sha256, source_file FROM raw.added_inputs WHERE removed_at IS NULL
               AND (source_file = ? OR path = ? OR (length(?) >= 8 AND starts_with(source_sha256, ?)))""",
            [key, key, key, key],
        ).fetchall()
        if not rows:
            raise LookupError(f"no added input matches {key!r} (see `cbec inputs list`)")
        con.execute(
            "UPDATE raw.added_inputs SET removed_at = now()::TIMESTAMP, removed_note = ? "
            "WHERE removed_at IS NULL AND source_sha256 IN (SELECT unnest(?::VARCHAR[]))",
            [note or None, [r[0] for r in rows]],
        )
        return [r[1] for r in rows]
    finally:
        con.close()


def loaded_shas(db_path: str | Path | None) -> set[str]:
    con = connect_for_reading(db_path)
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


@_writes
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
    con = connect_for_reading(db_path)
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


@_writes
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


def current_staging(db_path: str | Path | None) -> pl.DataFrame:
    con = connect_for_reading(db_path)
    try:
        return query_pl(con, "SELECT region_code, year, variable, value, unit FROM staging.panel")
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


def check_customs_months(records: pl.DataFrame | None, today: dt.date | None = None) -> list[str]:
    """Monthly customs rows become a yearly value only with all 12 months (staging). A past
    year with months missing would silently vanish, so it is an InputError naming the file,
    province and missing months; the current year may be incomplete (year-to-date) — that
    returns a note saying it stays out of the yearly panel until December is loaded."""
    if records is None or records.is_empty() or "month" not in records.columns:
        return []
    m = records.filter(
        pl.col("month").is_not_null() & pl.col("indicator").str.starts_with("customs_")
    )
    if m.is_empty():
        return []
    this_year = (today or dt.date.today()).year
    keys = ["year", "region_code", "indicator", "trade_mode"]
    groups = m.group_by(keys).agg(
        pl.col("month").unique().sort().alias("months"),
        pl.col("source_file").unique().sort().alias("files"),
    )
    notes = []
    for g in groups.sort(keys, nulls_last=True).iter_rows(named=True):
        missing = sorted(set(range(1, 13)) - set(g["months"]))
        if not missing:
            continue
        where = f"customs {g['indicator']}, province {g['region_code']}, year {g['year']}"
        files = ", ".join(g["files"][:3])
        if g["year"] < this_year:
            raise InputError(
                f"{where}: month(s) {_ranges(missing)} missing (has {_ranges(g['months'])}); a past "
                "year needs all 12 months or it would be dropped from the panel — add the missing "
                "month(s)",
                file=files,
            )
        notes.append(f"{files}: {g['year']} is year-to-date (months {_ranges(g['months'])}); it "
                     "enters the yearly panel when all 12 months are loaded")  # fmt: skip
    return sorted(set(notes))
