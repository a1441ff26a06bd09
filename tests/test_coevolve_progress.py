"""`cbec coevolve` reports each least-squares fit (multi-start screening, polishing, bootstrap
refits) with an ETA on stderr (issue 17); the `progress` callback of fit_lv changes no
result; --quiet silences it; stdout is the same with and without it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cbec.cli import main
from measures.coevolution import fit_lv, simulate_predator_prey

ZJ = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "zhejiang_cbec_2016_2020"
    / "zhejiang_cbec_trade.csv"
)


def test_fit_lv_progress_counts_every_fit_and_changes_no_result():
    t = np.arange(12, dtype=float)
    x = simulate_predator_prey(0.5, 0.02, 0.4, 0.5, (30.0, 15.0), t)
    x = x * np.exp(np.random.default_rng(1).normal(0, 0.01, x.shape))
    seen: list[tuple[int, int]] = []
    kw = dict(n_starts=3, n_boot=4, seed=2)
    a = fit_lv(x[:, 0], x[:, 1], t, **kw)
    b = fit_lv(x[:, 0], x[:, 1], t, **kw, progress=lambda d, n: seen.append((d, n)))
    assert a.params == b.params and a.ci_low == b.ci_low and a.nfev == b.nfev
    total = (3 + 1) + 2 + 4  # starts (with the step-1 start), polishing runs, refits
    assert {n for _, n in seen} == {total} and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) >= total


def test_cli_ticks_per_fit_and_quiet_silences_it(capsys, monkeypatch):
    cmd = ["coevolve", str(ZJ), "--x", "cbec_export", "--y", "cbec_import", "--starts", "3"]
    rc = main(cmd)
    plain = capsys.readouterr()
    monkeypatch.setenv("CBEC_PROGRESS", "1")
    assert main(cmd) == rc
    drawn = capsys.readouterr()
    assert drawn.out == plain.out
    bar = "Lotka–Volterra predator-prey fit [##############################] 6/6 fits"
    assert bar in drawn.err and bar not in plain.err
    assert main([*cmd, "--quiet"]) == rc
    assert "fits" not in capsys.readouterr().err
    assert main([*cmd, "--method", "discrete"]) == 0  # no fits to count: no ticker
    assert "Lotka–Volterra" not in capsys.readouterr().err
