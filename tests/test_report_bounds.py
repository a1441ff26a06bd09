"""The report in headless Chromium (issue 17, deliver 5): the province maps are present, no legend
or other drawn element lies outside its SVG (an SVG clips it: the issue's "legends cut off"),
the page stays under 3 MB and failed co-evolution fits are summarised, not dumped. A control
shows the in-page probe catching a clipped legend."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.test_report_html import chromium, needs_chromium


@pytest.fixture(scope="module")
def real_report(published_db, tmp_path_factory) -> Path:
    from cbec.report import write_report

    out = tmp_path_factory.mktemp("report-bounds") / "report.html"
    write_report(published_db, None, out)
    return out


# Run in the page: for every chart, is each drawn element inside its <svg>'s box? (an SVG clips
# what lies outside — the "legends cut off"). Writes the result to <body data-bounds>.
BOUNDS_JS = """<script>
window.addEventListener('load', function(){
  var out = [], n = 0, svgs = document.querySelectorAll('svg.chart');
  for (var i = 0; i < svgs.length; i++) {
    var s = svgs[i], r = s.getBoundingClientRect();
    var els = s.querySelectorAll('text, rect, path, line, polyline, circle');
    for (var j = 0; j < els.length; j++) {
      var e = els[j];
      if (e.closest('defs')) continue;
      var b = e.getBoundingClientRect();
      if (b.width === 0 && b.height === 0) continue;
      n++;
      if (b.left < r.left - 1 || b.top < r.top - 1 || b.right > r.right + 1 ||
          b.bottom > r.bottom + 1) {
        var f = s.closest('figure'), h = f && f.querySelector('h3');
        out.push((h ? h.textContent : '?') + ': <' + e.tagName + '> ' +
                 (e.textContent || '').slice(0, 40));
      }
    }
  }
  document.body.setAttribute('data-bounds', JSON.stringify({
    svgs: svgs.length, maps: document.querySelectorAll('svg.map').length,
    legends: document.querySelectorAll('svg.chart g.legend').length, checked: n,
    outside: out, height: document.documentElement.scrollHeight}));
});
</script>"""


def bounds_in_chromium(page: Path, tmp: Path) -> dict:
    """BOUNDS_JS's verdict on a copy of `page` opened in headless Chromium (1280 px wide)."""
    from html import unescape

    probe = tmp / f"probe-{page.name}"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", BOUNDS_JS + "</body>"),
                     encoding="utf-8")  # fmt: skip
    dom = chromium(["--window-size=1280,1000", "--dump-dom"], probe.as_uri(), tmp)
    m = re.search(r'data-bounds="([^"]*)"', dom)
    assert m, "the bounds probe did not run"
    return json.loads(unescape(m.group(1)))


@needs_chromium
def test_report_maps_and_legends_in_chromium(real_report, tmp_path):
    """Issue 17: province maps present, no legend (or any drawn element) outside its SVG, the page
    under 3 MB, and failed co-evolution fits summarised rather than dumped."""
    size = real_report.stat().st_size
    assert size < 3_000_000, size
    b = bounds_in_chromium(real_report, tmp_path)
    assert b["outside"] == [], b["outside"][:10]
    assert b["checked"] > 3000 and b["svgs"] >= 20
    # efficiency, Malmquist, GDP per capita, composite, coupling D, synergy
    assert b["maps"] >= 6 and b["legends"] >= b["maps"], b
    html = real_report.read_text(encoding="utf-8")
    for title in ("DEA efficiency score, ", "Real GDP per capita, ",
                  "Coupling coordination degree D, ", "geometric mean per province"):  # fmt: skip
        assert title in html, title
    i = html.index('<section id="coevolution">')
    coev = html[i : html.index("</section>", i)]
    assert "Not identified (" in coev and "Identified fits (" in coev
    # the maps carry the rows' quality flags (compilation sources, splices, imputations)
    assert "Quality flags on the mapped rows (tooltips, CSV): compilation" in html
    assert coev.count("<tr>") < 120  # was 124 fit rows × 69 columns
    print(f"report: {size / 1e6:.2f} MB, {b['height']} px tall at 1280 px, {b['svgs']} charts "
          f"({b['maps']} maps), {b['checked']} drawn elements inside their SVGs")  # fmt: skip


@needs_chromium
def test_bounds_probe_catches_a_clipped_legend(tmp_path):
    """Control for the check above: a legend drawn past the SVG's right edge is reported."""
    page = tmp_path / "clipped.html"
    page.write_text(
        '<html><body><figure><h3>clipped</h3><svg class="chart" width="200" height="60">'
        '<g class="legend"><rect x="10" y="10" width="20" height="10"/>'
        '<text x="150" y="20" font-size="12">a legend label far too long</text></g>'
        "</svg></figure></body></html>"
    )
    b = bounds_in_chromium(page, tmp_path)
    assert b["outside"] == ["clipped: <text> a legend label far too long"], b
