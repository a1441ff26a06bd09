"""`cbec malmquist` on a user's CSV and the pipeline's tables (transforms/productivity.py).
Data: DEAP 2.1's EG4 (Coelli 1996), whose published output-oriented Malmquist summary for
year 2 is effch 0.750 1.125 1.000 0.562 0.900, tfpch 1.000 1.500 1.333 0.750 1.200."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from cbec.cli import main

EG4 = (
    "firm,year,y,x\n1,1,1,2\n2,1,2,4\n3,1,3,3\n4,1,4,5\n5,1,5,6\n"
    "1,2,1,2\n2,2,3,4\n3,2,4,3\n4,2,3,5\n5,2,5,5\n"
    "1,3,1,2\n2,3,3,4\n3,3,4,3\n4,3,3,5\n5,3,5,5\n"
)
COLUMNS = ["dmu", "period_from", "period_to", "mi", "ec", "tc", "pec", "sec", "status"]
ARGS = ["--dmu", "firm", "--period", "year", "--inputs", "x", "--outputs", "y"]


@pytest.fixture
def eg4(tmp_path):
    p = tmp_path / "eg4.csv"
    p.write_text(EG4)
    return p


def test_cli_columns_and_published_values(eg4, tmp_path):
    out = tmp_path / "m.csv"
    rc = main(["malmquist", str(eg4), *ARGS, "--orientation", "output", "--out", str(out)])
    assert rc == 0
    df = pl.read_csv(out)
    assert df.columns == COLUMNS
    y2 = df.filter(pl.col("period_to") == 2).sort("dmu")
    np.testing.assert_allclose(y2["ec"], [0.75, 1.125, 1.0, 0.5625, 0.9], atol=1e-9)
    np.testing.assert_allclose(y2["mi"], [1.0, 1.5, 4 / 3, 0.75, 1.2], atol=1e-9)
    np.testing.assert_allclose(y2["pec"], [1.0, 11 / 9, 1.0, 0.65, 1.0], atol=1e-9)
    assert set(df["status"]) == {"optimal"}


@pytest.mark.parametrize(
    "opts",
    [
        ["--frontier", "global", "--decomposition", "rd"],
        ["--frontier", "sequential"],
        ["--frontier", "fixed", "--base", "2"],
        ["--decomposition", "rd", "--infeasible", "global"],
        ["--cumulative"],
    ],
)
def test_cli_options(eg4, tmp_path, opts):
    out = tmp_path / "o.csv"
    rc = main(["malmquist", str(eg4), *ARGS, "--out", str(out), *opts])
    assert rc == 0
    df = pl.read_csv(out)
    assert df.columns[:9] == COLUMNS
    ok = df.filter(pl.col("status") != "infeasible")
    np.testing.assert_allclose(ok["mi"], ok["ec"] * ok["tc"], rtol=1e-12)
    np.testing.assert_allclose(ok["ec"], ok["pec"] * ok["sec"], rtol=1e-12)
    if "--cumulative" in opts:
        assert "cum_mi" in df.columns


def test_cli_cross_efficiency_and_summary(eg4, tmp_path):
    out, summ = tmp_path / "cc.csv", tmp_path / "s.csv"
    rc = main(["malmquist", str(eg4), *ARGS, "--cross-efficiency", "--game-tol", "1e-10",
               "--out", str(out), "--summary", str(summ)])  # fmt: skip
    assert rc == 0
    df = pl.read_csv(out)
    assert df.columns == [*COLUMNS, "cc_mi", "ec_cc", "tc_cc", "cc_status"]
    np.testing.assert_allclose(df["cc_mi"], df["ec_cc"] * df["tc_cc"], rtol=1e-12)
    s = pl.read_csv(summ)
    assert set(s["scope"]) == {"period", "dmu", "all"}
    allrow = s.filter(pl.col("scope") == "all")
    # geometric mean of the ten firm-period tfpch values: (1·1.5·4/3·0.75·1.2 · 1⁵)^(1/10)
    assert allrow["mi"][0] == pytest.approx(1.8**0.1, rel=1e-12)
    assert allrow["mi"][0] == pytest.approx(1.061, abs=5e-4)  # DEAP: mean tfpch 1.061


def test_cli_unbalanced_panel_names_dmu_and_period(eg4, tmp_path, capsys):
    lines = EG4.splitlines()
    p = tmp_path / "unbalanced.csv"
    p.write_text("\n".join(line for line in lines if line != "4,2,3,5") + "\n")
    rc = main(["malmquist", str(p), *ARGS])
    assert rc == 3
    err = capsys.readouterr().err
    assert "unbalanced" in err and "DMU '4'" in err and "period 2" in err
    # explicit option: drop the DMU, say so
    out = tmp_path / "o.csv"
    rc = main(["malmquist", str(p), *ARGS, "--drop-unbalanced", "--out", str(out)])
    assert rc == 0
    assert "dropped unbalanced DMUs: 4" in capsys.readouterr().err
    assert sorted(pl.read_csv(out)["dmu"].unique().to_list()) == [1, 2, 3, 5]


def test_cli_non_positive_value_names_dmu_period_and_line(tmp_path, capsys):
    p = tmp_path / "zero.csv"
    p.write_text(EG4.replace("3,2,4,3", "3,2,4,0"))
    rc = main(["malmquist", str(p), *ARGS])
    assert rc == 3
    err = capsys.readouterr().err
    assert "DMU '3'" in err and "period 2" in err and "line 9" in err and "x = 0;" in err
    rc = main(
        ["malmquist", str(p), *ARGS, "--zero-replace", "0.5", "--out", str(tmp_path / "z.csv")]
    )
    assert rc == 0
    assert "replaced by 0.5" in capsys.readouterr().err


def test_cli_missing_cell_and_duplicate(tmp_path, capsys):
    p = tmp_path / "missing.csv"
    p.write_text(EG4.replace("5,3,5,5", "5,3,,5"))
    assert main(["malmquist", str(p), *ARGS]) == 3
    err = capsys.readouterr().err
    assert "DMU '5', period 3" in err and "'y'" in err
    p.write_text(EG4 + "5,3,5,5\n")
    assert main(["malmquist", str(p), *ARGS]) == 3
    assert "more than once" in capsys.readouterr().err


def test_cli_infinite_cell_is_an_input_error_naming_its_line(tmp_path, capsys):
    """'inf' reads as a number; Malmquist's LPs need finite data (before: it reached them)."""
    p = tmp_path / "inf.csv"
    p.write_text(EG4.replace("5,3,5,5", "5,3,inf,5"))
    assert main(["malmquist", str(p), *ARGS]) == 3
    err = capsys.readouterr().err
    assert "line 16" in err and "DMU '5', period 3" in err and "finite" in err


