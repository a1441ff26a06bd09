"""`cbec dea` / `cbec crosseff` options of issue 20 and defect 5 (bad input never ends in a
traceback; a zero-output DMU is never reported as an ordinary optimum)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cbec.cli import main

EG1 = "firm,y,x1,x2\nA,1,2,5\nB,2,2,4\nC,3,6,6\nD,1,3,2\nE,2,6,2\n"
GT = Path(__file__).parent / "fixtures" / "gtfpch_example" / "example.csv"


def _write(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize("cmd", ["dea", "crosseff"])
@pytest.mark.parametrize(
    "text, needle",
    [
        ("firm,y,x1,x2\nA,1,2,5\nB,2,inf,4\nC,3,6,6\n", "line 3"),  # inf cell
        ("firm,y,x1,x2\n", "no data rows"),  # header only
        ("firm,y,x1,x2\nA,1,2,5\n,2,2,4\nC,3,6,6\n", "line 3"),  # empty DMU name
    ],
)
def test_defect5_bad_input_exit_3_with_file_and_line(tmp_path, capsys, cmd, text, needle):
    p = _write(tmp_path, text)
    rc = main([cmd, p, "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y"])
    err = capsys.readouterr().err
    assert rc == 3, err
    assert "d.csv" in err and needle in err
    assert "np.float64" not in err


def test_defect5_all_zero_output_is_flagged_not_optimal(tmp_path, capsys):
    p = _write(tmp_path, "firm,y,x1,x2\nA,0,2,5\nB,2,2,4\nC,3,6,6\n")
    out = tmp_path / "o.csv"
    rc = main(["dea", p, "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y", "--out", str(out)])
    assert rc == 0
    df = pl.read_csv(out)
    row = df.filter(pl.col("dmu") == "A")
    assert row["status"][0] == "degenerate_zero_output"
    assert "-0.0" not in out.read_text()
    assert "degenerate" in capsys.readouterr().err


def test_dea_cli_ddf_reproduces_teddf(tmp_path):
    out = tmp_path / "o.csv"
    rc = main(["dea", str(GT), "--dmu", "Province", "--period", "year", "--inputs", "K,L",
               "--outputs", "Y", "--model", "ddf", "--bad-outputs", "CO2", "--out", str(out)])  # fmt: skip
    assert rc == 0
    df = pl.read_csv(out)
    assert df.columns[:4] == ["dmu", "period", "ddf", "status"]
    a = df.filter((pl.col("dmu") == "Anhui") & (pl.col("period") == 2013))
    assert a["ddf"][0] == pytest.approx(0.2917, abs=5e-5)  # Stata teddf ex1
    rc = main(["dea", str(GT), "--dmu", "Province", "--period", "year", "--inputs", "K,L",
               "--outputs", "Y", "--model", "ddf", "--bad-outputs", "CO2", "--nonradial",
               "--weights", "0.5,0.5,1,1", "--out", str(out)])  # fmt: skip
    assert rc == 0
    a = pl.read_csv(out).filter((pl.col("dmu") == "Anhui") & (pl.col("period") == 2013))
    assert a["ddf"][0] == pytest.approx(1.1480, abs=5e-5)
    assert a["beta_Y"][0] == pytest.approx(0.8499, abs=5e-5)


def test_dea_cli_bootstrap_and_scale(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 10, 30)
    y = np.sqrt(x) * np.exp(-np.abs(rng.normal(0, 0.3, 30)))
    p = _write(
        tmp_path,
        "id,x,y\n" + "".join(f"d{i},{a},{b}\n" for i, (a, b) in enumerate(zip(x, y, strict=True))),
    )
    out = tmp_path / "o.csv"
    rc = main(["dea", p, "--dmu", "id", "--inputs", "x", "--outputs", "y", "--model", "bcc",
               "--bootstrap", "100", "--seed", "4", "--out", str(out)])  # fmt: skip
    assert rc == 0
    df = pl.read_csv(out)
    assert {"score", "score_bc", "bias", "ci95_low", "ci95_high", "bandwidth"} <= set(df.columns)
    assert (df["ci95_low"] <= df["ci95_high"]).all() and (
        df["score_bc"] <= df["score"] + 1e-12
    ).all()
    again = tmp_path / "o2.csv"
    main(["dea", p, "--dmu", "id", "--inputs", "x", "--outputs", "y", "--model", "bcc",
          "--bootstrap", "100", "--seed", "4", "--out", str(again)])  # fmt: skip
    assert out.read_text() == again.read_text()  # seeded → reproducible
    rc = main(["dea", _write(tmp_path, EG1, "eg1.csv"), "--dmu", "firm", "--inputs", "x1,x2",
               "--outputs", "y", "--scale-efficiency", "--out", str(out)])  # fmt: skip
    assert rc == 0
    df = pl.read_csv(out)
    assert df["rts_class"].to_list() == ["irs", "crs", "drs", "irs", "crs"]
    np.testing.assert_allclose(df["scale"].to_numpy(), [0.5, 1, 5 / 6, 5 / 7, 1], atol=1e-9)


def test_dea_cli_radial_nirs_and_usage(tmp_path):
    p = _write(tmp_path, EG1, "eg1.csv")
    out = tmp_path / "o.csv"
    assert main(["dea", p, "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y", "--model",
                 "radial", "--rts", "nirs", "--out", str(out)]) == 0  # fmt: skip
    np.testing.assert_allclose(
        pl.read_csv(out)["score"].to_numpy(), [0.5, 1, 1, 5 / 7, 1], atol=1e-9
    )
    assert main(["dea", p, "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
                 "--bad-outputs", "x1"]) == 2  # fmt: skip
    assert main(["dea", p, "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y", "--model",
                 "sbm", "--bootstrap", "10"]) == 2  # fmt: skip


def test_crosseff_cli_output_and_lim_zhu(tmp_path):
    p = _write(tmp_path, EG1, "eg1.csv")
    out = tmp_path / "o.csv"
    assert main(["crosseff", p, "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
                 "--orientation", "output", "--out", str(out)]) == 0  # fmt: skip
    df = pl.read_csv(out)
    np.testing.assert_allclose(df["ccr"].to_numpy(), [2, 1, 1.2, 1.4, 1], atol=1e-9)
    assert (df["cross_eff"] >= df["ccr"] - 1e-9).all()
    assert main(["crosseff", p, "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
                 "--rts", "vrs", "--correction", "lim-zhu", "--out", str(out)]) == 0  # fmt: skip
    assert main(["crosseff", p, "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
                 "--correction", "lim-zhu"]) == 2  # fmt: skip


def test_dea_cli_bootstrap_output_orientation_on_farrell_scale(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.uniform(1, 10, 25)
    y = np.sqrt(x) * np.exp(-np.abs(rng.normal(0, 0.3, 25)))
    rows = "".join(f"d{i},{a},{b}\n" for i, (a, b) in enumerate(zip(x, y, strict=True)))
    p = _write(tmp_path, "id,x,y\n" + rows)
    out = tmp_path / "o.csv"
    assert main(["dea", p, "--dmu", "id", "--inputs", "x", "--outputs", "y", "--model", "bcc",
                 "--orientation", "output", "--bootstrap", "50", "--out", str(out)]) == 0  # fmt: skip
    df = pl.read_csv(out)
    plain = tmp_path / "p.csv"
    main(["dea", p, "--dmu", "id", "--inputs", "x", "--outputs", "y", "--model", "bcc",
          "--orientation", "output", "--out", str(plain)])  # fmt: skip
    np.testing.assert_allclose(df["score"], pl.read_csv(plain)["score"], rtol=1e-9)
    np.testing.assert_allclose(df["phi"] * df["score"], 1.0, rtol=1e-12)
    assert (df["score"] <= 1 + 1e-12).all() and (df["ci95_low"] <= df["ci95_high"]).all()
    assert (df["phi_ci95_low"] >= df["phi"] - 1e-12).all()
