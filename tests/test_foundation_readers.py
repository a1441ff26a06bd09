"""Readers on the real embedded files and on small files built here (both data.stats.gov.cn
layouts, GBK and UTF-8-BOM, long tables, xlsx, customs exports), plus staging rules."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cbec.errors import InputError
from warehouse import ingest, staging
from warehouse.provinces import province_code
from warehouse.readers import read_source

DATA = Path(__file__).resolve().parent.parent / "data"
CODES = [
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
]


@pytest.mark.parametrize(
    "name,code",
    [
        ("北京市", "11"),
        ("北京", "11"),
        ("Beijing", "11"),
        ("内蒙古自治区", "15"),
        ("内蒙古", "15"),
        ("11", "11"),
        ("110000", "11"),
        ("110000000000", "11"),
        ("北  京", "11"),
        ("neimenggu", "15"),
        ("shaanxi", "61"),
        ("Shanxi", "14"),
        ("Inner Mongolia", "15"),
        ("Tibet", "54"),
        ("广西壮族自治区", "45"),
        (650000, "65"),
    ],
)
def test_province_names_map_to_gb2260(name, code):
    assert province_code(name) == code


def test_unknown_province_names_file_line_and_name(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text(
        "省份编码,省份,年份,快递量(万件)\n110000,北京市,2019,1\n999999,北平,2019,2\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"x\.csv, line 3: unknown province name '999999'"):
        read_source(f)


def _express_2019() -> float:
    t = read_source(DATA / "nbs_prov_2000_2019" / "运输和邮电" / "快递业务量.csv")
    df = t.records.filter((pl.col("indicator") == "快递量") & (pl.col("year") == 2019))
    assert df["region_code"].n_unique() == 31
    return df["value"].sum()


def test_real_express_volume_2019_sums_to_spb_total():
    # State Post Bureau 2019: 635.2 亿件 (= 6,352,291 万件 over 31 provinces)
    assert _express_2019() / 1e4 == pytest.approx(635.2, abs=0.05)


def test_real_customs_trade_2019_sums_to_national_total():
    # GACC 2019 total trade US$ 4,578 bn (±0.1%)
    t = read_source(
        DATA / "nbs_prov_2000_2019" / "对外经济贸易" / "按经营单位所在地分货物进出口总额.csv"
    )
    df = t.records.filter(
        (pl.col("year") == 2019)
        & pl.col("indicator").is_in(["经营单位所在地进口总额", "经营单位所在地出口总额"])
    )
    total_bn = df["value"].sum() * 1e3 / 1e9  # 千美元 → bn USD
    assert total_bn == pytest.approx(4578, rel=1e-3)


def test_export_layout_a_gbk_with_units_and_footnotes(tmp_path):
    rows = [
        "数据库：分省年度数据 ",
        "时间：2019年 ",
        "地区\t,地区生产总值 (亿元) \t,人均地区生产总值 (元/人) \t,",
    ]
    rows += [f"{n}\t,{100 + i}.5\t,{1000 + i}\t," for i, n in enumerate(CODES)]
    rows += ["注：1. 按照我国国民经济核算数据修订制度……", "数据来源：国家统计局"]
    f = tmp_path / "a.csv"
    f.write_bytes("\n".join(rows).encode("gbk"))
    t = read_source(f)
    assert t.kind == "nbs_export"
    r = t.records
    assert r.height == 62 and set(r["year"]) == {2019}
    assert set(zip(r["indicator"], r["unit"], strict=True)) == {
        ("地区生产总值", "亿元"),
        ("人均地区生产总值", "元/人"),
    }
    zj = r.filter((pl.col("region_code") == "33") & (pl.col("indicator") == "地区生产总值"))
    assert zj["value"][0] == 110.5 and zj["line_no"][0] == 14


def test_export_layout_b_years_as_columns_utf8_bom(tmp_path):
    rows = [
        "数据库：分省年度数据",
        "指标：地区生产总值指数(上年=100)",
        "时间：2016年-2017年",
        "地区,2017年,2016年,",
    ]
    rows += [f"{n},10{i % 9}.1,10{i % 7}.2," for i, n in enumerate(CODES)]
    rows += ["数据来源：国家统计局"]
    f = tmp_path / "b.csv"
    f.write_bytes("\ufeff".encode() + "\n".join(rows).encode("utf-8"))
    r = read_source(f).records
    assert set(r["year"]) == {2016, 2017}
    assert set(r["indicator"]) == {"地区生产总值指数"} and set(r["unit"]) == {"上年=100"}


def test_xlsx_yearbook_table_with_merged_year_header(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([None, "2019年", None, "2020年", None])
    ws.append([None, "GDP(亿元)", "人均GDP(元)", "GDP(亿元)", "人均GDP(元)"])
    ws.append(["北京市", "35371.3", "164220", "36102.6", "--"])
    ws.append(["浙江", 62351.7, 107624, 64613.3, 100620])
    f = tmp_path / "t.xlsx"
    wb.save(f)
    r = read_source(f).records
    assert r.height == 8
    zj = r.filter(
        (pl.col("region_code") == "33") & (pl.col("year") == 2020) & (pl.col("indicator") == "GDP")
    )
    assert zj["value"][0] == 64613.3 and zj["unit"][0] == "亿元"
    assert r.filter(pl.col("value").is_null()).height == 1  # '--' is the documented missing marker


def test_customs_monthly_export_with_trade_modes(tmp_path):
    lines = ["数据年月,贸易方式编码,贸易方式名称,注册地编码,注册地名称,进出口,美元,人民币"]
    for m in range(1, 13):
        lines.append(f"2023{m:02d},9610,电子商务,33,浙江省,出口,{100 * m},{700 * m}")
        lines.append(f"2023{m:02d},0110,一般贸易,33,浙江省,出口,1000,7000")
    f = tmp_path / "customs.csv"
    f.write_text("\n".join(lines), encoding="utf-8")
    t = read_source(f)
    assert t.kind == "customs"
    r = t.records
    assert set(r["trade_mode"]) == {"9610", "0110"} and set(r["currency"]) == {"USD", "CNY"}
    recs = r.with_columns(pl.lit("user").alias("source_name"), pl.lit("2024").alias("vintage"))
    panel, _ = staging.build_panel(recs)
    get = {
        v: panel.filter(pl.col("variable") == v)["value"][0]
        for v in ("exports", "cbec_customs_exports")
    }
    assert get["exports"] == pytest.approx((sum(100 * m for m in range(1, 13)) + 12000) / 1e8)
    assert get["cbec_customs_exports"] == pytest.approx(sum(100 * m for m in range(1, 13)) / 1e8)


def test_customs_unknown_trade_mode_is_an_error(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text(
        "年度,贸易方式,经营单位所在地,流向,金额(千美元)\n2023,9999 新方式,浙江,出口,5\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"c\.csv, line 2: unknown trade-mode code '9999'"):
        read_source(f)


def test_zhejiang_2020_gdp_two_vintages_and_the_rule(tmp_path):
    """64,613.3 (1949–2022 compilation, vintage 2024-02) and 67,164.5 (2025 export): both load;
    the newest-vintage rule picks 67,164.5 and staging.conflicts records the other."""
    files = ingest.discover()
    wanted = [f for f in files if f.display.endswith(("prov_1.xlsx", "分省年度数据2020.csv"))]
    recs = []
    for sf in wanted:
        t = read_source(sf.path, reader=sf.reader, options=sf.options, display=sf.display)
        recs.append(
            t.records.with_columns(
                pl.lit(sf.source_name).alias("source_name"), pl.lit(sf.vintage).alias("vintage")
            ).drop("region_raw", "value_raw", "line_no")
        )
    panel, conflicts = staging.build_panel(pl.concat(recs, how="vertical_relaxed"))
    cell = panel.filter(
        (pl.col("variable") == "gdp") & (pl.col("region_code") == "33") & (pl.col("year") == 2020)
    )
    assert cell["value"][0] == pytest.approx(67164.5) and cell["vintage"][0] == "2025"
    c = conflicts.filter(
        (pl.col("variable") == "gdp") & (pl.col("region_code") == "33") & (pl.col("year") == 2020)
    )
    assert c["other_value"][0] == pytest.approx(64613.3) and c["other_vintage"][0] == "2024-02"


def test_loading_the_same_file_twice_is_a_noop(tmp_path):
    db = tmp_path / "w.duckdb"
    files = [f for f in ingest.discover() if f.display.endswith("快递业务量.csv")]
    first = ingest.read_new(files, ingest.loaded_shas(db))
    assert ingest.insert_raw(db, first)
    again = ingest.read_new(files, ingest.loaded_shas(db))
    assert again == [] and ingest.insert_raw(db, again) == {}
    from warehouse.db import connect

    con = connect(db)
    n = con.execute("SELECT count(*) FROM raw.files").fetchall()[0][0]
    con.close()
    assert n == 1
