"""`cbec coevolve` on the shipped Zhejiang table (reference study D), on a simulated series
and on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cbec.cli import main
from measures.coevolution import simulate_predator_prey

ROOT = Path(__file__).resolve().parents[1]
ZJ = ROOT / "data" / "zhejiang_cbec_2016_2020" / "zhejiang_cbec_trade.csv"


def test_zhejiang_default_fit_is_reported_as_not_identified(capsys):
    rc = main(["coevolve", str(ZJ), "--x", "cbec_export", "--y", "cbec_import", "--starts", "3"])
    out, err = capsys.readouterr()
    assert rc == 5  # NumericalError: model not identified
    assert "NOT IDENTIFIED" in out and "only 5 points" in out
    assert "Equilibrium" in out and "stability" in out and "Observed and fitted" in out
    assert "not identified by these 5 points" in err and "Traceback" not in out + err


def test_zhejiang_discrete_competition_with_causality_note(tmp_path, capsys):
    out_csv = tmp_path / "fit.csv"
    rc = main(["coevolve", str(ZJ), "--x", "cbec_export", "--y", "cbec_import", "--model",
               "competition", "--method", "discrete", "--causality", "--out", str(out_csv)])  # fmt: skip
    out, _ = capsys.readouterr()
    assert rc == 0
    assert "status: WEAK" in out and "Granger/VAR not done" in out
    df = pl.read_csv(out_csv)
    assert df["parameter"].to_list()[:6] == ["r1", "K1", "sigma12", "r2", "K2", "sigma21"]
    assert {"cbec_export_star", "cbec_import_star", "eig1_real", "cond_jtj"} <= set(
        df["parameter"].to_list()
    )
    assert set(df["status"].to_list()) == {"weak"}
    assert set(df["ode_solver"].to_list()) == {""}  # a discrete fit integrates no ODE
    assert not (tmp_path / "fit_causality.csv").exists()


def test_simulated_series_fit_and_causality(tmp_path, capsys):
    t = np.arange(2005, 2025, dtype=float)
    x = simulate_predator_prey(0.5, 0.02, 0.4, 0.5, (30.0, 15.0), t - t[0])
    e = np.random.default_rng(0).normal(0, 0.01, x.shape)
    e[0] = 0
    x = x * np.exp(e)
    src = tmp_path / "s.csv"
    pl.DataFrame({"year": t.astype(int), "prey": x[:, 0], "pred": x[:, 1]}).write_csv(src)
    out_csv = tmp_path / "fit.csv"
    rc = main(["coevolve", str(src), "--x", "prey", "--y", "pred", "--starts", "3",
               "--causality", "--out", str(out_csv)])  # fmt: skip
    out, _ = capsys.readouterr()
    assert rc == 0, out
    assert "stability: centre" in out and "Granger causality and VAR" in out
    assert "ODE solver: lsoda_compiled" in out
    df = pl.read_csv(out_csv)
    assert set(df["ode_solver"].to_list()) == {"lsoda_compiled"}  # the file names it too
    est = dict(zip(df["parameter"], df["estimate"], strict=True))
    assert est["a1"] == pytest.approx(0.5, rel=0.05) and est["b2"] == pytest.approx(0.5, rel=0.1)
    caus = pl.read_csv(tmp_path / "fit_causality.csv")
    assert caus["direction"].to_list() == ["prey → pred", "pred → prey"]
    assert caus["p_value"].is_between(0, 1).all()


def test_missing_column_is_a_usage_error(capsys):
    rc = main(["coevolve", str(ZJ), "--x", "cbec_export", "--y", "nope"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "column(s) nope not found" in err and "cbec_import" in err


def test_bad_values_are_input_errors(tmp_path, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("year,a,b\n2016,1,2\n2017,0,3\n2018,2,4\n2019,3,5\n")
    assert main(["coevolve", str(p), "--x", "a", "--y", "b"]) == 3
    assert "bad.csv, line 3" in capsys.readouterr().err
    p.write_text("year,a,b\n2016,1,2\n2017,x,3\n")
    assert main(["coevolve", str(p), "--x", "a", "--y", "b"]) == 3
    assert "non-numeric" in capsys.readouterr().err
    p.write_text("year,a,b\n2016,1,2\n2016,2,3\n2018,2,4\n")
    assert main(["coevolve", str(p), "--x", "a", "--y", "b"]) == 3
    assert "more than once" in capsys.readouterr().err
    assert main(["coevolve", str(tmp_path / "none.csv"), "--x", "a", "--y", "b"]) == 3


def test_too_few_points_and_constant_series_give_a_clear_message(tmp_path, capsys):
    p = tmp_path / "short.csv"
    p.write_text("year,a,b\n2016,1,2\n2017,2,3\n")
    assert main(["coevolve", str(p), "--x", "a", "--y", "b"]) == 5
    err = capsys.readouterr().err
    assert "not identified" in err and "too few points" in err
    p.write_text("year,a,b\n" + "".join(f"{2010 + i},{1 + i},5\n" for i in range(10)))
    assert main(["coevolve", str(p), "--x", "a", "--y", "b"]) == 5
    assert "no co-movement" in capsys.readouterr().err
