"""`cbec crosseff` (arbitrary/aggressive/benevolent) reports its rating DMUs per block with an
ETA (issue 17); the `progress` callback of measures.dea.crosseff changes no result; --quiet
silences it; stdout is the same with and without it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cbec.cli import main
from measures.dea.crosseff import cross_efficiency


@pytest.mark.parametrize(
    "kw",
    [{}, {"secondary": "benevolent", "dg_method": 2}, {"secondary": "none"},
     {"rts": "vrs", "correction": "lim-zhu"}, {"orientation": "output"},
     {"orientation": "output", "secondary": "benevolent", "rts": "vrs"}],
)  # fmt: skip
def test_progress_per_block_of_raters_changes_no_result(kw):
    rng = np.random.default_rng(8)
    X, Y = rng.uniform(1, 10, (70, 3)), rng.uniform(1, 10, (70, 2))
    seen: list[tuple[int, int]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # arbitrary: "multipliers are not unique"
        a = cross_efficiency(X, Y, **kw)
        b = cross_efficiency(X, Y, **kw, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_array_equal(a.matrix, b.matrix)
    assert (a.status == b.status).all()
    assert seen == [(32, 70), (64, 70), (70, 70)]


def test_cli_bar_per_block_and_quiet(tmp_path, capsys, request):
    rng = np.random.default_rng(9)
    X, Y = rng.uniform(1, 10, (80, 2)), rng.uniform(1, 10, (80, 1))
    f = tmp_path / "ce.csv"
    f.write_text("firm,y,x1,x2\n" + "\n".join(f"F{i},{Y[i, 0]},{X[i, 0]},{X[i, 1]}"
                                               for i in range(80)) + "\n")  # fmt: skip
    cmd = ["crosseff", str(f), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y"]
    assert main(cmd) == 0
    plain = capsys.readouterr()
    assert "raters" not in plain.err
    seen = request.getfixturevalue("progress_updates")  # CBEC_PROGRESS=1 from here on
    assert main(cmd) == 0
    drawn = capsys.readouterr()
    assert drawn.out == plain.out
    assert "aggressive cross-efficiency [##############################] 80/80 raters" in drawn.err
    assert [d for d in seen if 0 < d < 80] == [32, 64]
    assert main([*cmd, "--quiet"]) == 0
    assert capsys.readouterr().err == ""
