"""Input checks shared by the DEA-family commands (dea, crosseff, malmquist): every problem
is an InputError naming the file, the line and the cell (exit code 3), never a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cbec.errors import InputError
from cbec.frame import Frame, row_line

if TYPE_CHECKING:
    import numpy as np
    import polars as pl


def require_rows(df: pl.DataFrame | Frame, file: str) -> None:
    """A header-only file has nothing to analyse."""
    if df.height == 0:
        raise InputError("the file has a header but no data rows", file=file)


def finite_matrix(
    df: pl.DataFrame | Frame, mat: np.ndarray, cols: list[str], file: str, id_col: str
):
    """Reject inf/−inf cells (the CSV reader accepts 'inf' as a number)."""
    import numpy as np

    bad = np.argwhere(~np.isfinite(mat))
    if bad.size:
        i, k = (int(v) for v in bad[0])
        raise InputError(
            f"column {cols[k]!r} has a non-finite value {float(mat[i, k])} "
            f"({id_col}={df[id_col][i]}); DEA needs finite numbers",
            file=file,
            line=row_line(df, i),
        )


def dmu_names(df: pl.DataFrame | Frame, col: str, file: str) -> list[str]:
    """DMU names as text; an empty name is an error naming its line."""
    if isinstance(df, Frame):
        names = [None if v is None else str(v) for v in df[col]]
        empty = next((i for i, v in enumerate(names) if v is None or not v.strip()), None)
        if empty is not None:
            raise InputError(f"column {col!r} is empty: every DMU needs a name", file=file,
                             line=df.line(empty))  # fmt: skip
        return [v for v in names if v is not None]
    import polars as pl

    s = df[col].cast(pl.Utf8)
    empty = (s.is_null() | (s.str.strip_chars() == "")).arg_true()
    if len(empty):
        i = int(empty[0])
        raise InputError(f"column {col!r} is empty: every DMU needs a name", file=file, line=i + 2)
    return s.to_list()


def num(v) -> str:
    """A number for a message: 0.5, 3, nan, inf — never np.float64(…)."""
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.6g}"
