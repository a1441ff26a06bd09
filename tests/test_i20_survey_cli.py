"""`cbec survey` on continuous indicators (issue 20): lavaan's own Holzinger & Swineford
(1939) CFA example from the CLI. lavaan tutorial (lavaan 0.6, likelihood normal = χ² N·F):
χ² = 85.306, df = 24, CFI = 0.931, TLI = 0.896, RMSEA = 0.092, SRMR = 0.065."""

from __future__ import annotations

import polars as pl
import pytest
from semopy.examples import holzinger39

from cbec.cli import main

HS = "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"


@pytest.fixture(scope="module")
def hs_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("hs")
    holzinger39.get_data().to_csv(d / "hs1939.csv", index=False)
    (d / "hs.lav").write_text(HS)
    return d


@pytest.mark.parametrize("scale", ["auto", "continuous"])
def test_survey_cli_prints_lavaan_fit_table(hs_files, capsys, scale):
    out = hs_files / f"out_{scale}"
    rc = main(["survey", str(hs_files / "hs1939.csv"), "--model", str(hs_files / "hs.lav"),
               "--chi2-n", "N", "--scale", scale, "--out", str(out)])  # fmt: skip
    assert rc == 0
    text = capsys.readouterr().out
    assert "| chi2 | 85.306 |" in text and "| cfi | 0.931 |" in text
    row = dict(pl.read_csv(out / "survey_fit.csv").select("index", "value").iter_rows())
    assert row["chi2"] == pytest.approx(85.306, abs=5e-4) and row["df"] == 24
    assert round(row["tli"], 3) == 0.896 and round(row["rmsea"], 3) == 0.092
    assert round(row["srmr"], 3) == 0.065


def test_survey_cli_likert_checks_kept(hs_files, capsys):
    rc = main(["survey", str(hs_files / "hs1939.csv"), "--model", str(hs_files / "hs.lav"),
               "--scale", "likert"])  # fmt: skip
    assert rc == 3
    assert "is not an integer answer in 1..5" in capsys.readouterr().err
    p = hs_files / "likert.csv"
    p.write_text("id,C1,C2\n1,3,4\n2,55,2\n")  # an out-of-range integer stays a Likert error
    (hs_files / "m.lav").write_text("F =~ C1 + C2\n")
    assert main(["survey", str(p), "--model", str(hs_files / "m.lav")]) == 3
    assert "line 3" in capsys.readouterr().err
