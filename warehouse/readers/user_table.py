"""A user's own table (CSV, XLSX or Parquet) for the analysis commands and the survey flow,
with errors that name the file (exit 4, cbec.errors.InputError): `read_table` into polars,
`read_frame` into a `cbec.frame.Frame` (a CSV file read by the source readers' streaming CSV
reader, `warehouse.readers.text`, without importing polars)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cbec.errors import InputError
from cbec.frame import Frame
from warehouse.readers.text import CsvRow, csv_rows, sniff_encoding

if TYPE_CHECKING:
    from collections.abc import Iterator

    import polars as pl


def read_table(path: str) -> pl.DataFrame:
    """Read a user's CSV/XLSX/Parquet file into polars, with errors that name the file."""
    import polars as pl

    p = _checked_path(path)
    try:
        suffix = p.suffix.lower()
        if suffix in (".xlsx", ".xls"):
            import pandas as pd

            return pl.from_pandas(pd.read_excel(p))
        if suffix == ".parquet":
            return pl.read_parquet(p)
        import io

        with open(p, encoding=sniff_encoding(p, path), newline="") as fh:
            text = fh.read()
        sep = _separator(text.split("\n", 1)[0])
        return pl.read_csv(io.StringIO(text), infer_schema_length=10000, separator=sep)
    except InputError:
        raise
    except Exception as exc:  # polars/pandas parse errors
        raise InputError(f"cannot parse: {exc}", file=path) from exc


def read_frame(path: str) -> Frame:
    """A user's file as a Frame: a CSV file's cells as text (empty = None) with each row's
    first file line kept for messages (blank rows skipped); a row wider than the header, or
    narrower as written, is an InputError naming its line. XLSX/Parquet through `read_table`."""
    p = _checked_path(path)
    if p.suffix.lower() in (".xlsx", ".xls", ".parquet"):
        return Frame.from_polars(read_table(path))
    with open(p, encoding=sniff_encoding(p, path), newline="") as fh:
        sep = _separator(fh.readline())
    return _frame_of_rows(csv_rows(p, path, delimiter=sep), path)


def _frame_of_rows(rows: Iterator[CsvRow], file: str) -> Frame:
    header = next(rows, None)
    if header is None:
        raise InputError("file is empty", file=file)
    names = header.cells
    dup = next((h for k, h in enumerate(names) if h in names[:k]), None)
    if dup is not None:
        raise InputError(f"the header names column {dup!r} twice", file=file, line=header.line)
    n = len(names)
    cols: list[list[str | None]] = [[] for _ in names]
    lines: list[int] = []
    for row in rows:
        if len(row.cells) > n or row.width < n:
            raise InputError(f"{row.width} fields, the header has {header.width}",
                             file=file, line=row.line)  # fmt: skip
        for k in range(n):
            cell = row.cells[k] if k < len(row.cells) else ""
            cols[k].append(cell if cell != "" else None)
        lines.append(row.line)
    frame = Frame(dict(zip(names, cols, strict=True)), dict.fromkeys(names, "str"))
    frame.lines = lines
    return frame


def _checked_path(path: str) -> Path:
    """The path of a user's file, or an InputError: not found / empty."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=path)
    if p.stat().st_size == 0:
        raise InputError("file is empty", file=path)
    return p


def _separator(header: str) -> str:
    """',' unless the header line has no comma but semicolons or tabs (R write.csv2, Excel in
    comma-decimal locales, TSV)."""
    if "," not in header:
        for sep in (";", "\t"):
            if sep in header:
                return sep
    return ","
