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
UTF-8 (with BOM) or GBK; header and footnote lines are skipped.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cbec.errors import InputError
from warehouse.readers.common import (
    DEFAULT_MISSING,
    RawTable,
    check_duplicates,
    check_year,
    decode_text,
    parse_number,
    parse_year,
    records_frame,
    region_of,
    sha256_of,
    split_unit,
)

FOOTNOTE_PREFIXES = ("注", "数据来源", "资料来源", "说明")


def _clean(cell: str) -> str:
    return cell.replace("\t", "").replace("\u3000", " ").strip()


def read_nbs_export(path: Path, *, display: str, options: dict | None = None) -> RawTable:
    opts = options or {}
    missing = tuple(opts.get("missing", DEFAULT_MISSING))
    text = decode_text(path, display)
    rows = list(csv.reader(io.StringIO(text)))
    year_meta: int | None = int(opts["year"]) if opts.get("year") else None
    indicator_meta: str | None = opts.get("indicator")
    unit_meta: str = opts.get("unit", "")
    title: str | None = None
    header_idx = None
    for i, row in enumerate(rows):
        cells = [_clean(c) for c in row]
        first = cells[0] if cells else ""
        if not any(cells):
            continue
        if first.startswith("数据库"):
            continue
        if first.startswith("时间"):
            y = parse_year(first.split("：")[-1].split(":")[-1])
            year_meta = y
            continue
        if first.startswith("指标"):
            ind = first.split("：")[-1].split(":")[-1].strip()
            if ind:
                indicator_meta, u = split_unit(ind)
                unit_meta = u or unit_meta
            continue
        if first.replace(" ", "").startswith("地区"):
            header_idx = i
            break
        if title is None:
            title = first
    if header_idx is None:
        raise InputError(
            "no header row starting with '地区' found (not a data.stats.gov.cn export, or the "
            "header is shifted/missing)",
            file=display,
            line=1,
        )
    header = [_clean(c) for c in rows[header_idx]]
    while header and header[-1] == "":
        header.pop()
    cols = header[1:]
    if not cols:
        raise InputError("header has no data columns", file=display, line=header_idx + 1)
    years = [parse_year(c) for c in cols]
    layout_b = all(y is not None for y in years)
    if not layout_b and any(y is not None for y in years):
        raise InputError(
            "header mixes year columns and indicator columns", file=display, line=header_idx + 1
        )
    if layout_b:
        ind_name = indicator_meta or (split_unit(title)[0] if title else None) or path.stem
        ind_unit = unit_meta or (split_unit(title)[1] if title else "")
        col_meta = [(ind_name, ind_unit, y) for y in years]
    else:
        if year_meta is None:
            raise InputError(
                "layout with indicators as columns needs a '时间：YYYY年' line",
                file=display,
                line=1,
            )
        col_meta = [(*split_unit(c), year_meta) for c in cols]
        for c, (name, _, _) in zip(cols, col_meta, strict=True):
            if not name:
                raise InputError(
                    f"empty indicator name in header cell {c!r}", file=display, line=header_idx + 1
                )
    out: list[dict] = []
    ncols = len(cols)
    seen_data = False
    for i in range(header_idx + 1, len(rows)):
        line = i + 1
        cells = [_clean(c) for c in rows[i]]
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            continue
        first = cells[0]
        if first.startswith(FOOTNOTE_PREFIXES) or (
            first[:1].isdigit() and "." in first[:3] and len(cells) == 1
        ):
            break
        if len(cells) == 1 and not seen_data:
            continue
        seen_data = True
        if len(cells) - 1 > ncols:
            raise InputError(
                f"row has {len(cells) - 1} values but the header has {ncols} columns",
                file=display,
                line=line,
            )
        if len(cells) - 1 < ncols and len(cells) > 1 and not all(c == "" for c in cells[1:]):
            raise InputError(
                f"row has {len(cells) - 1} values but the header has {ncols} columns (truncated row?)",
                file=display,
                line=line,
            )
        code = region_of(first, file=display, line=line)
        if code is None:
            continue
        for k, (name, unit, year) in enumerate(col_meta):
            raw = cells[k + 1] if k + 1 < len(cells) else ""
            check_year(int(year), file=display, line=line if layout_b is False else header_idx + 1)
            val = parse_number(raw, missing=missing, file=display, line=line, column=cols[k])
            out.append(
                {
                    "source_file": display,
                    "line_no": line,
                    "region_raw": first,
                    "region_code": code,
                    "year": int(year),
                    "month": None,
                    "indicator": name,
                    "unit": unit,
                    "value_raw": raw,
                    "value": val,
                }
            )
    if not out:
        raise InputError(
            "no province rows found below the header (truncated file?)",
            file=display,
            line=header_idx + 1,
        )
    df = records_frame(out)
    check_duplicates(df, ["region_code", "year", "indicator"], display)
    return RawTable(kind="nbs_export", source_file=display, sha256=sha256_of(path), records=df)
