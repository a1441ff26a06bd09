"""Output people can use (issue 17 items 1–3): `--out .xlsx` workbooks read back with openpyxl
and compared with the CSV and with published numbers, CSV with BOM / empty cells, unknown
suffixes refused, terminal tables without polars' dtype rows, summaries, --quiet, --json,
`--period` for crosseff and coupling, entropy scores in [0, 1] chaining into coupling."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest

from cbec.cli import main

ROOT = Path(__file__).resolve().parent.parent
EG1 = "firm,y,x1,x2\nA,1,2,5\nB,2,2,4\nC,3,6,6\nD,1,3,2\nE,2,6,2\n"  # DEAP 2.1 EG1 (Coelli 1996)
EG1_CCR = [0.5, 1.0, 0.833, 0.714, 1.0]  # DEAP 2.1 EG1 output, CRS input-oriented, 3 decimals
EG4 = "firm,year,y,x\n" + "".join(
    f"{f},{t},{y},{x}\n"
    for t, rows in ((1, [(1, 2), (2, 4), (3, 3), (4, 5), (5, 6)]),
                    (2, [(1, 2), (3, 4), (4, 3), (3, 5), (5, 5)]),
                    (3, [(1, 2), (3, 4), (4, 3), (3, 5), (5, 5)]))
    for f, (y, x) in enumerate(rows, start=1)
)  # fmt: skip
ECOM = ROOT / "data/nbs_prov_ecommerce_internet_2020_2024/ecommerce_internet_2020_2024.csv"
DEA_ARGS = ["--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y"]


def _file(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _sheet(path, name) -> tuple[list[str], pl.DataFrame]:
    """(header lines above the table, the table) of one sheet written by cbec."""
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    blank = next(i for i, r in enumerate(rows) if all(v is None for v in r))
    header = [r[0] for r in rows[:blank]]
    cols = [c for c in rows[blank + 1] if c is not None]
    data = [dict(zip(cols, r[: len(cols)], strict=True)) for r in rows[blank + 2 :]]
    return header, pl.DataFrame(data, schema=cols, strict=False, infer_schema_length=None)


def test_dea_xlsx_has_the_tables_the_method_and_deap_numbers(tmp_path, capsys):
    f = _file(tmp_path, "eg1.csv", EG1)
    x, c = str(tmp_path / "r.xlsx"), str(tmp_path / "r.csv")
    assert main(["dea", f, *DEA_ARGS, "--out", x]) == 0
    assert main(["dea", f, *DEA_ARGS, "--out", c]) == 0
    assert openpyxl.load_workbook(x).sheetnames == ["scores", "slacks", "targets", "peers",
                                                    "summary"]  # fmt: skip
    header, scores = _sheet(x, "scores")
    assert "CCR input-oriented, CRS (METHODS §9.1–9.4)" in header[0] and f in header[2]
    assert any(h.startswith("units:") for h in header)
    csv = pl.read_csv(c)
    np.testing.assert_allclose(scores["score"].cast(pl.Float64), csv["score"], rtol=1e-14)
    assert np.round(scores["score"].cast(pl.Float64).to_numpy(), 3).tolist() == EG1_CCR
    _, slacks = _sheet(x, "slacks")
    assert slacks.columns == ["dmu", "period", "slack_x1", "slack_x2", "slack_y"]
    assert slacks["slack_x2"][0] == pytest.approx(0.5)  # DEAP EG1: firm 1 has input-2 slack 0.5
    _, targets = _sheet(x, "targets")
    np.testing.assert_allclose(targets["target_x1"].cast(pl.Float64), csv["target_x1"])
    _, peers = _sheet(x, "peers")
    c_peers = peers.filter(pl.col("dmu") == "C")
    assert dict(zip(c_peers["peer"], c_peers["lambda"], strict=True)) == {"B": 1, "E": 0.5}
    _, summ = _sheet(x, "summary")
    s = dict(zip(summ["item"], summ["value"], strict=True))
    assert s["mean score"] == "0.809524" and s["efficient DMUs"] == "B, E"
    assert s["peer count (times a reference of another DMU)"] == "B 3, E 2"


def test_csv_has_a_bom_empty_cells_for_missing_and_no_float_noise(tmp_path):
    f = _file(tmp_path, "eg1.csv", EG1)
    out = tmp_path / "s.csv"
    # VRS super-efficiency of C is infeasible: the score is missing
    assert main(["dea", f, *DEA_ARGS, "--model", "super", "--rts", "vrs", "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "NaN" not in text and "nan" not in text and "null" not in text
    row_c = next(r for r in text.splitlines() if r.startswith("C,"))
    assert row_c.split(",")[2] == "" and "infeasible" in row_c
    assert main(["dea", f, *DEA_ARGS, "--out", str(out), "--no-bom"]) == 0
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["dea", f, *DEA_ARGS, "--out", str(out), "--digits", "3"]) == 0
    assert pl.read_csv(out)["score"].to_list() == EG1_CCR


def test_float_noise_is_rounded_away_but_14_digits_stay():
    from cbec.output.writers import clean

    df = clean(pl.DataFrame({"v": [1.0000000000000004, 0.4999999999999994, 1 / 3, -0.0,
                                   float("nan"), float("inf"), None, 123456.7890123456]}))  # fmt: skip
    assert df["v"] == [1.0, 0.5, 0.33333333333333, 0.0, None, None, None,
                                 123456.78901235]  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [
        ["dea", "{f}", *DEA_ARGS],
        ["crosseff", "{f}", *DEA_ARGS],
        ["malmquist", "{f}", "--dmu", "firm", "--period", "y", "--inputs", "x1", "--outputs", "y"],
        ["entropy", "{f}", "--id", "firm", "--indicators", "x1,x2"],
        ["inequality", "{f}", "--value", "y"],
        ["coupling", "{f}", "--id", "firm", "--subsystems", "x1,x2"],
        ["synergy", "{f}", "--id", "firm", "--period", "y", "--subsystem", "a=x1"],
        ["coevolve", "{f}", "--x", "x1", "--y", "x2"],
        ["survey", "{f}"],
    ],
)
def test_an_unknown_out_suffix_is_a_usage_error(tmp_path, capsys, argv):
    f = _file(tmp_path, "eg1.csv", EG1)
    argv = [a.replace("{f}", f) for a in argv] + ["--out", str(tmp_path / "x.xlsy")]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: exit 2 before any work
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert "x.xlsy" in err and ".xlsx" in err
    assert not (tmp_path / "x.xlsy").exists()


def test_terminal_table_is_for_people_and_fits_the_width(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    f = _file(tmp_path, "eg1.csv", EG1)
    assert main(["dea", f, *DEA_ARGS]) == 0
    out = capsys.readouterr().out
    assert "shape:" not in out and "f64" not in out and "str" not in out.split()
    assert (
        max(len(line) for line in out.splitlines() if not line.startswith(("Summary", "──"))) <= 60
    )
    assert "0.833333" in out and "B:1;E:0.5" in out
    assert "mean score" in out and "efficient DMUs" in out and "B 3, E 2" in out
    assert main(["dea", f, *DEA_ARGS, "--scale-efficiency"]) == 0
    assert "returns to scale               : crs 2, drs 1, irs 2" in capsys.readouterr().out


def test_quiet_and_json(tmp_path, capsys):
    f = _file(tmp_path, "eg1.csv", EG1)
    assert main(["dea", f, *DEA_ARGS, "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["dea", f, *DEA_ARGS, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    rows = body["tables"]["results"]
    assert [round(r["score"], 3) for r in rows] == EG1_CCR
    assert rows[0]["phi"] is None  # NaN is null in JSON, never the invalid literal NaN
    assert body["summary"]["efficient (score = 1 ± 1e-06)"] == 2 and "§9.1" in body["method"]


def test_malmquist_summary_has_readable_labels_and_deap_means(tmp_path, capsys):
    f = _file(tmp_path, "eg4.csv", EG4)
    argv = ["malmquist", f, "--dmu", "firm", "--period", "year", "--inputs", "x", "--outputs",
            "y", "--orientation", "output"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "null" not in out and "1 → 2" in out and "geometric mean" in out
    x = str(tmp_path / "m.xlsx")
    assert main([*argv, "--out", x]) == 0
    assert openpyxl.load_workbook(x).sheetnames == ["results", "annual means", "DMU means",
                                                    "summary"]  # fmt: skip
    _, annual = _sheet(x, "annual means")
    assert annual["period"].to_list() == ["1 → 2", "2 → 3", "geometric mean"]
    # DEAP 2.1 EG4, SUMMARY OF ANNUAL MEANS: effch techch pech sech tfpch (Coelli 1996)
    for col, ref in zip(["ec", "tc", "pec", "sec", "mi"], [0.844, 1.333, 0.955, 0.883, 1.125],
                        strict=True):  # fmt: skip
        assert round(float(annual[col][0]), 3) == ref
    assert round(float(annual["mi"][2]), 3) == 1.061
    _, firms = _sheet(x, "DMU means")
    assert firms["dmu"][-1] == "geometric mean" and None not in firms["dmu"].to_list()


def test_crosseff_period_runs_one_matrix_per_period(tmp_path):
    body = "firm,year,y,x1,x2\n" + "".join(
        f"{line.split(',', 1)[0]},{yr},{line.split(',', 1)[1]}\n"
        for yr in (2020, 2021) for line in EG1.splitlines()[1:]
    )  # fmt: skip
    f, one = _file(tmp_path, "p.csv", body), _file(tmp_path, "eg1.csv", EG1)
    x, c = str(tmp_path / "ce.xlsx"), str(tmp_path / "ce.csv")
    assert main(["crosseff", f, *DEA_ARGS, "--period", "year", "--out", x]) == 0
    assert main(["crosseff", one, *DEA_ARGS, "--out", c]) == 0
    _, res = _sheet(x, "results")
    ref = pl.read_csv(c)
    assert res.columns[:2] == ["dmu", "period"] and res.height == 10
    for yr in ("2020", "2021"):
        got = res.filter(pl.col("period") == yr)
        np.testing.assert_allclose(got["cross_eff"].cast(pl.Float64), ref["cross_eff"], rtol=1e-12)
    np.testing.assert_allclose(np.round(ref["ccr"].to_numpy(), 3), EG1_CCR)
    assert main(["crosseff", f, *DEA_ARGS]) == 3  # without --period the panel is refused


def test_panel_without_period_gets_a_hint(tmp_path, capsys):
    body = "firm,year,y,x1,x2\nA,1,1,2,5\nA,2,2,2,4\nB,1,3,6,6\nB,2,1,3,2\n"
    f = _file(tmp_path, "p.csv", body)
    assert main(["dea", f, *DEA_ARGS]) == 3
    assert "appears more than once; a panel? give --period COLUMN" in capsys.readouterr().err
    assert main(["crosseff", f, *DEA_ARGS]) == 3
    assert "--period COLUMN" in capsys.readouterr().err
    assert main(["entropy", f, "--id", "firm", "--indicators", "x1,x2"]) == 3
    assert "give --period COLUMN (e.g. --period year)" in capsys.readouterr().err


def test_entropy_scores_chain_into_coupling_on_the_embedded_data(tmp_path, capsys):
    s = str(tmp_path / "s.csv")
    assert main(["entropy", str(ECOM), "--id", "province", "--period", "year",
                 "--subsystem", "ec=ec_sales_100m_yuan,ec_purchases_100m_yuan,ec_firms",
                 "--subsystem", "net=broadband_users_10k,mobile_internet_users_10k",
                 "--out", s]) == 0  # fmt: skip
    u = pl.read_csv(s)
    assert u.columns == ["province", "year", "ec", "net"] and u.height == 155
    for col in ("ec", "net"):
        assert u[col].min() == 0 and u[col].max() <= 1  # [0, 1] exactly
    assert u["net"].max() == 1.0  # one province leads both indicators: 1, not 1 + ε = 1.0001
    c = str(tmp_path / "c.xlsx")
    assert main(["coupling", s, "--id", "province", "--period", "year", "--subsystems",
                 "ec,net", "--out", c]) == 0  # fmt: skip
    _, res = _sheet(c, "results")
    assert res.columns[:2] == ["id", "period"] and res.height == 155
    d = np.sqrt(res["c"].cast(pl.Float64) * res["t"].cast(pl.Float64))  # D = sqrt(C·T), §6
    np.testing.assert_allclose(res["d"].cast(pl.Float64), d, rtol=1e-12)
    # the single-indicator pooled composite of a min–max indicator is the indicator itself
    one = str(tmp_path / "one.csv")
    assert main(["entropy", str(ECOM), "--id", "province", "--period", "year",
                 "--indicators", "ec_firms", "--out", one]) == 0  # fmt: skip
    raw = pl.read_csv(ECOM)["ec_firms"].cast(pl.Float64).to_numpy()
    expect = (raw - raw.min()) / (raw.max() - raw.min())
    np.testing.assert_allclose(pl.read_csv(one)["score"].to_numpy(), expect, atol=1e-13)


def test_coupling_xlsx_matches_the_help_example(tmp_path):
    f = _file(tmp_path, "u.csv", "province,cbec,logistics\nA,0.6,0.6\nB,0.8,0.2\nC,0.1,0.5\n")
    x = str(tmp_path / "c.xlsx")
    assert main(["coupling", f, "--id", "province", "--subsystems", "cbec,logistics",
                 "--out", x]) == 0  # fmt: skip
    header, res = _sheet(x, "results")
    assert "METHODS §6" in header[0]
    a = res.row(0, named=True)
    assert a["c"] == 1 and round(a["d"], 3) == 0.775 and a["grade"] == 8  # D = sqrt(0.6)


def test_inequality_synergy_coevolve_write_workbooks(tmp_path):
    y = [0.0, 1.0, 2.0, 3.0, 3.0]
    f = _file(tmp_path, "i.csv", "u,y\n" + "".join(f"{k},{v}\n" for k, v in zip("ABCDE", y,
                                                                                 strict=True)))  # fmt: skip
    x = str(tmp_path / "i.xlsx")
    assert main(["inequality", f, "--value", "y", "--out", x]) == 0
    _, res = _sheet(x, "results")
    vals = dict(zip(res["measure"], res["value"], strict=True))
    yy = np.array(y)
    gini = np.abs(yy[:, None] - yy[None, :]).sum() / (2 * len(yy) ** 2 * yy.mean())
    assert vals["gini"] == pytest.approx(gini, rel=1e-12) and vals["theil_l"] is None
    panel = "prov,year,a1,b1\nA,2019,1,2\nA,2020,2,3\nB,2019,3,1\nB,2020,2,0.5\n"
    f = _file(tmp_path, "s.csv", panel)
    x = str(tmp_path / "s.xlsx")
    assert main(["synergy", f, "--id", "prov", "--period", "year", "--subsystem", "a=a1",
                 "--subsystem", "b=b1", "--out", x]) == 0  # fmt: skip
    assert openpyxl.load_workbook(x).sheetnames == ["synergy", "order degrees", "summary"]
    x = str(tmp_path / "co.xlsx")
    zj = ROOT / "data/zhejiang_cbec_2016_2020/zhejiang_cbec_trade.csv"
    main(["coevolve", str(zj), "--x", "cbec_export", "--y", "cbec_import", "--out", x,
          "--quiet"])  # fmt: skip
    header, par = _sheet(x, "parameters")
    assert "METHODS §8" in header[0] and {"a1", "b1", "a2", "b2"} <= set(par["parameter"])


def test_survey_xlsx_has_a_sheet_per_table_and_lavaan_numbers(tmp_path):
    from semopy.examples import holzinger39

    holzinger39.get_data().to_csv(tmp_path / "hs.csv", index=False)
    (tmp_path / "hs.lav").write_text(
        "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"
    )
    x, d = str(tmp_path / "hs.xlsx"), tmp_path / "dir"
    common = [str(tmp_path / "hs.csv"), "--model", str(tmp_path / "hs.lav"), "--chi2-n", "N",
              "--scale", "continuous", "--quiet"]  # fmt: skip
    assert main(["survey", *common, "--out", x]) == 0
    assert main(["survey", *common, "--out", str(d)]) == 0
    book = openpyxl.load_workbook(x).sheetnames
    assert sorted(book) == sorted(p.stem for p in d.glob("*.csv"))
    _, fit = _sheet(x, "survey_fit")
    row = dict(zip(fit["index"], fit["value"], strict=True))
    assert row["chi2"] == pytest.approx(85.306, abs=5e-4)  # lavaan tutorial, HS 1939 CFA
    csv = dict(pl.read_csv(d / "survey_fit.csv").select("index", "value").iter_rows())
    assert row["cfi"] == pytest.approx(csv["cfi"], rel=1e-13)


def test_terminal_cells_show_levels_as_whole_numbers_not_exponents():
    """6 significant digits, but a level such as GDP in 元 (1.23e+07) prints in full."""
    from cbec.output.terminal import cell

    assert cell(12345678.9) == "12345679" and cell(-2500000.0) == "-2500000"
    assert cell(123456.789) == "123457" and cell(0.000123456789) == "0.000123457"
    assert cell(1.5e15) == "1.5e+15" and cell(-0.0) == "0" and cell(float("nan")) == "–"
