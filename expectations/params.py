"""Gate parameters of the expectation suites: config/expectations.toml with `years.max`
resolved, plus what config/variables.toml maps (used by expectations/derive.py and the suites'
{"$PARAMETER": name} kwargs)."""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import tomllib
from pathlib import Path
from typing import Any


def _config_dir() -> Path:
    from cbec.paths import config_dir

    return config_dir()


@functools.lru_cache(maxsize=4)
def _load_params_cached(path: str, mtime: float, vpath: str, vmtime: float) -> dict:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    p = copy.deepcopy(raw)
    year_max = raw["years"]["max"]
    p["years"]["max"] = _dt.date.today().year if year_max == "current" else int(year_max)
    pairs: set[tuple[str, str]] = set()
    imap: dict[tuple[str, str], tuple[str, float]] = {}
    names: list[str] = []
    if vpath:
        with open(vpath, "rb") as fh:
            v = tomllib.load(fh)
        for name, spec in v.get("variables", {}).items():
            names.append(name)
            for src in spec.get("sources", []):
                pairs.add((src["indicator"], src.get("unit", "")))
                imap.setdefault(
                    (src["indicator"], src.get("unit", "")),
                    (name, float(src.get("factor", 1.0))),
                )
    p["_mapping_pairs"] = pairs
    p["_variables"] = sorted(names)
    p["_indicator_map"] = imap
    return p


def load_params() -> dict:
    """config/expectations.toml with `years.max` resolved, plus the indicator → unit pairs, the
    canonical variables and the (indicator, unit) → (variable, factor) map of
    config/variables.toml (keys `_mapping_pairs`, `_variables`, `_indicator_map`)."""
    cfg = _config_dir() / "expectations.toml"
    var = _config_dir() / "variables.toml"
    vm = var.stat().st_mtime if var.exists() else 0.0
    return _load_params_cached(str(cfg), cfg.stat().st_mtime, str(var) if var.exists() else "", vm)


def suite_parameters(params: dict) -> dict[str, Any]:
    """The flat {"$PARAMETER": name} values the suites may use."""
    from warehouse.provinces import CODES

    tol = float(params["results"]["score_tolerance"])
    return {
        "year_min": int(params["years"]["min"]),
        "year_max": int(params["years"]["max"]),
        "province_codes": list(CODES),
        "variables": params["_variables"],
        "chain_critical_min": float(params["chain_index"]["critical_min"]),
        "chain_critical_max": float(params["chain_index"]["critical_max"]),
        "chain_warning_min": float(params["chain_index"]["warning_min"]),
        "chain_warning_max": float(params["chain_index"]["warning_max"]),
        "chain_level_growth": float(params["chain_index"]["level_run_growth"]),
        "jump_warning_factor": float(params["jumps"]["warning_factor"]),
        "unit_switch_factor": float(params["jumps"]["unit_switch_factor"]),
        "vintage_warning_rel_diff": float(params["vintages"]["warning_rel_diff"]),
        "sector_sum_tolerance": float(params["sector_sum"]["tolerance"]),
        "score_max": 1.0 + tol,
        "score_tolerance": tol,
        "signed_max": 1.0 + tol,
        "signed_min": -1.0 - tol,
    }
