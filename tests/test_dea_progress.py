"""Progress that informs (issue 17): the stderr bar's ETA, the optional `progress(done, total)`
callback of the DEA solvers (per block of DMUs, results unchanged) and `cbec dea` drawing it
per block inside a period; --quiet silences it, stdout is the same with and without it."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from cbec.cli import main
from cbec.commands import _progress
from cbec.commands._progress import Progress, eta_text
from measures.dea._progress import BLOCK
from measures.dea.models import dea_model, scale_efficiency
from measures.dea.radial import radial_efficiency

EG1 = "firm,y,x1,x2\nA,1,2,5\nB,2,2,4\nC,3,6,6\nD,1,3,2\nE,2,6,2\n"


def test_eta_is_elapsed_per_done_unit_times_remaining():
    assert eta_text(10.0, 0, 100) == ""  # nothing done yet: no estimate
    assert eta_text(10.0, 25, 100) == "ETA 30 s"
    assert eta_text(60.0, 10, 100) == "ETA 9 min"  # 540 s
    assert eta_text(1.0, 99, 100) == "ETA < 1 s"
    assert eta_text(10.0, 100, 100) == ""  # done


def test_bar_shows_units_and_eta_until_done(monkeypatch):
    p = Progress("DEA ccr", total=100, unit="DMUs")
    p._t0 = 0.0
    monkeypatch.setattr(_progress.time, "perf_counter", lambda: 10.0)
    p.update(25)
    assert p.line() == "DEA ccr [#######-----------------------] 25/100 DMUs   10.0 s  ETA 30 s"
    p.part(25, 50)(1, 2)  # half of a part worth 50 units, after 25
    assert p.done == 50
    p.update(100)
    assert p.line(final=True).endswith("100/100 DMUs   10.0 s")


def _data(n: int, seed: int = 4):
    rng = np.random.default_rng(seed)
    return rng.uniform(1, 10, (n, 3)), rng.uniform(1, 10, (n, 2))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_radial_progress_per_block_changes_no_result(n_jobs):
    X, Y = _data(500)
    seen: list[tuple[int, int]] = []
    kw = dict(two_phase=True, return_lambdas=True, n_jobs=n_jobs, rts="vrs", batch=False)
    a = radial_efficiency(X, Y, **kw)
    b = radial_efficiency(X, Y, **kw, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_array_equal(a.score, b.score)
    np.testing.assert_array_equal(a.slack_in, b.slack_in)
    assert (a.status == b.status).all() and a.lp_count == b.lp_count
    assert {t for _, t in seen} == {500} and max(d for d, _ in seen) == 500
    assert len(seen) >= 500 // BLOCK  # one call per block, not one at the end
    if n_jobs == 1:
        assert [d for d, _ in seen] == [*range(BLOCK, 500, BLOCK), 500]


def test_batched_radial_progress_per_block_changes_no_result():
    X, Y = _data(500)
    seen: list[tuple[int, int]] = []
    kw = dict(two_phase=True, return_lambdas=True, rts="vrs")
    a = radial_efficiency(X, Y, **kw)
    b = radial_efficiency(X, Y, **kw, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_array_equal(a.score, b.score)
    np.testing.assert_array_equal(a.slack_in, b.slack_in)
    assert a.extra["batch_solved"] == 500 and a.lp_count == b.lp_count == 0
    # one call per batch block of 64 DMUs (K/8 within [64, 512])
    assert [d for d, _ in seen] == [*range(64, 500, 64), 500]


@pytest.mark.parametrize("model", ["ccr", "bcc", "super", "sbm", "super-sbm"])
def test_dea_model_progress_reaches_its_total(model):
    X, Y = _data(80)
    seen: list[tuple[int, int]] = []
    orient = "none" if "sbm" in model else "input"
    a = dea_model(X, Y, model=model, orientation=orient)
    b = dea_model(X, Y, model=model, orientation=orient, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_array_equal(a.score, b.score)
    np.testing.assert_array_equal(a.slack_in, b.slack_in)
    total = 3 * 80 if model == "super-sbm" else 80
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_scale_efficiency_progress_over_three_models():
    X, Y = _data(40)
    seen: list[tuple[int, int]] = []
    a = scale_efficiency(X, Y)
    b = scale_efficiency(X, Y, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_array_equal(a["scale"], b["scale"])
    assert seen[-1] == (120, 120) and (40, 120) in seen and (80, 120) in seen


@pytest.fixture
def eg1(tmp_path):
    f = tmp_path / "eg1.csv"
    f.write_text(EG1)
    return ["dea", str(f), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y"]


def test_cli_draws_the_bar_and_quiet_silences_it(eg1, capsys, monkeypatch):
    assert main(eg1) == 0
    plain = capsys.readouterr()
    assert plain.err == ""  # stderr is not a terminal: nothing drawn
    monkeypatch.setenv("CBEC_PROGRESS", "1")
    assert main(eg1) == 0
    drawn = capsys.readouterr()
    assert drawn.out == plain.out
    assert "DEA ccr [##############################] 5/5 DMUs" in drawn.err
    assert main([*eg1, "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_cli_reports_blocks_inside_one_period(tmp_path, capsys, request):
    X, Y = _data(300)
    rows = [f"F{i},{Y[i, 0]},{X[i, 0]},{X[i, 1]}" for i in range(300)]
    f = tmp_path / "one.csv"
    f.write_text("firm,y,x1,x2\n" + "\n".join(rows) + "\n")
    seen = request.getfixturevalue("progress_updates")  # CBEC_PROGRESS=1 from here on
    assert main(["dea", str(f), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y"]) == 0
    # per batch block of 64 DMUs, not only "0/1" then "1/1"
    assert [d for d in seen if 0 < d < 300] == [64, 128, 192, 256]
    assert "300/300 DMUs" in capsys.readouterr().err


def test_subprocess_panel_progress_and_identical_stdout(tmp_path):
    X, Y = _data(60)
    rows = [f"F{i % 30},{2020 + i // 30},{Y[i, 0]},{X[i, 0]},{X[i, 1]}" for i in range(60)]
    f = tmp_path / "panel.csv"
    f.write_text("firm,year,y,x1,x2\n" + "\n".join(rows) + "\n")
    cmd = [sys.executable, "-m", "cbec.cli", "dea", str(f), "--dmu", "firm", "--period", "year",
           "--inputs", "x1,x2", "--outputs", "y", "--model", "bcc"]  # fmt: skip
    base = {**os.environ, "COLUMNS": "100"}
    env = {**base, "CBEC_PROGRESS": "1"}
    off = subprocess.run(cmd, capture_output=True, text=True, check=True, env=base)
    on = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    quiet = subprocess.run([*cmd, "--quiet"], capture_output=True, text=True, env=env)
    assert on.stdout == off.stdout and "DEA bcc" not in off.stderr
    assert "DEA bcc [##############################] 60/60 DMUs" in on.stderr
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


@pytest.mark.parametrize("backend", ["batch", "highs"])
def test_bootstrap_progress_per_replicate_changes_no_result(backend):
    from measures.dea.bootstrap import dea_bootstrap

    X, Y = _data(15)
    seen: list[tuple[int, int]] = []
    kw = dict(B=45, seed=3, backend=backend)
    a = dea_bootstrap(X, Y, **kw)
    b = dea_bootstrap(X, Y, **kw, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_array_equal(a.score_bc, b.score_bc)
    np.testing.assert_array_equal(a.ci_low, b.ci_low)
    want = [20, 40, 45] if backend == "batch" else list(range(1, 46))  # per chunk / replicate
    assert [d for d, _ in seen] == want and {t for _, t in seen} == {45}


def test_ddf_progress_per_block_changes_no_result(tmp_path, capsys, monkeypatch):
    from measures.dea.ddf import ddf

    X, Y = _data(70)
    Bd = Y[:, :1] * 0.5
    seen: list[tuple[int, int]] = []
    a = ddf(X, Y[:, 1:], Bd)
    b = ddf(X, Y[:, 1:], Bd, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_array_equal(a.value, b.value)
    assert seen == [(32, 70), (64, 70), (70, 70)]
    rows = [f"F{i},{Y[i, 1]},{Bd[i, 0]},{X[i, 0]},{X[i, 1]}" for i in range(70)]
    f = tmp_path / "ddf.csv"
    f.write_text("firm,y,co2,x1,x2\n" + "\n".join(rows) + "\n")
    monkeypatch.setenv("CBEC_PROGRESS", "1")
    cmd = ["dea", str(f), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
           "--model", "ddf", "--bad-outputs", "co2"]  # fmt: skip
    assert main(cmd) == 0
    assert "DEA ddf [##############################] 70/70 DMUs" in capsys.readouterr().err
