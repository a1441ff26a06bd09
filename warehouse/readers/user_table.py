"""A user's own table (CSV, XLSX or Parquet) for the analysis commands and the survey flow,
read into polars with errors that name the file (exit 4, cbec.errors.InputError)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cbec.errors import InputError


def read_table(path: str) -> pl.DataFrame:
    """Read a user's CSV/XLSX/Parquet file into polars, with errors that name the file."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=path)
    if p.stat().st_size == 0:
        raise InputError("file is empty", file=path)
    try:
        suffix = p.suffix.lower()
        if suffix in (".xlsx", ".xls"):
            import pandas as pd

            return pl.from_pandas(pd.read_excel(p))
        if suffix == ".parquet":
            return pl.read_parquet(p)
        raw = p.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes almost anything
            raise InputError("cannot decode as UTF-8 or GBK", file=path)
        import io

        return pl.read_csv(io.StringIO(text), infer_schema_length=10000, separator=_separator(text))
    except InputError:
        raise
    except Exception as exc:  # polars/pandas parse errors
        raise InputError(f"cannot parse: {exc}", file=path) from exc


def _separator(text: str) -> str:
    """',' unless the header line has no comma but semicolons or tabs (R write.csv2, Excel in
    comma-decimal locales, TSV)."""
    header = text.split("\n", 1)[0]
    if "," not in header:
        for sep in (";", "\t"):
            if sep in header:
                return sep
    return ","
