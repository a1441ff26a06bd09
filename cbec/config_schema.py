"""The declared shape of the method configuration (config/*.toml): every key, its type and its
allowed values, checked before any work starts (METHODS §0: every option is recorded).

`check_config(name, data, path)` raises `ConfigError` (exit 2) with one message naming the
file, the key, the bad value and what is allowed. A file or table not declared here is not
checked; a key not declared inside a declared table is an error (a typo must not be ignored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cbec.errors import UsageError


class ConfigError(UsageError):
    """A configuration file that cannot be used as written (exit 2)."""


@dataclass(frozen=True)
class Key:
    """One configuration key: allowed Python types, optional choices and numeric bounds."""

    types: tuple[type, ...]
    choices: tuple[Any, ...] | None = None
    lo: float | None = None
    hi: float | None = None
    items: tuple[type, ...] | None = None  # element types of a list
    test: Callable[[Any], bool] | None = None  # a further check, described by `expect`
    expect: str = ""

    def describe(self) -> str:
        if self.expect:
            return self.expect
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        names = " or ".join(_type_name(t) for t in self.types)
        if self.items:
            names += " of " + " or ".join(_type_name(t) for t in self.items)
        if self.lo is not None or self.hi is not None:
            lo = "-inf" if self.lo is None else f"{self.lo:g}"
            hi = "inf" if self.hi is None else f"{self.hi:g}"
            names += f" in [{lo}, {hi}]"
        return names


def _type_name(t: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true/false"}.get(
        t, {list: "a list", dict: "a table"}.get(t, t.__name__)
    )


def choice(*values: str) -> Key:
    return Key((str,), choices=values)


def number(lo: float | None = None, hi: float | None = None) -> Key:
    return Key((int, float), lo=lo, hi=hi)


def integer(lo: float | None = None, hi: float | None = None) -> Key:
    return Key((int,), lo=lo, hi=hi)


def strings() -> Key:
    return Key((list,), items=(str,))


BOOL = Key((bool,))
TEXT = Key((str,))
ANY_TABLE = Key((dict,))
ANY_LIST = Key((list,))

GAME = {
    "tol": number(0, 1),
    "max_iter": integer(1),
    "start": choice("aggressive", "benevolent", "arbitrary", "ccr"),
    "accelerate": choice("anderson", "none"),
}

LABOUR = {
    "series": choice("total", "urban_proxy"),
    "splice": choice("ratio", "none"),
    "proxy": strings(),
    "method": choice("years", "pwt", "count"),
    "interp": choice("linear", "none"),
}
WINDOW = Key(
    (str, list),
    test=lambda v: (
        v == "longest"
        or (
            isinstance(v, list)
            and len(v) == 2
            and all(isinstance(y, int) for y in v)
            and v[0] <= v[1]
        )
    ),
    expect="'longest' or [first_year, last_year]",
)

SCHEMA: dict[str, dict[str, Any]] = {
    "production": {
        "real_gdp": {"base_year": integer(1952, 2100), "population": choice("year_end", "mean")},
        "capital": {
            "delta": number(0, 1),
            "init": choice("steady_state", "zhang", "external"),
            "n_growth": integer(1, 50),
            "investment": TEXT,
            "deflator": TEXT,
            "allow_negative": BOOL,
            "first_year": integer(1900, 2100),
        },
        "labour": LABOUR,
    },
    "dea": {
        "inputs": strings(),
        "outputs": strings(),
        "orientation": choice("input", "output"),
        "rts": choice("crs", "vrs", "nirs", "ndrs"),
        "window": WINDOW,
        "proxies": ANY_TABLE,
        "sensitivity": Key((list,), items=(dict,)),
        "crosseff": {
            "secondary": choice("aggressive", "benevolent", "none", "arbitrary"),
            "include_self": BOOL,
        },
        "game": GAME,
    },
    "malmquist": {
        "orientation": choice("input", "output"),
        "frontier": choice("adjacent", "fixed", "global", "sequential"),
        "base": integer(0),
        "decomposition": choice("fgnz", "rd"),
        "infeasible": choice("nan", "global", "drop"),
        "cross_efficiency": BOOL,
        "game": {k: GAME[k] for k in ("tol", "max_iter", "start")},
    },
}


def check_config(name: str, data: dict[str, Any], path: Path | str) -> None:
    """Raise ConfigError for the first key of `data` (config file `name`) outside SCHEMA."""
    spec = SCHEMA.get(name)
    if spec is not None:
        _check_table(spec, data, str(path), "")


def _check_table(spec: dict[str, Any], data: dict[str, Any], path: str, prefix: str) -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in spec:
            allowed = ", ".join(sorted(spec))
            raise ConfigError(f"{path}: unknown key {dotted!r} (allowed keys here: {allowed})")
        rule = spec[key]
        if isinstance(rule, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: {dotted!r} must be a table [{dotted}], got {value!r}")
            _check_table(rule, value, path, dotted + ".")
        else:
            _check_value(rule, value, path, dotted)


def _check_value(rule: Key, value: Any, path: str, dotted: str) -> None:
    ok = isinstance(value, rule.types) and not (isinstance(value, bool) and bool not in rule.types)
    if ok and rule.choices is not None:
        ok = value in rule.choices
    if ok and isinstance(value, int | float) and not isinstance(value, bool):
        ok = (rule.lo is None or value >= rule.lo) and (rule.hi is None or value <= rule.hi)
    if ok and rule.items and isinstance(value, list):
        ok = all(isinstance(v, rule.items) for v in value)
    if ok and rule.test is not None:
        ok = bool(rule.test(value))
    if not ok:
        raise ConfigError(
            f"{path}: {dotted} = {value!r} is not allowed; allowed: {rule.describe()}"
        )
