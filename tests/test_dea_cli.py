"""`cbec dea` / `cbec crosseff` on a user's CSV, and the pipeline's per-year tables (transforms/efficiency.py).
Data: DEAP 2.1 EG1 (Coelli 1996), whose published CRS scores are 0.5, 1, 0.833, 0.714, 1."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from cbec.cli import main

EG1 = "firm,y,x1,x2\nA,1,2,5\nB,2,2,4\nC,3,6,6\nD,1,3,2\nE,2,6,2\n"


@pytest.fixture
def eg1(tmp_path):
    p = tmp_path / "eg1.csv"
    p.write_text(EG1)
    return p


def test_dea_cli_columns_and_values(eg1, tmp_path):
    out = tmp_path / "out.csv"
    rc = main(["dea", str(eg1), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
               "--out", str(out)])  # fmt: skip
    assert rc == 0
    df = pl.read_csv(out)
    assert df.columns == [
        "dmu", "period", "score", "phi", "status", "slack_x1", "slack_x2", "slack_y",
        "target_x1", "target_x2", "target_y", "peers",
    ]  # fmt: skip
    np.testing.assert_allclose(df["score"].to_numpy(), [0.5, 1, 5 / 6, 5 / 7, 1], atol=1e-9)
    assert df["peers"][2] == "B:1;E:0.5"


@pytest.mark.parametrize(
    "opts",
    [
        ["--model", "bcc", "--orientation", "output"],
        ["--model", "sbm"],
        ["--model", "super-sbm", "--rts", "vrs"],
        ["--model", "super", "--rts", "vrs"],
    ],
)
def test_dea_cli_models(eg1, tmp_path, opts):
    out = tmp_path / "o.csv"
    rc = main(["dea", str(eg1), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
               "--out", str(out), *opts])  # fmt: skip
    assert rc == 0
    df = pl.read_csv(out)
    assert {"dmu", "score", "phi", "status", "peers"} <= set(df.columns)
    if opts[1] == "super" and "vrs" in opts:
        # VRS super-efficiency of C (largest output) is infeasible: an empty cell (no score,
        # the CSV writes no literal NaN) + status, never 1
        row = df.filter(pl.col("dmu") == "C")
        assert row["status"][0] == "infeasible" and row["score"][0] is None


def test_dea_cli_periods(tmp_path):
    p = tmp_path / "panel.csv"
    body = EG1.splitlines()
    rows = ["firm,year,y,x1,x2"] + [
        f"{r.split(',')[0]},{yr},{','.join(r.split(',')[1:])}"
        for yr in (2020, 2021)
        for r in body[1:]
    ]
    p.write_text("\n".join(rows) + "\n")
    out = tmp_path / "o.csv"
    rc = main(["dea", str(p), "--dmu", "firm", "--period", "year", "--inputs", "x1,x2",
               "--outputs", "y", "--out", str(out)])  # fmt: skip
    assert rc == 0
    df = pl.read_csv(out)
    assert df.height == 10 and sorted(df["period"].unique().to_list()) == [2020, 2021]


def test_dea_cli_bad_cell_exit_3(tmp_path, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("firm,y,x1,x2\nA,1,2,5\nB,2,oops,4\n")
    rc = main(["dea", str(p), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y"])
    assert rc == 3
    err = capsys.readouterr().err
    assert "bad.csv" in err and "line 3" in err and "x1" in err


def test_dea_cli_usage_errors(eg1):
    assert main(["dea", str(eg1), "--dmu", "firm", "--inputs", "x1", "--outputs", "nope"]) == 2
    assert (
        main(
            [
                "dea",
                str(eg1),
                "--dmu",
                "firm",
                "--inputs",
                "x1",
                "--outputs",
                "y",
                "--orientation",
                "none",
            ]
        )  # fmt: skip
        == 2
    )


def test_crosseff_cli(eg1, tmp_path):
    out, mat = tmp_path / "c.csv", tmp_path / "m.csv"
    for method in ("aggressive", "benevolent", "game"):
        rc = main(["crosseff", str(eg1), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
                   "--method", method, "--out", str(out), "--matrix", str(mat)])  # fmt: skip
        assert rc == 0
        df = pl.read_csv(out)
        assert df.columns[:3] == ["dmu", "ccr", "cross_eff"]
        np.testing.assert_allclose(df["ccr"].to_numpy(), [0.5, 1, 5 / 6, 5 / 7, 1], atol=1e-9)
        assert np.all(df["cross_eff"].to_numpy() <= df["ccr"].to_numpy() + 1e-8)
        m = pl.read_csv(mat)
        assert m.columns == ["rater", "A", "B", "C", "D", "E"]
    rc = main(["crosseff", str(eg1), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y",
               "--exclude-self", "--out", str(out)])  # fmt: skip
    assert rc == 0


def test_crosseff_cli_bad_cell(tmp_path, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("firm,y,x1,x2\nA,1,2,5\nB,2,2,\n")
    rc = main(["crosseff", str(p), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y"])
    assert rc == 3
    assert "line 3" in capsys.readouterr().err


def test_efficiency_task_tables():
    import tomllib
    from pathlib import Path

    from transforms.efficiency import efficiency_tables

    params = tomllib.loads((Path(__file__).parent.parent / "config/dea.toml").read_text())
    assert params["inputs"] == [
        "capital_stock",
        "labour",
    ]  # the default specification (METHODS §3.1)
    rng = np.random.default_rng(1)
    codes = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32"]
    rows = [
        {"region_code": c, "year": y, "capital_stock": rng.uniform(1e3, 5e4),
         "labour": rng.uniform(100, 6000), "express_volume": rng.uniform(10, 5e5),
         "real_gdp": rng.uniform(500, 1e5)}
        for y in (2018, 2019) for c in codes
    ]  # fmt: skip
    panel = pl.DataFrame(rows).with_columns(pl.col("year").cast(pl.Int64))
    out = efficiency_tables(panel, params)
    assert set(out) == {"efficiency", "cross_efficiency", "game_cross_efficiency"}
    eff = out["efficiency"]
    assert eff.height == 20 and eff.schema["year"] == pl.Int64
    for c in ("score", "te_crs", "te_vrs", "scale_eff", "rts_class", "status",
              "slack_labour", "target_real_gdp"):  # fmt: skip
        assert c in eff.columns
    assert (eff["te_crs"] <= eff["te_vrs"] + 1e-10).all()
    ce = out["cross_efficiency"]
    assert {"region_code", "year", "ccr", "cross_eff"} <= set(ce.columns)
    g = out["game_cross_efficiency"]
    assert {"region_code", "year", "game_cross_eff", "iterations", "converged"} <= set(g.columns)
    assert g["converged"].all()
    joined = g.join(ce, on=["region_code", "year"])
    assert (joined["game_cross_eff"] <= joined["ccr"] + 1e-8).all()
