"""`cbec crosseff --method game`: the time estimate before a long run, per-iteration progress
and --quiet (issue 17); the `progress` callback of measures.dea.game changes no result."""

from __future__ import annotations

import numpy as np
import pytest

from cbec.cli import main
from cbec.commands import _game_eta
from measures.dea.game import game_cross_efficiency

EG1 = "firm,y,x1,x2\nA,1,2,5\nB,2,2,4\nC,3,6,6\nD,1,3,2\nE,2,6,2\n"


def test_estimate_line_from_an_injected_per_lp_time():
    assert _game_eta.estimate_seconds(300, 1e-3, 12) == pytest.approx(1080.0)
    line = _game_eta.estimate_line(300, 1e-3, 12)
    assert line == ("game cross-efficiency: n = 300 DMUs, about 90,000 LPs per iteration, "
                    "estimated ~18 min for ~12 iterations (measured 1 ms per LP on this "
                    "machine)")  # fmt: skip
    assert "~45 s" in _game_eta.estimate_line(50, 1.5e-3, 12)


def test_announce_prints_only_for_long_runs(capsys):
    X = np.ones((200, 2))
    assert _game_eta.announce(X, X, 1000, per_lp=1e-6) == pytest.approx(0.48)
    assert capsys.readouterr().err == ""
    assert _game_eta.announce(X, X, 5, per_lp=1e-3) == pytest.approx(200.0)  # capped: 5 iter
    assert "n = 200 DMUs" in capsys.readouterr().err
    assert _game_eta.announce(X[:10], X[:10], 1000) is None  # small: nothing measured


@pytest.fixture
def eg1(tmp_path, monkeypatch):
    f = tmp_path / "eg1.csv"
    f.write_text(EG1)
    monkeypatch.setattr(_game_eta, "MIN_N", 0)
    monkeypatch.setattr(_game_eta, "measure_per_lp", lambda X, Y: 5.0)  # a slow machine
    monkeypatch.setenv("CBEC_PROGRESS", "1")
    return ["crosseff", str(f), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
            "--method", "game"]  # fmt: skip


def test_cli_announces_and_reports_iterations(eg1, capsys):
    assert main(eg1) == 0
    err = capsys.readouterr().err
    assert "game cross-efficiency: n = 5 DMUs, about 25 LPs per iteration" in err
    assert "(measured 5e+03 ms per LP on this machine)" in err
    X = np.array([[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]], float)
    g = game_cross_efficiency(X, np.array([[1], [2], [3], [1], [2]], float))
    last = f"iteration {g.iterations}, max|Δα| = {g.trace[-1]:.2e}"
    assert last in err  # the ticker's last state is the game's own last iteration
    assert f"game converged in {g.iterations} iterations" in err


def test_quiet_silences_estimate_and_progress(eg1, capsys):
    assert main([*eg1, "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err == ""  # no estimate, no ticker, no "converged" line


def test_progress_callback_changes_no_result():
    rng = np.random.default_rng(3)
    X, Y = rng.uniform(1, 10, (12, 2)), rng.uniform(1, 10, (12, 2))
    seen: list[tuple[int, float]] = []
    a = game_cross_efficiency(X, Y)
    b = game_cross_efficiency(X, Y, progress=lambda k, d: seen.append((k, d)))
    np.testing.assert_array_equal(a.scores, b.scores)
    assert a.iterations == b.iterations and [k for k, _ in seen] == list(range(1, a.iterations + 1))
    assert [d for _, d in seen] == b.trace
