"""Run parameters from config/*.toml (every value ends up in results.runs.params).

Each file is parsed and checked against `cbec.config_schema` before any work starts: a syntax
error, an unknown key, a wrong type or a value outside the allowed set is one `ConfigError`
(exit 2) naming the file, the key, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from cbec.config_schema import ConfigError, check_config
from cbec.paths import config_dir

# config files whose content parameterises the refresh's measures
PARAM_FILES = (
    "production", "dea", "malmquist", "indicators", "structure", "coevolution", "green"
)  # fmt: skip


SURVEY_CONFIG = Path(__file__).resolve().parent.parent / "config" / "survey.toml"


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file; a syntax error is a ConfigError naming the file and line."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


def load_params(names: tuple[str, ...] = PARAM_FILES) -> dict[str, Any]:
    """The method parameters of a run, checked (see module docstring)."""
    out: dict[str, Any] = {}
    for name in names:
        p = config_dir() / f"{name}.toml"
        if p.exists():
            out[name] = read_toml(p)
            check_config(name, out[name], p)
    return out


def load_survey_params(path: str | Path | None = None) -> dict:
    """config/survey.toml as a dict (every value ends up in the run's params)."""
    return read_toml(Path(path) if path else SURVEY_CONFIG)


def default_model_path(params: dict) -> Path:
    p = Path(params["sem"]["model"])
    return p if p.is_absolute() else SURVEY_CONFIG.parent.parent / p


def load_green_params() -> dict:
    """config/green.toml, or {} when it does not exist."""
    p = config_dir() / "green.toml"
    return read_toml(p) if p.exists() else {}
