"""Issue 16, deliver 5 and the write-session guarantees that need no refresh: `cbec sql` escapes
(each refused with a clear message, nothing written or read), timeout, Ctrl-C, --excel-safe;
the writer lock (exit 6), stale-state refusal, failed-run records, recovery of a killed writer's
side file, run kinds and promote, `cbec serve --stop` and reused pids."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from cbec.cli import main
from cbec.errors import Busy
from tests import _contracts  # noqa: F401 - declares the test table alpha
from warehouse import store, workcopy
from warehouse.db import connect

ROOT = Path(__file__).resolve().parent.parent


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def small_db(tmp_path) -> Path:
    db = tmp_path / "w.duckdb"
    t = {
        "alpha": pl.DataFrame({"region_code": ["11", "12"], "year": [2020, 2020], "x": [1.0, 2.0]})
    }
    store.publish_run(db, t, flow="refresh", params={"p": 1}, input_fingerprint="f1")
    con = connect(db, read_only=True)
    con.close()
    return db


ESCAPES = [  # (query, text the refusal names)
    ("ATTACH '{tmp}/other.duckdb' AS o (READ_WRITE)", "ATTACH statements are refused"),
    ("ATTACH '{db}' AS again", "ATTACH statements are refused"),
    ("COPY (SELECT 1) TO '{tmp}/out.csv'", "COPY statements are refused"),
    ("COPY results.alpha TO '{tmp}/out.parquet' (FORMAT parquet)", "COPY statements are refused"),
    ("EXPORT DATABASE '{tmp}/export'", "EXPORT statements are refused"),
    ("SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled"),
    ("SELECT * FROM read_text('/etc/passwd')", "file system operations are disabled"),
    ("SELECT * FROM '/etc/passwd'", "does not exist"),  # no replacement scan of file paths
    ("SELECT * FROM glob('/root/*')", "file system operations are disabled"),
    ("SELECT * FROM read_parquet('{tmp}/*.parquet')", "file system operations are disabled"),
    ("SELECT * FROM read_json_auto('/etc/hostname')", "file system operations are disabled"),
    ("INSTALL httpfs", "statements are refused"),
    ("LOAD httpfs", "statements are refused"),
    ("SELECT * FROM read_csv('https://example.com/x.csv')", "disabled"),
    ("SET enable_external_access = true", "SET statements are refused"),
    ("SELECT 1; SELECT 2", "one statement per call"),
    ("SELECT 1; ATTACH '{tmp}/x.duckdb'", "one statement per call"),
    ("CREATE TABLE results.evil AS SELECT 1", "CREATE statements are refused"),
    ("UPDATE results.runs SET status = 'failed'", "UPDATE statements are refused"),
    ("DELETE FROM results.runs", "DELETE statements are refused"),
    ("PRAGMA enable_external_access", "PRAGMA statements are refused"),
    ("CALL pragma_version()", "CALL statements are refused"),
    ("CHECKPOINT", "statements are refused"),
    ("SELECT * FROM small_db", "does not exist"),  # Python replacement scans are off
    ("SELECT getenv('HOME')", "getenv"),
]


@pytest.mark.parametrize("query, reason", ESCAPES)
def test_sql_escape_is_refused_and_nothing_is_written_or_read(
    small_db, tmp_path, query, reason, capsys
):
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    before = {p: _sha(p) for p in (small_db, other)}
    q = query.format(tmp=tmp_path, db=small_db)
    rc = main(["sql", "--db", str(small_db), q])
    out = capsys.readouterr()
    assert rc == 2, out
    assert reason in out.err, out.err
    assert "Traceback" not in out.err and "root:" not in out.out
    assert {p: _sha(p) for p in before} == before
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "export").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".lock") == [
        "other.duckdb",
        "w.duckdb",
    ]


def test_sql_select_and_excel_safe_csv(small_db, capsys):
    assert (
        main(["sql", "--db", str(small_db), "SELECT count(*) AS n FROM results.latest_alpha"]) == 0
    )
    assert "2" in capsys.readouterr().out
    q = "SELECT '=HYPERLINK(\"x\")' AS a, '+1' AS b, '-cmd' AS c, '@SUM(A1)' AS d, 'plain' AS e, -1.5 AS f"
    assert main(["sql", "--db", str(small_db), "--csv", "--excel-safe", q]) == 0
    out = capsys.readouterr()
    line = out.out.splitlines()[1]
    assert line.startswith("\"'=HYPERLINK") and ",'+1,'-cmd,'@SUM(A1),plain,-1.5" in line
    assert "4 cell(s) prefixed" in out.err
    assert main(["sql", "--db", str(small_db), "--excel-safe", "SELECT 1"]) == 2


def test_sql_timeout_stops_a_long_query(small_db, capsys):
    t0 = time.monotonic()
    rc = main(
        [
            "sql",
            "--db",
            str(small_db),
            "--timeout",
            "1",
            "SELECT count(*) FROM range(10000000000) a, range(100) b",
        ]
    )
    assert rc == 2 and time.monotonic() - t0 < 5
    assert "--timeout of 1 s" in capsys.readouterr().err


def test_sql_ctrl_c_stops_within_two_seconds(small_db):
    p = subprocess.Popen(
        [sys.executable, "-m", "cbec.cli", "sql", "--db", str(small_db),
         "SELECT count(*) FROM range(10000000000) a, range(100) b"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(4)  # imports done, query running
    assert p.poll() is None
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    p.wait(timeout=10)
    assert time.monotonic() - t0 < 2.0
    assert p.returncode == 130 and "Traceback" not in p.stderr.read()


def test_second_writer_waits_or_exits_6_with_the_owner(small_db, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from warehouse.lock import WriterLock\n"
         f"l = WriterLock({str(small_db)!r}, label='test holder').acquire(); print('held', flush=True); time.sleep(30)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Busy) as e:
            with workcopy.session(small_db, wait=0.5):
                pass
        assert f"pid {holder.pid}" in str(e.value) and "test holder" in str(e.value)
        rc = main(["runs", "promote", "nope", "--db", str(small_db), "--wait", "0"])
        assert rc == 6
    finally:
        holder.kill()
        holder.wait()
    with workcopy.session(small_db, wait=5):  # the kernel released the dead holder's lock
        pass


def test_a_writer_outside_the_lock_is_never_overwritten(small_db):
    with pytest.raises(Busy, match="changed by a writer outside the lock"):
        with workcopy.session(small_db):
            store.start_run(small_db, flow="refresh", params={"p": 2})
            con = duckdb.connect(str(small_db))  # a rogue read-write client on the published file
            con.execute("CREATE TABLE main.rogue AS SELECT 1 AS x")
            con.close()
    con = duckdb.connect(str(small_db), read_only=True)
    assert con.execute("SELECT count(*) FROM main.rogue").fetchone() == (1,)
    con.close()


def test_failed_session_keeps_only_its_run_row_and_validations(small_db):
    before = store.list_runs(small_db).height
    with pytest.raises(RuntimeError):
        with workcopy.session(small_db):
            rid = store.start_run(small_db, flow="refresh", params={"p": 3})
            store.record_validation(small_db, rid, "raw", {"passed": False, "critical_failures": 1})
            con = connect(small_db)
            con.execute(
                "INSERT INTO raw.files VALUES ('sha', 'f.csv', 's', 'tidy_csv', '2026', 1, now()::TIMESTAMP)"
            )
            con.close()
            raise RuntimeError("boom")
    runs = store.list_runs(small_db)
    assert runs.height == before + 1
    row = runs.filter(pl.col("run_id") == rid).row(0, named=True)
    assert row["status"] == "failed" and row["pid"] == os.getpid()
    con = connect(small_db, read_only=True)
    assert con.execute("SELECT count(*) FROM raw.files").fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM results.validations WHERE run_id = ?", [rid]
    ).fetchone() == (1,)
    con.close()


def test_leftover_side_file_of_a_killed_writer_is_rolled_back_and_abandoned(small_db):
    left = small_db.with_name(small_db.name + ".work-99999999")
    import shutil

    shutil.copy(small_db, left)
    con = duckdb.connect(str(left))
    con.execute(
        "INSERT INTO results.runs (run_id, flow, status, started_at, pid) VALUES ('dead', 'refresh', 'running', now()::TIMESTAMP, 99999999)"
    )
    con.execute(
        "INSERT INTO raw.files VALUES ('sha', 'f.csv', 's', 'tidy_csv', '2026', 1, now()::TIMESTAMP)"
    )
    con.close()
    with workcopy.session(small_db):
        pass
    assert not left.exists()
    con = connect(small_db, read_only=True)
    status, msg = con.execute(
        "SELECT status, message FROM results.runs WHERE run_id = 'dead'"
    ).fetchone()
    assert status == "abandoned" and "pid 99999999" in msg
    assert con.execute("SELECT count(*) FROM raw.files").fetchone() == (0,)
    con.close()


def test_partial_runs_never_become_latest_until_promoted(small_db, capsys):
    part = {"alpha": pl.DataFrame({"region_code": ["11"], "year": [2020], "x": [9.0]})}
    pid = store.publish_run(small_db, part, flow="refresh", params={"years": [2020]},
                            input_fingerprint="f2", kind="partial", scope="year 2020")  # fmt: skip
    con = connect(small_db, read_only=True)
    assert sorted(r[0] for r in con.execute("SELECT x FROM results.latest_alpha").fetchall()) == [
        1.0,
        2.0,
    ]
    con.close()
    assert main(["runs", "--db", str(small_db)]) == 0
    out = capsys.readouterr().out
    assert "partial" in out and "year 2020" in out
    assert main(["runs", "promote", pid, "--db", str(small_db)]) == 0
    con = connect(small_db, read_only=True)
    assert [r[0] for r in con.execute("SELECT x FROM results.latest_alpha").fetchall()] == [9.0]
    con.close()
    assert main(["runs", "promote", "no-such-run", "--db", str(small_db)]) == 3
    assert "no-such-run" in capsys.readouterr().err


def test_serve_stop_never_kills_a_process_that_reused_the_pid(tmp_path, monkeypatch):
    from cbec.commands import serve

    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        monkeypatch.setenv("CBEC_DB", str(tmp_path / "cbec.duckdb"))
        state = {"server_pid": other.pid, "server_start": 1, "worker_pid": other.pid}
        serve.state_file().write_text(json.dumps(state))
        assert serve.stop() == 0
        time.sleep(0.3)
        assert other.poll() is None, "an unrelated process (reused pid) was killed"
    finally:
        other.kill()
        other.wait()


def test_side_file_killed_after_publishing_is_rolled_back_not_half_published(small_db):
    """Killed after the publish transaction but before the replace: the side file says
    'published', yet its tables never became the warehouse. The next start records the run as
    abandoned (a 'published' row without its tables would be reused by the next run)."""
    import shutil

    left = small_db.with_name(small_db.name + ".work-424242")
    shutil.copy(small_db, left)
    con = duckdb.connect(str(left))
    con.execute(
        "INSERT INTO results.runs (run_id, flow, status, started_at, finished_at, pid, input_fingerprint) "
        "VALUES ('half', 'refresh', 'published', now()::TIMESTAMP, now()::TIMESTAMP, 424242, 'f9')"
    )
    con.close()
    with workcopy.session(small_db):
        pass
    con = connect(small_db, read_only=True)
    assert con.execute("SELECT status FROM results.runs WHERE run_id = 'half'").fetchone() == (
        "abandoned",
    )
    con.close()
    assert (
        store.find_reusable_run(small_db, flow="refresh", input_fingerprint="f9", params={}) is None
    )


def test_sql_table_is_for_people_not_polars(small_db, capsys, monkeypatch):
    """No shape:/dtype lines; fits COLUMNS=60; lists 'a; b', missing empty, CJK double width,
    wide results in column blocks then "… N more columns", long results "… N more rows"."""
    from cbec.output.terminal import width_of

    monkeypatch.setenv("COLUMNS", "60")
    cols = ", ".join(f"{k} * 1.0 / 3 AS value_column_{k}" for k in range(30))
    q = f"SELECT '北京市' AS name, ['a', 'b'] AS quality, NULL::DOUBLE AS gap, {cols} FROM range(250) t(k)"
    assert main(["sql", "--db", str(small_db), q]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "shape:" not in out and "f64" not in out and "str" not in lines[1]
    assert max(width_of(line) for line in lines) <= 60
    assert "北京市  a; b" in out and "None" not in out and "null" not in out
    assert "… 50 more rows (--limit N for more; --csv / --json for all)" in out
    assert lines[-1].startswith("… ") and "more columns (use --csv / --json)" in lines[-1]
    assert "0.333333" in out and "0.3333333333" not in out  # 6 significant digits


def test_sql_json_rows(small_db, capsys):
    q = "SELECT region_code, x, 'NaN'::DOUBLE AS y FROM results.latest_alpha ORDER BY 1"
    assert main(["sql", "--db", str(small_db), "--json", q]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{"region_code": "11", "x": 1.0, "y": None},
                    {"region_code": "12", "x": 2.0, "y": None}]  # fmt: skip
    assert main(["sql", "--db", str(small_db), "--json", "SELECT 1 AS a WHERE false"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    with pytest.raises(SystemExit) as exc:  # argparse: --csv, --json, --parquet exclude
        main(["sql", "--db", str(small_db), "--json", "--csv", "SELECT 1"])
    assert exc.value.code == 2
