"""The main job: ingest → validate → compute → publish (ARCHITECTURE.md).

Runs with no Prefect server (ephemeral mode) from `cbec run`, or as a deployment (prefect.yaml).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from cbec.paths import db_path
from cbec.settings import load_params
from tasks.ingest import load_and_stage, read_sources
from tasks.production import compute_production, dea_panel
from tasks.publish import publish
from warehouse import store

FLOW_NAME = "refresh"


def _summary_markdown(
    run_id: str, reused: bool, read, tables: dict[str, pl.DataFrame], fingerprint: str
) -> str:
    lines = [f"# cbec refresh — run `{run_id}`", ""]
    lines.append(
        "Reused an existing published run (same inputs, parameters and code)."
        if reused
        else "Published a new run."
    )
    lines += [
        "",
        f"Input fingerprint: `{fingerprint}`",
        "",
        "## Input files",
        "",
        "| file | vintage | sha256 |",
        "|---|---|---|",
    ]
    for f in read.files:
        lines.append(f"| {f.display} | {f.vintage} | `{f.sha256[:12]}` |")
    if tables:
        lines += ["", "## Result tables", "", "| table | rows |", "|---|---|"]
        lines += [f"| results.{k} | {v.height} |" for k, v in sorted(tables.items())]
    return "\n".join(lines)


@flow(name=FLOW_NAME, log_prints=True)
def refresh(
    db: str | None = None,
    extra_files: list[str] | None = None,
    extra_vintage: str | None = None,
    data_dir: str | None = None,
    sources_config: str | None = None,
) -> dict:
    """Refresh the warehouse from the configured sources (plus `extra_files`) and publish a run."""
    logger = get_run_logger()
    db = str(Path(db) if db else db_path())
    params = load_params()
    read = read_sources(db, extra_files, extra_vintage, data_dir, sources_config)
    logger.info("read %d source files (%d new)", len(read.files), len(read.new))
    panel, conflicts, fingerprint = load_and_stage(db, read)
    logger.info("staging.panel: %d rows, %d multi-source cells", panel.height, conflicts.height)

    existing = store.find_reusable_run(
        db, flow=FLOW_NAME, input_fingerprint=fingerprint, params=params
    )
    if existing:
        create_markdown_artifact(
            _summary_markdown(existing, True, read, {}, fingerprint),
            key="refresh-summary",
            description="cbec refresh summary",
        )
        return {"run_id": existing, "reused": True, "tables": {}}

    run_id = store.start_run(
        db,
        flow=FLOW_NAME,
        params=params,
        input_fingerprint=fingerprint,
        prefect_flow_run_id=str(flow_run.get_id() or ""),
    )
    try:
        tables: dict[str, pl.DataFrame] = {}
        tables.update(compute_production(panel, params["production"]))
        dpanel = dea_panel(tables, panel, params["production"]["dea_panel"]["third_input"])
        tables["dea_panel"] = dpanel
        published = publish(
            db,
            tables,
            flow=FLOW_NAME,
            params=params,
            fingerprint=fingerprint,
            run_id=run_id,
            inputs=read.inputs(),
            prefect_flow_run_id=str(flow_run.get_id() or ""),
        )
    except BaseException as exc:
        store.fail_run(db, run_id, f"{type(exc).__name__}: {exc}")
        raise
    create_markdown_artifact(
        _summary_markdown(published, published != run_id, read, tables, fingerprint),
        key="refresh-summary",
        description="cbec refresh summary",
    )
    return {
        "run_id": published,
        "reused": published != run_id,
        "tables": {k: v.height for k, v in tables.items()},
    }
