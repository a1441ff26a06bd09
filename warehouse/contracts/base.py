"""Contract types: Column, Family, Table and the frame check (see warehouse/contracts)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

INT_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                       "USMALLINT", "UINTEGER", "UBIGINT"})  # fmt: skip
FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE"})


class ContractError(ValueError):
    """A frame written to a table does not match the table's contract."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type, e.g. DOUBLE, BIGINT, VARCHAR, VARCHAR[]
    unit: str  # "" for codes, labels and other unitless text
    description: str
    key: bool = False  # part of the table's key (one row per key; NOT NULL unless null_key)
    null_key: bool = False  # a key column that may be NULL (e.g. the group of a total row)
    required: bool = False  # a write or validation without this column fails
    not_null: bool = False  # a NOT NULL constraint in the DDL

    @property
    def must_exist(self) -> bool:
        return self.key or self.required

    def comment(self) -> str:
        unit = f" [{self.unit}]" if self.unit else ""
        return f"{self.description}{unit}"


@dataclass(frozen=True)
class Family:
    """Columns named `prefix<name>` (any lower-case name), one per parameter value."""

    prefix: str
    type: str
    unit: str
    description: str  # "{name}" is replaced by the part after the prefix

    def matches(self, column: str) -> bool:
        rest = column[len(self.prefix) :] if column.startswith(self.prefix) else None
        return bool(rest) and re.fullmatch(r"[a-z][a-z0-9_]*", rest) is not None

    def column(self, name: str) -> Column:
        part = name[len(self.prefix) :]
        return Column(name, self.type, self.unit, self.description.replace("{name}", part))


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    description: str
    methods: str  # METHODS section(s), e.g. "§9.1"; "" for bookkeeping tables
    columns: tuple[Column, ...]
    families: tuple[Family, ...] = ()
    time: str | None = None  # the column the report puts on the time axis
    headline: str | None = None  # the main value column (report)
    versioned: bool = True  # results.*: a run_id column first, one version per run
    extra_sql: str = ""  # table constraints appended to the DDL (e.g. PRIMARY KEY)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def has(self, name: str) -> bool:
        return name in self.names

    def column(self, name: str) -> Column:
        """The declared column `name` (a family member is built on the fly); KeyError if none."""
        for c in self.columns:
            if c.name == name:
                return c
        for f in self.families:
            if f.matches(name):
                return f.column(name)
        raise KeyError(f"{self.qualified} declares no column {name!r}")

    def comment(self) -> str:
        sec = f" (METHODS {self.methods})" if self.methods else ""
        key = f" Key: {', '.join(self.key)}." if self.key else ""
        return f"{self.description}{sec}.{key}"


RUN_ID = Column("run_id", "VARCHAR", "", "run that published the row (results.runs.run_id)")


def _compatible(declared: str, actual: str) -> bool:
    if actual == declared or actual in ('"NULL"', "NULL"):
        return True
    if declared.endswith("[]") and actual.endswith("[]"):
        return _compatible(declared[:-2], actual[:-2])
    if declared in INT_TYPES:
        return actual in INT_TYPES
    if declared in FLOAT_TYPES:
        return actual in FLOAT_TYPES or actual in INT_TYPES
    if declared == "JSON":
        return actual == "VARCHAR"
    return False


def check_columns(table: Table, actual: dict[str, str]) -> list[Column]:
    """Check a frame's columns (name → DuckDB type) against `table`; returns the declared
    columns of the frame (family members included). Raises ContractError naming the table and
    the column: an undeclared column, a type that does not fit, a missing key/required column."""
    out = []
    for name, typ in actual.items():
        if name == "run_id" and table.versioned:
            continue
        try:
            col = table.column(name)
        except KeyError:
            raise ContractError(
                f"{table.qualified}: column {name!r} ({typ}) is not in the table's contract "
                "(warehouse/contracts); declare it there first"
            ) from None
        if not _compatible(col.type, typ):
            raise ContractError(
                f"{table.qualified}: column {name!r} is {typ}, the contract says {col.type}"
            )
        out.append(col)
    missing = [c.name for c in table.columns if c.must_exist and c.name not in actual]
    if missing:
        raise ContractError(
            f"{table.qualified}: column(s) {', '.join(missing)} missing from the frame "
            "(key or required in warehouse/contracts)"
        )
    return out
