"""Survey tasks: the pure compute path (`compute_survey.fn`), the response checks, the stored
GX suite, and the flow."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from cbec.settings import load_survey_params
from expectations.survey_suite import SUITE_PATH, survey_suite
from measures.survey.sem import parse_model
from tasks.survey import compute_survey
from transforms.survey import response_items, response_report, with_row_metrics

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "survey_demo" / "study_b_simulated_responses.csv"
MODEL = (ROOT / "config" / "survey" / "study_b.lav").read_text()


@pytest.fixture(scope="module")
def params():
    return load_survey_params()


@pytest.fixture(scope="module")
def tables(params):
    return compute_survey.fn(pl.read_csv(DEMO), MODEL, params)


def test_compute_returns_the_result_tables(tables):
    for name in ("survey_reliability", "survey_efa", "survey_estimates", "survey_fit",
                 "survey_modindices", "survey_validity"):  # fmt: skip
        assert name in tables and tables[name].height > 0, name
    for t in tables.values():
        assert "run_id" not in t.columns
        assert all(c == c.lower() for c in t.columns)
    rel = tables["survey_reliability"]
    assert rel["construct"].unique(maintain_order=True).to_list() == [
        "B1",
        "B2",
        "B3",
        "B4",
        "B5",
        "B6",
        "A1",
        "A2",
    ]
    assert (rel["alpha"] > 0.7).all()  # as the study reports for every construct
    ad = tables["survey_adequacy"].filter(pl.col("item").is_null())
    assert ad["block"].to_list() == [
        "industrial_cluster_factors",
        "cbec_factors",
        "development_status",
    ]
    assert (ad["bartlett_p"] < 1e-10).all()
    fit = dict(zip(tables["survey_fit"]["index"], tables["survey_fit"]["value"], strict=True))
    assert fit["df"] == 351 - 74 and fit["chi2_multiplier"] == 480
    assert tables["survey_fit"]["status"][0] == "ok"
    mi = tables["survey_modindices"]
    assert mi.height == 26 * 25 // 2
    ranked = mi.filter(pl.col("note").is_null())
    assert (ranked["mi"].diff().drop_nulls() <= 0).all()
    nonid = mi.filter(pl.col("note").is_not_null())  # residual covariance of A1's / A2's two items
    assert {frozenset(p) for p in nonid.select("lhs", "rhs").rows()} == {
        frozenset(("C26", "C27")),
        frozenset(("C28", "C29")),
    }
    efa = tables["survey_efa"]
    assert efa.filter(~pl.col("retained"))["item"].unique().to_list() == ["C14"]
    f = tables["survey_efa_factors"]
    assert f.group_by("block").agg(pl.col("eigenvalue").sum().round(9)).sort("block")[
        "eigenvalue"
    ].to_list() == [12.0, 4.0, 13.0]


def test_listwise_deletion_and_reverse_items(params):
    df = pl.read_csv(DEMO).with_columns(
        pl.when(pl.col("id") <= 10).then(None).otherwise(pl.col("C5")).alias("C5")
    )
    t = compute_survey.fn(df, MODEL, params)
    sample = dict(t["survey_sample"].iter_rows())
    assert sample["n_input"] == "481" and sample["n_complete"] == "471"
    p2 = json.loads(json.dumps(params))
    p2["scale"]["reverse_items"] = ["C1"]
    rev = compute_survey.fn(pl.read_csv(DEMO), "B1 =~ C1 + C2 + C3 + C4", p2)
    mean_c1 = rev["survey_reliability"].filter(pl.col("item") == "C1")["item_mean"][0]
    assert mean_c1 == pytest.approx(6 - pl.read_csv(DEMO)["C1"].mean())


def test_response_report(params):
    df = pl.read_csv(DEMO)
    items = response_items(df.columns, parse_model(MODEL), params)
    ok = response_report(df, items, params)
    assert (
        not ok["critical"] and ok["straight_lining_share"] == 0 and ok["missing_answer_share"] == 0
    )
    bad = df.with_columns(
        pl.when(pl.col("id") == 1).then(0).otherwise(pl.col("C1")).alias("C1"),
        pl.when(pl.col("id") == 2).then(None).otherwise(pl.col("C2")).alias("C2"),
    ).vstack(df.head(1))
    for c in items:  # respondent 5 answers 3 to everything
        bad = bad.with_columns(pl.when(pl.col("id") == 5).then(3).otherwise(pl.col(c)).alias(c))
    rep = response_report(bad, items, params)
    assert rep["critical"] and rep["duplicate_ids"] == [1] and rep["bad_cells"] == [(2, "C1", 0)]
    assert rep["missing_answer_share"] == pytest.approx(1 / (482 * 29))
    assert rep["straight_lining_share"] == pytest.approx(1 / 482)
    m = with_row_metrics(bad, items)
    assert m["_straight_lining"].sum() == 1 and m["_missing_share"].max() == pytest.approx(1 / 29)


def test_stored_suite_is_study_b_instance(params):
    items = response_items(["id"] + [f"C{i}" for i in range(1, 30)], parse_model(MODEL), params)
    stored = json.loads(SUITE_PATH.read_text())
    assert stored == survey_suite(items, params)
    kinds = {e["type"] for e in stored["expectations"]}
    assert {"expect_column_values_to_be_unique", "expect_column_values_to_be_in_set",
            "expect_column_mean_to_be_between", "expect_column_to_exist"} <= kinds  # fmt: skip
    assert {e["meta"]["severity"] for e in stored["expectations"]} == {"critical", "warning"}


def test_survey_flow_publishes_versioned_run(prefect_harness, tmp_path):
    from cbec.errors import ValidationFailed
    from flows.survey import survey_flow
    from warehouse.db import connect

    db = str(tmp_path / "w.duckdb")
    r1 = survey_flow(file=str(DEMO), db=db)
    assert not r1["reused"] and r1["tables"]["survey_estimates"] > 0
    r2 = survey_flow(file=str(DEMO), db=db)
    assert r2["reused"] and r2["run_id"] == r1["run_id"]
    con = connect(db, read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM results.latest_survey_fit").fetchall()[0][0]
        assert n > 0
    finally:
        con.close()
    bad = tmp_path / "bad.csv"
    pl.read_csv(DEMO).with_columns(pl.lit(7).alias("C4")).write_csv(bad)
    with pytest.raises(ValidationFailed):
        survey_flow(file=str(bad), db=db)
    con = connect(db, read_only=True)
    try:
        runs = con.execute(
            "SELECT status FROM results.runs WHERE flow = 'survey' ORDER BY started_at"
        ).fetchall()
    finally:
        con.close()
    assert [s for (s,) in runs][-1] == "failed"
