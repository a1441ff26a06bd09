"""The validation gate through the real flow (flows/refresh.py): a bad new file makes the refresh
fail (InputError from the reader, or ValidationFailed from the raw or staging gate) and leaves the
published warehouse exactly as it was: every results.latest_* view returns the same rows, no run
is published, raw.* and staging.* are untouched; a validation failure leaves a failed run row and
its results.validations JSON naming the rule, and a Prefect markdown artifact with the summary.

A flow run costs seconds, so the flow is exercised on a representative subset (one file per
stage and failure family); every corpus file is then checked cheaply: `cbec validate FILE`
rejects it and never writes to the warehouse (file hash and latest_* unchanged).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cbec.errors import InputError, ValidationFailed
from warehouse.db import connect

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))

# one file per stage and failure family: (file, expected stage, expected check of a finding)
THROUGH_FLOW = [
    ("truncated_mid_row.csv", "input", None),
    ("customs_unknown_trade_mode.csv", "input", None),
    ("missing_province_export.csv", "raw", "coverage"),
    ("sector_sum_mismatch.csv", "raw", "sector_sum"),
    ("unit_switch_values_wan.csv", "staging", "unit_switch"),  # passes raw, fails staging
    ("gdp_index_as_level.csv", "staging", "chain_index_band"),  # passes raw, fails staging
]


def _con(db: Path) -> duckdb.DuckDBPyConnection:
    return connect(db, read_only=True)


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql).to_arrow_table())


def snapshot(db: Path) -> dict[str, object]:
    """Everything a reader of the published warehouse sees, plus raw/staging row counts."""
    con = _con(db)
    try:
        views = [
            r[0]
            for r in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE schema_name = 'results' "
                "AND view_name LIKE 'latest_%' ORDER BY view_name"
            ).fetchall()
        ]
        snap: dict[str, object] = {
            v: _frame(con, f"SELECT * FROM results.{v} ORDER BY ALL") for v in views
        }
        snap["_published_runs"] = con.execute(
            "SELECT run_id FROM results.runs WHERE status = 'published' ORDER BY run_id"
        ).fetchall()
        snap["_raw_files"] = con.execute(
            "SELECT source_sha256, source_file FROM raw.files ORDER BY ALL"
        ).fetchall()
        snap["_staging_panel"] = con.execute("SELECT count(*) FROM staging.panel").fetchone()
    finally:
        con.close()
    return snap


def assert_same(before: dict, after: dict) -> None:
    assert before.keys() == after.keys()
    for k, v in before.items():
        if isinstance(v, pl.DataFrame):
            try:
                assert_frame_equal(v, after[k], check_exact=True)
            except AssertionError as exc:
                raise AssertionError(f"results.{k} changed: {exc}") from None
        else:
            assert v == after[k], k


def _sha(db: Path) -> str:
    h = hashlib.sha256(db.read_bytes())
    wal = db.with_suffix(".duckdb.wal")
    if wal.exists():
        h.update(wal.read_bytes())
    return h.hexdigest()


def test_baseline_has_latest_views(published_db):
    snap = snapshot(published_db)
    latest = [k for k in snap if k.startswith("latest_")]
    assert len(latest) >= 5
    assert snap["latest_efficiency"].height > 0 and snap["latest_real_gdp"].height > 0
    assert len(snap["_published_runs"]) == 1


@pytest.mark.parametrize("name, stage, check", THROUGH_FLOW)
def test_refresh_with_bad_file_publishes_nothing(db_copy, name, stage, check):
    from flows.refresh import refresh

    assert MANIFEST[name]["stage"] == stage
    before = snapshot(db_copy)
    con = _con(db_copy)
    runs_before = {r[0] for r in con.execute("SELECT run_id FROM results.runs").fetchall()}
    con.close()

    expected = InputError if stage == "input" else ValidationFailed
    with pytest.raises(expected) as err:
        refresh(db=str(db_copy), extra_files=[str(CORPUS / name)])
    message = str(err.value)
    assert name in message
    assert MANIFEST[name]["problem"] in message or stage != "input", message

    after = snapshot(db_copy)
    assert_same(before, after)  # latest_*, published runs, raw.files, staging unchanged
    assert not any(name in f for _, f in after["_raw_files"])

    con = _con(db_copy)
    try:
        new_runs = con.execute(
            "SELECT run_id, status, message, prefect_flow_run_id FROM results.runs"
        ).fetchall()
        new_runs = [r for r in new_runs if r[0] not in runs_before]
        validations = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT run_id, stage, passed, critical_failures, result FROM results.validations "
                "WHERE passed = false"
            ).fetchall()
        }
    finally:
        con.close()

    if stage == "input":  # the reader stops before a run is started
        assert new_runs == []
        assert "line" in message
        return
    assert len(new_runs) == 1, new_runs
    run_id, status, run_message, prefect_id = new_runs[0]
    assert status == "failed"
    assert "ValidationFailed" in run_message and name in run_message
    assert run_id in validations
    v_stage, passed, n_crit, result = validations[run_id]
    assert v_stage == stage and passed is False and n_crit >= 1
    result = json.loads(result)
    assert result["stage"] == stage and result["passed"] is False
    assert any(f["check"] == check and name in (f.get("file") or "") for f in result["failures"])
    rule = next(f["rule"] for f in result["failures"] if f["check"] == check)
    assert rule in message  # the exception names the rule the JSON records
    for loc in MANIFEST[name]["location"]:
        assert loc in message, (loc, message)
    _assert_artifact(prefect_id, stage, name)


def _assert_artifact(prefect_flow_run_id: str, stage: str, name: str) -> None:
    """The failed flow run carries the markdown summary as artifact validation-<stage>."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    assert prefect_flow_run_id
    with get_client(sync_client=True) as client:
        arts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[f"validation-{stage}"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(prefect_flow_run_id)]),
            )
        )
    assert arts, f"no validation-{stage} artifact for flow run {prefect_flow_run_id}"
    md = arts[0].data
    assert "FAILED" in md and name in md


