"""Errors users see, with exit codes that scripts can rely on.

Exit codes: 0 success; 1 unexpected internal error; 2 usage error (bad options);
3 input error (unreadable or malformed file, unknown province, unbalanced panel …);
4 validation failed (a critical expectation blocked publishing);
5 numerical failure (solver did not converge, model not identified);
6 busy: another run holds the warehouse lock, or the warehouse changed under a run.
"""

from __future__ import annotations


class CbecError(Exception):
    """Base class: an error with a message meant for a person and an exit code."""

    exit_code = 1


class UsageError(CbecError):
    exit_code = 2


class InputError(CbecError):
    """Bad input data. The message names the file, the row/line and the problem."""

    exit_code = 3

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        self.file = file
        self.line = line
        where = ""
        if file is not None:
            where = f"{file}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)


class ValidationFailed(CbecError):
    exit_code = 4


class NumericalError(CbecError):
    exit_code = 5


class Busy(CbecError):
    """Another run holds the warehouse lock (and --wait expired), or the warehouse changed
    under a run so its result would be stale: nothing was published."""

    exit_code = 6
