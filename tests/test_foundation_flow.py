"""The refresh flow end to end on the embedded data (ephemeral Prefect, one session harness)."""

from __future__ import annotations

import polars as pl
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


def test_refresh_pins_independently_known_numbers(published_db):
    """One province-year (Zhejiang 2019) of the default run against numbers computed elsewhere:
    capital stock = CHNCapitalStock's own K at 2000 prices (the R package's output shipped in
    data/chn_capital_stock, δ = 0.096: our steady-state start differs from its I/0.10 start by
    < 2e-7 after 67 years); real GDP = 2000 GDP 6 164.8 亿元 chained by NBS's published
    previous-year indices 2001–2019 (NBS database, 地区生产总值指数); CCR input efficiency of the
    28 provinces of 2019 recomputed by pyfrontier (PuLP/CBC, an independent DEA code)."""
    import numpy as np
    from Pyfrontier.frontier_model import EnvelopDEA

    k = _q(published_db, "SELECT capital_stock FROM results.latest_capital_stock "
           "WHERE region_code = '33' AND year = 2019")["capital_stock"][0]  # fmt: skip
    assert k == pytest.approx(105418.716591338, rel=1e-6)  # CHNCapitalStock K_bt2000
    y = _q(published_db, "SELECT real_gdp FROM results.latest_real_gdp "
           "WHERE region_code = '33' AND year = 2019")["real_gdp"][0]  # fmt: skip
    assert y == pytest.approx(39066.35, abs=0.01)
    rows = _q(
        published_db,
        """SELECT e.region_code, k.capital_stock, l.labour, g.real_gdp, e.score
           FROM results.latest_efficiency e
           JOIN results.latest_capital_stock k USING (region_code, year)
           JOIN results.latest_labour l USING (region_code, year)
           JOIN results.latest_real_gdp g USING (region_code, year)
           WHERE e.year = 2019 ORDER BY e.region_code""",
    )
    assert rows.height == 28
    dea = EnvelopDEA(frontier="CRS", orient="in")
    dea.fit(rows.select("capital_stock", "labour").to_numpy(), rows.select("real_gdp").to_numpy())
    theirs = np.array([r.score for r in dea.result])
    assert np.max(np.abs(theirs - rows["score"].to_numpy())) < 1e-6  # CBC's tolerance
    zj = rows.filter(pl.col("region_code") == "33")["score"][0]
    assert zj == pytest.approx(0.792023, abs=1e-6)


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


def test_unchanged_rerun_is_reused_before_staging(db_copy, prefect_harness):
    """Nothing new (same files, staging configuration, parameters and code): the run is reused
    from its inputs key without rebuilding staging (issue 18)."""
    from flows.refresh import refresh

    key = _q(db_copy, "SELECT inputs_key FROM results.runs WHERE status = 'published'")
    assert key["inputs_key"][0]
    result = refresh(db=str(db_copy))
    assert result["reused"]
    assert "check-unchanged" in result["stages"] and "stage-and-load" not in result["stages"]


def test_changed_staging_config_stages_again(db_copy, prefect_harness, monkeypatch, tmp_path):
    """A configuration staging reads changed (here only a comment): the inputs key differs, so
    the refresh stages as before — and reuses the run since the staged panel is the same."""
    import shutil

    from cbec.paths import config_dir
    from flows.refresh import refresh

    cfg = tmp_path / "config"
    shutil.copytree(config_dir(), cfg)
    with open(cfg / "variables.toml", "a", encoding="utf-8") as fh:
        fh.write("\n# touched\n")
    monkeypatch.setenv("CBEC_CONFIG", str(cfg))
    result = refresh(db=str(db_copy))
    assert result["reused"] and "stage-and-load" in result["stages"]


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
