"""Command-line contract of the warehouse commands on a missing warehouse."""

from __future__ import annotations

from cbec.cli import main


def test_runs_on_missing_warehouse_is_an_input_error_and_creates_nothing(tmp_path, capsys):
    db = tmp_path / "nothing.duckdb"
    assert main(["runs", "--db", str(db)]) == 3
    assert main(["runs", "diff", "A", "B", "--db", str(db)]) == 3
    assert "no warehouse" in capsys.readouterr().err
    assert not db.exists()


def _panel(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("dmu,period,x1,x2,y\nA,1,2,3,1\nB,1,3,2,1\nC,1,4,4,1.5\nA,2,2,3,1.1\nB,2,3,2.5,1\nC,2,4,3,1.6\n")  # fmt: skip
    return f


def test_progress_bar_only_when_asked_or_on_a_terminal(tmp_path, capsys, monkeypatch):
    f = _panel(tmp_path)
    args = ["dea", str(f), "--dmu", "dmu", "--period", "period", "--inputs", "x1,x2", "--outputs", "y"]  # fmt: skip
    monkeypatch.delenv("CBEC_PROGRESS", raising=False)
    assert main(args) == 0
    assert "DEA" not in capsys.readouterr().err  # pytest's stderr is not a terminal
    monkeypatch.setenv("CBEC_PROGRESS", "1")
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "DEA ccr [" in err and "6/6 DMUs" in err  # 2 periods × 3 DMUs, counted per DMU
