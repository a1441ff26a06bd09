"""Structural expectations generated from the table contracts (warehouse/contracts): the
column set, the types of numeric and boolean columns, a non-null key and a unique key. The
suites in expectations/suites/ hold only the non-structural rules (ranges, sets, derived
checks). String, list and timestamp types are checked when the frame is written
(warehouse.contracts.check_columns)."""

from __future__ import annotations

import polars as pl

from warehouse.contracts import FLOAT_TYPES, INT_TYPES, Table, for_suite

WHOLE_TABLE = ("expect_table_columns_to_match_set",)
_INTS = ["int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8"]


def _e(kind: str, kwargs: dict, check: str, rule: str) -> dict:
    return {"type": kind, "kwargs": kwargs,
            "meta": {"severity": "critical", "check": check, "rule": rule, "contract": True}}  # fmt: skip


def _types(table: Table, df: pl.DataFrame) -> list[dict]:
    out = []
    for name in df.columns:
        try:
            col = table.column(name)
        except KeyError:
            continue
        nulls = df[name].null_count() > 0 or df.schema[name] == pl.Null
        if col.type in FLOAT_TYPES:
            types = ["float64", "float32"]
        elif col.type in INT_TYPES:
            types = _INTS + (["float64"] if nulls else [])
        elif col.type == "BOOLEAN" and not nulls:
            types = ["bool"]
        else:
            continue
        if df.schema[name] == pl.Null:
            types = [*types, "object"]
        rule = f"{table.qualified}.{name} is {col.type} ({col.comment()})"
        out.append(_e("expect_column_values_to_be_in_type_list",
                      {"column": name, "type_list": types}, "column_type", rule))  # fmt: skip
    return out


def _key(table: Table) -> list[dict]:
    out = []
    for c in table.columns:
        if c.key and not c.null_key:
            if c.name == "region_code":
                check, rule = "province_code", "every row has a province code"
            else:
                check, rule = "key_not_null", f"every row has a {c.name} (key of {table.qualified})"
            out.append(_e("expect_column_values_to_not_be_null", {"column": c.name}, check, rule))
    key = list(table.key)
    if len(key) > 1:
        out.append(_e("expect_compound_columns_to_be_unique", {"column_list": key}, "unique_key",
                      f"one row per ({', '.join(key)})"))  # fmt: skip
    elif key:
        out.append(_e("expect_column_values_to_be_unique", {"column": key[0]}, "unique_key",
                      f"one row per {key[0]}"))  # fmt: skip
    return out


def structural(table_name: str, df: pl.DataFrame, frame: pl.DataFrame) -> list[dict]:
    """Expectations of `table_name` ("results_efficiency", "staging_panel") from its contract;
    `df` is the table as given, `frame` the same rows with the derived check columns. Empty when
    the table has no contract (raw reader records, survey responses, plausibility)."""
    table = for_suite(table_name)
    if table is None or table.schema == "raw":
        return []
    out = [
        _e("expect_column_to_exist", {"column": c.name}, "columns",
           f"{table.qualified} has column {c.name}")
        for c in table.columns if c.must_exist
    ]  # fmt: skip
    derived = [c for c in frame.columns if c not in df.columns]
    declared = [c for c in df.columns if _declared(table, c)]
    required = [c.name for c in table.columns if c.must_exist and c.name not in df.columns]
    out.append(_e("expect_table_columns_to_match_set",
                  {"column_set": declared + required + derived, "exact_match": True}, "columns",
                  f"{table.qualified} has only the columns of its contract (warehouse/contracts)"))  # fmt: skip
    return out + _types(table, df) + _key(table)


def _declared(table: Table, column: str) -> bool:
    try:
        table.column(column)
    except KeyError:
        return False
    return True
