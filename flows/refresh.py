"""The main job: ingest → validate → compute → validate → publish (ARCHITECTURE.md).

    read-sources → validate(raw, new files only) → stage (in memory) → validate(staging)
    → load-raw-and-staging → [reuse?] → production-measures → lp-work (DEA, cross-efficiency,
    Malmquist) → compute-structure → coevolution → validate(results) → publish → report

Nothing is written to raw.*/staging.* before its gate passed; a critical finding fails the run
(results.runs status 'failed', results.validations keeps the JSON) and publishes nothing.
The whole run is one write session (warehouse/workcopy.py): it waits for the writer lock
(`wait` seconds, None = until free), works on a side copy of the warehouse and replaces the
warehouse atomically at the end, so readers are never blocked and a killed run leaves nothing.
A run restricted to `years` is a 'partial' run: published as its own version, never latest.
Runs with no Prefect server (ephemeral mode) from `cbec run`, or as a deployment (prefect.yaml).
"""

from __future__ import annotations

import logging
import os
import time
from functools import partial
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from cbec.paths import db_path
from cbec.settings import load_params
from flows.lp import lp_tables
from flows.procguard import guard_prefect_server
from tasks.coevolution import compute_coevolution
from tasks.green import compute_green, load_green_params
from tasks.ingest import (
    inputs_key,
    load,
    read_sources,
    record_inputs,
    record_inputs_key,
    stage,
    staging_fingerprint,
    unchanged_run,
)
from tasks.monitoring import StageClock, label_flow_run, report_run, run_label
from tasks.plausibility import plausibility_frame, spec_line, summary_lines
from tasks.production import build_dea_panel, compute_production, compute_sensitivity, with_quality
from tasks.publish import publish
from tasks.structure import compute_structure
from tasks.validate import validate_stage
from warehouse import store, workcopy

FLOW_NAME = "refresh"
if not os.environ.get("PREFECT_API_URL"):  # no API given: Prefect starts a temporary server,
    guard_prefect_server()  # which dies with this process (SIGKILL too)


