"""Source precedence by quality and reconciliation checks that block (issue 15; config/variables.toml
[staging]; warehouse/ranking.py, warehouse/reconcile.py) on the real embedded files.

Independent numbers: the NBS database values printed in the NBS export files themselves
(Beijing GDP 2001 = 3 861.5 亿元, Hainan imports 2017 = 6 008 149 千美元 = 60.08 亿美元), and
the 2017 CNY/US$ rate 6.7588 (PWT 10.01 xr)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cbec.errors import ValidationFailed
from tasks.validate import validate_stage
from tests.conftest import embedded_records
from warehouse import staging
from warehouse.ranking import vintage_key

ROOT = Path(__file__).resolve().parent.parent
TRADE = "nbs_prov_2000_2019/对外经济贸易/按经营单位所在地分货物进出口总额.csv"


def _records(*suffixes: str) -> pl.DataFrame:
    return embedded_records(*suffixes)


@pytest.fixture(scope="module")
def staged(embedded_staged) -> tuple[pl.DataFrame, pl.DataFrame]:
    return embedded_staged


def _cell(panel: pl.DataFrame, variable: str, code: str, year: int) -> dict:
    rows = panel.filter(
        (pl.col("variable") == variable)
        & (pl.col("region_code") == code)
        & (pl.col("year") == year)
    )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_official_database_beats_the_compilation(staged) -> None:
    panel, conflicts = staged
    bj = _cell(panel, "gdp", "11", 2001)
    assert bj["value"] == pytest.approx(3861.5, rel=1e-3)  # NBS, not the compilation's 2 817.57
    assert bj["source"] == "nbs_prov_2000_2019" and bj["source_rank"] == 2
    assert "best-ranked" in bj["choice"]
    lost = conflicts.filter(
        (pl.col("variable") == "gdp") & (pl.col("region_code") == "11") & (pl.col("year") == 2001)
    )
    assert lost["status"].to_list() == ["lower_rank"]
    assert lost["other_value"][0] == pytest.approx(2817.57, rel=1e-4)
    nm = _cell(panel, "gdp", "15", 2013)  # the compilation says 16 832
    assert nm["value"] == pytest.approx(11392, rel=1e-3) and nm["source"].startswith("nbs_")
    assert _cell(panel, "gdp", "42", 2001)["value"] == pytest.approx(3881, rel=1e-3)  # not 4 662


def test_newest_vintage_only_within_one_family(staged) -> None:
    panel, conflicts = staged
    zj = _cell(panel, "gdp", "33", 2020)
    assert zj["value"] == pytest.approx(67164.5, rel=1e-6)  # the 2025 NBS export, not 64 613.3
    same_family = conflicts.filter(pl.col("status") == "superseded_vintage")
    assert set(same_family["other_source"]) <= {"nbs_prov_2000_2019", "nbs_exports_2016_2024"}
    assert vintage_key("2026-3") < vintage_key("2026-10") < vintage_key("2026-10-02")


def test_currency_unit_errors_in_the_compilation_are_blocked(staged) -> None:
    panel, conflicts = staged
    hi = _cell(panel, "imports", "46", 2017)
    assert hi["value"] == pytest.approx(60.08149, rel=0.01)
    blocked = conflicts.filter(
        (pl.col("status") == "blocked") & (pl.col("check") == "currency_unit")
    )
    assert blocked.height >= 1
    assert blocked["reason"].str.contains("RMB stored as US\\$").all()
    assert blocked["reason"].str.contains(r"line \d+").all()  # names file and line


def test_every_staged_trade_cell_adds_up(staged) -> None:
    panel, _ = staged
    w = (
        panel.filter(pl.col("variable").is_in(["exports", "imports", "trade_total"]))
        .pivot(on="variable", index=["region_code", "year"], values="value")
        .drop_nulls()
    )
    gap = (w["exports"] + w["imports"] - w["trade_total"]).abs()
    ok = (gap <= 0.02 * w["trade_total"]) | (gap <= 0.2)
    assert w.height > 600 and ok.all(), w.filter(~ok)


def test_nothing_unresolved_in_the_embedded_data(staged) -> None:
    _, conflicts = staged
    assert conflicts.filter(pl.col("status") == "unresolved").is_empty()
    ex = conflicts.filter(pl.col("status") == "excluded")
    assert ex.height and ex["reason"].is_not_null().all()


def _user_trade_records(value_factor: float) -> pl.DataFrame:
    """The NBS trade file plus a user-added copy of Hainan imports 2017 × value_factor."""
    nbs = _records(TRADE)
    hi = nbs.filter(
        (pl.col("region_code") == "46")
        & (pl.col("year") == 2017)
        & (pl.col("indicator") == "经营单位所在地进口总额")
    )
    user = hi.with_columns(
        pl.col("value") * value_factor,
        pl.lit("user:hainan_customs.csv").alias("source_name"),
        pl.lit("hainan_customs.csv").alias("source_file"),
        pl.lit("2026-03").alias("vintage"),
        pl.lit(7).alias("line_no"),
    )
    return pl.concat([nbs, user], how="diagonal_relaxed")


def test_user_file_with_cny_in_a_usd_column_falls_back_to_nbs() -> None:
    panel, conflicts = staging.build_panel(_user_trade_records(6.7588))
    hi = _cell(panel, "imports", "46", 2017)
    assert hi["source"] == "nbs_prov_2000_2019"
    assert hi["value"] == pytest.approx(60.08149, rel=1e-6)
    assert "fallback_source" in hi["quality"] and hi["choice"].startswith("fallback")
    row = conflicts.filter(pl.col("other_source") == "user:hainan_customs.csv").row(0, named=True)
    assert row["status"] == "blocked" and row["check"] == "currency_unit"
    assert "hainan_customs.csv, line 7" in row["reason"] and "60.0815" in row["reason"]


def test_user_file_ten_times_too_large_is_blocked_by_the_official_check() -> None:
    panel, conflicts = staging.build_panel(_user_trade_records(10.0))
    assert _cell(panel, "imports", "46", 2017)["source"] == "nbs_prov_2000_2019"
    row = conflicts.filter(pl.col("other_source") == "user:hainan_customs.csv").row(0, named=True)
    assert row["status"] == "blocked" and row["check"] in {"currency_unit", "official_difference"}


def test_user_revision_within_tolerance_wins() -> None:
    panel, _ = staging.build_panel(_user_trade_records(1.04))
    hi = _cell(panel, "imports", "46", 2017)
    assert hi["source"] == "user:hainan_customs.csv"
    assert hi["value"] == pytest.approx(60.08149 * 1.04, rel=1e-6)


def test_unresolved_cell_fails_the_staging_gate() -> None:
    """A blocked value with no other source left: critical, naming file, line and reason."""
    recs = _user_trade_records(1.0).filter(pl.col("source_name").str.starts_with("user:"))
    total = recs.with_columns(
        pl.lit("经营单位所在地进出口总额").alias("indicator"), pl.col("value") * 0 + 1e5
    )
    exports = recs.with_columns(pl.lit("经营单位所在地出口总额").alias("indicator"))
    panel, conflicts = staging.build_panel(pl.concat([recs, total, exports]))
    assert set(conflicts["status"]) == {"unresolved"}
    with pytest.raises(ValidationFailed) as err:
        validate_stage.fn({"panel": panel, "conflicts": conflicts}, "staging", None, None)
    text = str(err.value)
    assert "reconciliation" in text and "hainan_customs.csv" in text and "line 7" in text


def test_every_staged_source_is_ranked() -> None:
    """A source outside every family would rank last silently: each configured source that
    reaches staging belongs to a family of config/variables.toml [staging]."""
    import tomllib

    from warehouse.ranking import source_table

    cfg = tomllib.loads((ROOT / "config" / "sources.toml").read_text(encoding="utf-8"))
    staged = [n for n, s in cfg["sources"].items() if s.get("reader") != "series_long"]
    table = source_table(staged + ["user:new_export.csv"], staging.load_variables()["staging"])
    assert table.filter(pl.col("family") == "unranked").is_empty(), table
    ranks = dict(zip(table["source"], table["family_rank"], strict=True))
    assert (
        ranks["user:new_export.csv"]
        < ranks["nbs_exports_2016_2024"]
        < ranks["cn_prov_macro_1949_2022"]
    )
    assert ranks["nbs_prov_2000_2019"] == ranks["nbs_exports_2016_2024"]  # one family, by vintage
