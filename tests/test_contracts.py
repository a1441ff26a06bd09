"""Table contracts (warehouse/contracts): the data dictionary of a real run, the write check,
the migration of an older warehouse, the generated structural expectations and the committed
docs/DATA_DICTIONARY.md."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from warehouse import contracts
from warehouse.contracts import ContractError


def test_every_results_column_of_a_real_run_has_a_comment(published_db):
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        n, missing = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE comment IS NULL) FROM duckdb_columns() "
            "WHERE schema_name = 'results'"
        ).fetchall()[0]
        unit = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'results' "
            "AND table_name = 'latest_capital_stock' AND column_name = 'capital_stock'"
        ).fetchall()[0][0]
        regions = con.execute(
            "SELECT name_en, short_zh, nbs_region FROM ref.regions WHERE region_code = '15'"
        ).fetchall()
        n_regions = con.execute(
            "SELECT nbs_region, count(*) FROM ref.regions GROUP BY 1 ORDER BY 1"
        ).fetchall()
        undeclared = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'results' "
            "AND comment LIKE '%not in the table''s contract%'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert n > 600 and missing == 0
    assert undeclared == 0  # every column the run wrote is declared
    assert "亿元, base-year prices" in unit  # the unit is in the comment
    assert regions == [("Inner Mongolia", "内蒙古", "West")]
    # NBS (2011): East 10, Central 6, West 12, Northeast 3 (METHODS §0)
    assert n_regions == [("Central", 6), ("East", 10), ("Northeast", 3), ("West", 12)]


def test_a_frame_that_does_not_match_the_contract_is_refused(tmp_path):
    from warehouse import store

    db = tmp_path / "w.duckdb"
    good = pl.DataFrame({"region_code": ["11"], "year": [2020], "labour": [1.0]})
    kw = dict(flow="t", params={}, input_fingerprint="f")
    with pytest.raises(ContractError, match=r"results\.labour: column 'labour_x'"):
        store.publish_run(db, {"labour": good.with_columns(labour_x=pl.lit(1.0))}, **kw)
    with pytest.raises(ContractError, match=r"results\.labour: column 'labour' is VARCHAR"):
        store.publish_run(db, {"labour": good.with_columns(pl.lit("x").alias("labour"))}, **kw)
    with pytest.raises(ContractError, match=r"results\.labour: column\(s\) year missing"):
        store.publish_run(db, {"labour": good.drop("year")}, **kw)
    with pytest.raises(ContractError, match=r"results\.no_such_table has no table contract"):
        store.publish_run(db, {"no_such_table": good}, **kw)
    # a family column (a DEA input of another specification) is added with its comment
    eff = pl.DataFrame({"region_code": ["11"], "year": [2020], "orientation": ["input"],
                        "rts": ["crs"], "score": [0.5], "slack_express_volume": [2.0]})  # fmt: skip
    store.publish_run(db, {"efficiency": eff}, **kw)
    con = duckdb.connect(str(db), read_only=True)
    try:
        comment = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'efficiency' "
            "AND column_name = 'slack_express_volume'"
        ).fetchall()
    finally:
        con.close()
    assert comment == [("phase-2 slack of express_volume [unit of the input/output]",)]


def test_an_older_warehouse_gains_columns_and_comments(tmp_path):
    """A warehouse of an older version: staging.panel without the later columns, a result
    table created from its first write, no comments at all."""
    from warehouse.db import connect

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA results")
    con.execute(
        "CREATE TABLE staging.panel (region_code VARCHAR NOT NULL, year BIGINT NOT NULL, "
        "variable VARCHAR NOT NULL, value DOUBLE, unit VARCHAR, source VARCHAR, vintage VARCHAR, "
        "source_file VARCHAR, PRIMARY KEY (region_code, year, variable))"
    )
    con.execute(
        "CREATE TABLE results.labour AS SELECT 'r1' AS run_id, '11' AS region_code, "
        "2020::BIGINT AS year, 1.0 AS labour, 'old' AS legacy_note"
    )
    con.close()
    connect(db).close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = [r[0] for r in con.execute("DESCRIBE staging.panel").fetchall()]
        nulls = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name IN "
            "('results', 'staging', 'raw', 'ref') AND comment IS NULL"
        ).fetchall()[0][0]
        legacy = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE column_name = 'legacy_note'"
        ).fetchall()[0][0]
        rows = con.execute("SELECT labour FROM results.labour").fetchall()
    finally:
        con.close()
    assert cols[-3:] == ["source_rank", "choice", "quality"]
    assert nulls == 0 and "older version" in legacy
    assert rows == [(1.0,)]


def test_structural_expectations_come_from_the_contract():
    from expectations.runner import validate_frame

    eff = pl.DataFrame({"region_code": ["11", "11"], "year": [2020, 2020],
                        "orientation": ["input"] * 2, "rts": ["crs"] * 2, "score": [0.5, 0.6],
                        "surprise": [1.0, 2.0]})  # fmt: skip
    res = validate_frame(eff, "results_efficiency", table="results_efficiency")
    checks = {(f.check, f.expectation) for f in res.critical_failures}
    assert ("columns", "expect_table_columns_to_match_set") in checks  # `surprise`
    assert ("unique_key", "expect_compound_columns_to_be_unique") in checks
    ok = validate_frame(eff.drop("surprise").head(1), "results_efficiency",
                        table="results_efficiency")  # fmt: skip
    assert ok.passed, [str(f) for f in ok.critical_failures]
    types = [o for o in ok.outcomes if o.check == "column_type"]
    assert {o.column for o in types} >= {"year", "score"} and all(o.success for o in types)


def test_data_dictionary_is_current():
    from warehouse.dictionary import PATH, render

    assert PATH.read_text(encoding="utf-8") == render(), (
        "docs/DATA_DICTIONARY.md is stale: run "
        '.venv/bin/python -c "from warehouse.dictionary import write; write()"'
    )


def test_every_declared_table_has_described_columns():
    assert len(contracts.BUILTIN) >= 40
    for q in contracts.BUILTIN:
        t = contracts.TABLES[q]
        assert t.description and all(c.description for c in t.columns), q
        assert len(set(t.names)) == len(t.names), q
