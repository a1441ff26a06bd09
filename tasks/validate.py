"""The validation gate (ARCHITECTURE.md: ingest → validate → compute → validate → publish).

`validate_stage(frames, stage, db_path, run_id)` validates every frame of a stage with its Great
Expectations suite (expectations/runner.py), stores the JSON result in results.validations against
the attempted run, publishes a Prefect markdown artifact ("validation-<stage>") and raises
`cbec.errors.ValidationFailed` with a readable summary on any critical failure, so the flow run
fails and nothing is published. `validate_stage.fn(...)` runs the same logic without Prefect.

Frame names → suites: stage "raw" → raw_<reader kind>, "staging" → staging_<name> (panel,
conflicts), "results" → results_<table> (results_default when a table has no suite yet).

`validate_files(paths)` is what `cbec validate FILE…` does: read the files with the warehouse
readers, stage them in memory together with the embedded sources, validate, write nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from cbec.errors import ValidationFailed
from expectations.runner import (
    ValidationResult,
    _fmt,
    suite_names,
    summary_markdown,
    validate_frame,
)

STAGES = ("raw", "staging", "results")


def suite_for(stage: str, name: str) -> str:
    """Suite (and table) name for frame `name` of `stage`."""
    if stage in STAGES:
        table = f"{stage}_{name}"
    else:
        table = name
    names = set(suite_names())
    if table in names:
        return table
    if stage == "raw" and "raw_tidy_csv" in names:
        return "raw_tidy_csv"  # the generic raw record suite
    return "results_default"


def validate_frames(
    frames: dict[str, pl.DataFrame], stage: str, *, source_file: str | None = None
) -> list[ValidationResult]:
    out = []
    for name, df in sorted(frames.items()):
        suite = suite_for(stage, name)
        table = f"{stage}_{name}" if stage in STAGES else name
        out.append(validate_frame(df, suite, table=table, source_file=source_file))
    return out


def stage_result(stage: str, results: list[ValidationResult], run_id: str | None = None) -> dict:
    """The JSON stored in results.validations for one stage (counts + findings per table)."""
    crit = sum(r.counts.get("critical", 0) for r in results)
    warn = sum(r.counts.get("warning", 0) for r in results)
    tables = [r.to_dict() for r in results]
    return {
        "stage": stage,
        "run_id": run_id,
        "passed": crit == 0,
        "critical_failures": crit,
        "warnings": warn,
        "failures": [f for t in tables for f in t["failures"]],
        "warning_findings": [f for t in tables for f in t["warning_findings"]],
        "tables": tables,
        "elapsed_s": round(sum(r.elapsed_s for r in results), 4),
        "validated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def failure_message(stage: str, results: list[ValidationResult], *, max_items: int = 10) -> str:
    """Plain-text summary for the exception (and results.runs.message): each critical finding
    names file, variable, province, year, observed value and rule."""
    crits = [f for r in results for f in r.critical_failures]
    n = sum(r.counts.get("critical", 0) for r in results)
    lines = [
        f"validation failed at stage {stage!r}: {n} critical finding(s); nothing was published"
    ]
    for f in crits[:max_items]:
        obs = "" if f.observed is None else f": observed {_fmt(f.observed)}"
        det = f" ({f.detail})" if f.detail else ""
        lines.append(f"- {f.location()}{obs} — rule: {f.rule}{det}")
    if n > max_items:
        lines.append(f"- … and {n - max_items} more (results.validations, stage {stage!r})")
    return "\n".join(lines)


def _in_prefect_run() -> bool:
    try:
        from prefect.context import get_run_context

        get_run_context()
        return True
    except Exception:
        return False


def gate(
    frames: dict[str, pl.DataFrame],
    stage: str,
    db_path: str | None,
    run_id: str | None,
    *,
    source_file: str | None = None,
    added_files: set[str] | None = None,
) -> dict:
    """Validate, record, publish the artifact, raise ValidationFailed on a critical failure.
    With `added_files` (staging), the panel is also judged as if the added files' values had
    won every cell (`staging.as_added`): findings about those files count too."""
    results = validate_frames(frames, stage, source_file=source_file)
    if added_files and {"panel", "conflicts"} <= set(frames):
        results += _as_added_results(frames["panel"], frames["conflicts"], added_files)
    result = stage_result(stage, results, run_id)
    if db_path is not None:
        from warehouse.store import record_validation

        record_validation(db_path, run_id, stage, result)
    md = summary_markdown(results, title=f"Validation — stage {stage}")
    if _in_prefect_run():
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(
            md, key=f"validation-{stage}", description=f"cbec validation, stage {stage}"
        )
    if not result["passed"]:
        exc = ValidationFailed(failure_message(stage, results))
        exc.result = result  # type: ignore[attr-defined]
        exc.summary_markdown = md  # type: ignore[attr-defined]
        raise exc
    return result


def _as_added_results(
    panel: pl.DataFrame, conflicts: pl.DataFrame, files: set[str]
) -> list[ValidationResult]:
    from warehouse import staging

    overlay = staging.as_added(panel, conflicts, files)
    if overlay is None:
        return []
    res = validate_frame(overlay, "staging_panel", table="staging_panel_as_added")
    return [_restrict(res, files)]


@task(name="validate", cache_policy=NO_CACHE)
def validate_stage(
    frames: dict[str, pl.DataFrame],
    stage: str,
    db_path: str | None,
    run_id: str | None,
    added_files: list[str] | None = None,
) -> dict:
    """The validation gate of one stage (raw, staging, results); see the module docstring.
    `added_files`: the files new in this run (their values are judged as added, see `gate`)."""
    return gate(frames, stage, db_path, run_id, added_files=set(added_files or []) or None)


# --------------------------------------------------------------------------------------------
# files without loading them (cbec validate)
# --------------------------------------------------------------------------------------------
RECORD_COLUMNS = [
    "source_file",
    "source_sha256",
    "source_name",
    "vintage",
    "line_no",
    "region_code",
    "year",
    "month",
    "indicator",
    "unit",
    "value",
    "flow",
    "trade_mode",
    "currency",
]


def _records(table, sf_name: str, vintage: str | None) -> pl.DataFrame:
    return table.records.with_columns(
        pl.lit(table.sha256).alias("source_sha256"),
        pl.lit(sf_name).alias("source_name"),
        pl.lit(vintage, dtype=pl.Utf8).alias("vintage"),
    )


def records_for_staging(raw: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Raw frames (with lineage) → the long record frame staging.build_panel takes."""
    parts = []
    for df in raw.values():
        missing = [c for c in RECORD_COLUMNS if c not in df.columns]
        parts.append(
            df.with_columns([pl.lit(None, dtype=pl.Utf8).alias(c) for c in missing]).select(
                RECORD_COLUMNS
            )
        )
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts, how="vertical_relaxed")


