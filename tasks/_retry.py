"""Retry only transient I/O failures (locked warehouse file, flaky disk), never bad data."""

from __future__ import annotations


def retry_on_io(task, task_run, state) -> bool:  # noqa: ARG001 - Prefect's signature
    try:
        state.result()
    except (OSError, TimeoutError):
        return True
    except Exception as exc:  # duckdb lock errors are IOException
        return type(exc).__name__ in ("IOException",)
    return False
