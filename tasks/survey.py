"""Survey flow tasks (METHODS §10), thin: read the response file, validate it with its Great
Expectations suite, compute the result tables. The tables are built in transforms/survey.py,
the suite in expectations/survey_suite.py."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from cbec.settings import default_model_path
from expectations.survey_suite import suite_for
from tasks._cache import COMPUTE_CACHE
from transforms.survey import survey_tables, with_row_metrics
from warehouse.readers.user_table import read_table

if TYPE_CHECKING:
    from expectations.results import ValidationResult


@task(name="survey-load", cache_policy=NO_CACHE)
def load_responses(file: str, model: str | None, params: dict) -> tuple[pl.DataFrame, str, str]:
    """(responses, model text, input fingerprint = sha256 of the file bytes and the model text)."""
    model_path = Path(model) if model else default_model_path(params)
    model_text = model_path.read_text(encoding="utf-8")
    df = read_table(file)
    h = hashlib.sha256(Path(file).read_bytes())
    h.update(b"\0model\0" + model_text.encode())
    return df, model_text, h.hexdigest()


@task(name="survey-validate", cache_policy=NO_CACHE)
def validate_responses(
    df: pl.DataFrame, items: list[str], params: dict, file: str
) -> ValidationResult:
    """The response file against its suite (rates of straight-lining and missing answers added)."""
    from expectations.runner import validate_frame

    frame = with_row_metrics(df, items)
    return validate_frame(
        frame, suite_for(items, params), table="survey_responses", source_file=file
    )


@task(name="survey-measures", cache_policy=COMPUTE_CACHE)
def compute_survey(
    responses: pl.DataFrame, model_text: str, params: dict
) -> dict[str, pl.DataFrame]:
    """Reliability, adequacy, EFA, CFA/SEM tables of one response file (METHODS §10)."""
    return survey_tables(responses, model_text, params)
