"""Run a Great Expectations suite on a polars/pandas frame and turn the result into findings a
person can act on (file, variable, province, year, observed value, rule).

- GX 1.x, EPHEMERAL context built once per process (expectations/gx.py); suites are loaded from
  expectations/suites/<table>.json (or given as a dict). Pandas frames only (GX cannot validate
  DuckDB through SQLAlchemy).
- The structural expectations of a table (column set, types, non-null and unique key) are
  generated from its contract (expectations/structural.py, warehouse/contracts) and run before
  the suite's own rules.
- Suite parameters: kwargs such as {"$PARAMETER": "year_max"} are filled from
  config/expectations.toml (expectations/params.py).
- Every expectation has meta.severity (critical | warning), meta.rule (the rule in words) and
  meta.check (a short id that [[accepted]] entries refer to).
- Rules GX has no built-in expectation for are derived columns (expectations/derive.py) checked by
  ordinary GX expectations.
- Expectations on a column the table does not have are skipped and listed (a missing *required*
  column is an explicit expect_column_to_exist).

Public API: `validate_frame(df, suite, *, table, source_file=None) -> ValidationResult`.
"""

from __future__ import annotations

import fnmatch
import time
from typing import Any

import polars as pl

from expectations.gx import (  # noqa: F401 - re-exported
    _LOCK,
    SEVERITIES,
    SUITES_DIR,
    _columns_of,
    _gx,
    _gx_suite,
    _meta,
    load_suite,
    suite_names,
)
from expectations.params import load_params, suite_parameters  # noqa: F401 - re-exported
from expectations.results import (  # noqa: F401 - re-exported
    ExpectationOutcome,
    Finding,
    ValidationResult,
    _fmt,
    _jsonable,
    summary_markdown,
)
from expectations.structural import WHOLE_TABLE, structural

