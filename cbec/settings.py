"""Reading configuration: `read_toml` is the one TOML reader of the project (a syntax error is a
ConfigError naming file and line); the method parameters of a run come from the typed model
`cbec.params` (`load_params` returns its record: every key resolved, defaults filled in)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cbec.params.toml import read_toml

# config files whose content parameterises the refresh's measures
PARAM_FILES = (
    "production", "dea", "malmquist", "indicators", "structure", "coevolution", "green"
)  # fmt: skip
SURVEY_CONFIG = Path(__file__).resolve().parent.parent / "config" / "survey.toml"


def load_params(names: tuple[str, ...] = PARAM_FILES) -> dict[str, Any]:
    """The resolved method parameters of a run (cbec.params.RunParams.record()), restricted to
    `names`; a bad file, key or value is a ConfigError (exit 2) before any work starts."""
    from cbec.params import load_run_params

    record = load_run_params()[0].record()
    return {name: record[name] for name in names if name in record}


def load_operational():
    """The operational settings (processes …): not part of a run's numbers or version."""
    from cbec.params import load_run_params

    return load_run_params()[1]


def load_survey_params(path: str | Path | None = None) -> dict:
    """config/survey.toml as a dict (every value ends up in the run's params)."""
    return read_toml(Path(path) if path else SURVEY_CONFIG)


def default_model_path(params: dict) -> Path:
    p = Path(params["sem"]["model"])
    return p if p.is_absolute() else SURVEY_CONFIG.parent.parent / p


def load_green_params() -> dict:
    """The resolved green-TFP parameters (config/green.toml; no bad output when it is absent)."""
    return load_params(("green",))["green"]
