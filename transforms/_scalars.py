"""Polars aggregates (min, max, sum) as Python numbers: polars types them as any literal, so
each transform states here what it knows the column holds."""

from __future__ import annotations

from typing import Any, cast


def as_int(value: Any) -> int:
    """An aggregate of an integer column (a year, a count) as int."""
    return int(cast(int, value))


def as_float(value: Any) -> float:
    """An aggregate of a float column as float."""
    return float(cast(float, value))
