"""`cbec runs diff A B` on two runs built from two vintages: the second run adds a newer
vintage (2026-01) of the real NBS export 分省年度数据2020.csv in which Zhejiang's 2020 GDP is
changed from 67164.5 to 70000.0 亿元 (tertiary value added revised with it, 38360.0 → 41195.5, so
the sectors still add up and the revision passes the validation gate); the diff must name
Zhejiang (33), 2020 and the values."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest

from tests.conftest import DATA

EXPORT = DATA / "nbs_exports_2016_2024" / "分省年度数据2020.csv"
OLD, NEW = "67164.5", "70000.0"
OLD_TERTIARY, NEW_TERTIARY = "38360.0", "41195.5"


@pytest.fixture(scope="module")
def two_runs(published_db, tmp_path_factory):
    from flows.refresh import refresh
    from warehouse import run_results as R

    tmp = tmp_path_factory.mktemp("diff")
    db = tmp / "cbec.duckdb"
    shutil.copy(published_db, db)
    text = EXPORT.read_text(encoding="utf-8-sig")
    line = next(ln for ln in text.splitlines() if ln.startswith("浙江省"))
    assert f",{OLD}\t" in line
    new_file = tmp / "v2026" / EXPORT.name
    new_file.parent.mkdir()
    new_file.write_text(
        "\ufeff"
        + text.replace(
            line,
            line.replace(f",{OLD}\t", f",{NEW}\t", 1).replace(
                f",{OLD_TERTIARY}\t", f",{NEW_TERTIARY}\t", 1
            ),
        ),
        encoding="utf-8",
    )
    con = R.open_read_only(db)
    try:
        run_a = R.resolve_run(con)["run_id"]
    finally:
        con.close()
    res = refresh(db=str(db), extra_files=[str(new_file)], extra_vintage="2026-01")
    assert not res["reused"] and res["run_id"] != run_a
    return db, run_a, res["run_id"]


def test_diff_text_names_the_change(two_runs, capsys):
    from cbec.cli import main

    db, a, b = two_runs
    assert main(["runs", "diff", a, b, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "+ 分省年度数据2020.csv  (vintage 2026-01" in out
    block = out.split("results.real_gdp:")[1].split("\n\n")[0]
    assert "1 rows changed" in block and "key: region_code, year" in block
    first = block.splitlines()[2]
    assert "Zhejiang" in first and "(33)" in first and "2020" in first
    assert "67,164.50 → 70,000.00" in first and "+4.22%" in first
    assert "results.capital_stock: 2157 → 2157 rows; no changes" in out


def test_diff_json(two_runs, capsys):
    from cbec.cli import main

    db, a, b = two_runs
    assert main(["runs", "diff", a[:17], b, "--db", str(db), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["run_a"]["run_id"] == a and d["run_b"]["run_id"] == b
    assert [f["vintage"] for f in d["inputs"]["added"]] == ["2026-01"]
    g = d["tables"]["real_gdp"]
    assert g["added"] == 0 and g["removed"] == 0 and g["changed_rows"] == 1
    top = g["largest_changes"][0]
    assert (top["region_code"], top["year"], top["column"]) == ("33", 2020, "gdp_nominal")
    assert top["from"] == pytest.approx(67164.5) and top["to"] == pytest.approx(70000.0)
    assert top["rel_change"] == pytest.approx(70000.0 / 67164.5 - 1)
    # the real GDP volume chain uses the GDP index, so only the nominal value and the deflator move
    assert {c["column"] for c in g["largest_changes"]} == {"gdp_nominal", "deflator"}
    assert all(c["region_code"] == "33" and c["year"] == 2020 for c in g["largest_changes"])
    for t in ("capital_stock", "labour", "dea_panel"):
        assert d["tables"][t]["changed_values"] == 0 and d["tables"][t]["added"] == 0


def test_diff_errors(two_runs, tmp_path):
    from cbec.cli import main

    db, a, b = two_runs
    assert main(["runs", "diff", a, "no-such-run", "--db", str(db)]) == 2
    assert main(["runs", "diff", a, "--db", str(db)]) == 2
    assert main(["runs", "diff", "2", b, "--db", str(db)]) == 2  # ambiguous prefix
    assert main(["runs", "diff", a, b, "--db", str(tmp_path / "none.duckdb")]) == 3


def test_diff_table_added_removed_and_keys():
    from cbec.commands._diff import diff_table, natural_key

    a = pl.DataFrame(
        {
            "region_code": ["11", "11", "33"],
            "year": [2020, 2021, 2020],
            "subsystem": ["cbec", "cbec", "cbec"],
            "d": [0.5, 0.6, 0.7],
            "label": ["x", "y", "z"],
            "status": ["optimal"] * 3,
        }
    )
    b = pl.DataFrame(
        {
            "region_code": ["11", "33", "44"],
            "year": [2020, 2020, 2020],
            "subsystem": ["cbec", "cbec", "cbec"],
            "d": [0.5, 0.35, float("nan")],
            "label": ["x", "z2", "w"],
            "status": ["optimal"] * 3,
        }
    )
    assert natural_key(a, b) == ["region_code", "year", "subsystem"]
    t = diff_table(a, b, top=5)
    assert (t["added"], t["removed"], t["changed_rows"]) == (1, 1, 1)
    assert t["added_rows"] == [{"region_code": "44", "year": 2020, "subsystem": "cbec"}]
    assert t["removed_rows"] == [{"region_code": "11", "year": 2021, "subsystem": "cbec"}]
    ch = t["largest_changes"][0]
    assert (ch["region_code"], ch["column"], ch["from"], ch["to"]) == ("33", "d", 0.7, 0.35)
    assert ch["rel_change"] == pytest.approx(-0.5)
    assert t["text_changes"][0]["from"] == "z" and t["text_changes"][0]["to"] == "z2"
    only = diff_table(None, b)
    assert only["only_in"] == "B" and only["added"] == 3
