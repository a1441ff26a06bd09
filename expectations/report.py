"""Self-contained offline HTML validation report: inline CSS, no script, no external URL (GX Data
Docs pull CSS/JS from CDNs, so we render our own page). Lists every table/suite with pass/fail,
every expectation with its outcome, and every listed finding (file, line, variable, province,
year, observed value, rule, accepted note)."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

from expectations.runner import ValidationResult

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans SC','PingFang SC',sans-serif;
margin:2rem auto;max-width:72rem;color:#1b1f24;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}
.meta{color:#57606a;font-size:.9rem}
.badge{display:inline-block;padding:.1rem .55rem;border-radius:1rem;font-weight:600;font-size:.85rem}
.pass{background:#dafbe1;color:#116329}.fail{background:#ffebe9;color:#a40e26}
.warn{background:#fff8c5;color:#7d4e00}.skip{background:#eaeef2;color:#57606a}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1.2rem;font-size:.86rem}
th,td{border:1px solid #d0d7de;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.critical td:first-child{border-left:4px solid #cf222e}tr.warning td:first-child{border-left:4px solid #bf8700}
details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}
code{background:#f6f8fa;padding:0 .2rem;border-radius:3px}
"""


def _e(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return html.escape(f"{v:.6g}")
    if isinstance(v, dict | list):
        return html.escape(json.dumps(v, ensure_ascii=False, default=str))
    return html.escape(str(v))


def _badge(ok: bool, n_warn: int = 0) -> str:
    if not ok:
        return '<span class="badge fail">FAILED</span>'
    if n_warn:
        return f'<span class="badge warn">passed, {n_warn} warning(s)</span>'
    return '<span class="badge pass">passed</span>'


def _findings_table(findings: list[dict]) -> str:
    if not findings:
        return ""
    cols = [
        ("severity", "severity"),
        ("check", "check"),
        ("file", "file"),
        ("line", "line"),
        ("variable", "variable"),
        ("province", "province"),
        ("year", "year"),
        ("observed", "observed"),
        ("rule", "rule"),
        ("detail", "detail"),
        ("accepted", "accepted because"),
    ]
    out = ["<table><tr>" + "".join(f"<th>{h}</th>" for _, h in cols) + "</tr>"]
    for f in findings:
        out.append(
            f'<tr class="{_e(f.get("severity"))}">'
            + "".join(
                f"<td{' class=num' if k in ('line', 'year') else ''}>{_e(f.get(k))}</td>"
                for k, _ in cols
            )
            + "</tr>"
        )
    out.append("</table>")
    return "\n".join(out)


def _table_section(t: dict) -> str:
    crit, warn = int(t.get("critical_failures", 0)), int(t.get("warnings", 0))
    parts = [
        f'<h3 id="{_e(t["table"])}">{_e(t["table"])} {_badge(crit == 0, warn)}</h3>',
        f'<p class="meta">suite <code>{_e(t.get("suite"))}</code> · {t.get("rows", 0)} rows · '
        f"{crit} critical · {warn} warning(s) · {t.get('elapsed_s', 0)} s</p>",
    ]
    exps = t.get("expectations", [])
    rows = [
        "<table><tr><th>expectation</th><th>column</th><th>severity</th><th>check</th>"
        "<th>rule</th><th>outcome</th><th>unexpected</th></tr>"
    ]
    for x in exps:
        if x.get("skipped"):
            outcome = f'<span class="badge skip">skipped: {_e(x["skipped"])}</span>'
        elif x.get("success"):
            outcome = '<span class="badge pass">ok</span>'
        else:
            cls = "fail" if x.get("severity") == "critical" else "warn"
            outcome = f'<span class="badge {cls}">failed</span>'
            if x.get("error"):
                outcome += f" {_e(x['error'])}"
        rows.append(
            f"<tr><td><code>{_e(x.get('type'))}</code></td><td>{_e(x.get('column'))}</td>"
            f"<td>{_e(x.get('severity'))}</td><td>{_e(x.get('check'))}</td>"
            f"<td>{_e(x.get('rule'))}</td><td>{outcome}</td>"
            f'<td class="num">{_e(x.get("unexpected_count") or "")}</td></tr>'
        )
    rows.append("</table>")
    parts.append(f"<details><summary>{len(exps)} expectation(s)</summary>{''.join(rows)}</details>")
    findings = list(t.get("failures", [])) + list(t.get("warning_findings", []))
    if findings:
        counts = t.get("finding_counts") or {}
        listed = len(findings)
        total = sum(counts.values()) if counts else listed
        note = "" if total <= listed else f" (first {listed} of {total} listed)"
        parts.append(f"<h4>Findings{note}</h4>" + _findings_table(findings))
    return "\n".join(parts)


def render_html(
    stages: dict[str, list[ValidationResult] | list[dict] | dict],
    *,
    title: str = "cbec validation report",
    subtitle: str | None = None,
) -> str:
    """HTML page for {stage: [ValidationResult | table dict] or a stored stage dict}."""
    norm: dict[str, list[dict]] = {}
    for stage, val in stages.items():
        if isinstance(val, dict):  # a stored stage result (results.validations.result)
            norm[stage] = list(val.get("tables", []))
        else:
            norm[stage] = [v.to_dict() if isinstance(v, ValidationResult) else v for v in val]
    crit = sum(int(t.get("critical_failures", 0)) for ts in norm.values() for t in ts)
    warn = sum(int(t.get("warnings", 0)) for ts in norm.values() for t in ts)
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">{_e(subtitle or "")} · generated {now} · '
        "severity <b>critical</b> blocks publishing, <b>warning</b> is reported</p>",
        f"<p>{_badge(crit == 0, warn)} {crit} critical finding(s), {warn} warning(s)</p>",
        "<table><tr><th>stage</th><th>table</th><th>rows</th><th>result</th>"
        "<th>critical</th><th>warnings</th></tr>",
    ]
    for stage, ts in norm.items():
        for t in ts:
            c, w = int(t.get("critical_failures", 0)), int(t.get("warnings", 0))
            body.append(
                f"<tr><td>{_e(stage)}</td><td><a href='#{_e(t['table'])}'>{_e(t['table'])}</a></td>"
                f'<td class="num">{t.get("rows", 0)}</td><td>{_badge(c == 0, w)}</td>'
                f'<td class="num">{c}</td><td class="num">{w}</td></tr>'
            )
    body.append("</table>")
    for stage, ts in norm.items():
        body.append(f"<h2>Stage: {_e(stage)}</h2>")
        body += [_table_section(t) for t in ts]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_html(path: str | Path, stages: dict, **kw) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_html(stages, **kw), encoding="utf-8")
    return p
