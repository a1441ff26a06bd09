"""Reader for data.stats.gov.cn (国家数据) CSV exports, both layouts.

Layout A (one year, indicators as columns)::

    数据库：分省年度数据
    时间：2019年
    地区\t,地区生产总值 (亿元)\t,第一产业增加值 (亿元)\t,…
    北京市\t,35371.3\t,…
    注：…
    数据来源：国家统计局

Layout B (one indicator, years as columns): header ``地区,2024年,2023年,…``; the indicator comes
from an ``指标：…`` line, a title line above the header, or the source's configured indicator.
UTF-8 (with BOM), GBK or UTF-16; header and footnote lines are skipped. A second export
appended after the first one's footer (a new ``数据库：``/``时间：``/``地区`` block) is read too;
anything else after a footer is an error (never silently dropped). A row written with fewer
cells than the header, or a last row cut off without a line break or footer, is truncated.
Layout B without an ``指标：`` line, a title or a configured ``indicator`` is refused (the file
name is not an indicator).
"""

from __future__ import annotations

import re
from pathlib import Path

from cbec.errors import InputError
from warehouse.readers.common import (
    DEFAULT_MISSING,
    CsvRow,
    RawTable,
    RecordSink,
    check_duplicates,
    check_year,
    csv_rows,
    parse_number,
    parse_year,
    region_of,
    sha256_of,
    split_unit,
    truncation_check,
)

FOOTNOTE_PREFIXES = ("注", "数据来源", "资料来源", "说明")
BLOCK_STARTS = ("数据库", "时间", "指标")


def _clean(cell: str) -> str:
    return cell.replace("\t", "").replace("\u3000", " ").strip()


def _cells(row: CsvRow) -> list[str]:
    cells = [_clean(c) for c in row.cells]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


_NUMBERED_NOTE = re.compile(r"^\d{1,2}\s*[.．、]\s*\D")


def _is_footnote(cells: list[str]) -> bool:
    """'注：…', '数据来源：…', or a numbered note '2. 城镇单位数据…' (may contain commas)."""
    first = cells[0]
    return first.startswith(FOOTNOTE_PREFIXES) or bool(_NUMBERED_NOTE.match(first))


def read_nbs_export(path: Path, *, display: str, options: dict | None = None) -> RawTable:
    opts = dict(options or {})
    rows = [r for r in csv_rows(path, display) if _cells(r)]
    out = RecordSink(display)
    i, blocks, footer = 0, 0, False
    while i < len(rows):
        i, footer = _read_block(rows, i, path, display, opts, out)
        blocks += 1
        while i < len(rows) and _is_footnote(_cells(rows[i])):
            i += 1
        if i < len(rows):
            first = _cells(rows[i])[0]
            if not (first.startswith(BLOCK_STARTS) or first.replace(" ", "").startswith("地区")):
                raise InputError(
                    f"unexpected content {first[:40]!r} after the footer of the export (a second "
                    "table that is not a data.stats.gov.cn export?)",
                    file=display,
                    line=rows[i].line,
                )
    truncation_check(path, display, rows[-1] if rows else None, footer=footer)
    if not len(out):
        raise InputError(
            "no province rows found below the header (truncated file?)",
            file=display,
            line=opts.get("_header_line") or 1,
        )
    df = out.frame()
    check_duplicates(df, ["region_code", "year", "indicator"], display)
    table = RawTable(kind="nbs_export", source_file=display, sha256=sha256_of(path), records=df)
    if blocks > 1:
        table.notes.append(f"{blocks} exports in one file, all read")
    return table


def _find_header(rows, start, display, opts):
    """Index of the '地区' header row of the block starting at `start`, and its metadata."""
    year_meta: int | None = int(opts["year"]) if opts.get("year") else None
    indicator_meta: str | None = opts.get("indicator")
    unit_meta: str = opts.get("unit", "")
    title: str | None = None
    opts["_year_line"] = None
    for i in range(start, len(rows)):
        cells = _cells(rows[i])
        first = cells[0]
        if first.startswith("数据库"):
            continue
        if first.startswith("时间"):
            year_meta = parse_year(first.split("：")[-1].split(":")[-1])
            opts["_year_line"] = rows[i].line
            continue
        if first.startswith("指标"):
            ind = first.split("：")[-1].split(":")[-1].strip()
            if ind:
                indicator_meta, u = split_unit(ind)
                unit_meta = u or unit_meta
            continue
        if first.replace(" ", "").startswith("地区"):
            opts["_header_line"] = rows[i].line
            return i, year_meta, indicator_meta, unit_meta, title
        if title is None:
            title = first
    raise InputError(
        "no header row starting with '地区' found (not a data.stats.gov.cn export, or the "
        "header is shifted/missing)",
        file=display,
        line=rows[start].line if start < len(rows) else 1,
    )


