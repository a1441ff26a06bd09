"""The Great Expectations suite of a survey response file (METHODS §10), generated from the
items and config/survey.toml; the stored expectations/suites/survey_responses.json is this suite
for study B's items C1–C29 (`suite_for` uses the stored one when they agree)."""

from __future__ import annotations

import json
from pathlib import Path

SUITE_NAME = "survey_responses"
SUITE_PATH = Path(__file__).resolve().parent / "suites" / f"{SUITE_NAME}.json"


def survey_suite(items: list[str], params: dict) -> dict:
    """The GX 1.x expectation suite (JSON-able dict) for a response file with these items.

    meta.severity 'critical' blocks publishing; 'warning' is reported only. The stored
    expectations/suites/survey_responses.json is this suite for study B's items C1–C29."""
    lo, hi = params["scale"]["min"], params["scale"]["max"]
    id_col = params["scale"]["id_column"]
    v = params.get("validation", {})
    exps: list[dict] = [
        {
            "type": "expect_column_to_exist",
            "kwargs": {"column": id_col},
            "meta": {"severity": "critical", "notes": "respondent id column present"},
        },
        {
            "type": "expect_column_values_to_be_unique",
            "kwargs": {"column": id_col},
            "meta": {"severity": "critical", "notes": "one row per respondent"},
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": id_col},
            "meta": {"severity": "critical"},
        },
    ]
    for c in items:
        exps += [
            {
                "type": "expect_column_to_exist",
                "kwargs": {"column": c},
                "meta": {"severity": "critical", "notes": "required item"},
            },
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": c, "value_set": list(range(int(lo), int(hi) + 1))},
                "meta": {
                    "severity": "critical",
                    "notes": f"integer answer within the scale {lo}..{hi} (nulls are missing answers)",
                },
            },
        ]
    exps += [
        {
            "type": "expect_column_mean_to_be_between",
            "kwargs": {
                "column": "_missing_share",
                "min_value": 0.0,
                "max_value": float(v.get("missing_answer_max_share", 0.05)),
            },
            "meta": {"severity": "warning", "notes": "missing-answer rate (observed_value)"},
        },
        {
            "type": "expect_column_mean_to_be_between",
            "kwargs": {
                "column": "_straight_lining",
                "min_value": 0.0,
                "max_value": float(v.get("straight_lining_max_share", 0.05)),
            },
            "meta": {
                "severity": "warning",
                "notes": "share of respondents giving one answer to every item (observed_value)",
            },
        },
    ]
    return {
        "name": SUITE_NAME,
        "expectations": exps,
        "meta": {
            "description": "Likert survey responses, one row per respondent (METHODS §10)",
            "generated_by": "expectations.survey_suite.survey_suite",
        },
    }


def suite_for(items: list[str], params: dict) -> dict:
    """The stored suite when the items are study B's, else the same rules for these items."""
    generated = survey_suite(items, params)
    if SUITE_PATH.exists():
        stored = json.loads(SUITE_PATH.read_text(encoding="utf-8"))
        if stored.get("expectations") == generated["expectations"]:
            return stored
    return generated