def _label() -> str:
    """What the current run is (refresh/add/backfill/customs), from its flow and parameters."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    p = (ctx.parameters or {}) if ctx else {}
    return run_label(ctx.flow.name if ctx and ctx.flow else FLOW_NAME, p.get("extra_files"), p.get("years"))  # fmt: skip


def initial_run_name() -> str:
    """The flow-run name until the cbec run id is known (then `_name_run` renames it)."""
    return f"{_label()} (starting)"


def _name_run(run_id: str, state: str | None = None) -> None:
    """Name the flow run `<kind> <cbec run id>`, with a tag of the kind and, for a reused or
    failed run, that state in the name and as a tag (the UI shows it without opening it)."""
    label = _label()
    tags = [label, state] if state else [label]
    label_flow_run(f"{label} {run_id}" + (f" ({state})" if state else ""), tags)


@flow(name=FLOW_NAME, log_prints=True, flow_run_name=initial_run_name)
def refresh(
    db: str | None = None,
    extra_files: list[str] | None = None,
    extra_vintage: str | None = None,
    data_dir: str | None = None,
    sources_config: str | None = None,
    runner: str = "local",
    address: str | None = None,
    years: list[int] | None = None,
    wait: float | None = None,
) -> dict:
    """Refresh the warehouse from the configured sources (plus `extra_files`) and publish a run.
    `runner`/`address`: task runner of the LP fan-out ("local" threads, or "dask" on the cluster
    at `address`, default a LocalCluster). `years`: restrict the per-year LP work (backfill, a
    'partial' run). `wait`: seconds to wait for the writer lock (None: until it is free)."""
    logger = get_run_logger()
    db = str(Path(db) if db else db_path())
    extra_vintage = check_vintage(extra_vintage)
    params = load_params()
    kind, scope = "full", "all years"
    if years:
        params["years"] = sorted({int(y) for y in years})
        kind, scope = "partial", _scope(params["years"])
    with workcopy.session(db, wait=wait, label=f"refresh ({scope})", on_wait=logger.warning, log=logger.warning):  # fmt: skip
        result, tables = _refresh_in_session(
            db, params, kind, scope, extra_files, extra_vintage, data_dir, sources_config,
            runner, address, logger,
        )  # fmt: skip
    if not result["reused"]:
        t0 = time.perf_counter()
        _report_file(db, result["run_id"], logger)
        result["stages"]["report"] = round(time.perf_counter() - t0, 3)
    return result


def check_vintage(vintage: str | None) -> str | None:
    """A --vintage is YYYY, YYYY-MM or YYYY-MM-DD (UsageError before anything is read)."""
    from cbec.errors import UsageError
    from warehouse.vintage import VintageError, validate_vintage

    if vintage is None:
        return None
    try:
        return validate_vintage(vintage)
    except VintageError as exc:
        raise UsageError(f"--vintage: {exc}") from None


def _scope(years: list[int]) -> str:
    if years == list(range(years[0], years[-1] + 1)):
        return f"years {years[0]}–{years[-1]}" if len(years) > 1 else f"year {years[0]}"
    return "years " + ",".join(map(str, years))


def _refresh_in_session(db: str, params: dict, kind: str, scope: str, extra_files: list[str] | None,
                        extra_vintage: str | None, data_dir: str | None, sources_config: str | None,
                        runner: str, address: str | None,
                        logger: logging.Logger | logging.LoggerAdapter) -> tuple[dict, dict[str, pl.DataFrame]]:  # fmt: skip
    """The run inside its write session (see `refresh`); returns (result, tables)."""
    prefect_id = str(flow_run.get_id() or "")
    clock = StageClock(logger)
    start = partial(_start_run, db, params, prefect_id, kind, scope)
    read = read_sources(db, extra_files, extra_vintage, data_dir, sources_config)
    workcopy.kill_point("read")
    logger.info("read %d source files (%d new)", len(read.files), len(read.new))
    _ = [logger.warning(note) for note in read.notes()]
    clock.lap("read-sources")
    key = inputs_key(read, sources_config)
    if fast := _reuse_unchanged(db, read, key, params, clock, logger):
        return fast, {}
    run_id: str | None = None
    validation: list[dict] = []
    try:
        if read.new:  # the attempted run exists from here, so its validations are kept
            run_id = start()
            workcopy.kill_point("started")
            validation.append(validate_stage(read.raw_frames(), "raw", db, run_id))
        panel, conflicts, fingerprint = stage(db, read)
        if read.new or staging_fingerprint(db) != fingerprint:  # new files, or an input removed
            run_id = run_id or start()
            added = [sf.display for sf, _ in read.new if sf.source_name.startswith("user:")]
            validation.append(
                validate_stage(
                    {"panel": panel, "conflicts": conflicts}, "staging", db, run_id, added
                )
            )
            load(db, read, panel, conflicts)
            workcopy.kill_point("loaded")
        record_inputs(db, read)
        for note in read.month_notes or []:
            logger.warning(note)
        logger.info("staging.panel: %d rows, %d multi-source cells", panel.height, conflicts.height)  # fmt: skip
        existing = store.find_reusable_run(
            db, flow=FLOW_NAME, input_fingerprint=fingerprint, params=params
        )
        clock.lap("stage-and-load")
        if existing:
            return _reuse(db, run_id, existing, read, fingerprint, validation, clock, logger), {}
        if run_id is None:
            run_id = start()
            workcopy.kill_point("started")
            validation.append(
                validate_stage({"panel": panel, "conflicts": conflicts}, "staging", db, run_id)
            )
            clock.lap("validate-staging")
        tables = _compute(panel, params, runner, address, clock)
        plaus = plausibility_frame(tables)
        validation.append(validate_stage({**tables, "plausibility": plaus}, "results", db, run_id))
        workcopy.kill_point("validated")
        clock.lap("validate-results")
        published = publish(
            db,
            tables,
            flow=FLOW_NAME,
            params=params,
            fingerprint=fingerprint,
            run_id=run_id,
            inputs=read.inputs(),
            prefect_flow_run_id=prefect_id,
            kind=kind,
            scope=scope,
        )
        if published == run_id:
            record_inputs_key(db, run_id, key)
        clock.lap("publish")
    except BaseException as exc:
        if run_id:
            store.fail_run(db, run_id, f"{type(exc).__name__}: {exc}")
            _name_run(run_id, "failed")
        raise
    if published != run_id:
        _name_run(published, "reused")
    return _summary(published, run_id, read, tables, plaus, fingerprint, validation, params, kind, scope, clock), tables  # fmt: skip


def _summary(published, run_id, read, tables, plaus, fingerprint, validation, params, kind, scope, clock) -> dict:  # fmt: skip
    """The run's summary artifact and the result the flow returns."""
    extra = {"Plausibility": summary_lines(plaus), "Specification": spec_line(params, tables)}
    report_run(run_id=published, reused=published != run_id, inputs=read.inputs(), tables=tables, fingerprint=fingerprint, validation=validation, extra=extra)  # fmt: skip
    clock.lap("report-artifacts")
    heights = {k: v.height for k, v in tables.items()}
    return {"run_id": published, "reused": published != run_id, "tables": heights, "kind": kind, "scope": scope, "stages": clock.stages}  # fmt: skip


