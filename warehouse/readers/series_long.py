"""Reader for long national series tables: one row per (series, period) with the value and its
unit in columns, e.g. data/national_cbec_express_anchors/national_anchors.csv:

    series,period,value,unit,yoy_growth_pct,…
    cbec_import_export,2024H1,1.22,trillion_cny,10.5,…

Rows go to raw.national_series with region_code "00" (the whole country; no province). Periods
are a year ("2023") or a cumulative half-year ("2024H1" → year 2024, month 6). Options (config/
sources.toml): ``series``, ``period``, ``value``, ``unit`` (column names, defaults as above) and
``growth`` (a column of year-on-year growth in %, read as indicator ``<series>_yoy`` unit "%").
These rows never enter staging.panel (it is provincial): they are anchors queried from raw.
"""

from __future__ import annotations

import re
from pathlib import Path

from cbec.errors import InputError
from warehouse.readers.common import (
    RawTable,
    RecordSink,
    Tracked,
    check_duplicates,
    check_year,
    csv_rows,
    data_rows,
    parse_number,
    sha256_of,
    truncation_check,
)

NATIONAL_CODE = "00"
_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:(H1)|(Q[1-4]))?\s*$", re.IGNORECASE)


def parse_period(raw: str, *, file: str, line: int) -> tuple[int, int | None]:
    """'2023' → (2023, None); '2024H1' → (2024, 6); 'YYYYQn' → (YYYY, 3n) (cumulative)."""
    m = _PERIOD.match(str(raw))
    if not m:
        raise InputError(
            f"invalid period {raw!r} (expected YYYY, YYYYH1 or YYYYQn)", file=file, line=line
        )
    year = check_year(int(m.group(1)), file=file, line=line)
    if m.group(2):
        return year, 6
    if m.group(3):
        return year, 3 * int(m.group(3)[1])
    return year, None


def read_series_long(path: Path, *, display: str, options: dict | None = None) -> RawTable:
    opts = options or {}
    cols = {k: opts.get(k, k) for k in ("series", "period", "value", "unit")}
    growth = opts.get("growth")
    rows = csv_rows(path, display)
    first = next(rows, None)
    if first is None:
        raise InputError("empty file", file=display, line=1)
    header = [c.strip() for c in first.cells]
    for c in [*cols.values(), *([growth] if growth else [])]:
        if c not in header:
            raise InputError(f"column {c!r} not found in header {header}", file=display, line=1)
    ix = {k: header.index(v) for k, v in cols.items()}
    gi = header.index(growth) if growth else None
    out = RecordSink(display)
    for i, row in data_rows(tracked := Tracked(rows), len(header), file=display):
        series = row[ix["series"]].strip()
        if not series:
            raise InputError("empty series name", file=display, line=i)
        year, month = parse_period(row[ix["period"]], file=display, line=i)
        cells = [(series, row[ix["unit"]].strip(), row[ix["value"]].strip(), cols["value"])]
        if gi is not None and row[gi].strip():
            cells.append((f"{series}_yoy", "%", row[gi].strip(), growth))
        for name, unit, raw, column in cells:
            out.append(
                {
                    "source_file": display,
                    "line_no": i,
                    "region_raw": "全国",
                    "region_code": NATIONAL_CODE,
                    "year": year,
                    "month": month,
                    "indicator": name,
                    "unit": unit,
                    "value_raw": raw,
                    "value": parse_number(raw, missing=("",), file=display, line=i, column=column),
                }
            )
    truncation_check(path, display, tracked.last, footer=False)
    if not out:
        raise InputError("no data rows", file=display, line=2)
    df = out.frame()
    check_duplicates(df, ["indicator", "year", "month"], display)
    return RawTable(kind="national_series", source_file=display, sha256=sha256_of(path), records=df)
