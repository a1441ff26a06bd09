"""The one typed parameter model of a run (issue 19): frozen dataclasses mirroring METHODS, each
default declared once, and the only reader of the method configuration (config/*.toml).

`load_run_params()` reads every method file, checks it (a bad key or value is a ConfigError,
exit 2, naming file, key, value and what is allowed), fills every missing key with its default
and returns a `RunParams`; `RunParams.record()` is exactly what `results.runs.params` stores and
what the run version is computed from. Operational settings (how many processes) are kept apart
in `Operational`: they change how fast a run is, never its numbers, so they are not part of the
run version.

The indicator catalogue (config/indicators.toml: subsystems and their indicators) is data
rather than method options; it is passed through as read (checked by transforms/structure_panel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbec.params.coevolution import Causality, Coevolution, Fit, Green
from cbec.params.production import (
    Capital,
    CrossEff,
    Dea,
    Game,
    Labour,
    Malmquist,
    MalmquistGame,
    Production,
    RealGdp,
)
from cbec.params.spec import ConfigError, Rule, as_dict, described, integer, param, resolve
from cbec.params.structure import Coupling, Entropy, Inequality, Structure, Synergy
from cbec.params.toml import read_toml

# config file → its dataclass (a file not listed here is not a method file)
SECTIONS: dict[str, type] = {
    "production": Production,
    "dea": Dea,
    "malmquist": Malmquist,
    "structure": Structure,
    "coevolution": Coevolution,
    "green": Green,
}
# keys of a method file that are operational settings (see Operational)
OPERATIONAL_KEYS = {"coevolution": {"workers": "coevolution_workers"}}


@dataclass(frozen=True)
class Operational:
    """How a run is executed; never part of its numbers or its version."""

    coevolution_workers: int = param(0, integer(0), "processes for the fits (0 = one per core)")


@dataclass(frozen=True)
class RunParams:
    """Every method parameter of a refresh, resolved."""

    production: Production = field(default_factory=Production)
    dea: Dea = field(default_factory=Dea)
    malmquist: Malmquist = field(default_factory=Malmquist)
    structure: Structure = field(default_factory=Structure)
    coevolution: Coevolution = field(default_factory=Coevolution)
    green: Green = field(default_factory=Green)
    indicators: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The resolved parameters as plain data: what results.runs.params records."""
        return as_dict(self)


def resolve_section(name: str, data: dict[str, Any] | None, path: Path | str = "") -> Any:
    """One method file's table (`name` as in SECTIONS), checked and completed."""
    data = {k: v for k, v in (data or {}).items() if k not in OPERATIONAL_KEYS.get(name, {})}
    return resolve(SECTIONS[name], data, str(path or f"config/{name}.toml"))


def section_dict(name: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """`resolve_section` as plain data (for code that takes the TOML-shaped dict)."""
    return as_dict(resolve_section(name, data))


def load_run_params(config: Path | None = None) -> tuple[RunParams, Operational]:
    """Every method file of `config` (default cbec.paths.config_dir()), resolved."""
    from cbec.paths import config_dir

    folder = Path(config) if config else config_dir()
    parts: dict[str, Any] = {}
    ops: dict[str, Any] = {}
    for name in SECTIONS:
        path = folder / f"{name}.toml"
        data = read_toml(path) if path.exists() else {}
        for key, target in OPERATIONAL_KEYS.get(name, {}).items():
            if key in data:
                ops[target] = data[key]
        parts[name] = resolve_section(name, data, path)
    ind = folder / "indicators.toml"
    parts["indicators"] = read_toml(ind) if ind.exists() else {}
    return RunParams(**parts), resolve(Operational, ops, str(folder / "coevolution.toml"))


__all__ = [
    "SECTIONS", "Capital", "Causality", "Coevolution", "ConfigError", "Coupling", "CrossEff",
    "Dea", "Entropy", "Fit", "Game", "Green", "Inequality", "Labour", "Malmquist",
    "MalmquistGame", "Operational", "Production", "RealGdp", "Rule", "RunParams", "Structure",
    "Synergy", "described", "load_run_params", "resolve_section", "section_dict",
]  # fmt: skip
