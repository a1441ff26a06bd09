"""The offline HTML report: rendered from a real warehouse (the session's published refresh run),
opened in headless Chromium with networking disabled; charts must draw, the page must make no
network request, every chart has a caption and a CSV download. A second run carrying every
analysis table (synthetic numbers, real provinces and years) checks that each section draws."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from tests.report_synthetic import synthetic_tables

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
# .ci/run sets CBEC_REQUIRE_CHROMIUM=1: there a missing chromium fails the browser tests
REQUIRE_CHROMIUM = os.environ.get("CBEC_REQUIRE_CHROMIUM") == "1"
NO_CHROMIUM = "Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)"
needs_chromium = pytest.mark.skipif(CHROMIUM is None and not REQUIRE_CHROMIUM, reason=NO_CHROMIUM)
SHAPES = ("rect", "polyline", "circle", "line", "path", "polygon")


# ------------------------------------------------------------------------------ helpers


def chromium(args: list[str], url: str, tmp: Path, net_log: Path | None = None) -> str:
    """Run headless Chromium with networking disabled and a fresh profile; return stdout."""
    if CHROMIUM is None:
        pytest.fail(f"CBEC_REQUIRE_CHROMIUM=1 but {NO_CHROMIUM}")
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-default-apps",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        "--virtual-time-budget=5000",
    ]
    if net_log:
        cmd.append(f"--log-net-log={net_log}")
    res = subprocess.run(
        [*cmd, *args, url], capture_output=True, text=True, timeout=120, check=False
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def page_requests(net_log: Path) -> list[tuple[str, str]]:
    """URL requests made on behalf of a page (not Chromium's own background fetches, whose
    initiator is 'not an origin'): (initiator, url)."""
    text = net_log.read_text()
    try:
        log = json.loads(text)
    except ValueError:  # log not closed cleanly
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    out = []
    for e in log["events"]:
        p = e.get("params") or {}
        if types.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p:
            if p.get("initiator") != "not an origin":
                out.append((p.get("initiator"), p["url"]))
    return out


class _Dom(HTMLParser):
    """Per <figure>: its section, the shapes inside its <svg>, caption text, CSV link href."""

    def __init__(self):
        super().__init__()
        self.figures: list[dict] = []
        self.cur: dict | None = None
        self.in_caption = False
        self.body_attrs: dict = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body_attrs = a
        if tag == "figure":
            self.cur = {"section": a.get("data-section"), "shapes": 0, "svg": 0, "caption": ""}
            self.figures.append(self.cur)
        elif self.cur is not None:
            if tag == "svg":
                self.cur["svg"] += 1
            elif tag in SHAPES:
                self.cur["shapes"] += 1
            elif tag == "figcaption":
                self.in_caption = True
            elif tag == "a" and "csv" in (a.get("class") or ""):
                self.cur["href"] = a.get("href")
                self.cur["download"] = a.get("download")

    def handle_endtag(self, tag):
        if tag == "figure":
            self.cur = None
        if tag == "figcaption":
            self.in_caption = False

    def handle_data(self, data):
        if self.in_caption and self.cur is not None:
            self.cur["caption"] += data


def parse(html: str) -> _Dom:
    d = _Dom()
    d.feed(html)
    return d


def assert_self_contained(html: str) -> None:
    assert not re.search(r"https?://", html, re.I), re.search(r".{40}https?://.{40}", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert not re.search(r"<(img|iframe|embed|object|audio|video|source)\b", html, re.I)
    # CSS/SVG url(…) other than a same-page fragment (the maps' url(#nodata) hatch); JS
    # URL.createObjectURL is fine
    assert not re.search(r"@import|\burl\((?!#)", html)
    assert not re.search(r"//[a-z0-9.-]+\.(com|org|net|cn|io)\b", html, re.I)


def sections_with_charts(dom: _Dom) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in dom.figures:
        if f["svg"] and f["shapes"] > 0:
            out[f["section"]] = out.get(f["section"], 0) + 1
    return out


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def real_report(published_db, tmp_path_factory) -> Path:
    from cbec.report import write_report

    out = tmp_path_factory.mktemp("report") / "report.html"
    write_report(published_db, None, out)
    return out


@pytest.fixture(scope="module")
def full_report(published_db, tmp_path_factory) -> Path:
    """A copy of the warehouse with one more run holding the real production tables plus every
    analysis table (synthetic values)."""
    from cbec.report import write_report
    from warehouse import run_results as R
    from warehouse import store

    tmp = tmp_path_factory.mktemp("full")
    db = tmp / "cbec.duckdb"
    shutil.copy(published_db, db)
    con = R.open_read_only(db)
    try:
        run = R.resolve_run(con)
        base = {
            t: R.read_run_table(con, t, run["run_id"])
            for t in R.run_table_names(con, run["run_id"])
        }
        inputs = (
            R.read_run_inputs(con, run["run_id"])
            .drop("source_sha256")
            .with_columns(pl.lit("0" * 64).alias("source_sha256"))
        )
    finally:
        con.close()
    # the real run has most tables now; synthetic ones only fill what it lacks
    tables = {**synthetic_tables(base["dea_panel"]), **base}
    rid = store.publish_run(
        db, tables, flow="report-test", params={"synthetic": True},
        input_fingerprint="synthetic", inputs=inputs,
    )  # fmt: skip
    out = tmp / "full.html"
    write_report(db, rid, out)
    return out


# ------------------------------------------------------------------------------ tests


def test_report_is_self_contained(real_report):
    html = real_report.read_text(encoding="utf-8")
    assert_self_contained(html)
    dom = parse(html)
    assert dom.figures
    for f in dom.figures:
        assert f["svg"] == 1 and f["shapes"] > 0, f
        assert len(f["caption"].strip()) > 20, f
        assert f["download"].endswith(".csv")
    # lineage: the run id, input files with vintages and sha256, parameters
    assert "Data and lineage" in html and "input fingerprint" in html
    assert "nbs_exports_2016_2024/分省年度数据2020.csv" in html
    assert '"delta": 0.096' in html
    # the refresh publishes every measure family: no section says its table is missing
    for t in ("malmquist", "inequality", "coupling", "synergy"):
        assert f"This run has no results.{t} table." not in html
    # several coupling systems: the page shows one and names the others
    assert "Shown: the system cbec+trade+logistics+industry." in html


@needs_chromium
def test_report_in_headless_chromium(real_report, tmp_path):
    net = tmp_path / "net.json"
    dom_html = chromium(["--dump-dom"], real_report.as_uri(), tmp_path, net)
    dom = parse(dom_html)
    drawn = sections_with_charts(dom)
    assert drawn.get("lineage", 0) >= 1 and drawn.get("production", 0) >= 3, drawn
    # the inline script ran: every CSV link became a Blob URL
    links = int(dom.body_attrs.get("data-csv-links", "0"))
    assert links >= len(dom.figures) > 0
    assert all((f.get("href") or "").startswith("blob:") for f in dom.figures)
    assert page_requests(net) == []
    # a screenshot (checked by eye during development; kept in tmp)
    shot = tmp_path / "report.png"
    chromium([f"--screenshot={shot}", "--window-size=1280,3000"], real_report.as_uri(), tmp_path)
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    assert img.size == (1280, 3000)
    colours = img.resize((320, 750)).getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50  # not a blank page


@needs_chromium
def test_net_log_detects_page_requests(tmp_path):
    """Control for the check above: a page that does load remote resources is caught."""
    page = tmp_path / "remote.html"
    page.write_text(
        '<img src="http://example.com/a.png"><script src="https://cdn.example.org/x.js"></script>'
    )
    net = tmp_path / "net.json"
    chromium(["--dump-dom"], page.as_uri(), tmp_path, net)
    urls = [u for _, u in page_requests(net)]
    assert "http://example.com/a.png" in urls and "https://cdn.example.org/x.js" in urls


@needs_chromium
def test_every_section_draws_in_chromium(full_report, tmp_path):
    html = full_report.read_text(encoding="utf-8")
    assert_self_contained(html)
    net = tmp_path / "net.json"
    dom = parse(chromium(["--dump-dom"], full_report.as_uri(), tmp_path, net))
    drawn = sections_with_charts(dom)
    for sec, n in {
        "lineage": 1, "production": 3, "efficiency": 3, "productivity": 4, "inequality": 2,
        "composite": 3, "coupling": 3, "synergy": 2, "coevolution": 1, "survey": 1,
    }.items():  # fmt: skip
        assert drawn.get(sec, 0) >= n, (sec, drawn)
    assert all(f["caption"].strip() and f["href"].startswith("blob:") for f in dom.figures)
    assert page_requests(net) == []
    assert "not in this run" not in html and "This run has no" not in html
    shot = tmp_path / "full.png"
    chromium([f"--screenshot={shot}", "--window-size=1280,9000"], full_report.as_uri(), tmp_path)
    assert shot.stat().st_size > 50_000


def test_full_report_rankings_and_regions(full_report):
    html = full_report.read_text(encoding="utf-8")
    assert "Efficiency ranking" in html and "game cross-efficiency" in html
    for region in ("East 东部", "Central 中部", "West 西部", "Northeast 东北"):
        assert region in html
    assert "Coordination grade by province and year" in html
    assert "Between- and within-region shares" in html


def test_csv_behind_a_chart_is_the_chart_data(full_report):
    html = full_report.read_text(encoding="utf-8")
    m = re.search(
        r"<h3>Synergy degree by province and year</h3>.*?<script type=\"text/csv\" id=\"[^\"]+\">\n(.*?)</script>",
        html,
        re.S,
    )
    assert m
    import io

    df = pl.read_csv(io.StringIO(m.group(1)), schema_overrides={"region_code": pl.Utf8})
    # synergy is a change between two years: the chart plots it at the later one (year_to)
    assert df.columns == ["region_code", "province_en", "province_zh", "year_to", "synergy"]
    assert df.filter(pl.col("region_code") == "33")["province_en"][0] == "Zhejiang"


def test_report_command(published_db, tmp_path, capsys):
    from cbec.cli import main

    out = tmp_path / "r.html"
    assert main(["report", "--db", str(published_db), "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000
    assert "wrote" in capsys.readouterr().out
    assert main(["report", "--db", str(tmp_path / "missing.duckdb"), "--out", str(out)]) == 3
    assert main(["report", "--db", str(published_db), "--run", "nope", "--out", str(out)]) == 2


def test_publish_report_artifact(published_db, tmp_path):
    from prefect import flow

    from tasks.report import publish_report_artifact

    @flow
    def f():
        return publish_report_artifact(str(published_db), None, str(tmp_path / "rep.html"))

    res = f()
    assert Path(res["path"]).exists()
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

        arts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["cbec-report"]))
        )
    assert arts and any(Path(res["path"]).as_uri() in (a.data or "") for a in arts)
