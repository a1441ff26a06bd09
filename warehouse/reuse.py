"""Reuse before staging (ARCHITECTURE.md: re-running with the same inputs and parameters reuses
the existing version; issue 18). A published run records `inputs_key`: a hash of its input files
(name, SHA-256, source, vintage, reader and options), of the configuration staging reads
(config/, the reference rates file, a custom sources file) — the code is results.runs'
code_version. A refresh whose files, configuration, parameters and code give a recorded key, and
whose warehouse still holds that run's staged panel, is that run: it is reused without reading
raw.* or rebuilding staging (the slow part of a refresh with nothing new)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cbec.paths import config_dir, data_dir
from warehouse.db import connect, connect_for_reading, has_column
from warehouse.ingest import SourceFile, current_staging, fingerprint


def _config_files(sources_config: Path | None) -> list[Path]:
    """Every file of config/, the rates file of config/variables.toml and a custom sources file."""
    from warehouse.staging import load_variables

    out = sorted(p for p in config_dir().rglob("*") if p.is_file())
    rates = load_variables().get("staging", {}).get("checks", {}).get("rates")
    if rates and (data_dir() / rates).is_file():
        out.append(data_dir() / rates)
    if sources_config is not None:
        out.append(Path(sources_config))
    return out


def inputs_key(files: list[SourceFile], sources_config: Path | None = None) -> str:
    """Hash of the active input files and of the configuration that turns them into staging."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: (f.display, f.sha256)):
        row = [f.display, f.sha256, f.source_name, f.vintage, f.reader, f.options, f.added]
        h.update(json.dumps(row, sort_keys=True, default=str).encode())
    for p in _config_files(sources_config):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:32]


def unchanged_run(db: str | Path, *, flow: str, key: str, params_hash: str,
                  code_version: str) -> tuple[str, str] | None:  # fmt: skip
    """(run id, input fingerprint) of the newest published run with this inputs key, parameters
    and code whose staged panel the warehouse still holds (staging.panel has its fingerprint);
    None otherwise (the refresh then stages as usual)."""
    con = connect_for_reading(db)
    try:
        if not has_column(con, "results", "runs", "inputs_key"):  # a warehouse of an older version
            return None
        row = con.execute(
            """SELECT run_id, input_fingerprint FROM results.runs WHERE status = 'published'
               AND flow = ? AND inputs_key = ? AND params_hash = ? AND code_version = ?
               ORDER BY finished_at DESC LIMIT 1""",
            [flow, key, params_hash, code_version],
        ).fetchall()
    finally:
        con.close()
    if not row or fingerprint(current_staging(db)) != row[0][1]:
        return None
    return row[0][0], row[0][1]


def record_key(db: str | Path, run_id: str, key: str) -> None:
    """Record the inputs key of the run this session just published."""
    con = connect(db)
    try:
        con.execute("UPDATE results.runs SET inputs_key = ? WHERE run_id = ?", [key, run_id])
    finally:
        con.close()


def plain_refresh_reuse(db: str | Path, params: dict, *, flow: str = "refresh") -> tuple[str, str] | None:  # fmt: skip
    """The run a refresh with no extra file and these parameters would reuse — the check of
    `unchanged_run` after discovering the configured files (their SHA-256, no contents read);
    None when a file is new, the key differs or there is no warehouse. `cbec run` asks this
    before it starts Prefect, so that nothing new costs well under a second."""
    from warehouse import ingest, store

    if not Path(db).is_file() or _needs_recovery(Path(db)):
        return None
    files = ingest.discover(None, None, None, None, db_path=db)
    loaded = ingest.loaded_shas(db)
    if any(sf.sha256 not in loaded for sf in files):
        return None
    return unchanged_run(db, flow=flow, key=inputs_key(files), params_hash=store.params_hash(params),
                         code_version=store.code_version())  # fmt: skip


def _needs_recovery(main: Path) -> bool:
    """A killed writer left a side file or a `running` row: the flow's session must clean up
    (warehouse/workcopy.recover), so the check before Prefect does not answer."""
    if any(main.parent.glob(main.name + ".work-*")):
        return True
    con = connect_for_reading(main)
    try:
        return bool(
            con.execute("SELECT count(*) FROM results.runs WHERE status = 'running'").fetchall()[0][
                0
            ]
        )
    finally:
        con.close()
