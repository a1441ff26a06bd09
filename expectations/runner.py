"""Run a Great Expectations suite on a polars/pandas frame and turn the result into findings a
person can act on (file, variable, province, year, observed value, rule).

- GX 1.x, EPHEMERAL context (in memory, no network, analytics and progress bars off), built once
  per process; suites are loaded from expectations/suites/<table>.json (or given as a dict) and
  cached. Pandas frames only (GX cannot validate DuckDB through SQLAlchemy).
- Suite parameters: kwargs such as {"$PARAMETER": "year_max"} are filled from
  config/expectations.toml (`load_params`).
- Every expectation has meta.severity (critical | warning), meta.rule (the rule in words) and
  meta.check (a short id that [[accepted]] entries refer to).
- Rules GX has no built-in expectation for are derived columns (expectations/derive.py) checked by
  ordinary GX expectations.
- Expectations on a column the table does not have are skipped and listed (result tables grow
  columns as methods land; a missing *required* column is an explicit expect_column_to_exist).

Public API: `validate_frame(df, suite, *, table, source_file=None) -> ValidationResult`.
"""

from __future__ import annotations

import copy
import datetime as _dt
import fnmatch
import functools
import json
import math
import os
import threading
import time
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

SUITES_DIR = Path(__file__).resolve().parent / "suites"
SEVERITIES = ("critical", "warning")
MAX_RESOLVED = 5000  # unexpected rows resolved to findings per expectation (all are counted)
_LOCK = threading.RLock()


# --------------------------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------------------------
def _config_dir() -> Path:
    from cbec.paths import config_dir

    return config_dir()


@functools.lru_cache(maxsize=4)
def _load_params_cached(path: str, mtime: float, vpath: str, vmtime: float) -> dict:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    p = copy.deepcopy(raw)
    year_max = raw["years"]["max"]
    p["years"]["max"] = _dt.date.today().year if year_max == "current" else int(year_max)
    pairs: set[tuple[str, str]] = set()
    imap: dict[tuple[str, str], tuple[str, float]] = {}
    names: list[str] = []
    if vpath:
        with open(vpath, "rb") as fh:
            v = tomllib.load(fh)
        for name, spec in v.get("variables", {}).items():
            names.append(name)
            for src in spec.get("sources", []):
                pairs.add((src["indicator"], src.get("unit", "")))
                imap.setdefault(
                    (src["indicator"], src.get("unit", "")),
                    (name, float(src.get("factor", 1.0))),
                )
    p["_mapping_pairs"] = pairs
    p["_variables"] = sorted(names)
    p["_indicator_map"] = imap
    return p


def load_params() -> dict:
    """config/expectations.toml with `years.max` resolved, plus the indicator → unit pairs, the
    canonical variables and the (indicator, unit) → (variable, factor) map of
    config/variables.toml (keys `_mapping_pairs`, `_variables`, `_indicator_map`)."""
    cfg = _config_dir() / "expectations.toml"
    var = _config_dir() / "variables.toml"
    vm = var.stat().st_mtime if var.exists() else 0.0
    return _load_params_cached(str(cfg), cfg.stat().st_mtime, str(var) if var.exists() else "", vm)


def suite_parameters(params: dict) -> dict[str, Any]:
    """The flat {"$PARAMETER": name} values the suites may use."""
    from warehouse.provinces import CODES

    tol = float(params["results"]["score_tolerance"])
    return {
        "year_min": int(params["years"]["min"]),
        "year_max": int(params["years"]["max"]),
        "province_codes": list(CODES),
        "variables": params["_variables"],
        "chain_critical_min": float(params["chain_index"]["critical_min"]),
        "chain_critical_max": float(params["chain_index"]["critical_max"]),
        "chain_warning_min": float(params["chain_index"]["warning_min"]),
        "chain_warning_max": float(params["chain_index"]["warning_max"]),
        "chain_level_growth": float(params["chain_index"]["level_run_growth"]),
        "jump_warning_factor": float(params["jumps"]["warning_factor"]),
        "unit_switch_factor": float(params["jumps"]["unit_switch_factor"]),
        "vintage_warning_rel_diff": float(params["vintages"]["warning_rel_diff"]),
        "sector_sum_tolerance": float(params["sector_sum"]["tolerance"]),
        "score_max": 1.0 + tol,
        "score_tolerance": tol,
        "signed_max": 1.0 + tol,
        "signed_min": -1.0 - tol,
    }


