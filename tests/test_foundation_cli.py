"""Command-line contract of the warehouse commands on a missing warehouse."""

from __future__ import annotations

from cbec.cli import main


def test_runs_on_missing_warehouse_is_an_input_error_and_creates_nothing(tmp_path, capsys):
    db = tmp_path / "nothing.duckdb"
    assert main(["runs", "--db", str(db)]) == 3
    assert main(["runs", "diff", "A", "B", "--db", str(db)]) == 3
    assert "no warehouse" in capsys.readouterr().err
    assert not db.exists()
