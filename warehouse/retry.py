"""Retrying an operation while DuckDB reports that another process holds the file lock
(used by warehouse/db.py and warehouse/workcopy.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb

T = TypeVar("T")


def is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def retry_locked(fn: Callable[[], T], *, what: str, seconds: float | None = None) -> T:
    """Call `fn`, retrying for up to `seconds` (default $CBEC_READ_RETRY_SECONDS or 10) while
    DuckDB reports that another process holds the file lock."""
    limit = float(os.environ.get("CBEC_READ_RETRY_SECONDS", "10")) if seconds is None else seconds
    deadline = time.monotonic() + limit
    pause = 0.05
    while True:
        try:
            return fn()
        except duckdb.IOException as exc:
            if not is_lock_error(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
