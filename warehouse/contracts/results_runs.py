"""Contracts of the run bookkeeping tables of results.* (ARCHITECTURE.md versioning semantics)."""

from __future__ import annotations

from warehouse.contracts.base import Column, Table

_RUN = Column("run_id", "VARCHAR", "", "run id (results.runs.run_id)")

RUNS = Table(
    "results", "runs", "One row per attempted run: status, inputs, parameters, code version", "",
    (
        Column("run_id", "VARCHAR", "", "run id: UTC start time + random suffix (primary key)", key=True),
        Column("flow", "VARCHAR", "", "flow that made the run (refresh, survey …)", not_null=True),
        Column("status", "VARCHAR", "", "running, published, failed, reused or abandoned", not_null=True),
        Column("started_at", "TIMESTAMP", "UTC", "start of the run", not_null=True),
        Column("finished_at", "TIMESTAMP", "UTC", "end of the run"),
        Column("input_fingerprint", "VARCHAR", "", "hash of the staged inputs"),
        Column("params", "JSON", "", "parameters the run used"),
        Column("params_hash", "VARCHAR", "", "hash of params"),
        Column("code_version", "VARCHAR", "", "package version + hash of the computing code"),
        Column("prefect_flow_run_id", "VARCHAR", "", "Prefect flow-run id"),
        Column("message", "VARCHAR", "", "failure message or note"),
        Column("kind", "VARCHAR", "", "full (a complete refresh) or partial (backfill, year subset)"),
        Column("scope", "VARCHAR", "", "years the run covers (all years, years 2012–2019 …)"),
        Column("pid", "BIGINT", "", "process id of the writer"),
        Column("host", "VARCHAR", "", "host name of the writer"),
        Column("promoted_at", "TIMESTAMP", "UTC", "when an operator promoted the run to results.latest_*"),
        Column("inputs_key", "VARCHAR", "", "hash of the input files and the staging configuration (an unchanged refresh reuses the run before staging)"),
    ),
    versioned=False, extra_sql="PRIMARY KEY (run_id)",
)  # fmt: skip

RUN_TABLES = Table(
    "results", "run_tables", "Result tables each run published, with row counts", "",
    (
        Column("run_id", "VARCHAR", "", "run id (results.runs)", key=True),
        Column("table_name", "VARCHAR", "", "result table name (results.<table_name>)", key=True),
        Column("rows", "BIGINT", "rows", "rows the run wrote to the table"),
    ),
    versioned=False, extra_sql="PRIMARY KEY (run_id, table_name)",
)  # fmt: skip

RUN_INPUTS = Table(
    "results", "run_inputs", "Input files each run used", "",
    (
        Column("run_id", "VARCHAR", "", "run id (results.runs)", not_null=True),
        Column("source_file", "VARCHAR", "", "input file"),
        Column("source_sha256", "VARCHAR", "", "SHA-256 of the file"),
        Column("vintage", "VARCHAR", "", "vintage of the file"),
        Column("reader", "VARCHAR", "", "reader that parsed the file"),
    ),
    versioned=False,
)  # fmt: skip

VALIDATIONS = Table(
    "results", "validations", "Great Expectations results of each validation stage of a run", "",
    (
        _RUN,
        Column("stage", "VARCHAR", "", "raw, staging or results"),
        Column("passed", "BOOLEAN", "", "no critical failure"),
        Column("critical_failures", "BIGINT", "findings", "critical findings (block publishing)"),
        Column("warnings", "BIGINT", "findings", "warning findings"),
        Column("result", "JSON", "", "full result: findings per table and expectation"),
        Column("created_at", "TIMESTAMP", "UTC", "when the stage was validated"),
    ),
    versioned=False,
)  # fmt: skip

TABLES = (RUNS, RUN_TABLES, RUN_INPUTS, VALIDATIONS)
BOOKKEEPING = tuple(t.name for t in TABLES)
