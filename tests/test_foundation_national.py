"""National anchor series (data/national_cbec_express_anchors): read by the series_long reader
into raw.national_series (region 00), validated by their own suite, never staged."""

from __future__ import annotations

import pytest

from cbec.errors import InputError
from tests.conftest import DATA
from warehouse.readers import detect_reader, read_source

ANCHORS = DATA / "national_cbec_express_anchors" / "national_anchors.csv"


def test_reader_on_the_shipped_anchors():
    t = read_source(ANCHORS, reader="series_long", options={"growth": "yoy_growth_pct"},
                    display="national_anchors.csv")  # fmt: skip
    assert t.kind == "national_series"
    r = t.records
    assert set(r["region_code"].to_list()) == {"00"}
    row = {
        (i, y, m): v for i, y, m, v in r.select("indicator", "year", "month", "value").iter_rows()
    }
    assert row[("cbec_import_export", 2024, 6)] == pytest.approx(1.22)  # 2024H1, cumulative
    assert row[("cbec_import_export", 2024, None)] == pytest.approx(2.63)
    assert row[("cbec_import_export_yoy", 2024, None)] == pytest.approx(10.8)
    assert row[("express_volume", 2023, None)] == pytest.approx(1320.7)
    # the regional express volumes add up to the national total (PROVENANCE check)
    parts = sum(row[(f"express_volume_{k}", 2023, None)] for k in ("east", "central", "west"))
    assert parts == pytest.approx(1320.7)
    assert detect_reader(ANCHORS) == "series_long"


def test_bad_period_names_file_and_line(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("series,period,value,unit\nx,2023,1,u\nx,2023M13,2,u\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"invalid period '2023M13'") as e:
        read_source(f, reader="series_long", display="bad.csv")
    assert e.value.line == 3


def test_refresh_loads_anchors_into_raw_but_not_staging(published_db):
    from warehouse.db import connect

    con = connect(published_db)
    try:
        n = con.execute("SELECT count(*) FROM raw.national_series").fetchall()[0][0]
        staged = con.execute(
            "SELECT count(*) FROM staging.panel WHERE region_code = '00'"
        ).fetchall()[0][0]
        files = con.execute(
            "SELECT reader FROM raw.files WHERE source_name = 'national_anchors'"
        ).fetchall()
    finally:
        con.close()
    assert n == 29 and staged == 0 and files == [("national_series",)]