MAX_RESOLVED = 5000  # unexpected rows resolved to findings per expectation (all are counted)

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
    selects the derived check columns (expectations/derive.py) and the contract whose structural
    expectations run first. `source_file` is used as the file of findings when the rows carry no
    `source_file` column."""
    from expectations.derive import derive

    t0 = time.perf_counter()
    if not isinstance(df, pl.DataFrame):
        df = pl.from_pandas(df)
    sdict = load_suite(suite) if isinstance(suite, str) else suite
    params = load_params()
    frame = derive(table, df, params)
    res = ValidationResult(
        table=table, suite=sdict.get("name", str(suite)), source_file=source_file, rows=df.height
    )
    expectations = structural(table, df, frame) + list(sdict.get("expectations", []))
    runnable = _runnable(expectations, frame, res)
    results = _run_gx(sdict, runnable, frame, suite_parameters(params))
    _record(res, runnable, results, frame, params, source_file)
    res.elapsed_s = time.perf_counter() - t0
    return res


def _runnable(expectations: list[dict], frame: pl.DataFrame, res: ValidationResult) -> list[dict]:
    """The expectations whose columns the frame has; the others are recorded as skipped."""
    runnable: list[dict] = []
    for exp in expectations:
        sev, check, rule = _meta(exp)
        cols = _columns_of(exp)
        missing = [c for c in cols if c not in frame.columns]
        if missing and exp.get("type") != "expect_column_to_exist":
            res.outcomes.append(
                ExpectationOutcome(exp["type"], cols[0] if cols else None, sev, check, rule, True,
                                   skipped=f"column(s) {', '.join(missing)} not in the table")
            )  # fmt: skip
            continue
        runnable.append(exp)
    return runnable


def _run_gx(sdict: dict, runnable: list[dict], frame: pl.DataFrame, sp: dict) -> list:
    """GX results of `runnable` on `frame`, in the order of `runnable`."""
    if not runnable:
        return []
    needed = sorted({c for e in runnable for c in _columns_of(e)})
    if any(e["type"] in WHOLE_TABLE for e in runnable):
        needed = list(frame.columns)
    _gx_mod, _ctx, bd = _gx()
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
    return results


def _record(res, runnable, results, frame, params, source_file) -> None:
    """Outcomes, findings (accepted ones downgraded) and counts of the GX results."""
    counts = {"critical": 0, "warning": 0}
    for exp, r in zip(runnable, results, strict=True):
        sev, check, rule = _meta(exp)
        cols = _columns_of(exp)
        col = cols[0] if cols else None
        rr = r.result or {}
        err = None
        if r.exception_info and r.exception_info.get("raised_exception"):
            err = r.exception_info.get("exception_message")
        res.outcomes.append(
            ExpectationOutcome(exp["type"], col, sev, check, rule, bool(r.success),
                               unexpected_count=int(rr.get("unexpected_count") or 0),
                               element_count=rr.get("element_count"),
                               observed=_jsonable(rr.get("observed_value")), error=err)
        )  # fmt: skip
        if r.success:
            continue
        findings, unresolved = _findings(
            frame, exp, r, res.table, source_file, sev, check, rule, col, err
        )
        _add_findings(res, counts, findings, check, params)
        # rows beyond MAX_RESOLVED are counted with the expectation's severity
        counts[sev] += unresolved
        if unresolved:
            ck = f"{sev}:{check}"
            res.check_counts[ck] = res.check_counts.get(ck, 0) + unresolved
    res.counts = counts
    res.list_limit = int(params["report"]["max_findings_per_expectation"])


def _add_findings(res, counts, findings, check, params) -> None:
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
        # every resolved finding is kept (a filter by file must see all of them); the list
        # limit only caps what to_dict lists
        (res.critical_failures if f.severity == "critical" else res.warnings).append(f)


def _findings(frame, exp, r, table, source_file, sev, check, rule, col, err):
    """(Finding, involved source names) for each unexpected row, or one table-level finding."""
    rr = r.result or {}
    idx = rr.get("unexpected_index_list")
    if not idx:
        observed = rr.get("observed_value")
        if observed is None and err:
            observed = f"error: {err}"
        detail = None
        if exp["type"] in ("expect_column_to_exist", *WHOLE_TABLE):
            detail = f"the table has columns: {', '.join(frame.columns)}"
        f = Finding(sev, table, check, rule, exp["type"], column=col, file=source_file,
                    observed=_jsonable(observed), detail=detail)  # fmt: skip
        return [(f, set())], 0
    rows = [int(i) for i in idx]
    unresolved = max(0, len(rows) - MAX_RESOLVED)
    rows = rows[:MAX_RESOLVED]
    present = [c for cs in _LOCATE.values() for c in cs if c in frame.columns]
    extra = [
        c for c in (f"{col}__ctx", f"{col}__src", "source", "source_name") if c in frame.columns
    ]
    take = list(dict.fromkeys([*present, *extra, *(_columns_of(exp))]))
    sub = frame.select(take)[rows]
    unit = "unit" in frame.columns
    out = [
        _row_finding(rec, exp, table, source_file, sev, check, rule, col, unit)
        for rec in sub.iter_rows(named=True)
    ]
    return out, unresolved


def _first(rec: dict, kind: str):
    for c in _LOCATE[kind]:
        if c in rec and rec[c] is not None:
            return rec[c]
    return None


def _row_finding(rec, exp, table, source_file, sev, check, rule, col, has_unit):
    """The finding of one unexpected row, with the source names involved."""
    from warehouse.provinces import NAME_ZH

    code = _first(rec, "region_code")
    code = str(code) if code is not None else None
    if exp["type"] == "expect_compound_columns_to_be_unique":
        observed = {c: rec.get(c) for c in _columns_of(exp)}
    else:
        observed = rec.get(col) if col else None
    province = f"{NAME_ZH.get(code, code)} ({code})" if code else None
    if check == "coverage" and observed:
        province = f"missing {observed}"
    yr = _first(rec, "year")
    sources = set()
    for c in (f"{col}__src", "source", "source_name"):
        if rec.get(c):
            sources |= {s for s in str(rec[c]).split(",") if s}
    variable = _first(rec, "variable")
    if variable is not None and has_unit and "indicator" in rec:
        variable = str(variable)
    line = _first(rec, "line")
    f = Finding(
        sev, table, check, rule, exp["type"], column=col,
        file=_first(rec, "file") or source_file,
        line=int(line) if line is not None else None,
        variable=str(variable) if variable is not None else None,
        province=province, region_code=code, year=int(yr) if yr is not None else None,
        observed=_jsonable(observed), detail=rec.get(f"{col}__ctx"),
    )  # fmt: skip
    if check == "coverage":  # one finding per file / variable / year group
        f.line = f.region_code = None
    return f, sources