def test_cli_usage_errors(eg4, capsys):
    assert main(["malmquist", str(eg4), *ARGS[:6], "--outputs", "nope"]) == 2
    assert main(["malmquist", str(eg4), *ARGS, "--base", "2"]) == 2
    assert main(["malmquist", str(eg4), *ARGS, "--frontier", "fixed", "--base", "9"]) == 2


def test_cli_help_has_runnable_example(capsys):
    with pytest.raises(SystemExit):
        main(["malmquist", "--help"])
    out = capsys.readouterr().out
    assert "cbec malmquist eg4.csv" in out and "--cross-efficiency" in out


# ------------------------------------------------------------------ pipeline task
def _province_panel(years=(2015, 2016, 2017, 2018), n=8, seed=5):
    rng = np.random.default_rng(seed)
    codes = [str(c) for c in (11, 12, 13, 14, 15, 21, 22, 23)][:n]
    rows = []
    base = {c: rng.uniform(50, 500, 4) for c in codes}
    for k, y in enumerate(years):
        for c in codes:
            g = base[c] * (1 + 0.05 * k) * rng.uniform(0.95, 1.05, 4)
            rows.append({"region_code": c, "year": y, "capital_stock": g[0], "labour": g[1],
                         "express_volume": g[2], "real_gdp": g[3]})  # fmt: skip
    return pl.DataFrame(rows).with_columns(pl.col("year").cast(pl.Int64))


def test_task_tables():
    from transforms.productivity import productivity_tables

    panel = _province_panel()
    out = productivity_tables(panel, {"game": {"tol": 1e-9}})
    m, s = out["malmquist"], out["malmquist_summary"]
    assert m.columns == ["region_code", "year_from", "year_to", "mi", "ec", "tc", "pec", "sec",
                         "status", "cc_mi", "ec_cc", "tc_cc", "cc_status"]  # fmt: skip
    assert m.height == 8 * 3
    assert m.schema["region_code"] == pl.Utf8 and m.schema["year_from"] == pl.Int64
    assert all(m.schema[k] == pl.Float64 for k in ("mi", "ec", "tc", "pec", "sec", "cc_mi"))
    np.testing.assert_allclose(m["mi"], m["ec"] * m["tc"], rtol=1e-12)
    np.testing.assert_allclose(m["cc_mi"], m["ec_cc"] * m["tc_cc"], rtol=1e-12)
    assert set(s["scope"]) == {"region", "period", "all"}
    assert s.filter(pl.col("scope") == "region").height == 8
    assert s.filter(pl.col("scope") == "period").height == 3
    assert "run_id" not in m.columns


def test_task_params_from_config_files():
    """The task takes inputs/outputs from the DEA parameters and the rest from malmquist."""
    from cbec.settings import load_params
    from transforms.productivity import _params, productivity_tables

    params = load_params(("dea", "malmquist"))
    p = _params(params)
    assert p["inputs"] == params["dea"]["inputs"] and p["outputs"] == params["dea"]["outputs"]
    assert p["frontier"] == params["malmquist"]["frontier"]
    flat = _params({**params["dea"], "frontier": "global", "cross_efficiency": False})
    assert flat["frontier"] == "global" and flat["inputs"] == params["dea"]["inputs"]
    out = productivity_tables(_province_panel(), {**flat, "decomposition": "rd"})
    assert out["malmquist"]["cc_status"].unique().to_list() == ["not_computed"]
    empty = productivity_tables(_province_panel(years=(2015,)), flat)
    assert empty["malmquist"].height == 0
