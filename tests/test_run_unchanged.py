"""`cbec run` with nothing new answers before Prefect starts (issue 18: a reused run in < 3 s):
a real process on a copy of the session's published warehouse. The answer is the same run the
flow's own check would reuse; anything that needs the flow (a new file, --prefect, a killed
writer's leftovers, a changed configuration) still goes through it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent


def _run(db: Path, *extra: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:  # fmt: skip
    env = {**os.environ, **(env or {})}
    env.pop("PREFECT_API_URL", None)
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cbec.cli", "run", "--db", str(db), *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return res, time.perf_counter() - t0


def _published(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT run_id FROM results.runs WHERE status = 'published'").fetchall()[
            0
        ][0]
    finally:
        con.close()


def test_nothing_new_is_answered_without_prefect(db_copy):
    rid = _published(db_copy)
    res, wall = _run(db_copy)
    assert res.returncode == 0, res.stderr[-2000:]
    assert f"reused existing run: {rid}" in res.stdout
    assert "answered without starting Prefect" in res.stdout and "check-unchanged" in res.stdout
    imported = {ln.split("|")[-1].strip() for ln in res.stderr.splitlines() if "import time:" in ln}
    assert not {m for m in imported if m == "prefect" or m.startswith(("prefect.", "flows."))}
    assert wall < 10.0, wall  # well under a second of work; the bound leaves room for a loaded CI
    assert not list(db_copy.parent.glob(db_copy.name + ".work-*"))


def test_prefect_flag_and_leftovers_go_through_the_flow(db_copy):
    res, _ = _run(db_copy, "--prefect")
    assert res.returncode == 0, res.stderr[-2000:]
    assert "reused existing run" in res.stdout and "without starting Prefect" not in res.stdout
    assert "Prefect start-up" in res.stdout  # the flow's stage table
    # a killed writer's side file: the flow's session must recover it, so no early answer
    side = db_copy.with_name(db_copy.name + ".work-999999")
    shutil.copy(db_copy, side)
    res, _ = _run(db_copy)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "without starting Prefect" not in res.stdout and not side.exists()


def test_changed_configuration_is_not_answered_early(db_copy, tmp_path, monkeypatch):
    from cbec.paths import config_dir
    from cbec.settings import load_params
    from warehouse.reuse import plain_refresh_reuse

    same = plain_refresh_reuse(db_copy, load_params())
    assert same is not None and same[0] == _published(db_copy)
    assert plain_refresh_reuse(db_copy, {**load_params(), "years": [2019]}) is None  # other params
    cfg = tmp_path / "config"
    shutil.copytree(config_dir(), cfg)
    with open(cfg / "variables.toml", "a", encoding="utf-8") as fh:
        fh.write("\n# touched\n")
    monkeypatch.setenv("CBEC_CONFIG", str(cfg))
    assert plain_refresh_reuse(db_copy, load_params()) is None
