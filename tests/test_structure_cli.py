"""`cbec entropy`, `cbec inequality`, `cbec coupling` on a user's CSV: options, output columns,
values against the measures, and exit code 3 with a message naming the file and line."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from cbec.cli import main

IND = "city,gdp,trade,pollution\nA,10,5,3\nB,20,8,6\nC,15,2,1\nD,30,9,8\n"
REG = "state,region,pop,gdppc\nA,east,10,30\nB,east,20,25\nC,west,15,10\nD,west,5,12\n"
U = "province,cbec,logistics\nA,0.6,0.6\nB,0.8,0.2\nC,0.1,0.5\n"


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_entropy_cli(tmp_path, capsys):
    f = _write(tmp_path, "ind.csv", IND)
    out = str(tmp_path / "s.csv")
    rc = main(["entropy", f, "--id", "city", "--indicators", "gdp,trade,-pollution", "--out", out])
    assert rc == 0
    s = pl.read_csv(out)
    w = pl.read_csv(str(tmp_path / "s_weights.csv"))
    assert s.columns == ["city", "score"] and s.height == 4
    assert w["indicator"].to_list() == ["gdp", "trade", "pollution"]
    assert w["direction"].to_list() == ["+", "+", "-"]
    from measures.entropy import entropy_weights

    x = pl.read_csv(f).select("gdp", "trade", "pollution").to_numpy().astype(float)
    r = entropy_weights(x, ["+", "+", "-"])
    np.testing.assert_allclose(w["weight"].to_numpy(), r.weights)
    # DEFAULT --score unit: Σ w z on the min–max values (in [0, 1]); METHODS §4.2's shifted
    # form is the same minus nothing but ε·Σw = ε
    unit = entropy_weights(x, ["+", "+", "-"], score="unit").scores
    np.testing.assert_allclose(s["score"].to_numpy(), unit)
    np.testing.assert_allclose(s["score"].to_numpy(), r.scores - 1e-4, rtol=1e-12)
    shifted = str(tmp_path / "z.csv")
    assert main(["entropy", f, "--id", "city", "--indicators", "gdp,trade,-pollution",
                 "--score", "shifted", "--out", shifted]) == 0  # fmt: skip
    np.testing.assert_allclose(pl.read_csv(shifted)["score"].to_numpy(), r.scores)


def test_entropy_cli_by_year_and_sum(tmp_path):
    body = ["id,year,a,b"] + [f"p{i},{y},{i + y % 7},{(i * 3) % 5 + 1}" for y in (1, 2)
                             for i in range(4)]  # fmt: skip
    f = _write(tmp_path, "p.csv", "\n".join(body))
    out = str(tmp_path / "o.csv")
    rc = main(["entropy", f, "--id", "id", "--period", "year", "--indicators=-a,b",
               "--scope", "by_year", "--out", out])  # fmt: skip
    assert rc == 0
    assert pl.read_csv(out).columns == ["id", "year", "score"]
    w = pl.read_csv(str(tmp_path / "o_weights.csv"))
    assert w.height == 4 and "period" in w.columns
    assert main(["entropy", f, "--id", "id", "--period", "year", "--indicators", "a,b",
                 "--normalise", "sum"]) == 0  # fmt: skip
    assert main(["entropy", f, "--id", "id", "--indicators", "a,b"]) == 3  # id repeats
    assert main(["entropy", f, "--id", "id", "--indicators", "a", "--scope", "by_year"]) == 2


def test_entropy_cli_bad_input(tmp_path, capsys):
    f = _write(tmp_path, "bad.csv", "city,gdp,trade\nA,10,5\nB,x,8\nC,15,2\n")
    assert main(["entropy", f, "--id", "city", "--indicators", "gdp,trade"]) == 3
    err = capsys.readouterr().err
    assert "bad.csv, line 3" in err and "gdp" in err
    one = _write(tmp_path, "one.csv", "city,gdp\nA,1\n")
    assert main(["entropy", one, "--id", "city", "--indicators", "gdp"]) == 3
    assert "at least 2 rows" in capsys.readouterr().err
    dup = _write(tmp_path, "dup.csv", "city,gdp\nA,1\nA,2\n")
    assert main(["entropy", dup, "--id", "city", "--indicators", "gdp"]) == 3
    assert "dup.csv, line 3" in capsys.readouterr().err
    assert main(["entropy", f, "--id", "city", "--indicators", "nope"]) == 2


def test_inequality_cli(tmp_path):
    f = _write(tmp_path, "r.csv", REG)
    out = str(tmp_path / "i.csv")
    rc = main(["inequality", f, "--value", "gdppc", "--weight", "pop", "--group", "region",
               "--out", out])  # fmt: skip
    assert rc == 0
    d = pl.read_csv(out)
    assert d.columns == ["period", "measure", "value"]
    m = dict(zip(d["measure"], d["value"], strict=True))
    for k in ("cv", "cv_weighted", "gini", "gini_weighted", "theil_t", "theil_l",
              "theil_t_between", "theil_t_within", "dagum_gw", "dagum_gnb", "dagum_gt",
              "dagum_gjj:east", "dagum_gjh:east|west"):  # fmt: skip
        assert k in m, k
    from measures.inequality import gini

    assert m["gini"] == pytest.approx(gini([30, 25, 10, 12]))
    assert m["dagum_gw"] + m["dagum_gnb"] + m["dagum_gt"] == pytest.approx(m["dagum_g"], abs=1e-10)
    assert m["theil_t_between"] + m["theil_t_within"] == pytest.approx(m["theil_t"], abs=1e-12)
    # without --weight / --group: just the four unweighted measures
    out2 = str(tmp_path / "i2.csv")
    assert main(["inequality", f, "--value", "gdppc", "--out", out2]) == 0
    assert pl.read_csv(out2)["measure"].to_list() == ["cv", "gini", "theil_t", "theil_l"]


def test_inequality_cli_periods_and_bad_input(tmp_path, capsys):
    body = ["year,v"] + [f"{y},{v}" for y in (2000, 2001) for v in (1, 2, 3)]
    f = _write(tmp_path, "p.csv", "\n".join(body))
    out = str(tmp_path / "o.csv")
    assert main(["inequality", f, "--value", "v", "--period", "year", "--out", out]) == 0
    assert sorted(set(pl.read_csv(out)["period"].to_list())) == [2000, 2001]
    neg = _write(tmp_path, "neg.csv", "v\n1\n2\n-3\n")
    assert main(["inequality", neg, "--value", "v"]) == 3
    err = capsys.readouterr().err
    assert "neg.csv, line 4" in err and "-3" in err
    # issue 20 defect 4: y = 0 is valid for CV, Gini and Theil T; Theil L is NaN with a note
    zero = _write(tmp_path, "zero.csv", "v\n1\n0\n")
    assert main(["inequality", zero, "--value", "v"]) == 0
    assert "Theil L" in capsys.readouterr().err


def test_coupling_cli(tmp_path):
    f = _write(tmp_path, "u.csv", U)
    out = str(tmp_path / "c.csv")
    assert main(["coupling", f, "--id", "province", "--subsystems", "cbec,logistics",
                 "--out", out]) == 0  # fmt: skip
    d = pl.read_csv(out)
    assert d.columns[:6] == ["id", "c", "t", "d", "grade", "lag_type"]  # + issue 20 columns
    assert d["c"][0] == pytest.approx(1.0) and d["d"][0] == pytest.approx(np.sqrt(0.6))
    assert d["grade"].to_list() == [8, 7, 5]
    assert d["lag_type"].to_list() == ["synchronous", "logistics lagging", "cbec lagging"]
    assert main(["coupling", f, "--id", "province", "--subsystems", "cbec,logistics",
                 "--model", "corrected", "--weights", "0.7,0.3", "--out", out]) == 0  # fmt: skip
    d = pl.read_csv(out)
    assert d["c"][1] == pytest.approx(np.sqrt(0.1)) and d["t"][1] == pytest.approx(0.62)


def test_coupling_cli_bad_input(tmp_path, capsys):
    f = _write(tmp_path, "u.csv", "province,a,b\nA,0.5,0.5\nB,1.5,0.2\n")
    assert main(["coupling", f, "--id", "province", "--subsystems", "a,b"]) == 3
    err = capsys.readouterr().err
    assert "u.csv, line 3" in err and "[0, 1]" in err
    g = _write(tmp_path, "g.csv", "province,a,b\nA,0.5,\n")
    assert main(["coupling", g, "--id", "province", "--subsystems", "a,b"]) == 3
    assert "g.csv, line 2" in capsys.readouterr().err
    assert main(["coupling", f, "--id", "province", "--subsystems", "a"]) == 2
    assert main(["coupling", f, "--id", "province", "--subsystems", "a,b", "--weights", "1,1"]) == 2


@pytest.mark.parametrize("cmd", ["entropy", "inequality", "coupling"])
def test_help_has_runnable_example(cmd, capsys):
    with pytest.raises(SystemExit):
        main([cmd, "--help"])
    assert f"cbec {cmd} " in capsys.readouterr().out
