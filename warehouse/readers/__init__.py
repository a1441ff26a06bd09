"""Source-file readers. Each returns a `RawTable` of long records exactly as read (one row per
published cell, with file line numbers) or raises `cbec.errors.InputError` naming file, line and
problem. `read_source` picks the reader from the configured kind or by sniffing the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cbec.errors import InputError
from warehouse.readers.common import RawTable, decode_text
from warehouse.readers.customs import read_customs
from warehouse.readers.nbs_export import read_nbs_export
from warehouse.readers.nbs_long import read_nbs_long
from warehouse.readers.series_long import read_series_long
from warehouse.readers.tidy_csv import read_tidy_csv
from warehouse.readers.yearbook_xlsx import read_yearbook_xlsx

READERS: dict[str, Callable[..., RawTable]] = {
    "nbs_export": read_nbs_export,
    "nbs_long": read_nbs_long,
    "yearbook_xlsx": read_yearbook_xlsx,
    "tidy_csv": read_tidy_csv,
    "customs": read_customs,
    "series_long": read_series_long,
}

__all__ = ["READERS", "RawTable", "detect_reader", "read_source"]


def detect_reader(path: Path, display: str | None = None) -> str:
    """Guess the reader of a file from its suffix and first lines."""
    display = display or path.name
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "yearbook_xlsx"
    if suffix not in (".csv", ".txt", ".tsv"):
        raise InputError(f"unsupported file type {suffix!r} (expected .csv or .xlsx)", file=display)
    text = decode_text(path, display)
    head = text[:4000]
    first = head.lstrip().splitlines()[0] if head.strip() else ""
    if first.replace(" ", "").startswith("省份编码,省份,年份"):
        return "nbs_long"
    if any(
        k in head for k in ("数据年月", "贸易方式", "监管方式", "注册地", "经营单位所在地")
    ) and ("美元" in head or "人民币" in head):
        return "customs"
    if (
        first.startswith("数据库")
        or "时间：" in head[:200]
        or first.replace(" ", "").startswith("地区")
    ):
        return "nbs_export"
    if "\n地区" in head or '\n"地区' in head:
        return "nbs_export"
    if [c.strip() for c in first.split(",")[:4]] == ["series", "period", "value", "unit"]:
        return "series_long"
    raise InputError(
        "unrecognised layout: expected a data.stats.gov.cn export, a 省份编码,省份,年份 table, "
        "a customs export, a series,period,value,unit table or a configured tidy CSV",
        file=display,
        line=1,
    )


def read_source(
    path: Path | str,
    *,
    reader: str | None = None,
    options: dict | None = None,
    display: str | None = None,
) -> RawTable:
    path = Path(path)
    display = display or path.name
    if not path.exists():
        raise InputError("file not found", file=display)
    if not path.is_file():
        raise InputError("not a regular file (a folder?)", file=display)
    if path.stat().st_size == 0:
        raise InputError("file is empty", file=display)
    kind = reader or detect_reader(path, display)
    if kind not in READERS:
        raise InputError(f"unknown reader {kind!r}; known: {', '.join(READERS)}", file=display)
    return READERS[kind](path, display=display, options=options or {})
