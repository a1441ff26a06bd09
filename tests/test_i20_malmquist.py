"""`cbec malmquist --index ml|luenberger` (green TFP) and defect 6: text period labels are
ordered naturally (y9 before y10), or by --period-order, and the order is reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cbec.cli import main
from measures.malmquist import malmquist_panel

GT = Path(__file__).parent / "fixtures" / "gtfpch_example" / "example.csv"

EG4 = [(1, 1, 1, 2), (2, 1, 2, 4), (3, 1, 3, 3), (4, 1, 4, 5), (5, 1, 5, 6),
       (1, 2, 1, 2), (2, 2, 3, 4), (3, 2, 4, 3), (4, 2, 3, 5), (5, 2, 5, 5),
       (1, 3, 1, 2), (2, 3, 3, 4), (3, 3, 4, 3), (4, 3, 3, 5), (5, 3, 5, 5)]  # fmt: skip


def _panel(label) -> pl.DataFrame:
    return pl.DataFrame({"firm": [r[0] for r in EG4], "year": [label(r[1]) for r in EG4],
                         "y": [float(r[2]) for r in EG4], "x": [float(r[3]) for r in EG4]})  # fmt: skip


def test_defect6_text_periods_are_ordered_naturally():
    # periods 8, 9, 10 written as "y8", "y9", "y10": string sorting would give y10 < y8 < y9
    num = malmquist_panel(_panel(lambda t: t + 7), dmu="firm", period="year", inputs=["x"],
                          outputs=["y"])  # fmt: skip
    txt = malmquist_panel(_panel(lambda t: f"y{t + 7}"), dmu="firm", period="year",
                          inputs=["x"], outputs=["y"])  # fmt: skip
    assert txt.periods == ["y8", "y9", "y10"]
    np.testing.assert_allclose(txt.mi, num.mi, rtol=1e-12)


def test_defect6_cli_reports_order_and_accepts_explicit_order(tmp_path, capsys):
    p = tmp_path / "p.csv"
    _panel(lambda t: f"y{t + 7}").write_csv(p)
    out = tmp_path / "o.csv"
    assert main(["malmquist", str(p), "--dmu", "firm", "--period", "year", "--inputs", "x",
                 "--outputs", "y", "--out", str(out)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "periods in order: y8, y9, y10 (natural order)" in err
    df = pl.read_csv(out)
    assert df["period_from"].unique(maintain_order=True).to_list() == ["y8", "y9"]
    assert main(["malmquist", str(p), "--dmu", "firm", "--period", "year", "--inputs", "x",
                 "--outputs", "y", "--period-order", "y10,y9,y8", "--out", str(out)]) == 0  # fmt: skip
    assert pl.read_csv(out)["period_from"].unique(maintain_order=True).to_list() == ["y10", "y9"]
    assert main(["malmquist", str(p), "--dmu", "firm", "--period", "year", "--inputs", "x",
                 "--outputs", "y", "--period-order", "y8,y9"]) == 3  # fmt: skip
    assert "missing from the explicit order" in capsys.readouterr().err


@pytest.mark.parametrize(
    "opts, row, expected",
    [  # Stata gtfpch ex3 (global ML) and ex4 (non-radial global Luenberger), Anhui 2013~2014
        (["--index", "ml", "--frontier", "global"], 0, (0.9943, 0.9662, 1.0290)),
        (["--index", "luenberger", "--frontier", "global", "--nonradial"], 0,
         (-0.0676, -0.2281, 0.1605)),
    ],
)  # fmt: skip
def test_cli_green_tfp_matches_gtfpch(tmp_path, opts, row, expected):
    out = tmp_path / "o.csv"
    rc = main(["malmquist", str(GT), "--dmu", "Province", "--period", "year", "--inputs", "K,L",
               "--outputs", "Y", "--bad-outputs", "CO2", "--out", str(out), *opts])  # fmt: skip
    assert rc == 0
    df = pl.read_csv(out)
    assert df.columns == ["dmu", "period_from", "period_to", "index", "tfpch", "ec", "tc",
                          "d_from", "d_to", "status"]  # fmt: skip
    np.testing.assert_allclose(df.row(row)[4:7], expected, atol=5e-5 + 1e-6)


def test_cli_green_usage_errors(tmp_path):
    base = ["malmquist", str(GT), "--dmu", "Province", "--period", "year", "--inputs", "K,L",
            "--outputs", "Y"]  # fmt: skip
    assert main([*base, "--index", "ml"]) == 2  # no bad outputs
    assert main([*base, "--bad-outputs", "CO2", "--index", "ml", "--nonradial"]) == 2
    assert main([*base, "--bad-outputs", "CO2", "--index", "ml", "--frontier", "fixed"]) == 2
