"""The newcomer path (issue 14): a fresh clone refreshes with nothing but Python, a bad
configuration is one clear message (exit 2) before any work, and `cbec … | head` ends quietly.
All with real processes, as a user runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CBEC_", "PREFECT_HOME"))}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """`git clone` of HEAD into a temporary folder: no var/, no warehouse, no Prefect home."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("the newcomer test needs git and a git checkout")
    dst = tmp_path_factory.mktemp("clone") / "cbec-observatory"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dst)], check=True)
    assert not (dst / "var").exists()
    return dst


@pytest.mark.process  # a whole refresh in real processes: make test-processes
def test_fresh_clone_refresh_publishes(clone: Path) -> None:
    env = _env(CBEC_HOME=str(clone), PYTHONPATH=str(clone))
    where = subprocess.run(
        [sys.executable, "-c", "import cbec, flows; print(cbec.__file__, flows.__file__)"],
        cwd=clone, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert all(p.startswith(str(clone)) for p in where.stdout.split()), where.stdout
    run = subprocess.run(
        [sys.executable, "-m", "cbec.cli", "run"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "published run:" in run.stdout
    assert (clone / "var" / "prefect").is_dir()
    con = duckdb.connect(str(clone / "var" / "cbec.duckdb"), read_only=True)
    try:
        status = con.execute("SELECT status FROM results.runs").fetchall()
        n_eff = con.execute("SELECT count(*) FROM results.latest_efficiency").fetchone()[0]
    finally:
        con.close()
    assert ("published",) in status
    assert n_eff > 0
    assert (clone / "var" / "reports").is_dir()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ('orientation = "input"', 'orientation = "inptu"'),
            ["dea.toml", "orientation", "'inptu'", "'input'", "'output'"],
        ),
        (('rts = "crs"', 'rts = "crs"\nrtss = "vrs"'), ["dea.toml", "unknown key 'rtss'", "rts"]),
        (("tol = 1e-6", 'tol = "small"'), ["dea.toml", "game.tol", "'small'", "a number"]),
        (('rts = "crs"', 'rts = "crs'), ["dea.toml", "not valid TOML", "line"]),
    ],
    ids=["bad-choice", "unknown-key", "wrong-type", "syntax"],
)
def test_config_error_is_one_message_exit_2(tmp_path: Path, edit, expected) -> None:
    cfg = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg)
    text = (cfg / "dea.toml").read_text(encoding="utf-8")
    assert edit[0] in text
    (cfg / "dea.toml").write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    env = _env(CBEC_CONFIG=str(cfg), CBEC_DB=str(tmp_path / "w.duckdb"))
    t0 = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "cbec.cli", "run"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    elapsed = time.perf_counter() - t0
    assert run.returncode == 2, run.stderr
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, run.stderr  # one message, no traceback
    for part in expected:
        assert part in lines[0], lines[0]
    assert not (tmp_path / "w.duckdb").exists()  # nothing started
    assert elapsed < 5.0


def test_output_into_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    rows = ["dmu,x1,x2,y"] + [f"d{i},{1 + i % 7},{2 + i % 5},{3 + i % 11}" for i in range(2000)]
    (tmp_path / "p.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "cbec.cli", "dea", str(tmp_path / "p.csv")]
    cmd += ["--dmu", "dmu", "--inputs", "x1,x2", "--outputs", "y"]
    proc = subprocess.Popen(
        cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err, err
