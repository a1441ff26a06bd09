"""Reader for .xlsx yearbook tables: provinces in rows, a year header row (merged cells, so
years appear once per group) above an indicator header row such as ``GDP(亿元)``.

Also accepts a single header row of years with the indicator row ABOVE it (merged over the year
columns), or with no indicator row when options ``indicator``/``unit`` name it (never the file
name). Missing cells are ``--`` in these compilations.

Bounded before reading: the decompressed size of the workbook (256 MB) and the compression ratio
of each member are checked from the zip directory; the declared sheet dimension is not trusted
(openpyxl read-only with `reset_dimensions`, rows trimmed of trailing empty cells as they
stream, at most 100,000 rows). Every sheet is considered: hidden sheets are skipped (said in the
table notes), more than one visible sheet with data is refused unless option ``sheet`` is set.
"""

from __future__ import annotations

import warnings
import zipfile
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


MAX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 100_000
MAX_COLS = 5_000


def check_zip(path: Path, display: str) -> None:
    """Refuse a workbook whose members would decompress to more than MAX_UNCOMPRESSED bytes or
    with an implausible compression ratio (a zip bomb), from the zip directory alone."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"cannot open as .xlsx: {exc}", file=display) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise InputError(
            f"cannot open as .xlsx safely: it decompresses to {total / 2**20:,.0f} MB "
            f"(limit {MAX_UNCOMPRESSED / 2**20:.0f} MB; a zip bomb or not a statistics table)",
            file=display,
        )
    for i in infos:
        if i.file_size > 16 * 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise InputError(
                f"cannot open as .xlsx safely: member {i.filename} is compressed "
                f"{i.file_size / max(i.compress_size, 1):,.0f}:1 (limit {MAX_RATIO}:1, zip bomb?)",
                file=display,
            )


def _sheet_rows(ws, display: str) -> list[tuple]:
    """Rows of a read-only sheet, trailing empty cells and rows dropped, within the bounds."""
    ws.reset_dimensions()  # never pad rows to a declared (possibly huge) dimension
    rows: list[tuple] = []
    last_nonempty, filled = -1, 0
    for k, r in enumerate(ws.iter_rows(values_only=True)):
        cells = list(r)
        while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
            cells.pop()
        if not cells:
            rows.append(())  # one shared empty tuple: a far-away styled cell costs a pointer
            continue
        filled += 1
        if filled > MAX_ROWS:
            raise InputError(f"sheet {ws.title!r} has more than {MAX_ROWS:,} rows", file=display)
        if len(cells) > MAX_COLS:
            raise InputError(
                f"sheet {ws.title!r} row {k + 1} has {len(cells):,} columns (limit {MAX_COLS:,})",
                file=display,
                line=k + 1,
            )
        rows.append(tuple(cells))
        last_nonempty = k
    return rows[: last_nonempty + 1]


def _load_rows(path: Path, display: str, sheet: str | int | None, notes: list[str]) -> list[tuple]:
    import openpyxl

    check_zip(path, display)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"cannot open as .xlsx: {exc}", file=display) from exc
    try:
        if sheet is not None:
            try:
                ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
            except (IndexError, KeyError):
                raise InputError(f"no sheet {sheet!r} in the workbook", file=display) from None
            if ws.sheet_state != "visible":
                notes.append(
                    f"configured sheet {ws.title!r} is {ws.sheet_state}; read as configured"
                )
            return _sheet_rows(ws, display)
        with_data = []
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                notes.append(f"{ws.sheet_state} sheet {ws.title!r} skipped (not read)")
                continue
            rows = _sheet_rows(ws, display)
            if any(any(c is not None and str(c).strip() for c in r) for r in rows):
                with_data.append((ws.title, rows))
        if len(with_data) > 1:
            names = ", ".join(repr(t) for t, _ in with_data)
            raise InputError(
                f"workbook has {len(with_data)} visible sheets with data ({names}); set option "
                "`sheet` in config/sources.toml to say which one holds the table",
                file=display,
            )
        return with_data[0][1] if with_data else []
    finally:
        wb.close()


def read_yearbook_xlsx(path: Path, *, display: str, options: dict | None = None) -> RawTable:
    """A yearbook-style sheet: provinces down, years (and indicators) across."""
    opts = options or {}
    missing = tuple(opts.get("missing", XLSX_MISSING))
    notes: list[str] = []
    rows = _load_rows(path, display, opts.get("sheet"), notes)
    if not rows or not any(any(c is not None and str(c).strip() for c in r) for r in rows):
        raise InputError("workbook sheet is empty", file=display)
    year_row, years = _year_header(rows, display)
    metas, ind_row, first_data = _indicator_layout(rows, year_row, years, opts, display)
    out: list[dict] = []
    for i in range(first_data, len(rows)):
        r = rows[i]
        line = i + 1
        if not r or r[0] is None or not str(r[0]).strip():
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
                {"source_file": display, "line_no": line, "region_raw": name_cell,
                 "region_code": code, "year": year, "month": None, "indicator": ind,
                 "unit": unit, "value_raw": None if raw is None else str(raw), "value": val}
            )  # fmt: skip
    if not out:
        raise InputError("no province rows found", file=display)
    df = records_frame(out)
    check_duplicates(df, ["region_code", "year", "indicator"], display)
    return RawTable(
        kind="yearbook_xlsx", source_file=display, sha256=sha256_of(path), records=df, notes=notes
    )


def _year_header(rows: list[tuple], display: str) -> tuple[int, list[int | None]]:
    """The year header row (the first whose non-empty cells after column 0 are all years) and
    the year of every data column (merged year cells forward-filled to the header's width)."""
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
    width = max(len(r) for r in rows[year_row : year_row + 2])
    header = list(rows[year_row]) + [None] * (width - len(rows[year_row]))
    for c in header[1:]:
        y = parse_year(c) if c is not None and str(c).strip() else None
        current = y if y is not None else current
        years.append(current)
    return year_row, years


def _indicator_layout(
    rows: list[tuple], year_row: int, years: list[int | None], opts: dict, display: str
) -> tuple[list[tuple[str, str]], int | None, int]:
    """(indicator and unit of every column, the indicator row, the first data row): the row
    below the years, the row above them, or the configured `indicator` for the whole sheet."""
    ind_row = year_row + 1 if year_row + 1 < len(rows) else None
    ind_cells = rows[ind_row][1:] if ind_row is not None else ()
    has_ind_row = (
        ind_row is not None
        and region_of_safe(rows[ind_row][0] if rows[ind_row] else None) is None
        and any(c is not None and parse_year(c) is None and str(c).strip() for c in ind_cells)
    )
    above = _indicators_above(rows, year_row, len(years))
    if has_ind_row:
        metas = [split_unit(str(c)) if c is not None else ("", "") for c in ind_cells]
        return metas, ind_row, year_row + 2
    if above is not None and not opts.get("indicator"):
        return above, year_row - 1, year_row + 1
    if opts.get("indicator"):
        return [(opts["indicator"], opts.get("unit", ""))] * len(years), ind_row, year_row + 1
    raise InputError(
        "a row of years but no indicator row (below or above it) and no `indicator` "
        "configured: the file name is not an indicator",
        file=display,
        line=year_row + 1,
    )


def _indicators_above(rows: list[tuple], year_row: int, n: int) -> list[tuple[str, str]] | None:
    """Indicator names in the row above the year row (merged cells: forward-filled), or None."""
    if year_row == 0:
        return None
    cells = list(rows[year_row - 1][1:]) + [None] * n
    texts = [c for c in cells[:n] if c is not None and str(c).strip()]
    if not texts or any(parse_year(c) is not None for c in texts) or cells[0] is None:
        return None
    out, current = [], None
    for c in cells[:n]:
        if c is not None and str(c).strip():
            current = split_unit(str(c))
        out.append(current or ("", ""))
    return out


def region_of_safe(cell: object) -> str | None:
    from warehouse.provinces import province_code

    return province_code(cell) if cell is not None else None
