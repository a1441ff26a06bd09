"""The published refresh on the embedded data (issue 15): default specification, labour lineage,
sensitivity table, quality flags on every table, plausibility warnings in the run's gate."""

from __future__ import annotations

import json

import duckdb
import pytest


def _q(db, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_latest_table_has_a_quality_list(published_db) -> None:
    rows = _q(
        published_db,
        "SELECT table_name, max((column_name = 'quality')::INT), "
        "max(CASE WHEN column_name = 'quality' THEN data_type END) FROM duckdb_columns() "
        "WHERE schema_name = 'results' AND table_name LIKE 'latest_%' GROUP BY 1",
    )
    assert len(rows) >= 15
    missing = [t for t, has, _ in rows if not has]
    assert not missing, missing
    assert {dt for *_, dt in rows} == {"VARCHAR[]"}
    assert _q(published_db, "SELECT count(*) FROM staging.panel WHERE quality IS NULL")[0][0] == 0


def test_default_panel_uses_total_employment(published_db) -> None:
    series = _q(published_db, "SELECT DISTINCT employment_series FROM results.latest_labour")
    assert series and all(s.startswith("total employed") for (s,) in series)
    gap = _q(
        published_db,
        "SELECT max(abs(d.labour - l.labour)), count(*) FROM results.latest_dea_panel d "
        "JOIN results.latest_labour l USING (region_code, year)",
    )[0]
    n = _q(published_db, "SELECT count(*) FROM results.latest_dea_panel")[0][0]
    assert gap[0] == 0.0 and gap[1] == n
    cols = {c for (c,) in _q(published_db, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'latest_dea_panel'")}  # fmt: skip
    assert "express_volume" not in cols
    # spliced years say so; the frontier is not one province every year with the express proxy
    assert _q(published_db, "SELECT bool_and(list_contains(quality, 'spliced')) FROM results.latest_labour WHERE year < 2020")[0][0]  # fmt: skip
    params = json.loads(_q(published_db, "SELECT params FROM results.runs WHERE status = 'published' ORDER BY started_at DESC LIMIT 1")[0][0])  # fmt: skip
    assert params["dea"]["inputs"] == ["capital_stock", "labour"]
    assert params["production"]["labour"]["series"] == "total"


def test_real_gdp_at_the_base_year_is_the_nbs_value(published_db) -> None:
    (v,) = _q(published_db, "SELECT real_gdp FROM results.latest_real_gdp WHERE region_code = '11' AND year = 2000")[0]  # fmt: skip
    assert v == pytest.approx(3277.8, rel=1e-6)  # NBS 国家数据, Beijing 2000


def test_sensitivity_table_has_the_default_and_alternatives(published_db) -> None:
    rows = _q(
        published_db,
        "SELECT specification, min(year), max(year), count(*), avg(mean_efficiency), "
        "sum(n_frontier) FROM results.latest_efficiency_sensitivity GROUP BY 1",
    )
    specs = {r[0]: r for r in rows}
    assert "default" in specs and len(specs) >= 4
    window = _q(published_db, "SELECT min(year), max(year) FROM results.latest_dea_panel")[0]
    assert specs["default"][1:3] == window
    (mean_eff,) = _q(published_db, "SELECT avg(score) FROM results.latest_efficiency")[0]
    assert specs["default"][4] == pytest.approx(mean_eff, rel=1e-9)
    proxy = _q(
        published_db,
        "SELECT bool_and(list_contains(quality, 'proxy:express_volume')) FROM "
        "results.latest_efficiency_sensitivity WHERE list_contains(inputs, 'express_volume')",
    )[0][0]
    assert proxy is True


def test_plausibility_warnings_reach_the_results_gate(published_db) -> None:
    (result,) = _q(
        published_db,
        "SELECT result FROM results.validations WHERE stage = 'results' ORDER BY created_at DESC LIMIT 1",
    )[0]
    findings = json.loads(result)["warning_findings"]
    plaus = [f for f in findings if f.get("check") == "plausibility"]
    # Shanghai is on the CCR frontier in every year of the default window (an independent
    # count of results.latest_efficiency, not the check's own output)
    (n_years, n_on) = _q(published_db, "SELECT count(DISTINCT year), count(*) FILTER (WHERE score >= 1 - 1e-6) FROM results.latest_efficiency WHERE region_code = '31'")[0]  # fmt: skip
    assert n_years == n_on >= 2
    sh = [f for f in plaus if f.get("region_code") == "31"]
    assert sh and f"on the CCR frontier in {n_years} of {n_years} years" in sh[0]["detail"], plaus
    assert all(f["severity"] == "warning" for f in plaus)  # warnings, never a block


def test_sql_csv_writes_quality_lists_as_text(published_db, capsys) -> None:
    from cbec.cli import main

    q = "SELECT year, quality FROM results.latest_labour WHERE region_code = '11' ORDER BY year LIMIT 1"
    assert main(["sql", "--db", str(published_db), "--csv", q]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["year,quality", "2012,compilation; spliced"]


def test_per_capita_gdp_reaches_2024(published_db) -> None:
    rows = _q(
        published_db,
        "SELECT year, count(real_gdp_per_capita) FROM results.latest_real_gdp "
        "WHERE year BETWEEN 2020 AND 2024 GROUP BY 1 ORDER BY 1",
    )
    assert rows == [(y, 31) for y in range(2020, 2025)]
    # NBS resident population 2024 of Beijing (2 183 万人, the embedded export) feeds it
    (pop,) = _q(published_db, "SELECT population FROM results.latest_real_gdp WHERE region_code = '11' AND year = 2024")[0]  # fmt: skip
    assert pop == pytest.approx(2183.0, abs=0.5)
