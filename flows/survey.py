"""Survey flow: load responses → validate (Great Expectations) → compute (METHODS §10) → publish
a versioned run (ARCHITECTURE.md). Runs with no Prefect server (ephemeral mode) or as a
deployment; `survey_flow(file, model=None, db=None)`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from cbec.paths import db_path
from tasks.survey import (
    SUITE_PATH,
    compute_survey,
    default_model_path,
    load_survey_params,
    response_items,
    summary_markdown,
    survey_suite,
    with_row_metrics,
)

FLOW_NAME = "survey"


@task(name="survey-load", cache_policy=None)
def load_responses(file: str, model: str | None, params: dict) -> tuple[pl.DataFrame, str, str]:
    """(responses, model text, input fingerprint = sha256 of the file bytes and the model text)."""
    from cbec.commands._common import read_table

    model_path = Path(model) if model else default_model_path(params)
    model_text = model_path.read_text(encoding="utf-8")
    df = read_table(file)
    h = hashlib.sha256(Path(file).read_bytes())
    h.update(b"\0model\0" + model_text.encode())
    return df, model_text, h.hexdigest()


def suite_for(items: list[str], params: dict) -> dict:
    """The stored suite when the items are study B's, else the same rules for these items."""
    generated = survey_suite(items, params)
    if SUITE_PATH.exists():
        stored = json.loads(SUITE_PATH.read_text(encoding="utf-8"))
        if stored.get("expectations") == generated["expectations"]:
            return stored
    return generated


@task(name="survey-validate", cache_policy=None)
def validate_responses(df: pl.DataFrame, items: list[str], params: dict, file: str):
    from expectations.runner import validate_frame

    frame = with_row_metrics(df, items)
    return validate_frame(
        frame, suite_for(items, params), table="survey_responses", source_file=file
    )


@flow(name=FLOW_NAME, log_prints=True)
def survey_flow(file: str, model: str | None = None, db: str | None = None) -> dict:
    """Analyse one survey response file and publish the survey_* result tables."""
    from cbec.errors import InputError, ValidationFailed
    from measures.survey.sem import parse_model
    from warehouse import store

    logger = get_run_logger()
    db = str(Path(db) if db else db_path())
    params = {"survey": load_survey_params()}
    sp = params["survey"]
    df, model_text, fingerprint = load_responses(file, model, sp)
    try:
        spec = parse_model(model_text)
    except ValueError as exc:
        raise InputError(str(exc), file=model or str(default_model_path(sp))) from exc
    items = response_items(df.columns, spec, sp)
    params["survey"]["model_text"] = model_text  # the model is a parameter of the run
    logger.info("%s: %d respondents, %d items", file, df.height, len(items))

    existing = store.find_reusable_run(
        db, flow=FLOW_NAME, input_fingerprint=fingerprint, params=params
    )
    if existing:
        return {"run_id": existing, "reused": True, "tables": {}}

    run_id = store.start_run(
        db,
        flow=FLOW_NAME,
        params=params,
        input_fingerprint=fingerprint,
        prefect_flow_run_id=str(flow_run.get_id() or ""),
    )
    try:
        result = validate_responses(df, items, sp, file)
        store.record_validation(db, run_id, "survey_responses", result.to_dict())
        create_markdown_artifact(
            result.summary_markdown(), key="survey-validation", description="survey validation"
        )
        if not result.passed:
            raise ValidationFailed(
                f"{file}: {result.critical_failures} critical expectation(s) failed; nothing published"
            )
        tables = compute_survey(df, model_text, sp)
        published = store.publish_run(
            db,
            tables,
            flow=FLOW_NAME,
            params=params,
            input_fingerprint=fingerprint,
            run_id=run_id,
            prefect_flow_run_id=str(flow_run.get_id() or ""),
        )
    except BaseException as exc:
        store.fail_run(db, run_id, f"{type(exc).__name__}: {exc}")
        raise
    create_markdown_artifact(
        summary_markdown(tables, title=f"cbec survey — run `{published}` ({Path(file).name})"),
        key="survey-summary",
        description="cbec survey summary",
    )
    return {
        "run_id": published,
        "reused": published != run_id,
        "tables": {k: v.height for k, v in tables.items()},
    }
