"""The data that extends the indicator system to 2024 (issue 15), staged from the embedded files
exactly as the refresh does: resident population 2015–2024 (NBS), the CBEC comprehensive pilot
zones (compiled list of State Council replies) and the enterprise e-commerce / broadband
extract 2020–2024. Numbers are pinned to the files' own PROVENANCE checks, which compare them
with independently published totals (national population, MOFCOM/Xinhua zone counts, MIIT
broadband subscribers)."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from cbec.paths import data_dir
from warehouse.provinces import province_code


@pytest.fixture(scope="module")
def panel(embedded_staged):
    return embedded_staged[0]


def _cell(panel, variable, code, year):
    r = panel.filter(
        pl.col("variable") == variable, pl.col("region_code") == code, pl.col("year") == year
    )
    assert r.height == 1, (variable, code, year)
    return r.row(0, named=True)


def _national(panel, variable):
    s = (
        panel.filter(pl.col("variable") == variable)
        .group_by("year")
        .agg(pl.col("value").sum(), pl.len().alias("n"))
    )
    return {y: (v, n) for y, v, n in s.iter_rows()}


# ------------------------------------------------------------------ resident population
def test_resident_population_2015_2024_is_the_revised_nbs_series(panel):
    # NBS 年末常住人口 (post-7th-census revision), values of the file
    assert _cell(panel, "population", "11", 2019)["value"] == 2190  # pre-revision file: 2154
    assert _cell(panel, "population", "44", 2020)["value"] == 12624  # census-benchmarked
    assert _cell(panel, "population", "42", 2020)["value"] == 5745
    assert _cell(panel, "population", "54", 2015)["value"] == 330
    for y in range(2015, 2024):
        assert _cell(panel, "population", "44", y)["source"] == "nbs_resident_pop_2015_2024"
    nat = _national(panel, "population")
    # Σ31 = national year-end population (141 212 / 140 967 / 140 828 万) minus ≈ 200 万
    # servicemen counted only nationally (PROVENANCE)
    assert nat[2020] == (141013, 31) and nat[2023] == (140767, 31) and nat[2024] == (140628, 31)
    assert all(nat[y][1] == 31 for y in range(2000, 2025))  # per-capita values reach 2024


# ------------------------------------------------------------------ pilot zones
BATCH_SIZES = [1, 12, 22, 24, 46, 27, 33]
CUMULATIVE = [1, 13, 35, 59, 105, 132, 165]  # MOFCOM / Xinhua counts after each batch


def _compiled():
    path = data_dir() / "cbec_pilot_zones_2015_2022" / "COMPILED_cbec_pilot_zones_165.csv"
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_compiled_list_matches_the_published_batch_counts():
    rows = _compiled()
    sizes = [sum(1 for r in rows if int(r["batch"]) == b) for b in range(1, 8)]
    assert sizes == BATCH_SIZES
    cum = [sum(sizes[: i + 1]) for i in range(7)]
    assert cum == CUMULATIVE
    assert len({province_code(r["province"]) for r in rows}) == 31  # "覆盖31个省区市"


def test_staged_pilot_zones_national_counts_and_provinces(panel):
    nat = _national(panel, "cbec_pilot_zones")
    # year-end counts: batches 1 (2015), 2 (2016), 3 (2018), 4 (2019), 5 (2020), 6 + 7 (2022)
    want = {2014: 0, 2015: 1, 2016: 13, 2017: 13, 2018: 35, 2019: 59, 2020: 105, 2021: 105,
            2022: 165, 2023: 165, 2024: 165}  # fmt: skip
    assert {y: nat[y][0] for y in want} == want
    assert all(nat[y][1] == 31 for y in want)
    new = _national(panel, "cbec_pilot_zones_new")
    assert new[2022][0] == 27 + 33 and new[2020][0] == 46
    # MOFCOM (Feb 2022): Guangdong, Jiangsu fully covered (21, 13 prefecture cities); Zhejiang
    # 11 cities + Yiwu; Tibet only from batch 7 (Lhasa)
    assert _cell(panel, "cbec_pilot_zones", "44", 2022)["value"] == 21
    assert _cell(panel, "cbec_pilot_zones", "32", 2022)["value"] == 13
    assert _cell(panel, "cbec_pilot_zones", "33", 2022)["value"] == 12
    assert _cell(panel, "cbec_pilot_zones", "33", 2015)["value"] == 1  # Hangzhou, batch 1
    assert _cell(panel, "cbec_pilot_zones", "54", 2021)["value"] == 0
    assert _cell(panel, "cbec_pilot_zones", "54", 2022)["value"] == 1


def test_derived_province_years_equal_the_compiled_list(panel):
    rows = _compiled()
    staged = panel.filter(pl.col("variable") == "cbec_pilot_zones")
    for code, year, value in staged.select("region_code", "year", "value").iter_rows():
        n = sum(1 for r in rows
                if province_code(r["province"]) == code and int(r["approval_year"]) <= year)  # fmt: skip
        assert value == n, (code, year)


# ------------------------------------------------------------------ e-commerce, broadband
def test_ecommerce_and_broadband_2020_2024_mapping(panel):
    row = _cell(panel, "ec_sales", "11", 2020)
    assert row["value"] == pytest.approx(25831.8) and row["unit"] == "亿元"
    assert row["source"] == "nbs_ecommerce_internet_2020_2024"
    assert _cell(panel, "ec_sales", "11", 2019)["source"] == "nbs_prov_2000_2019"
    assert _cell(panel, "ec_purchases", "11", 2024)["value"] == pytest.approx(
        float(_file_value("北京", 2024, "ec_purchases_100m_yuan"))
    )
    nat = _national(panel, "broadband_users")
    # = MIIT/NBS national fixed-broadband subscribers 4.84, 5.36, 5.90, 6.36, 6.70 亿户
    for y, v in {2020: 48354.9, 2021: 53578.4, 2022: 58964.9, 2023: 63630.8,
                 2024: 66982.8}.items():  # fmt: skip
        assert nat[y][0] == pytest.approx(v, abs=0.05) and nat[y][1] == 31
    share = _national(panel, "ec_firm_share")
    assert 2024 not in share and share[2023][1] == 31  # not published for 2024 (left out)


def _file_value(province: str, year: int, column: str) -> str:
    path = data_dir() / "nbs_prov_ecommerce_internet_2020_2024" / "ecommerce_internet_2020_2024.csv"
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["province"] == province and int(r["year"]) == year:
                return r[column]
    raise KeyError((province, year))