def test_results_gate_blocks_out_of_range_scores(db_copy):
    """The results stage: a CCR efficiency > 1 and a coupling degree < 0 are critical; the
    JSON is stored against the attempted run and nothing else changes."""
    from tasks.validate import gate

    con = _con(db_copy)
    eff = _frame(con, "SELECT * EXCLUDE (run_id) FROM results.latest_efficiency")
    cpl = _frame(con, "SELECT * EXCLUDE (run_id) FROM results.latest_coupling")
    con.close()
    first = pl.int_range(pl.len()) == 0
    bad_eff = eff.with_columns(pl.when(first).then(1.5).otherwise(pl.col("te_crs")).alias("te_crs"))
    bad_cpl = cpl.with_columns(pl.when(first).then(-0.25).otherwise(pl.col("c")).alias("c"))
    assert gate({"efficiency": eff, "coupling": cpl}, "results", None, None)["passed"]

    before = snapshot(db_copy)
    with pytest.raises(ValidationFailed) as err:
        gate({"efficiency": bad_eff, "coupling": bad_cpl}, "results", str(db_copy), "test-run")
    message = str(err.value)
    assert "stage 'results'" in message and "2 critical finding(s)" in message
    assert "observed 1.5" in message and "CCR (CRS) technical efficiency in (0, 1]" in message
    assert "observed -0.25" in message and "coupling degree C in [0, 1]" in message
    assert "province" in message and "year" in message
    assert_same(before, snapshot(db_copy))
    con = _con(db_copy)
    rows = con.execute(
        "SELECT stage, passed, critical_failures, result FROM results.validations "
        "WHERE run_id = 'test-run'"
    ).fetchall()
    con.close()
    assert len(rows) == 1 and rows[0][:3] == ("results", False, 2)
    tables = {f["table"] for f in json.loads(rows[0][3])["failures"]}
    assert tables == {"results_efficiency", "results_coupling"}


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_cli_validate_rejects_and_never_writes(db_copy, name, monkeypatch, capsys):
    """`cbec validate FILE` (every corpus file) rejects it and leaves the warehouse byte-identical."""
    from cbec.cli import main

    monkeypatch.setenv("CBEC_DB", str(db_copy))
    h = _sha(db_copy)
    rc = main(["validate", str(CORPUS / name)])
    capsys.readouterr()
    spec = MANIFEST[name]
    expected = (
        spec["cli_exit"] if spec["stage"] == "accepted" else 3 if spec["stage"] == "input" else 4
    )
    assert rc == expected
    assert _sha(db_copy) == h
