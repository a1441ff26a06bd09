"""Issue 16, deliver 2–4 with real processes: two concurrent `cbec run` with an --add in between,
20 readers during a refresh, SIGKILL at 10 points of a run.

Every run here is a real `cbec run` process (tests/_replay_run.py: the LP fan-out and the
Lotka–Volterra fits are replayed from the baseline run to keep the test time bounded; the lock,
the side-file session, reading, staging, gates, production/structure maths and publishing are
real). Most processes talk to the session's Prefect test server (PREFECT_API_URL); the SIGKILL
test also kills runs that started their own temporary Prefect server, which must die with them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from warehouse.db import connect
from warehouse.lock import process_alive, read_owner

pytestmark = pytest.mark.process  # whole refreshes in real processes: make test-processes

ROOT = Path(__file__).resolve().parent.parent
EXPORT_2024 = ROOT / "data/nbs_exports_2016_2024/分省年度数据2024.csv"
EXPORT_2023 = ROOT / "data/nbs_exports_2016_2024/分省年度数据2023.csv"
REPLAYED = ("efficiency", "cross_efficiency", "game_cross_efficiency", "malmquist",
            "malmquist_summary", "coevolution", "causality")  # fmt: skip


@pytest.fixture(scope="module")
def replay_dir(published_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("replay")
    con = connect(published_db, read_only=True)
    try:
        (rid,) = con.execute(
            "SELECT run_id FROM results.runs WHERE status = 'published'"
        ).fetchone()
        for name in REPLAYED:
            con.execute(
                f"COPY (SELECT * EXCLUDE run_id FROM results.{name} WHERE run_id = ?) "
                f"TO '{out / (name + '.parquet')}' (FORMAT parquet)",
                [rid],
            )
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def api_url(prefect_harness) -> str:
    from prefect.settings import get_current_settings

    return str(get_current_settings().api.url)


def _env(replay_dir: Path, home: Path, api_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CBEC_TEST"))}
    env.update(
        CBEC_TEST_REPLAY_DIR=str(replay_dir), PREFECT_HOME=str(home), PYTHONPATH=str(ROOT),
        PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1", PREFECT_LOGGING_LEVEL="ERROR",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180", GX_ANALYTICS_ENABLED="false",
    )  # fmt: skip
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env.update(extra)
    return env


_STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _kill_leftovers():
    """A failing test must not leave its `cbec run` processes behind (only ours, by pid)."""
    yield
    while _STARTED:
        p = _STARTED.pop()
        if p.poll() is None:
            p.kill()
            p.wait()


def _cbec(args: list[str], env: dict) -> subprocess.Popen:
    p = subprocess.Popen(
        [sys.executable, "-m", "tests._replay_run", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _STARTED.append(p)
    return p


def _finish(p: subprocess.Popen, timeout: float = 900) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def _revised(src: Path, dst: Path, old: str, new: str) -> Path:
    text = src.read_bytes().decode("utf-8-sig")
    assert old in text
    dst.write_text(text.replace(old, new, 1), encoding="utf-8")
    return dst


def _q(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _gdp(db: Path, region: str, year: int) -> float:
    return _q(db, "SELECT gdp_nominal FROM results.latest_real_gdp WHERE region_code = ? AND year = ?",
              [region, year])[0][0]  # fmt: skip


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _wait_for_lock(db: Path, pid: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if read_owner(db).get("pid") == pid:
            return
        time.sleep(0.2)
    raise AssertionError(f"pid {pid} never took the lock of {db}")


def test_two_concurrent_runs_with_an_add_in_between(published_db, replay_dir, api_url, tmp_path):
    """Run A (--add F1) holds the lock; run B (--add F2) starts meanwhile and waits; a third
    with --wait 0 exits 6. Both complete in order and latest_* holds F1's and F2's data; a
    later plain run keeps them (configured inputs) until `cbec inputs remove`."""
    db = tmp_path / "w.duckdb"
    shutil.copy(published_db, db)
    f1 = _revised(
        EXPORT_2024, tmp_path / "tianjin_2024_rev.csv", "天津市\t,17931.3\t,", "天津市\t,17935.0\t,"
    )
    f2 = _revised(
        EXPORT_2023, tmp_path / "beijing_2023_rev.csv", "北京市\t,47353.7\t,", "北京市\t,47360.9\t,"
    )
    env = _env(replay_dir, tmp_path / "prefect", api_url)
    a = _cbec(["run", "--db", str(db), "--add", str(f1), "--vintage", "2026-03"],
              {**env, "CBEC_TEST_PUBLISH_PAUSE": "3"})  # fmt: skip
    _wait_for_lock(db, a.pid)
    b = _cbec(["run", "--db", str(db), "--add", str(f2), "--vintage", "2026-04"], env)
    busy = subprocess.run(
        [sys.executable, "-m", "cbec.cli", "run", "--db", str(db), "--wait", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert busy.returncode == 6, busy.stderr
    assert f"being written by pid {a.pid}" in busy.stderr and "Traceback" not in busy.stderr
    runs_now = subprocess.run([sys.executable, "-m", "cbec.cli", "runs", "--db", str(db)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert runs_now.returncode == 0 and f"writing now: pid {a.pid}" in runs_now.stdout
    rc_a, out_a, err_a = _finish(a)
    rc_b, out_b, err_b = _finish(b)
    assert rc_a == 0, err_a[-3000:]
    assert rc_b == 0, err_b[-3000:]
    assert "waiting for the warehouse lock held by pid" in err_b
    rows = _q(db, "SELECT run_id, started_at, finished_at FROM results.runs WHERE status = 'published' "
                  "ORDER BY finished_at")  # fmt: skip
    assert len(rows) == 3  # baseline, A, B
    assert rows[2][1] >= rows[1][2], "B started its run after A published (serialised)"
    assert _gdp(db, "12", 2024) == 17935.0 and _gdp(db, "11", 2023) == 47360.9
    used = {
        r[0]
        for r in _q(db, "SELECT source_file FROM results.run_inputs WHERE run_id = ?", [rows[2][0]])
    }
    assert {f1.name, f2.name} <= used

    rc, out, err = _finish(_cbec(["run", "--db", str(db)], env))
    assert rc == 0 and "reused existing run" in out, err[-2000:]
    assert _gdp(db, "12", 2024) == 17935.0, "a plain run keeps the added input"
    rm = subprocess.run([sys.executable, "-m", "cbec.cli", "inputs", "remove", f1.name, "--db", str(db)],
                        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert rm.returncode == 0, rm.stderr
    rc, out, err = _finish(_cbec(["run", "--db", str(db)], env))
    assert rc == 0 and "published run" in out, err[-2000:]
    assert _gdp(db, "12", 2024) == 17931.3 and _gdp(db, "11", 2023) == 47360.9


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    db, stop, out, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    from pathlib import Path
    reads, errors, seen = 0, [], set()
    while not Path(stop).exists():
        try:
            con = duckdb.connect(db, read_only=True)
            n, rid = con.execute("SELECT count(*), min(run_id) FROM results.latest_efficiency").fetchone()
            con.execute("SELECT count(*) FROM results.runs").fetchone()
            con.close()
            if n != expected:
                errors.append(f"latest_efficiency has {n} rows")
            seen.add(rid)
            reads += 1
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(1.0)
    Path(out).write_text(f"{reads}\\n{len(seen)}\\n" + "\\n".join(errors))
    """
)


