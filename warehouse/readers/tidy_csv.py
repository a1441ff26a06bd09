"""Reader for tidy CSV tables: one row per (province, year), one column per indicator.

Options (from config/sources.toml): ``region`` (column with the province name or code),
``year`` (column), ``values`` (columns to read; default all others), ``exclude`` (columns to
skip), ``units`` (column → unit when the header carries none), ``missing`` (missing markers).
Headers such as ``GDP (100million)`` or ``快递量(万件)`` carry their unit in brackets.
"""

from __future__ import annotations

from pathlib import Path

from cbec.errors import InputError
from warehouse.readers.common import (
    DEFAULT_MISSING,
    RawTable,
    RecordSink,
    Tracked,
    check_duplicates,
    check_year,
    csv_rows,
    data_rows,
    parse_number,
    parse_year,
    region_of,
    sha256_of,
    split_unit,
    truncation_check,
)


def read_tidy_csv(path: Path, *, display: str, options: dict | None = None) -> RawTable:
    opts = options or {}
    missing = tuple(opts.get("missing", DEFAULT_MISSING)) + ("NA",)
    rows = csv_rows(path, display)
    first = next(rows, None)
    if first is None:
        raise InputError("file is empty", file=display)
    header = [c.strip() for c in first.cells]
    region_col = opts.get("region", "province")
    year_col = opts.get("year", "year")
    for col in (region_col, year_col):
        if col not in header:
            raise InputError(f"column {col!r} not found in header {header}", file=display, line=1)
    ri, yi = header.index(region_col), header.index(year_col)
    exclude = set(opts.get("exclude", [])) | {region_col, year_col}
    values = opts.get("values") or [h for h in header if h not in exclude]
    units = opts.get("units", {})
    idx = []
    for v in values:
        if v not in header:
            raise InputError(f"column {v!r} not found in header", file=display, line=1)
        name, unit = split_unit(v)
        idx.append((header.index(v), v if v in units else name, units.get(v, unit)))
    out = RecordSink(display)
    for i, row in data_rows(tracked := Tracked(rows), len(header), file=display):
        code = region_of(row[ri], file=display, line=i)
        if code is None:
            continue
        year = parse_year(row[yi].strip())
        if year is None:
            raise InputError(f"invalid year {row[yi]!r}", file=display, line=i)
        check_year(year, file=display, line=i)
        for k, name, unit in idx:
            raw = row[k].strip()
            out.append(
                {
                    "source_file": display,
                    "line_no": i,
                    "region_raw": row[ri].strip(),
                    "region_code": code,
                    "year": year,
                    "month": None,
                    "indicator": name,
                    "unit": unit,
                    "value_raw": raw,
                    "value": parse_number(
                        raw, missing=missing, file=display, line=i, column=header[k]
                    ),
                }
            )
    truncation_check(path, display, tracked.last, footer=False)
    if not out:
        raise InputError("no data rows", file=display, line=2)
    df = out.frame()
    check_duplicates(df, ["region_code", "year", "indicator"], display)
    return RawTable(kind="tidy_csv", source_file=display, sha256=sha256_of(path), records=df)
