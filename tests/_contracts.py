"""Contracts of the small made-up result tables the store tests publish (a table needs a
contract before it can be written; see warehouse/contracts)."""

from __future__ import annotations

from warehouse.contracts import Column, Table, register


def register_test_tables() -> None:
    register(Table("results", "alpha", "test table", "", (
        Column("region_code", "VARCHAR", "", "province code", key=True),
        Column("year", "BIGINT", "year", "year", key=True),
        Column("x", "DOUBLE", "", "a value"))))  # fmt: skip
    register(Table("results", "beta", "test table", "", (
        Column("k", "VARCHAR", "", "a key", key=True),
        Column("y", "DOUBLE", "", "a value"))))  # fmt: skip


register_test_tables()
