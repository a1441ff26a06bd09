"""Reader for long per-indicator tables: ``省份编码,省份,年份,<indicator (unit)>…`` (the
国家数据 分省年度数据 tables as reshaped by common compilations)."""

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

KEY_COLUMNS = ("省份编码", "省份", "年份")


def read_nbs_long(path: Path, *, display: str, options: dict | None = None) -> RawTable:
    opts = options or {}
    missing = tuple(opts.get("missing", DEFAULT_MISSING))
    rows = csv_rows(path, display)
    first = next(rows, None)
    if first is None:
        raise InputError("file is empty", file=display)
    header = [c.strip() for c in first.cells]
    if tuple(header[:3]) != KEY_COLUMNS:
        raise InputError(
            f"expected header to start with {','.join(KEY_COLUMNS)}; found {','.join(header[:3])!r}",
            file=display,
            line=1,
        )
    meta = [split_unit(h) for h in header[3:]]
    out = RecordSink(display)
    for i, row in data_rows(
        tracked := Tracked(rows), len(header), file=display, hint=" (truncated or shifted row)"
    ):
        code_cell, name_cell, year_cell = (c.strip() for c in row[:3])
        code = region_of(code_cell or name_cell, file=display, line=i)
        if code is None:
            continue
        by_name = region_of(name_cell, file=display, line=i) if name_cell else code
        if by_name != code:
            raise InputError(
                f"province code {code_cell!r} does not match name {name_cell!r}",
                file=display,
                line=i,
            )
        year = parse_year(year_cell)
        if year is None:
            raise InputError(f"invalid year {year_cell!r}", file=display, line=i)
        check_year(year, file=display, line=i)
        for k, (name, unit) in enumerate(meta):
            raw = row[3 + k].strip()
            val = parse_number(raw, missing=missing, file=display, line=i, column=header[3 + k])
            out.append(
                {
                    "source_file": display,
                    "line_no": i,
                    "region_raw": name_cell,
                    "region_code": code,
                    "year": year,
                    "month": None,
                    "indicator": name,
                    "unit": unit,
                    "value_raw": raw,
                    "value": val,
                }
            )
    truncation_check(path, display, tracked.last, footer=False)
    if not out:
        raise InputError("no data rows (truncated file?)", file=display, line=2)
    df = out.frame()
    check_duplicates(df, ["region_code", "year", "indicator"], display)
    return RawTable(kind="nbs_long", source_file=display, sha256=sha256_of(path), records=df)
