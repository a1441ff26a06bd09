"""Source-file readers. Each returns a `RawTable` of long records exactly as read (one row per
published cell, with file line numbers) or raises `cbec.errors.InputError` naming file, line and
problem. `read_source` picks the reader from the configured kind or by sniffing the file."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cbec.errors import InputError
from warehouse.readers.text import decode_text

if TYPE_CHECKING:  # RawTable (warehouse.readers.common) imports polars: loaded on first use
    from warehouse.readers.common import RawTable

# reader name → (module, function); imported on first use, so that a user-table command
# (`cbec dea file.csv`, which needs only warehouse.readers.user_table) does not pay for the
# source readers and the settings they read (~60–120 ms)
_READERS = {
    "nbs_export": ("nbs_export", "read_nbs_export"),
    "nbs_long": ("nbs_long", "read_nbs_long"),
    "yearbook_xlsx": ("yearbook_xlsx", "read_yearbook_xlsx"),
    "tidy_csv": ("tidy_csv", "read_tidy_csv"),
    "customs": ("customs", "read_customs"),
    "series_long": ("series_long", "read_series_long"),
}

__all__ = ["READERS", "RawTable", "detect_reader", "read_source"]


def readers() -> dict[str, Callable[..., RawTable]]:
    """Every source reader by name (the modules are imported here, once)."""
    return {
        k: getattr(import_module(f"warehouse.readers.{m}"), f) for k, (m, f) in _READERS.items()
    }


def __getattr__(
    name: str,
) -> Any:  # READERS stays importable: `from warehouse.readers import READERS`
    if name == "READERS":
        return readers()
    if name == "RawTable":
        from warehouse.readers.common import RawTable

        return RawTable
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    if kind not in _READERS:
        raise InputError(f"unknown reader {kind!r}; known: {', '.join(_READERS)}", file=display)
    return readers()[kind](path, display=display, options=options or {})
