"""The real series shipped for co-evolution (reference study D, national anchors): loaded
through the configured source like every other file, and their documented checks."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from warehouse import ingest, staging
from warehouse.readers import read_source

ROOT = Path(__file__).resolve().parents[1]


def test_zhejiang_table_is_a_configured_source_and_stages_to_cbec_variables():
    files = [f for f in ingest.discover() if f.source_name == "zhejiang_cbec"]
    assert [f.display for f in files] == ["zhejiang_cbec_2016_2020/zhejiang_cbec_trade.csv"]
    sf = files[0]
    t = read_source(sf.path, reader=sf.reader, options=sf.options, display=sf.display)
    recs = t.records.with_columns(
        pl.lit(sf.source_name).alias("source_name"), pl.lit(sf.vintage).alias("vintage")
    ).drop("region_raw", "value_raw", "line_no")
    panel, conflicts = staging.build_panel(recs)
    assert conflicts.height == 0
    wide = panel.pivot(on="variable", index=["region_code", "year"], values="value").sort("year")
    assert wide["region_code"].unique().to_list() == ["33"]
    assert wide["year"].to_list() == [2016, 2017, 2018, 2019, 2020]
    assert wide["cbec_total"].to_list() == [403.6, 603.9, 810.3, 1051.5, 1387.1]
    assert wide["cbec_exports"][-1] == 1023.0 and wide["cbec_imports"][3] == 274.41
    # export + import = total to the printed rounding (PROVENANCE.md)
    diff = (wide["cbec_exports"] + wide["cbec_imports"] - wide["cbec_total"]).abs()
    assert diff.max() <= 0.011
    assert set(panel["unit"].to_list()) == {"亿元"}


def test_national_anchors_documented_checks():
    a = pl.read_csv(ROOT / "data" / "national_cbec_express_anchors" / "national_anchors.csv")
    assert a.columns[:4] == ["series", "period", "value", "unit"]
    assert a.height == 17
    v = {(r["series"], r["period"]): r["value"] for r in a.iter_rows(named=True)}
    regions = sum(v[(f"express_volume_{k}", "2023")] for k in ("east", "central", "west"))
    assert regions == pytest.approx(v[("express_volume", "2023")], abs=0.05)
    shares = sum(v[(f"express_volume_{k}_share", "2023")] for k in ("east", "central", "west"))
    assert shares == pytest.approx(100.0, abs=0.05)
    # half-year periods are kept as published, never read as years
    assert {"2024H1", "2021H1"} <= set(a["period"].to_list())
    # national rows are a configured source read into raw.national_series (never staged)
    found = [f for f in ingest.discover() if "national_cbec" in f.display]
    assert [f.reader for f in found] == ["series_long"]


# ------------------------------------------------------------------ default pairs (issue 15)
@pytest.fixture(scope="module")
def real_composites(embedded_staged):
    from transforms.structure import structure_tables

    return structure_tables(embedded_staged[0])["composite_index"]


def test_default_pairs_have_15_or_more_official_annual_points_per_province(real_composites):
    import tomllib

    cfg = tomllib.loads((ROOT / "config" / "coevolution.toml").read_text(encoding="utf-8"))
    assert cfg["pairs"] == [["trade", "logistics"], ["trade", "industry"]]
    comp = real_composites
    for x1, x2 in cfg["pairs"]:
        a = comp.filter(pl.col("subsystem") == x1).select("region_code", "year")
        b = comp.filter(pl.col("subsystem") == x2).select("region_code", "year")
        n = a.join(b, on=["region_code", "year"]).group_by("region_code").len()
        assert n.height == 31 and n["len"].min() >= 15, (x1, x2)
        assert n["len"].min() == 22  # 2000–2021: trade ends in 2021


def test_causality_on_the_default_pairs_is_mostly_not_too_short(real_composites):
    """results.latest_causality: fewer than half of the rows too_short (issue 15 check; with
    the former 7-point composites all 124 were)."""
    import tomllib

    from tasks.coevolution import coevolution_tables

    cfg = tomllib.loads((ROOT / "config" / "coevolution.toml").read_text(encoding="utf-8"))
    out = coevolution_tables(real_composites, {**cfg, "models": []})  # causality only
    ca = out["causality"]
    assert ca.height == 31 * 2 * 2
    short = ca.filter(pl.col("status") == "too_short").height
    assert short < ca.height / 2
    assert set(ca["n_obs"]) == {22}
    tested = ca.filter(pl.col("status").is_in(["ok", "weak"]))
    assert tested["p_value"].is_between(0, 1).all() and tested["lags"].min() >= 1