@dataclass
class FileCheck:
    """What `validate_files` found: per-stage results plus the raw/staging frames it built."""

    files: list[str]
    results: dict[str, list[ValidationResult]] = field(default_factory=dict)
    raw: dict[str, pl.DataFrame] = field(default_factory=dict)
    panel: pl.DataFrame | None = None

    @property
    def passed(self) -> bool:
        return all(r.passed for rs in self.results.values() for r in rs)

    def all_results(self) -> list[ValidationResult]:
        return [r for rs in self.results.values() for r in rs]

    def to_dict(self) -> dict:
        return {
            "files": self.files,
            "passed": self.passed,
            "stages": {s: stage_result(s, rs) for s, rs in self.results.items()},
        }

    def summary_markdown(self) -> str:
        title = (
            "Validation of " + ", ".join(self.files)
            if len(self.files) <= 3
            else f"Validation of {len(self.files)} files"
        )
        return summary_markdown(self.all_results(), title=title)


@functools.lru_cache(maxsize=2)
def _embedded_raw(key: str) -> dict[str, pl.DataFrame]:  # noqa: ARG001 - key = data dir
    from warehouse import ingest

    files = ingest.discover()
    out: dict[str, list[pl.DataFrame]] = {}
    for sf, t in ingest.read_new(files, set()):
        out.setdefault(t.kind, []).append(_records(t, sf.source_name, sf.vintage))
    return {k: pl.concat(v, how="vertical_relaxed") for k, v in out.items()}


def embedded_raw() -> dict[str, pl.DataFrame]:
    """Raw records of the embedded sources (config/sources.toml), read once per process."""
    from cbec.paths import config_dir, data_dir

    return _embedded_raw(f"{data_dir()}|{config_dir()}")


def _related(f, names: set[str]) -> bool:
    return any(n in (f.file or "") or n in (f.detail or "") for n in names)


def _restrict(r: ValidationResult, names: set[str]) -> ValidationResult:
    """Keep only the findings that involve one of the checked files (by file or detail)."""
    crit = [f for f in r.critical_failures if _related(f, names)]
    warn = [f for f in r.warnings if _related(f, names)]
    out = ValidationResult(r.table, r.suite, r.source_file, r.rows, r.outcomes, crit, warn)
    out.counts = {"critical": len(crit), "warning": len(warn)}
    for f in crit + warn:
        k = f"{f.severity}:{f.check}"
        out.check_counts[k] = out.check_counts.get(k, 0) + 1
    out.elapsed_s = r.elapsed_s
    return out


def validate_files(
    paths: list[str | Path] | None = None,
    *,
    context: bool = True,
    vintage: str | None = None,
    reader: str | None = None,
) -> FileCheck:
    """Check files without loading them: read (InputError on structural problems), validate the
    raw records, stage them in memory — together with the embedded sources when `context`, so
    that jumps and vintage differences against existing data are seen — and validate the panel.
    With no paths, the embedded sources themselves are validated."""
    from warehouse import staging
    from warehouse.readers import read_source

    vintage = vintage or dt.date.today().isoformat()[:7]
    if paths:
        raw: dict[str, list[pl.DataFrame]] = {}
        names = []
        for p in paths:
            p = Path(p)
            t = read_source(p, reader=reader, display=str(p))
            names.append(str(p))
            raw.setdefault(t.kind, []).append(_records(t, f"user:{p.name}", vintage))
        new = {k: pl.concat(v, how="vertical_relaxed") for k, v in raw.items()}
        check = FileCheck(files=names, raw=new)
        check.results["raw"] = validate_frames(new, "raw")
        base = embedded_raw() if context else {}
        merged = {f"ctx_{k}": v for k, v in base.items()}
        merged.update({f"new_{k}": v for k, v in new.items()})
        panel, conflicts = staging.build_panel(records_for_staging(merged))
        check.panel = panel
        res = validate_frames({"panel": panel, "conflicts": conflicts}, "staging")
        res += _as_added_results(panel, conflicts, set(names))
        check.results["staging"] = [_restrict(r, set(names)) for r in res]
        return check
    raw_all = embedded_raw()
    check = FileCheck(files=["embedded sources (config/sources.toml)"], raw=raw_all)
    check.results["raw"] = validate_frames(raw_all, "raw")
    panel, conflicts = staging.build_panel(records_for_staging(raw_all))
    check.panel = panel
    check.results["staging"] = validate_frames({"panel": panel, "conflicts": conflicts}, "staging")
    return check