def _columns(rows, h, path, display, year_meta, indicator_meta, unit_meta, title, year_line=None):
    """[(indicator, unit, year)] of the header row `h`."""
    header = _cells(rows[h])
    cols = header[1:]
    line = rows[h].line
    if not cols:
        raise InputError("header has no data columns", file=display, line=line)
    years = [parse_year(c) for c in cols]
    layout_b = all(y is not None for y in years)
    if not layout_b and any(y is not None for y in years):
        raise InputError("header mixes year columns and indicator columns", file=display, line=line)
    if layout_b:
        ind_name = indicator_meta or (split_unit(title)[0] if title else None)
        if not ind_name:
            raise InputError(
                "years as columns but no indicator: the export has no '指标：' line or title "
                "above the header and none is configured (`indicator` in config/sources.toml)",
                file=display,
                line=line,
            )
        ind_unit = unit_meta or (split_unit(title)[1] if title else "")
        for y in years:
            check_year(int(y), file=display, line=line)
        return cols, [(ind_name, ind_unit, y) for y in years]
    if year_meta is None:
        raise InputError(
            "layout with indicators as columns needs a '时间：YYYY年' line", file=display, line=1
        )
    check_year(int(year_meta), file=display, line=year_line or line)
    meta = [(*split_unit(c), year_meta) for c in cols]
    for c, (name, _, _) in zip(cols, meta, strict=True):
        if not name:
            raise InputError(f"empty indicator name in header cell {c!r}", file=display, line=line)
    return cols, meta


def _read_block(rows, start, path, display, opts, out) -> tuple[int, bool]:
    """Read one export block into `out`; returns (index after its data rows, footer seen)."""
    missing = tuple(opts.get("missing", DEFAULT_MISSING))
    h, year_meta, indicator_meta, unit_meta, title = _find_header(rows, start, display, opts)
    cols, col_meta = _columns(
        rows, h, path, display, year_meta, indicator_meta, unit_meta, title, opts.get("_year_line")
    )
    ncols = len(cols)
    written = rows[h].width
    seen_data = False
    i = h + 1
    while i < len(rows):
        row = rows[i]
        cells = _cells(row)
        first = cells[0]
        if _is_footnote(cells):
            return i, True
        if seen_data and (
            first.startswith(BLOCK_STARTS) or first.replace(" ", "").startswith("地区")
        ):
            return i, False
        i += 1
        if len(cells) == 1 and not seen_data:
            continue
        seen_data = True
        _check_width(cells, row, ncols, written, display)
        code = region_of(first, file=display, line=row.line)
        if code is None:
            continue
        for k, (name, unit, year) in enumerate(col_meta):
            raw = cells[k + 1] if k + 1 < len(cells) else ""
            val = parse_number(raw, missing=missing, file=display, line=row.line, column=cols[k])
            out.append(
                {"source_file": display, "line_no": row.line, "region_raw": first,
                 "region_code": code, "year": int(year), "month": None, "indicator": name,
                 "unit": unit, "value_raw": raw, "value": val}
            )  # fmt: skip
    return i, False


def _check_width(cells: list[str], row: CsvRow, ncols: int, written: int, display: str) -> None:
    """More values than header columns, or a row written with fewer cells than the header
    (a cut row), is an error; empty last cells of a full-width row are missing values."""
    if len(cells) - 1 > ncols:
        raise InputError(
            f"row has {len(cells) - 1} values but the header has {ncols} columns",
            file=display,
            line=row.line,
        )
    if row.width < min(written, ncols + 1) and len(cells) > 1:
        raise InputError(
            f"row has {row.width - 1} values but the header has {ncols} columns (truncated row?)",
            file=display,
            line=row.line,
        )
