"""Labour = total employed persons with the 2019→2020 break spliced and 2022 interpolated
(METHODS §3.1), the DEA panel's window and proxy flags (transforms/), on hand-made panels with
hand-computed values, and on the real yearbook table (issue 15)."""

from __future__ import annotations

import math

import polars as pl
import pytest

from transforms.dea_panel import balanced_window, dea_panel
from transforms.labour import employment


def _panel(rows: list[tuple[str, int, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"region_code": c, "year": y, "variable": v, "value": x, "source": "s",
             "quality": ["compilation"] if v == "emp_total_3sector" else []}
            for c, y, v, x in rows
        ],
        schema_overrides={"quality": pl.List(pl.Utf8)},
    )  # fmt: skip


OLD = [("11", 2018, "emp_total_3sector", 95.0), ("11", 2019, "emp_total_3sector", 100.0)]
NEW = [
    ("11", 2020, "emp_total_3sector", 90.0),
    ("11", 2021, "emp_total_3sector", 81.0),
    ("11", 2023, "emp_total_csy", 100.0),
    ("11", 2024, "emp_total_csy", 101.0),
]


def test_ratio_splice_and_interpolated_gap() -> None:
    e = employment(_panel(OLD + NEW), {"series": "total", "splice": "ratio"})
    got = dict(zip(e["year"].to_list(), e["employment"].to_list(), strict=True))
    assert got[2018] == pytest.approx(95.0 * 90.0 / 100.0)  # 85.5: old × L2020 / L2019
    assert got[2019] == pytest.approx(90.0)
    assert got[2020] == 90.0 and got[2021] == 81.0 and got[2024] == 101.0
    assert got[2022] == pytest.approx(math.sqrt(81.0 * 100.0))  # log-linear: 90.0
    flags = dict(zip(e["year"].to_list(), e["quality"].to_list(), strict=True))
    assert "spliced" in flags[2018] and "spliced" not in flags[2020]
    assert "interpolated" in flags[2022] and "compilation" in flags[2021]
    series = dict(zip(e["year"].to_list(), e["employment_series"].to_list(), strict=True))
    assert series[2023].endswith("table 4-3") and "census-benchmarked" in series[2020]
    assert "spliced" in series[2019] and "interpolated" in series[2022]


def test_no_splice_keeps_the_published_levels() -> None:
    e = employment(_panel(OLD + NEW), {"series": "total", "splice": "none"})
    got = dict(zip(e["year"].to_list(), e["employment"].to_list(), strict=True))
    assert got[2018] == 95.0 and got[2019] == 100.0


def test_urban_proxy_is_flagged() -> None:
    rows = [("11", 2015, v, 10.0) for v in ("emp_urban_units", "emp_private", "emp_individual")]
    e = employment(_panel(rows), {"series": "urban_proxy", "proxy": ["emp_urban_units", "emp_private", "emp_individual"]})  # fmt: skip
    assert e["employment"].to_list() == [30.0]
    assert "proxy:urban_employment" in e["quality"][0]
    assert e["employment_series"][0].startswith("proxy:")


def test_real_yearbook_table_reaches_labour() -> None:
    """CSY-2025 table 4-3 through reader, mapping and transform: the 31 provinces add up to the
    printed national row (73 439 万人) and Beijing is 1 118 万人."""
    from tests.test_credible_staging import _records
    from warehouse import staging

    panel, _ = staging.build_panel(_records("TRANSCRIBED_csy2025_table4-3_2024.csv"))
    e = employment(panel, {"series": "total", "splice": "ratio"})
    assert e.height == 31
    national = 73439.0  # the printed 全国 row of the same table
    assert e["employment"].sum() == pytest.approx(national, abs=0.5)
    assert e.filter(pl.col("region_code") == "11")["employment"][0] == 1118.0


def test_balanced_window_takes_most_observations() -> None:
    rows = [{"region_code": c, "year": y} for c in ("a", "b", "c") for y in range(2012, 2020)]
    rows += [{"region_code": "a", "year": y} for y in range(2000, 2012)]  # one province longer
    w = balanced_window(pl.DataFrame(rows))
    assert w == (2012, 2019, ["a", "b", "c"])  # 24 obs beat a's 20 alone


def test_proxy_input_flags_every_row() -> None:
    k = pl.DataFrame({"region_code": ["11", "12"], "year": [2015, 2015], "capital_stock": [1.0, 2.0],
                      "quality": [[], []]}, schema_overrides={"quality": pl.List(pl.Utf8)})  # fmt: skip
    lab = k.rename({"capital_stock": "labour"})
    y = k.rename({"capital_stock": "real_gdp"})
    panel = _panel([("11", 2015, "express_volume", 5.0), ("12", 2015, "express_volume", 6.0)])
    spec = {"inputs": ["capital_stock", "labour", "express_volume"], "outputs": ["real_gdp"],
            "proxies": {"express_volume": "CBEC consumption"}}  # fmt: skip
    dp = dea_panel({"capital_stock": k, "labour": lab, "real_gdp": y}, panel, spec)
    assert dp.height == 2 and all("proxy:express_volume" in q for q in dp["quality"].to_list())
    spec["inputs"] = ["capital_stock", "labour"]
    dp = dea_panel({"capital_stock": k, "labour": lab, "real_gdp": y}, panel, spec)
    assert not any(q for q in dp["quality"].to_list())
