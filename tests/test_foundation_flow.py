"""The refresh flow end to end on the embedded data (ephemeral Prefect, one session harness)."""

from __future__ import annotations

import pytest

from cbec.cli import main
from warehouse.db import connect, query_pl


def _q(db, sql):
    con = connect(db, read_only=True)
    try:
        return query_pl(con, sql)
    finally:
        con.close()


def test_refresh_publishes_production_tables(published_db):
    runs = _q(published_db, "SELECT run_id, status, input_fingerprint, params FROM results.runs")
    assert runs.height == 1 and runs["status"][0] == "published"
    k = _q(
        published_db,
        "SELECT * FROM results.latest_capital_stock WHERE region_code = '33' AND year = 2019",
    )
    assert k.height == 1 and k["capital_stock"][0] > 0
    zj = _q(
        published_db,
        "SELECT real_gdp FROM results.latest_real_gdp WHERE region_code = '33' AND year = 2000",
    )
    gdp = _q(
        published_db,
        "SELECT value FROM staging.panel WHERE variable = 'gdp' AND region_code = '33' AND year = 2000",
    )
    assert zj["real_gdp"][0] == pytest.approx(gdp["value"][0])  # base year: real = nominal
    lab = _q(published_db, "SELECT count(DISTINCT region_code) AS n FROM results.latest_labour")
    assert lab["n"][0] == 28  # total employment: no provincial series for 15, 54, 62 before 2023
    inputs = _q(published_db, "SELECT count(*) AS n FROM results.run_inputs")
    assert inputs["n"][0] > 80


def test_rerun_with_same_inputs_reuses_the_run(db_copy, prefect_harness):
    from flows.refresh import refresh

    before = _q(db_copy, "SELECT run_id FROM results.runs WHERE status = 'published'")[
        "run_id"
    ].to_list()
    result = refresh(db=str(db_copy))
    assert result["reused"] and result["run_id"] == before[0]
    assert (
        _q(db_copy, "SELECT count(*) AS n FROM results.runs WHERE status = 'published'")["n"][0]
        == 1
    )


def test_cli_runs_and_sql(published_db, capsys, tmp_path):
    assert main(["runs", "--db", str(published_db)]) == 0
    assert "published" in capsys.readouterr().out
    assert (
        main(
            [
                "sql",
                "--db",
                str(published_db),
                "--csv",
                "SELECT region_code, year FROM results.latest_labour ORDER BY 1, 2 LIMIT 2",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "region_code,year"
    pq = tmp_path / "x.parquet"
    assert (
        main(
            [
                "sql",
                "--db",
                str(published_db),
                "--parquet",
                str(pq),
                "SELECT * FROM staging.panel LIMIT 10",
            ]
        )
        == 0
    )
    assert pq.exists()
    # read-only: writes are refused with the usage exit code
    assert main(["sql", "--db", str(published_db), "DROP TABLE results.runs"]) == 2
