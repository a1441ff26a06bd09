"""Table contracts: ONE declaration per warehouse table (columns, DuckDB types, units,
descriptions, key, METHODS section). Everything structural is generated from here:

- the DDL and the `COMMENT ON TABLE / COLUMN` data dictionary (warehouse/contracts/ddl.py),
- the write check of `warehouse.store.publish_run` (`check_frame`),
- the structural Great Expectations (expectations/structural.py),
- the report's column map (cbec/report/columns.py) and docs/DATA_DICTIONARY.md
  (warehouse/dictionary.py).

A `Family` declares columns whose names depend on the run's parameters (e.g. `slack_<input>` of
results.efficiency for the DEA inputs named in config/dea.toml).
"""

from __future__ import annotations

from warehouse.contracts import (
    raw,
    reference,
    results_dea,
    results_runs,
    results_structure,
    results_survey,
    staging,
)
from warehouse.contracts.base import (  # noqa: F401 - the contract types live in base
    FLOAT_TYPES,
    INT_TYPES,
    RUN_ID,
    Column,
    ContractError,
    Family,
    Table,
    _compatible,
    check_columns,
)


def _registry() -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for mod in (raw, staging, reference, results_runs, results_dea, results_structure,
                results_survey):  # fmt: skip
        for t in mod.TABLES:
            if t.qualified in tables:
                raise ValueError(f"table {t.qualified} declared twice")
            tables[t.qualified] = t
    return tables


TABLES: dict[str, Table] = _registry()
BUILTIN: frozenset[str] = frozenset(TABLES)  # declared here, not registered at run time


def register(table: Table) -> Table:
    """Declare one more table at run time (an extension or a test's own table)."""
    TABLES[table.qualified] = table
    return table


def get(qualified: str) -> Table:
    """The contract of `schema.table`; KeyError naming the table if it has none."""
    try:
        return TABLES[qualified]
    except KeyError:
        raise KeyError(f"no contract for table {qualified!r} (warehouse/contracts)") from None


def find(qualified: str) -> Table | None:
    return TABLES.get(qualified)


def result(name: str) -> Table:
    return get(f"results.{name}")


def of_schema(schema: str) -> list[Table]:
    return [t for t in TABLES.values() if t.schema == schema]


def for_suite(suite_table: str) -> Table | None:
    """The contract behind a validation table name ("results_efficiency", "staging_panel")."""
    for schema in ("results", "staging", "raw"):
        if suite_table.startswith(schema + "_"):
            return TABLES.get(f"{schema}.{suite_table.removeprefix(schema + '_')}")
    return None
