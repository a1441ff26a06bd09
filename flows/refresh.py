"""The main job: ingest → validate → compute → validate → publish (ARCHITECTURE.md).

    read-sources → validate(raw, new files only) → stage (in memory) → validate(staging)
    → load-raw-and-staging → [reuse?] → production-measures → lp-work (DEA, cross-efficiency,
    Malmquist) → compute-structure → coevolution → validate(results) → publish → report

Nothing is written to raw.*/staging.* before its gate passed; a critical finding fails the run
(results.runs status 'failed', results.validations keeps the JSON) and publishes nothing.
Runs with no Prefect server (ephemeral mode) from `cbec run`, or as a deployment (prefect.yaml).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from cbec.paths import db_path
from cbec.settings import load_params
from flows.lp import lp_tables
from tasks.coevolution import compute_coevolution
from tasks.green import compute_green, load_green_params
from tasks.ingest import load, read_sources, stage
from tasks.monitoring import report_run
from tasks.production import compute_production, dea_panel
from tasks.publish import publish
from tasks.structure import compute_structure
from tasks.validate import validate_stage
from warehouse import store

FLOW_NAME = "refresh"


@flow(name=FLOW_NAME, log_prints=True)
def refresh(
    db: str | None = None,
    extra_files: list[str] | None = None,
    extra_vintage: str | None = None,
    data_dir: str | None = None,
    sources_config: str | None = None,
    runner: str = "local",
    address: str | None = None,
    years: list[int] | None = None,
) -> dict:
    """Refresh the warehouse from the configured sources (plus `extra_files`) and publish a run.
    `runner`/`address`: task runner of the LP fan-out ("local" threads, or "dask" on the cluster
    at `address`, default a LocalCluster). `years`: restrict the per-year LP work (backfill)."""
    logger = get_run_logger()
    db = str(Path(db) if db else db_path())
    params = load_params()
    if years:
        params["years"] = sorted({int(y) for y in years})
    prefect_id = str(flow_run.get_id() or "")
    read = read_sources(db, extra_files, extra_vintage, data_dir, sources_config)
    logger.info("read %d source files (%d new)", len(read.files), len(read.new))
    run_id: str | None = None
    validation: list[dict] = []
    try:
        if read.new:  # the attempted run exists from here, so its validations are kept
            run_id = store.start_run(db, flow=FLOW_NAME, params=params, prefect_flow_run_id=prefect_id)  # fmt: skip
            validation.append(validate_stage(read.raw_frames(), "raw", db, run_id))
        panel, conflicts, fingerprint = stage(db, read)
        if read.new:
            validation.append(
                validate_stage({"panel": panel, "conflicts": conflicts}, "staging", db, run_id)
            )
            load(db, read, panel, conflicts)
        logger.info("staging.panel: %d rows, %d multi-source cells", panel.height, conflicts.height)  # fmt: skip

        existing = store.find_reusable_run(
            db, flow=FLOW_NAME, input_fingerprint=fingerprint, params=params
        )
        if existing:
            if run_id:
                store.mark_reused(db, run_id, existing)
            report_run(run_id=existing, reused=True, inputs=read.inputs(), tables={}, fingerprint=fingerprint, validation=validation or None)  # fmt: skip
            return {"run_id": existing, "reused": True, "tables": {}}
        if run_id is None:
            run_id = store.start_run(db, flow=FLOW_NAME, params=params, prefect_flow_run_id=prefect_id)  # fmt: skip
            validation.append(
                validate_stage({"panel": panel, "conflicts": conflicts}, "staging", db, run_id)
            )

        tables: dict[str, pl.DataFrame] = {}
        tables.update(compute_production(panel, params["production"]))
        dpanel = dea_panel(tables, panel, params["production"]["dea_panel"]["third_input"])
        tables["dea_panel"] = dpanel
        tables.update(lp_tables(dpanel, params, runner, address, params.get("years")))
        tables.update(compute_structure(panel, params))
        tables.update(compute_coevolution(tables["composite_index"], params["coevolution"]))
        # --- green TFP (issue 20): results.green_tfp only when config/green.toml names bad outputs
        tables.update(compute_green(tables, panel, params.get("green") or load_green_params()))
        validation.append(validate_stage(tables, "results", db, run_id))
        published = publish(
            db,
            tables,
            flow=FLOW_NAME,
            params=params,
            fingerprint=fingerprint,
            run_id=run_id,
            inputs=read.inputs(),
            prefect_flow_run_id=prefect_id,
        )
    except BaseException as exc:
        if run_id:
            store.fail_run(db, run_id, f"{type(exc).__name__}: {exc}")
        raise
    report_run(run_id=published, reused=published != run_id, inputs=read.inputs(), tables=tables, fingerprint=fingerprint, validation=validation)  # fmt: skip
    _report_file(db, published, logger)
    return {
        "run_id": published,
        "reused": published != run_id,
        "tables": {k: v.height for k, v in tables.items()},
    }


def _report_file(db: str, run_id: str, logger) -> None:
    """Write the offline HTML report next to the warehouse (var/reports/<run>.html) and link it
    from the flow run; a report problem never fails a published run."""
    try:
        from tasks.report import publish_report_artifact

        out = Path(db).parent / "reports" / f"{run_id}.html"
        publish_report_artifact(db, run_id, out)
    except Exception as exc:  # noqa: BLE001 - the run is published; the report is a by-product
        logger.warning("report not written: %s", exc)
