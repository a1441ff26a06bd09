"""`cbec survey` end to end on the simulated study-B file, plus its input errors."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cbec.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "survey_demo" / "study_b_simulated_responses.csv"
TABLES = {
    "survey_sample", "survey_reliability", "survey_adequacy", "survey_efa", "survey_efa_factors",
    "survey_estimates", "survey_fit", "survey_modindices", "survey_validity",
    "survey_latent_correlations",
}  # fmt: skip


def test_cli_writes_tables_and_summary(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["survey", str(DEMO), "--out", str(out)]) == 0
    assert {p.stem for p in out.glob("*.csv")} == TABLES
    summary = (out / "summary.md").read_text()
    assert "Cronbach" in summary and "rmsea" in summary and "H16" in summary
    fit = pl.read_csv(out / "survey_fit.csv")
    assert fit.filter(pl.col("index") == "df")["value"][0] == 277
    est = pl.read_csv(out / "survey_estimates.csv")
    assert est.filter(pl.col("label").is_not_null()).height == 16
    assert "481 in the file" in capsys.readouterr().out


def test_cli_chi2_convention_and_custom_model(tmp_path):
    model = tmp_path / "m.lav"
    model.write_text("B1 =~ C1 + C2 + C3 + C4\nB2 =~ C5 + C6 + C7 + C8\n")
    out = tmp_path / "o"
    assert (
        main(["survey", str(DEMO), "--model", str(model), "--chi2-n", "N", "--out", str(out)]) == 0
    )
    sample = dict(pl.read_csv(out / "survey_sample.csv").iter_rows())
    assert sample["chi2_convention"] == "N" and sample["n_model_items"] == "8"
    # no '#! efa' blocks: one block of every item-like column (C1–C29)
    assert pl.read_csv(out / "survey_adequacy.csv")["block"].unique().to_list() == ["all_items"]


def test_cli_rejects_bad_answers_and_missing_items(tmp_path, capsys):
    df = pl.read_csv(DEMO)
    bad = tmp_path / "bad.csv"
    df.with_columns(
        pl.when(pl.col("id") == 7).then(6).otherwise(pl.col("C3")).alias("C3")
    ).write_csv(bad)
    assert main(["survey", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "line 8" in err and "'C3'" in err and "1..5" in err
    miss = tmp_path / "miss.csv"
    df.drop("C20").write_csv(miss)
    assert main(["survey", str(miss)]) == 3
    assert "C20" in capsys.readouterr().err
    dup = tmp_path / "dup.csv"
    df.with_columns(
        pl.when(pl.col("id") == 2).then(1).otherwise(pl.col("id")).alias("id")
    ).write_csv(dup)
    assert main(["survey", str(dup)]) == 3
    assert main(["survey"]) == 2


def test_cli_make_demo_reproduces_shipped_file(tmp_path):
    out = tmp_path / "demo.csv"
    assert main(["survey", "--make-demo", str(out)]) == 0
    assert out.read_bytes() == DEMO.read_bytes()