def test_twenty_readers_during_a_refresh_see_no_errors(published_db, replay_dir, api_url, tmp_path):
    """19 plain DuckDB clients (read-only, no retry) and a `cbec sql`/`cbec runs` loop read the
    warehouse while a refresh loads, computes and publishes: 0 errors, always a complete latest."""
    db = tmp_path / "w.duckdb"
    shutil.copy(published_db, db)
    stop = tmp_path / "stop"
    env = _env(replay_dir, tmp_path / "prefect", api_url)
    script = tmp_path / "reader.py"
    script.write_text(READER)
    (n_eff,) = _q(db, "SELECT count(*) FROM results.latest_efficiency")[0]  # the complete latest
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                str(script),
                str(db),
                str(stop),
                str(tmp_path / f"r{i}.txt"),
                str(n_eff),
            ],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        for i in range(19)
    ]
    cli_loop = textwrap.dedent(
        f"""
        import subprocess, sys, time; from pathlib import Path
        errs, n = [], 0
        while not Path({str(stop)!r}).exists():
            for args in (["sql", "--db", {str(db)!r}, "SELECT count(*) FROM results.latest_capital_stock"],
                         ["runs", "--db", {str(db)!r}]):
                r = subprocess.run([sys.executable, "-m", "cbec.cli", *args], capture_output=True, text=True)
                n += 1
                if r.returncode != 0 or "Traceback" in r.stderr:
                    errs.append(r.stderr[-300:])
            time.sleep(4)
        Path(sys.argv[1]).write_text(f"{{n}}\\n0\\n" + "\\n".join(errs))
        """
    )
    (tmp_path / "cli_loop.py").write_text(cli_loop)
    readers += [
        subprocess.Popen(
            [sys.executable, str(tmp_path / "cli_loop.py"), str(tmp_path / f"c{i}.txt")],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        for i in range(1)
    ]
    _STARTED.extend(readers)
    f1 = _revised(EXPORT_2024, tmp_path / "rev.csv", "天津市\t,17931.3\t,", "天津市\t,17935.0\t,")
    run = _cbec(["run", "--db", str(db), "--add", str(f1)], {**env, "CBEC_TEST_PUBLISH_PAUSE": "2"})
    rc, out, err = _finish(run)
    time.sleep(1.0)  # readers also see the new version
    stop.touch()
    for r in readers:
        r.wait(timeout=120)
    assert rc == 0, err[-3000:]
    results = [(tmp_path / f"r{i}.txt").read_text().split("\n") for i in range(19)]
    results += [(tmp_path / f"c{i}.txt").read_text().split("\n") for i in range(1)]
    assert len(results) == 20
    errors = [e for r in results for e in r[2:] if e]
    assert errors == [], errors[:5]
    assert all(int(r[0]) > 0 for r in results), "every reader read during the refresh"
    assert max(int(r[1]) for r in results[:19]) == 2, "readers saw the old and the new version"


KILL_POINTS = ["locked", "copied", "read", "started", "loaded", "computed", "validated",
               "publishing", "before-replace", "replaced"]  # fmt: skip
OWN_SERVER = {"read", "publishing", "replaced"}  # these runs start a temporary Prefect server
RUN_ROW_WRITTEN = {"started", "loaded", "computed", "validated", "publishing", "before-replace"}


def _kill_chain(points, db, f1, replay_dir, api_url, home) -> dict[str, int]:
    """Kill one run at each point in turn (the next run's start recovers the previous one);
    returns point → pid. Asserts the Prefect server and the warehouse after each kill."""
    killed: dict[str, int] = {}
    for point in points:
        before = _sha(db)
        env = _env(replay_dir, home / f"prefect-{point}", None if point in OWN_SERVER else api_url,
                   CBEC_TEST_KILL_AT=point)  # fmt: skip
        p = _cbec(["run", "--db", str(db), "--add", str(f1), "--vintage", "2026-03"], env)
        rc, out, err = _finish(p)
        assert rc == -9, f"{point}: exit {rc}\n{err[-2000:]}"
        killed[point] = p.pid
        if point in OWN_SERVER:
            server = read_owner(db).get("prefect_server_pid")
            assert server, f"{point}: the run's Prefect server pid was not recorded"
            deadline = time.monotonic() + 10
            while process_alive(server) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not process_alive(server), f"{point}: Prefect server {server} survived the kill"
        if point != "replaced":
            assert _sha(db) == before, f"{point}: the published warehouse changed"
    rc, out, err = _finish(_cbec(["run", "--db", str(db)], _env(replay_dir, home / "p", api_url)))
    assert rc == 0, err[-3000:]
    return killed


def _consistent(db: Path, killed: dict[str, int]) -> None:
    """After the next start: no side file, no `running` row, one `abandoned` row (with pid) per
    run killed after writing its row, raw/staging exactly what the latest published run used."""
    assert list(db.parent.glob(db.name + ".work-*")) == []
    runs = _q(db, "SELECT status, pid, message FROM results.runs")
    assert [r for r in runs if r[0] == "running"] == []
    abandoned = {r[1]: r[2] for r in runs if r[0] == "abandoned"}
    expect = {pid for point, pid in killed.items() if point in RUN_ROW_WRITTEN}
    assert set(abandoned) == expect, (killed, abandoned)
    assert all(f"pid {pid}" in abandoned[pid] for pid in expect)
    latest, fp = _q(db, "SELECT run_id, input_fingerprint FROM results.runs WHERE status = 'published' "
                        "ORDER BY finished_at DESC LIMIT 1")[0]  # fmt: skip
    raw = {r[0] for r in _q(db, "SELECT source_sha256 FROM raw.files")}
    used = {
        r[0]
        for r in _q(db, "SELECT source_sha256 FROM results.run_inputs WHERE run_id = ?", [latest])
    }
    assert raw == used
    from tasks.ingest import staging_fingerprint

    assert staging_fingerprint(str(db)) == fp


def test_sigkill_at_ten_points_leaves_nothing_and_next_start_recovers(
    published_db, replay_dir, api_url, tmp_path
):
    """Two chains of five kills run side by side (two warehouse copies) to halve the wall time;
    'replaced' is last: that run did publish, so its input is then part of the warehouse."""
    from concurrent.futures import ThreadPoolExecutor

    f1 = _revised(EXPORT_2024, tmp_path / "rev.csv", "天津市\t,17931.3\t,", "天津市\t,17935.0\t,")
    chains = [KILL_POINTS[:5], KILL_POINTS[5:]]
    dbs = []
    for k in range(2):
        (tmp_path / f"c{k}").mkdir()
        dbs.append(tmp_path / f"c{k}" / "w.duckdb")
        shutil.copy(published_db, dbs[-1])
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(_kill_chain, c, d, f1, replay_dir, api_url, d.parent)
                   for c, d in zip(chains, dbs, strict=True)]  # fmt: skip
        killed = [f.result() for f in futures]
    assert sum(len(k) for k in killed) == 10
    for db, k in zip(dbs, killed, strict=True):
        _consistent(db, k)
    assert _gdp(dbs[0], "12", 2024) == 17931.3  # chain 1 never published the added file
    assert _gdp(dbs[1], "12", 2024) == 17935.0  # chain 2's last run was killed after the replace
