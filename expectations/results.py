"""Validation results: findings a person can act on (file, variable, province, year, observed
value, rule), per-expectation outcomes, and the markdown summary (Prefect artifact, CLI)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Finding:
    """One failed rule, located as precisely as the table allows."""

    severity: str
    table: str
    check: str
    rule: str
    expectation: str
    column: str | None = None
    file: str | None = None
    line: int | None = None
    variable: str | None = None
    province: str | None = None
    region_code: str | None = None
    year: int | None = None
    observed: Any = None
    detail: str | None = None
    accepted: str | None = None  # note of the [[accepted]] entry that downgraded it

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f", line {self.line}" if self.line else ""))
        if self.variable:
            parts.append(f"variable {self.variable}")
        if self.province:
            parts.append(f"province {self.province}")
        if self.year is not None:
            parts.append(f"year {self.year}")
        return "; ".join(parts) or self.table

    def __str__(self) -> str:
        obs = "" if self.observed is None else f": observed {_fmt(self.observed)}"
        det = f" ({self.detail})" if self.detail else ""
        acc = f" [accepted: {self.accepted}]" if self.accepted else ""
        return f"[{self.severity}] {self.location()}{obs} — rule: {self.rule}{det}{acc}"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        return f"{v:.6g}"
    return str(v)


@dataclass
class ExpectationOutcome:
    type: str
    column: str | None
    severity: str
    check: str
    rule: str
    success: bool
    unexpected_count: int = 0
    element_count: int | None = None
    observed: Any = None
    skipped: str | None = None
    error: str | None = None


@dataclass
class ValidationResult:
    table: str
    suite: str
    source_file: str | None
    rows: int
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    critical_failures: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # severity → findings incl. unlisted
    check_counts: dict[str, int] = field(default_factory=dict)  # "severity:check" → findings
    elapsed_s: float = 0.0
    list_limit: int = 50  # findings per list in to_dict (all are kept, so filters see them)

    @property
    def passed(self) -> bool:
        """No critical failure (warnings do not block)."""
        return not self.critical_failures

    def to_dict(self) -> dict:
        """JSON-able. `critical_failures`/`warnings` are COUNTS (what results.validations
        stores); the findings themselves are under `failures` and `warning_findings`."""
        return {
            "table": self.table,
            "suite": self.suite,
            "source_file": self.source_file,
            "rows": self.rows,
            "passed": self.passed,
            "critical_failures": self.counts.get("critical", len(self.critical_failures)),
            "warnings": self.counts.get("warning", len(self.warnings)),
            "failures": [_jsonable(f.to_dict()) for f in self.critical_failures[: self.list_limit]],
            "warning_findings": [_jsonable(f.to_dict()) for f in self.warnings[: self.list_limit]],
            "finding_counts": dict(self.check_counts),
            "expectations": [_jsonable(asdict(o)) for o in self.outcomes],
            "elapsed_s": round(self.elapsed_s, 4),
        }

    def summary_markdown(self, *, max_items: int = 5) -> str:
        return summary_markdown([self], title=f"Validation of {self.table}", max_items=max_items)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set):
        return [_jsonable(x) for x in v]
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        try:
            return _jsonable(v.item())
        except (ValueError, AttributeError):
            return str(v)
    if isinstance(v, str | int | bool) or v is None:
        return v
    return str(v)


def _md(s: Any) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def summary_markdown(
    results: list[ValidationResult], *, title: str = "Validation", max_items: int = 5
) -> str:
    """Readable summary of one or more table results (the Prefect artifact, the CLI output):
    per table the counts, then per failed rule its count and the first `max_items` findings
    (critical) or 2 (warnings)."""
    crit = sum(r.counts.get("critical", 0) for r in results)
    warn = sum(r.counts.get("warning", 0) for r in results)
    lines = [
        f"# {title}",
        "",
        (
            "**PASSED** — no critical failure"
            if crit == 0
            else f"**FAILED** — {crit} critical finding(s): nothing may be published"
        )
        + f"; {warn} warning(s).",
        "",
        "| table | rows | expectations run | critical | warnings | skipped (no column) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        n_skip = sum(1 for o in r.outcomes if o.skipped)
        lines.append(
            f"| {_md(r.table)} | {r.rows} | {len(r.outcomes) - n_skip} "
            f"| {r.counts.get('critical', 0)} | {r.counts.get('warning', 0)} | {n_skip} |"
        )
    for sev, attr, k in (("critical", "critical_failures", max_items), ("warning", "warnings", 2)):
        groups: dict[tuple[str, str], tuple[int, list[Finding]]] = {}
        for r in results:
            for f in getattr(r, attr):
                n, fs = groups.get(
                    (r.table, f.check), (r.check_counts.get(f"{sev}:{f.check}", 0), [])
                )
                fs.append(f)
                groups[(r.table, f.check)] = (n, fs)
        if not groups:
            continue
        lines += ["", "## " + ("Critical failures" if sev == "critical" else "Warnings"), ""]
        for (table, check), (n, fs) in groups.items():
            n = max(n, len(fs))
            lines.append(f"- **{_md(table)}** `{check}`: {n} finding(s) — {_md(fs[0].rule)}")
            for f in fs[:k]:
                lines.append(f"  - {_md(_short(f))}")
            if n > k:
                lines.append(f"  - … and {n - k} more (see the JSON result / HTML report)")
    return "\n".join(lines)


def _short(f: Finding) -> str:
    obs = "" if f.observed is None else f": observed {_fmt(f.observed)}"
    det = f" ({f.detail})" if f.detail else ""
    acc = f" — accepted: {f.accepted}" if f.accepted else ""
    return f"{f.location()}{obs}{det}{acc}"
