"""The offline HTML validation report (expectations/report.py) is one self-contained page: no
script, stylesheet, font or image is fetched from the network, and it names the failing rule."""

from __future__ import annotations

import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "bad_inputs"

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""  # script/img/link to another host
    r"""|@import|url\(\s*["']?\s*(?:https?:)?//"""  # css imports, fonts, backgrounds
    r"""|<script|<link\b""",
    re.IGNORECASE,
)


def _assert_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    assert "http://" not in html and "https://" not in html


def test_report_of_failing_file_is_self_contained_and_names_the_rule(tmp_path):
    from expectations.report import write_html
    from tasks.validate import validate_files

    check = validate_files([CORPUS / "gdp_index_as_level.csv"])
    assert not check.passed
    path = write_html(tmp_path / "r.html", check.results, subtitle=", ".join(check.files))
    html = path.read_text(encoding="utf-8")
    _assert_self_contained(html)
    failing = next(f for r in check.all_results() for f in r.critical_failures)
    assert "FAILED" in html
    assert failing.rule.replace("<", "&lt;").replace(">", "&gt;") in html
    assert "gdp_index_as_level.csv" in html and "浙江" in html


def test_report_renders_stored_stage_json(tmp_path):
    """A results.validations JSON (stage dict) renders the same way (e.g. for a failed run)."""
    from expectations.report import render_html
    from tasks.validate import stage_result, validate_files

    check = validate_files([CORPUS / "missing_province_export.csv"])
    stored = stage_result("raw", check.results["raw"], "run-x")
    html = render_html({"raw": stored})
    _assert_self_contained(html)
    assert "a province is missing" in html and "宁夏 (64)" in html


def test_cli_writes_html(tmp_path, capsys):
    from cbec.cli import main

    out = tmp_path / "report.html"
    rc = main(["validate", str(CORPUS / "share_above_100_long.csv"), "--html", str(out)])
    capsys.readouterr()
    assert rc == 4
    html = out.read_text(encoding="utf-8")
    _assert_self_contained(html)
    assert "within [0, 100]" in html