def _start_run(db: str, params: dict, prefect_id: str, kind: str, scope: str) -> str:
    """results.runs gets the attempted run; from here the flow run carries its cbec run id."""
    rid = store.start_run(db, flow=FLOW_NAME, params=params, prefect_flow_run_id=prefect_id, kind=kind, scope=scope)  # fmt: skip
    _name_run(rid)
    return rid


def _reuse_unchanged(db, read, key: str, params: dict, clock, logger) -> dict | None:
    """Nothing new and a published run with this inputs key, parameters, code and staged panel
    (warehouse/reuse.py): that run is reused before staging; None when there is no such run."""
    same = unchanged_run(db, read, key, FLOW_NAME, params)
    if not same:
        return None
    record_inputs(db, read)
    clock.lap("check-unchanged")
    return _reuse(db, None, same[0], read, same[1], [], clock, logger)


def _reuse(db, run_id, existing, read, fingerprint, validation, clock, logger) -> dict:
    """Nothing new: the attempted run (if any) is marked reused, the flow run named after the
    reused one, and the summary artifact says so."""
    if run_id:
        store.mark_reused(db, run_id, existing)
    logger.info("nothing new: run %s (same inputs, parameters and code) is reused", existing)
    _name_run(existing, "reused")
    report_run(run_id=existing, reused=True, inputs=read.inputs(), tables={}, fingerprint=fingerprint, validation=validation or None)  # fmt: skip
    clock.lap("report-artifacts")
    return {"run_id": existing, "reused": True, "tables": {}, "stages": clock.stages}


def _compute(panel, params, runner, address, clock: StageClock) -> dict[str, pl.DataFrame]:
    """Every results table of a run from the staged panel (one clock lap per stage)."""
    tables: dict[str, pl.DataFrame] = {}
    tables.update(compute_production(panel, params["production"]))
    dpanel = build_dea_panel(tables, panel, params["dea"])
    tables["dea_panel"] = dpanel
    workcopy.kill_point("computed")
    clock.lap("production")
    tables.update(lp_tables(dpanel, params, runner, address, params.get("years")))
    workcopy.kill_point("lp")
    clock.lap("lp-work")
    tables["efficiency_sensitivity"] = compute_sensitivity(
        panel, tables, _only(params, "dea", "production")
    )
    clock.lap("sensitivity")
    tables.update(compute_structure(panel, _only(params, "indicators", "structure")))
    clock.lap("structure")
    tables.update(compute_coevolution(tables["composite_index"], params["coevolution"]))
    clock.lap("coevolution")
    # --- green TFP (issue 20): results.green_tfp only when config/green.toml names bad outputs
    tables.update(compute_green(tables, panel, params.get("green") or load_green_params()))
    tables = with_quality(tables, panel, _only(params, "green", "indicators", "structure"))
    clock.lap("green-and-quality")
    return tables


def _report_file(db: str, run_id: str, logger) -> None:
    """Write the offline HTML report next to the warehouse (var/reports/<run>.html) and link it
    from the flow run; a report problem never fails a published run."""
    try:
        from tasks.report import publish_report_artifact

        out = Path(db).parent / "reports" / f"{run_id}.html"
        publish_report_artifact(db, run_id, out)
    except Exception as exc:  # noqa: BLE001 - the run is published; the report is a by-product
        logger.warning("report not written: %s", exc)


def _only(params: dict, *names: str) -> dict:
    """The parameter sections a task reads: its cache key holds nothing else (a DEA option
    does not invalidate the structure tables)."""
    return {name: params[name] for name in names if name in params}
