"""Reader for .xlsx yearbook tables: provinces in rows, a year header row (merged cells, so
years appear once per group) above an indicator header row such as ``GDP(亿元)``.

Also accepts a single header row of years (one indicator per sheet, named by options
``indicator``/``unit``). Missing cells are ``--`` in these compilations.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from cbec.errors import InputError
from warehouse.readers.common import (
    RawTable,
    check_duplicates,
    check_year,
    parse_number,
    parse_year,
    records_frame,
    region_of,
    sha256_of,
    split_unit,
)

XLSX_MISSING = ("", "--", "-", "—", "…", "...")


def _load_rows(path: Path, display: str, sheet: str | int | None) -> list[tuple]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"cannot open as .xlsx: {exc}", file=display) from exc
    ws = (
        wb.worksheets[sheet]
        if isinstance(sheet, int)
        else (wb[sheet] if sheet else wb.worksheets[0])
    )
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def read_yearbook_xlsx(path: Path, *, display: str, options: dict | None = None) -> RawTable:
    opts = options or {}
    missing = tuple(opts.get("missing", XLSX_MISSING))
    rows = _load_rows(path, display, opts.get("sheet"))
    if not rows or not any(any(c is not None and str(c).strip() for c in r) for r in rows):
        raise InputError("workbook sheet is empty", file=display)
    # find the year header row: the first row whose non-empty cells after column 0 are all years
    year_row = None
    for i, r in enumerate(rows[:10]):
        cells = [c for c in r[1:] if c is not None and str(c).strip()]
        if cells and all(parse_year(c) is not None for c in cells):
            year_row = i
            break
    if year_row is None:
        raise InputError(
            "no header row of years (e.g. '2019年') in the first 10 rows (merged or shifted header?)",
            file=display,
            line=1,
        )
    years: list[int | None] = []
    current = None
    for c in rows[year_row][1:]:
        y = parse_year(c) if c is not None and str(c).strip() else None
        current = y if y is not None else current
        years.append(current)
    ind_row = year_row + 1 if year_row + 1 < len(rows) else None
    ind_cells = rows[ind_row][1:] if ind_row is not None else ()
    has_ind_row = (
        ind_row is not None
        and region_of_safe(rows[ind_row][0]) is None
        and any(c is not None and parse_year(c) is None and str(c).strip() for c in ind_cells)
    )
    if has_ind_row:
        metas = [split_unit(str(c)) if c is not None else ("", "") for c in ind_cells]
        first_data = ind_row + 1
    else:
        name = opts.get("indicator") or path.stem
        metas = [(name, opts.get("unit", ""))] * len(years)
        first_data = year_row + 1
    out: list[dict] = []
    for i in range(first_data, len(rows)):
        r = rows[i]
        line = i + 1
        if r[0] is None or not str(r[0]).strip():
            if any(c is not None and str(c).strip() for c in r[1:]):
                raise InputError(
                    "data row without a province name (merged header rows?)",
                    file=display,
                    line=line,
                )
            continue
        name_cell = str(r[0]).strip()
        if name_cell.startswith(("注", "数据来源", "资料来源")):
            break
        code = region_of(name_cell, file=display, line=line)
        if code is None:
            continue
        for k, year in enumerate(years):
            if year is None:
                continue
            ind, unit = metas[k] if k < len(metas) else ("", "")
            if not ind:
                raise InputError(
                    f"column {k + 2} has a year but no indicator name",
                    file=display,
                    line=ind_row + 1 if ind_row is not None else 1,
                )
            check_year(year, file=display, line=year_row + 1)
            raw = r[k + 1] if k + 1 < len(r) else None
            val = parse_number(
                raw, missing=missing, file=display, line=line, column=f"{year}年 {ind}"
            )
            out.append(
                {
                    "source_file": display,
                    "line_no": line,
                    "region_raw": name_cell,
                    "region_code": code,
                    "year": year,
                    "month": None,
                    "indicator": ind,
                    "unit": unit,
                    "value_raw": None if raw is None else str(raw),
                    "value": val,
                }
            )
    if not out:
        raise InputError("no province rows found", file=display)
    df = records_frame(out)
    check_duplicates(df, ["region_code", "year", "indicator"], display)
    return RawTable(kind="yearbook_xlsx", source_file=display, sha256=sha256_of(path), records=df)


def region_of_safe(cell: object) -> str | None:
    from warehouse.provinces import province_code

    return province_code(cell) if cell is not None else None
