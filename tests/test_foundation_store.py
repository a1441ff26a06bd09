"""Versioned result store: atomic publish, latest views, reuse, old versions, SIGKILL safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from tests import _contracts  # noqa: F401 - declares the test tables alpha and beta
from warehouse import store
from warehouse.db import connect, query_pl

ROOT = Path(__file__).resolve().parent.parent


def _q(db, sql):
    con = connect(db, read_only=True)
    try:
        return query_pl(con, sql)
    finally:
        con.close()


def _tables(v: float, n: int = 5) -> dict[str, pl.DataFrame]:
    return {
        "alpha": pl.DataFrame(
            {"region_code": [f"{i:02d}" for i in range(n)], "year": [2020] * n, "x": [v] * n}
        ),
        "beta": pl.DataFrame({"k": ["a"], "y": [v * 2]}),
    }


def test_publish_latest_views_and_old_versions(tmp_path):
    db = tmp_path / "w.duckdb"
    r1 = store.publish_run(db, _tables(1.0), flow="t", params={"p": 1}, input_fingerprint="f1")
    r2 = store.publish_run(db, _tables(2.0), flow="t", params={"p": 1}, input_fingerprint="f2")
    assert r1 != r2
    assert _q(db, "SELECT DISTINCT x FROM results.latest_alpha")["x"].to_list() == [2.0]
    assert _q(db, f"SELECT DISTINCT x FROM results.alpha WHERE run_id = '{r1}'")["x"].to_list() == [
        1.0
    ]
    runs = _q(db, "SELECT run_id, status FROM results.runs ORDER BY started_at")
    assert runs["status"].to_list() == ["published", "published"]


def test_same_fingerprint_and_params_reuses_the_run(tmp_path):
    db = tmp_path / "w.duckdb"
    r1 = store.publish_run(db, _tables(1.0), flow="t", params={"p": 1}, input_fingerprint="f1")
    r2 = store.publish_run(db, _tables(1.0), flow="t", params={"p": 1}, input_fingerprint="f1")
    assert r1 == r2
    assert _q(db, "SELECT count(*) AS n FROM results.alpha")["n"][0] == 5
    r3 = store.publish_run(db, _tables(1.0), flow="t", params={"p": 2}, input_fingerprint="f1")
    assert r3 != r1


def test_failure_after_rows_were_written_rolls_everything_back(tmp_path, monkeypatch):
    """The publish fails after its first table's rows are inserted (at the `publishing` point):
    none of them, no run_tables row and no view change survive; the published run is intact."""
    from warehouse import workcopy

    db = tmp_path / "w.duckdb"
    r1 = store.publish_run(db, _tables(1.0), flow="t", params={}, input_fingerprint="f1")
    before = _q(db, "SELECT count(*) AS n FROM results.alpha")["n"][0]
    run = store.start_run(db, flow="t", params={}, input_fingerprint="f2")

    def fail_at(name: str) -> None:
        if name == "publishing":  # reached only after INSERT INTO results.<first table>
            raise RuntimeError("disk full (simulated) after the first table")

    monkeypatch.setattr(workcopy, "kill_point", fail_at)
    with pytest.raises(RuntimeError, match="simulated"):
        store.publish_run(db, _tables(9.0), flow="t", params={}, input_fingerprint="f2", run_id=run)
    assert _q(db, "SELECT count(*) AS n FROM results.alpha")["n"][0] == before
    assert _q(db, f"SELECT count(*) AS n FROM results.alpha WHERE run_id = '{run}'")["n"][0] == 0
    assert (
        _q(db, f"SELECT count(*) AS n FROM results.run_tables WHERE run_id = '{run}'")["n"][0] == 0
    )
    assert _q(db, "SELECT DISTINCT run_id FROM results.latest_alpha")["run_id"].to_list() == [r1]


def test_failed_run_is_not_visible(tmp_path):
    db = tmp_path / "w.duckdb"
    r1 = store.publish_run(db, _tables(1.0), flow="t", params={}, input_fingerprint="f1")
    run = store.start_run(db, flow="t", params={}, input_fingerprint="f2")
    bad = _tables(9.0)
    bad["gamma"] = pl.DataFrame({"z": [1]})
    bad["latest_x"] = pl.DataFrame({"z": [1]})  # invalid name → publish raises before writing
    with pytest.raises(ValueError):
        store.publish_run(db, bad, flow="t", params={}, input_fingerprint="f2", run_id=run)
    store.fail_run(db, run, "boom")
    assert _q(db, "SELECT DISTINCT run_id FROM results.latest_alpha")["run_id"].to_list() == [r1]
    assert (
        _q(db, f"SELECT status FROM results.runs WHERE run_id = '{run}'")["status"][0] == "failed"
    )


def test_sigkill_during_publish_leaves_previous_version_intact(tmp_path):
    """A subprocess is killed with SIGKILL after writing the first table of a run inside the
    publish transaction: nothing of it is visible, the previous version is intact."""
    db = tmp_path / "w.duckdb"
    r1 = store.publish_run(db, _tables(1.0), flow="t", params={}, input_fingerprint="f1")
    before = {
        t: _q(db, f"SELECT * FROM results.latest_{t} ORDER BY ALL") for t in ("alpha", "beta")
    }
    code = textwrap.dedent(
        f"""
        import polars as pl
        from tests import _contracts
        from warehouse import store
        tables = {{
            "alpha": pl.DataFrame({{"region_code": ["x"] * 200000, "year": [2021] * 200000, "x": [7.0] * 200000}}),
            "beta": pl.DataFrame({{"k": ["b"], "y": [14.0]}}),
        }}
        store.publish_run({str(db)!r}, tables, flow="t", params={{}}, input_fingerprint="f2")
        """
    )
    env = dict(os.environ, CBEC_TEST_PUBLISH_PAUSE="60", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    line = proc.stdout.readline()
    assert "CBEC_PUBLISH_PAUSED" in line, proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after = {t: _q(db, f"SELECT * FROM results.latest_{t} ORDER BY ALL") for t in ("alpha", "beta")}
    for t in before:
        assert after[t].equals(before[t])
    assert _q(db, "SELECT run_id FROM results.runs")["run_id"].to_list() == [r1]
    assert _q(db, "SELECT count(*) AS n FROM results.alpha")["n"][0] == 5
