"""Survey flow: load responses → validate (Great Expectations) → compute (METHODS §10) → publish
a versioned run (ARCHITECTURE.md). Runs with no Prefect server (ephemeral mode) or as a
deployment; `survey_flow(file, model=None, db=None)`."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from cbec.paths import db_path
from cbec.report.survey_summary import summary_markdown
from cbec.settings import default_model_path, load_survey_params
from tasks.survey import compute_survey, load_responses, validate_responses
from transforms.survey import response_items

FLOW_NAME = "survey"


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
