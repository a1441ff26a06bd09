"""How a parameter is declared: its allowed values (`Rule`) and its default, held together on a
frozen-dataclass field (`param`), and how a TOML table is resolved into such a dataclass
(`resolve`): every key checked, every missing key filled from its one declared default
(METHODS §0: every option is recorded).

A bad value is one `ConfigError` (exit 2) naming the file, the dotted key, the value and what
is allowed; an unknown key is an error too (a typo must not be ignored).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from cbec.errors import UsageError


class ConfigError(UsageError):
    """A configuration file that cannot be used as written (exit 2)."""


@dataclass(frozen=True)
class Rule:
    """Allowed values of one key: Python types, optional choices and numeric bounds."""

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

    def allows(self, value: Any) -> bool:
        ok = isinstance(value, self.types) and not (
            isinstance(value, bool) and bool not in self.types
        )
        if ok and self.choices is not None:
            ok = value in self.choices
        if ok and isinstance(value, int | float) and not isinstance(value, bool):
            ok = (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)
        if ok and self.items and isinstance(value, list):
            ok = all(isinstance(v, self.items) for v in value)
        if ok and self.test is not None:
            ok = bool(self.test(value))
        return ok


def _type_name(t: type) -> str:
    names: dict[type, str] = {str: "a string", int: "an integer", float: "a number",
                              bool: "true/false", list: "a list", dict: "a table"}  # fmt: skip
    return names.get(t, t.__name__)


def choice(*values: str) -> Rule:
    return Rule((str,), choices=values)


def number(lo: float | None = None, hi: float | None = None) -> Rule:
    return Rule((int, float), lo=lo, hi=hi)


def integer(lo: float | None = None, hi: float | None = None) -> Rule:
    return Rule((int,), lo=lo, hi=hi)


def strings() -> Rule:
    return Rule((list,), items=(str,))


BOOL = Rule((bool,))
TEXT = Rule((str,))
TABLE = Rule((dict,))
YEAR_PAIR = Rule(
    (list,),
    test=lambda v: len(v) == 2 and all(isinstance(y, int) for y in v) and v[0] <= v[1],
    expect="[first_year, last_year]",
)


def param(default: Any, rule: Rule, doc: str = "") -> Any:
    """A dataclass field with its one default, its rule and a short description."""
    if isinstance(default, list | dict):
        value = default
        return dataclasses.field(
            default_factory=lambda: _copy(value), metadata={"rule": rule, "doc": doc}
        )
    return dataclasses.field(default=default, metadata={"rule": rule, "doc": doc})


def table(cls: type) -> Any:
    """A nested table (another parameter dataclass) with all its defaults."""
    return dataclasses.field(default_factory=cls)


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


T = TypeVar("T")


def resolve(cls: type[T], data: Mapping[str, Any] | None, path: str, prefix: str = "") -> T:
    """`data` (one TOML table) checked against `cls` and completed with its defaults."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in (data or {}).items():
        dotted = f"{prefix}{key}"
        if key not in fields:
            allowed = ", ".join(sorted(fields))
            raise ConfigError(f"{path}: unknown key {dotted!r} (allowed keys here: {allowed})")
        kind = hints[key]
        if dataclasses.is_dataclass(kind):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: {dotted!r} must be a table [{dotted}], got {value!r}")
            values[key] = resolve(kind, value, path, dotted + ".")  # type: ignore[arg-type]
            continue
        rule: Rule = fields[key].metadata["rule"]
        if value is None and fields[key].default is None:  # an "automatic" default, recorded
            values[key] = None
            continue
        if not rule.allows(value):
            raise ConfigError(
                f"{path}: {dotted} = {value!r} is not allowed; allowed: {rule.describe()}"
            )
        values[key] = value
    return cls(**values)


def as_dict(obj: Any) -> dict[str, Any]:
    """The resolved parameters as plain TOML-like data (what a run records)."""
    return dataclasses.asdict(obj)


def described(cls: type) -> list[tuple[str, Any, str, str]]:
    """(dotted key, default, allowed, description) of every parameter of `cls` (docs)."""
    rows: list[tuple[str, Any, str, str]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        if dataclasses.is_dataclass(kind):
            rows += [(f"{f.name}.{k}", d, a, t) for k, d, a, t in described(kind)]  # type: ignore[arg-type]
        else:
            default = (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            )
            rows.append((f.name, default, f.metadata["rule"].describe(), f.metadata["doc"]))
    return rows
