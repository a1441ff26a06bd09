"""Ordering of period labels (METHODS §9.7): numbers numerically, text labels naturally —
runs of digits compare as numbers, so "y9" < "y10" and "2019Q4" < "2020Q1"."""

from __future__ import annotations

import re
from typing import Any

_CHUNKS = re.compile(r"(\d+)")


def natural_key(value: Any) -> tuple:
    """Sort key: numbers by value; strings split into text and integer chunks."""
    if isinstance(value, bool):
        return (1, ((0, str(value)),))
    if isinstance(value, int | float):
        return (0, float(value))
    parts = _CHUNKS.split(str(value).strip())
    return (1, tuple((1, int(p)) if p.isdigit() else (0, p.lower()) for p in parts if p != ""))


def order_periods(values: Any, explicit: list | None = None) -> list:
    """Distinct period labels in time order: `explicit` (every label exactly once, as given)
    or the natural order of `natural_key`. Raises ValueError naming a label missing from /
    unknown to the explicit order."""
    distinct = list(dict.fromkeys(v for v in values if v is not None))
    if explicit is None:
        return sorted(distinct, key=natural_key)
    labels = {str(v): v for v in distinct}
    order = [str(v) for v in explicit]
    if len(set(order)) != len(order):
        raise ValueError("the explicit period order lists a period twice")
    unknown = [v for v in order if v not in labels]
    missing = [k for k in labels if k not in set(order)]
    if unknown:
        raise ValueError(f"period(s) {unknown} in the explicit order are not in the data")
    if missing:
        raise ValueError(f"period(s) {missing} of the data are missing from the explicit order")
    return [labels[v] for v in order]
