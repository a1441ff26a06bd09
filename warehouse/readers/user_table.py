"""A user's own table (CSV, XLSX or Parquet) for the analysis commands and the survey flow,
with errors that name the file (exit 4, cbec.errors.InputError): `read_table` into polars,
`read_frame` into a `cbec.frame.Frame` (a CSV file without importing polars)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cbec.errors import InputError
from cbec.frame import Frame, checked_path, decode, read_csv_text, separator

if TYPE_CHECKING:
    import polars as pl


def read_table(path: str) -> pl.DataFrame:
    """Read a user's CSV/XLSX/Parquet file into polars, with errors that name the file."""
    import polars as pl

    p = checked_path(path)
    try:
        suffix = p.suffix.lower()
        if suffix in (".xlsx", ".xls"):
            import pandas as pd

            return pl.from_pandas(pd.read_excel(p))
        if suffix == ".parquet":
            return pl.read_parquet(p)
        import io

        text = decode(p.read_bytes(), path)
        return pl.read_csv(io.StringIO(text), infer_schema_length=10000, separator=separator(text))
    except InputError:
        raise
    except Exception as exc:  # polars/pandas parse errors
        raise InputError(f"cannot parse: {exc}", file=path) from exc


def read_frame(path: str) -> Frame:
    """A user's file as a Frame: a CSV file's cells as text (read with the standard library,
    each row's file line kept for messages), XLSX/Parquet through `read_table`."""
    p = checked_path(path)
    if p.suffix.lower() in (".xlsx", ".xls", ".parquet"):
        return Frame.from_polars(read_table(path))
    text = decode(p.read_bytes(), path)
    return read_csv_text(text, path, separator(text))
