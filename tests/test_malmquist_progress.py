"""`cbec malmquist` reports its radial LPs per block of DMUs with an ETA (issue 17); the
`progress` callback of measures.malmquist changes no result; --quiet silences it; stdout is
the same with and without it. The green indices (--bad-outputs) show an elapsed ticker."""

from __future__ import annotations

import numpy as np
import pytest

from cbec.cli import main
from measures.malmquist import malmquist


def _panel(T: int, n: int, seed: int = 5):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (T, n, 2))
    Y = rng.uniform(1, 10, (T, n, 1)) * (1 + 0.03 * np.arange(T))[:, None, None]
    return X, Y


@pytest.mark.parametrize("frontier", ["adjacent", "global"])
def test_progress_counts_every_radial_lp_and_changes_no_result(frontier):
    T, n = 4, 70
    X, Y = _panel(T, n)
    seen: list[tuple[int, int]] = []
    a = malmquist(X, Y, frontier=frontier)
    b = malmquist(X, Y, frontier=frontier, progress=lambda d, t: seen.append((d, t)))
    for k in ("mi", "ec", "tc"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k))
    # adjacent: CRS of period t against techs t−1, t, t+1 (3T − 2) and own VRS (T);
    # global: own CRS and VRS (2T) and every period against the pooled CRS technology (T)
    total = ((4 * T - 2) if frontier == "adjacent" else 3 * T) * n
    assert seen[-1] == (total, total) and {t for _, t in seen} == {total}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > 2 * T


def _csv(tmp_path, T: int, n: int) -> str:
    X, Y = _panel(T, n)
    rows = [f"F{i},{2018 + t},{X[t, i, 0]},{X[t, i, 1]},{Y[t, i, 0]},{0.5 * X[t, i, 0]}"
            for t in range(T) for i in range(n)]  # fmt: skip
    f = tmp_path / "panel.csv"
    f.write_text("firm,year,x1,x2,y,co2\n" + "\n".join(rows) + "\n")
    return str(f)


def test_cli_bar_per_block_and_quiet(tmp_path, capsys, request):
    cmd = ["malmquist", _csv(tmp_path, 2, 100), "--dmu", "firm", "--period", "year",
           "--inputs", "x1,x2", "--outputs", "y"]  # fmt: skip
    assert main(cmd) == 0
    plain = capsys.readouterr()
    assert "LPs" not in plain.err
    seen = request.getfixturevalue("progress_updates")  # CBEC_PROGRESS=1 from here on
    assert main(cmd) == 0
    drawn = capsys.readouterr()
    assert drawn.out == plain.out
    total = (4 * 2 - 2) * 100  # one period pair: 600 LPs
    assert f"Malmquist (adjacent, fgnz) [##############################] {total}/{total} LPs" in (
        drawn.err
    )
    assert len([d for d in seen if 0 < d < total]) >= 10  # per block, not per call
    assert main([*cmd, "--quiet"]) == 0
    assert "LPs" not in capsys.readouterr().err


def test_cli_green_index_counts_its_ddf_lps(tmp_path, capsys, monkeypatch):
    """ML, adjacent frontier, 2 periods × 12 DMUs: 2 own + 2 cross-period sets of 12 DDF LPs."""
    cmd = ["malmquist", _csv(tmp_path, 2, 12), "--dmu", "firm", "--period", "year",
           "--inputs", "x1,x2", "--outputs", "y", "--index", "ml", "--bad-outputs", "co2"]  # fmt: skip
    assert main(cmd) == 0
    plain = capsys.readouterr()
    monkeypatch.setenv("CBEC_PROGRESS", "1")
    assert main(cmd) == 0
    drawn = capsys.readouterr()
    assert "ml index with bad outputs [##############################] 48/48 DDF LPs" in drawn.err
    assert drawn.out == plain.out
    assert main([*cmd, "--quiet"]) == 0
    assert "bad outputs" not in capsys.readouterr().err


@pytest.mark.parametrize("technology", ["contemporaneous", "global", "sequential"])
def test_green_tfp_progress_counts_every_ddf_lp_and_changes_no_result(technology):
    from measures.green_tfp import green_tfp

    T, n = 4, 9
    X, Y = _panel(T, n, seed=2)
    B = Y * np.random.default_rng(3).uniform(0.2, 0.6, Y.shape)
    a = green_tfp(X, Y, B, technology=technology)
    seen: list[tuple[int, int]] = []
    b = green_tfp(X, Y, B, technology=technology, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_array_equal(a.tfpch, b.tfpch)
    sets = T + (T if technology == "global" else 2 * (T - 1))
    assert seen == [(k * n, sets * n) for k in range(1, sets + 1)]


def test_cli_says_when_the_cc_game_runs_after_the_lps(tmp_path, capsys, monkeypatch):
    cmd = ["malmquist", _csv(tmp_path, 2, 10), "--dmu", "firm", "--period", "year",
           "--inputs", "x1,x2", "--outputs", "y", "--cross-efficiency"]  # fmt: skip
    monkeypatch.setenv("CBEC_PROGRESS", "1")
    assert main(cmd) == 0
    assert "60/60 LPs" in (err := capsys.readouterr().err)
    # then the game's steps on the note: 2 periods' games and 1 pair
    assert "CC-Malmquist game cross-efficiency 3/3 steps" in err


def test_cc_malmquist_counts_games_and_pairs_and_changes_no_result():
    """cc_malmquist's progress: one step per period's game, then one per pair (T + T − 1);
    with the games handed in (g_own), only the pairs."""
    from measures.malmquist import cc_malmquist

    T, n = 3, 12
    X, Y = _panel(T, n, seed=9)
    a = cc_malmquist(X, Y)
    seen: list[tuple[int, int]] = []
    b = cc_malmquist(X, Y, progress=lambda d, t: seen.append((d, t)))
    assert np.array_equal(a.cc_mi, b.cc_mi, equal_nan=True) and a.lp_count == b.lp_count
    assert seen == [(k, 2 * T - 1) for k in range(1, 2 * T)]
    seen.clear()
    cc_malmquist(X, Y, g_own=a.g_own, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, T - 1), (2, T - 1)]
