"""Run parameters from config/*.toml (every value ends up in results.runs.params)."""

from __future__ import annotations

import tomllib

from cbec.paths import config_dir

# config files whose content parameterises the refresh's measures
PARAM_FILES = ("production", "dea", "malmquist", "indicators", "structure", "coevolution")


def load_params(names: tuple[str, ...] = PARAM_FILES) -> dict:
    out: dict = {}
    for name in names:
        p = config_dir() / f"{name}.toml"
        if p.exists():
            with open(p, "rb") as fh:
                out[name] = tomllib.load(fh)
    return out
