"""Small helpers for writing result frames as text (CSV has no nested values)."""

from __future__ import annotations

import polars as pl

from cbec.frame import LIST_SEPARATOR

__all__ = ["LIST_SEPARATOR", "flat"]


def flat(df: pl.DataFrame) -> pl.DataFrame:
    """List columns (quality flags, frontier provinces, inputs) joined as 'a; b' text, so the
    frame can be written as CSV; other columns unchanged."""
    lists = [c for c, t in df.schema.items() if isinstance(t, pl.List)]
    if not lists:
        return df
    return df.with_columns(
        [pl.col(c).cast(pl.List(pl.Utf8)).list.join(LIST_SEPARATOR).alias(c) for c in lists]
    )