# --------------------------------------------------------------------------------------------
# findings and results
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# GX context and suites (cached)
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _gx():
    """(great_expectations module, ephemeral context, batch definition) — built once."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import logging

    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    ctx = gx.get_context(mode="ephemeral", project_config=config)
    ds = ctx.data_sources.add_pandas("cbec_frames")
    asset = ds.add_dataframe_asset("frame")
    bd = asset.add_batch_definition_whole_dataframe("whole_frame")
    return gx, ctx, bd


@functools.lru_cache(maxsize=64)
def _suite_json(name: str, mtime: float) -> dict:
    path = SUITES_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def load_suite(name: str) -> dict:
    """The suite dict stored in expectations/suites/<name>.json."""
    path = SUITES_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"no expectation suite {path}")
    return _suite_json(name, path.stat().st_mtime)


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITES_DIR.glob("*.json"))


_SUITE_CACHE: dict[str, Any] = {}


def _gx_suite(suite: dict, expectations: list[dict]):
    """A GX ExpectationSuite object for these expectation dicts, cached by content."""
    gx, ctx, _ = _gx()
    key = json.dumps(
        {"name": suite.get("name"), "e": expectations}, sort_keys=True, ensure_ascii=False
    )
    with _LOCK:
        s = _SUITE_CACHE.get(key)
        if s is not None:
            return s
        name = f"{suite.get('name', 'suite')}__{len(_SUITE_CACHE)}"
        exps = copy.deepcopy(expectations)
        for i, e in enumerate(exps):  # GX does not keep the order of results: tag each one
            e.setdefault("meta", {})["_i"] = i
        obj = gx.ExpectationSuite(name=name, expectations=exps)
        if len(obj.expectations) != len(expectations):
            raise ValueError(
                f"suite {suite.get('name')!r}: {len(expectations) - len(obj.expectations)} "
                "expectation(s) have an invalid configuration"
            )
        obj = ctx.suites.add(obj)
        _SUITE_CACHE[key] = obj
        return obj


def _columns_of(exp: dict) -> list[str]:
    kw = exp.get("kwargs", {})
    cols = []
    if "column" in kw:
        cols.append(kw["column"])
    for k in ("column_A", "column_B"):
        if k in kw:
            cols.append(kw[k])
    for k in ("column_list",):
        cols.extend(kw.get(k) or [])
    return cols


def _meta(exp: dict) -> tuple[str, str, str]:
    meta = exp.get("meta") or {}
    sev = meta.get("severity", "critical")
    if sev not in SEVERITIES:
        raise ValueError(f"expectation {exp.get('type')}: severity {sev!r} not in {SEVERITIES}")
    check = meta.get("check") or exp.get("type", "").removeprefix("expect_")
    rule = meta.get("rule") or meta.get("notes") or _describe(exp)
    return sev, check, rule


def _describe(exp: dict) -> str:
    kw = {k: v for k, v in exp.get("kwargs", {}).items() if k != "batch_id"}
    return f"{exp.get('type')} {json.dumps(kw, ensure_ascii=False, default=str)}"


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------
_LOCATE = {
    "file": ("source_file", "file", "chosen_file"),
    "line": ("line_no",),
    "variable": ("variable", "indicator"),
    "region_code": ("region_code", "dmu"),
    "year": ("year", "period_to"),
}


def _accepted_note(f: Finding, sources: set[str], params: dict) -> str | None:
    for a in params.get("accepted", []):
        if a.get("check") != f.check:
            continue
        if "variable" in a and not fnmatch.fnmatch(str(f.variable or ""), a["variable"]):
            continue
        if "region" in a and str(a["region"]) != str(f.region_code or ""):
            continue
        if "years" in a and (f.year is None or int(f.year) not in {int(y) for y in a["years"]}):
            continue
        if "source" in a and a["source"] not in sources:
            continue
        return a.get("note", "accepted in config/expectations.toml")
    if f.check == "coverage" and sources & set(params["provinces"].get("incomplete_sources", [])):
        return "this source covers fewer provinces by design (config/expectations.toml incomplete_sources)"
    return None


def _to_pandas(df: pl.DataFrame, columns: list[str]):
    sub = df.select([c for c in columns if c in df.columns])
    # strings as pandas categoricals: GX fingerprints every batch with
    # pd.util.hash_pandas_object, which is ~30x slower on Arrow-backed strings
    strings = [c for c, t in sub.schema.items() if t == pl.Utf8]
    sub = sub.with_columns([pl.col(c).cast(pl.Categorical) for c in strings])
    return sub.to_pandas(use_pyarrow_extension_array=False)


def validate_frame(
    df: pl.DataFrame | Any,
    suite: str | dict,
    *,
    table: str,
    source_file: str | None = None,
) -> ValidationResult:
    """Validate one table with a suite (its name in expectations/suites/ or a suite dict).

    `table` names the table (e.g. "raw_nbs_long", "staging_panel", "results_efficiency") and
    selects the derived check columns (expectations/derive.py). `source_file` is used as the
    file of findings when the rows carry no `source_file` column."""
    from expectations.derive import derive

    t0 = time.perf_counter()
    if not isinstance(df, pl.DataFrame):
        df = pl.from_pandas(df)
    sdict = load_suite(suite) if isinstance(suite, str) else suite
    params = load_params()
    sp = suite_parameters(params)
    frame = derive(table, df, params)
    res = ValidationResult(
        table=table, suite=sdict.get("name", str(suite)), source_file=source_file, rows=df.height
    )
    runnable: list[dict] = []
    for exp in sdict.get("expectations", []):
        sev, check, rule = _meta(exp)
        missing = [c for c in _columns_of(exp) if c not in frame.columns]
        if missing and exp.get("type") != "expect_column_to_exist":
            res.outcomes.append(
                ExpectationOutcome(
                    exp["type"],
                    _columns_of(exp)[0] if _columns_of(exp) else None,
                    sev,
                    check,
                    rule,
                    True,
                    skipped=f"column(s) {', '.join(missing)} not in the table",
                )
            )
            continue
        runnable.append(exp)
    needed = sorted({c for e in runnable for c in _columns_of(e)})
    results = []
    if runnable:
        gx, _ctx, bd = _gx()
        gsuite = _gx_suite(sdict, runnable)
        pdf = _to_pandas(frame, needed) if needed else frame.head(0).to_pandas()
        if not needed:  # table-level expectations only: row count matters
            import pandas as pd

            pdf = pd.DataFrame(index=range(frame.height))
        with _LOCK:
            batch = bd.get_batch(batch_parameters={"dataframe": pdf})
            out = batch.validate(
                gsuite,
                result_format={
                    "result_format": "COMPLETE",
                    "return_unexpected_index_query": False,
                    "partial_unexpected_count": 0,
                },
                expectation_parameters=sp,
            )
        results = sorted(out.results, key=lambda r: int(r.expectation_config.meta["_i"]))
    if len(results) != len(runnable):  # pragma: no cover - defensive
        raise RuntimeError(f"GX returned {len(results)} results for {len(runnable)} expectations")
    limit = int(params["report"]["max_findings_per_expectation"])
    counts = {"critical": 0, "warning": 0}
    for exp, r in zip(runnable, results, strict=True):
        sev, check, rule = _meta(exp)
        cols = _columns_of(exp)
        col = cols[0] if cols else None
        rr = r.result or {}
        err = None
        if r.exception_info and r.exception_info.get("raised_exception"):
            err = r.exception_info.get("exception_message")
        outcome = ExpectationOutcome(
            exp["type"],
            col,
            sev,
            check,
            rule,
            bool(r.success),
            unexpected_count=int(rr.get("unexpected_count") or 0),
            element_count=rr.get("element_count"),
            observed=_jsonable(rr.get("observed_value")),
            error=err,
        )
        res.outcomes.append(outcome)
        if r.success:
            continue
        findings, unresolved = _findings(
            frame, exp, r, table, source_file, sev, check, rule, col, err
        )
        seen: set = set()
        for f, sources in findings:
            key = (f.check, f.file, f.line, f.variable, f.region_code, f.year, str(f.observed))
            if key in seen:
                continue
            seen.add(key)
            note = _accepted_note(f, sources, params) if f.severity == "critical" else None
            if note:
                f.severity, f.accepted = "warning", note
            counts[f.severity] += 1
            ck = f"{f.severity}:{check}"
            res.check_counts[ck] = res.check_counts.get(ck, 0) + 1
            # every resolved finding is kept (a filter by file must see all of them, not the
            # first `limit`); `limit` only caps what to_dict lists
            (res.critical_failures if f.severity == "critical" else res.warnings).append(f)
        # rows beyond MAX_RESOLVED are counted with the expectation's severity
        counts[sev] += unresolved
        if unresolved:
            ck = f"{sev}:{check}"
            res.check_counts[ck] = res.check_counts.get(ck, 0) + unresolved
    res.counts = counts
    res.list_limit = limit
    res.elapsed_s = time.perf_counter() - t0
    return res


def _findings(frame, exp, r, table, source_file, sev, check, rule, col, err):
    """(Finding, involved source names) for each unexpected row, or one table-level finding."""
    rr = r.result or {}
    idx = rr.get("unexpected_index_list")
    out: list[tuple[Finding, set[str]]] = []
    if not idx:
        observed = rr.get("observed_value")
        if observed is None and err:
            observed = f"error: {err}"
        detail = None
        if exp["type"] == "expect_column_to_exist":
            detail = f"the table has columns: {', '.join(frame.columns)}"
        out.append(
            (
                Finding(
                    sev,
                    table,
                    check,
                    rule,
                    exp["type"],
                    column=col,
                    file=source_file,
                    observed=_jsonable(observed),
                    detail=detail,
                ),
                set(),
            )
        )
        return out, 0
    rows = [int(i) for i in idx]
    unresolved = max(0, len(rows) - MAX_RESOLVED)
    rows = rows[:MAX_RESOLVED]
    present = [c for cs in _LOCATE.values() for c in cs if c in frame.columns]
    extra = [
        c for c in (f"{col}__ctx", f"{col}__src", "source", "source_name") if c in frame.columns
    ]
    take = list(dict.fromkeys([*present, *extra, *(_columns_of(exp))]))
    sub = frame.select(take)[rows]
    from warehouse.provinces import NAME_ZH

    for rec in sub.iter_rows(named=True):

        def first(kind, rec=rec):
            for c in _LOCATE[kind]:
                if c in rec and rec[c] is not None:
                    return rec[c]
            return None

        code = first("region_code")
        code = str(code) if code is not None else None
        if exp["type"] == "expect_compound_columns_to_be_unique":
            observed = {c: rec.get(c) for c in _columns_of(exp)}
        else:
            observed = rec.get(col) if col else None
        province = f"{NAME_ZH.get(code, code)} ({code})" if code else None
        if check == "coverage" and observed:
            province = f"missing {observed}"
        yr = first("year")
        sources = set()
        for c in (f"{col}__src", "source", "source_name"):
            if rec.get(c):
                sources |= {s for s in str(rec[c]).split(",") if s}
        variable = first("variable")
        if variable is not None and "unit" in frame.columns and "indicator" in rec:
            variable = str(variable)
        f = Finding(
            sev,
            table,
            check,
            rule,
            exp["type"],
            column=col,
            file=first("file") or source_file,
            line=int(first("line")) if first("line") is not None else None,
            variable=str(variable) if variable is not None else None,
            province=province,
            region_code=code,
            year=int(yr) if yr is not None else None,
            observed=_jsonable(observed),
            detail=rec.get(f"{col}__ctx"),
        )
        if check == "coverage":  # one finding per file / variable / year group
            f.line = f.region_code = None
        out.append((f, sources))
    return out, unresolved
