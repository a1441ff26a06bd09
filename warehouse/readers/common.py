"""Shared pieces of the source-file readers: decoding, numbers, units, the record frame."""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cbec.errors import InputError
from warehouse.provinces import is_national, province_code

RECORD_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.Utf8,
    "line_no": pl.Int64,
    "region_raw": pl.Utf8,
    "region_code": pl.Utf8,
    "year": pl.Int64,
    "month": pl.Int64,
    "indicator": pl.Utf8,
    "unit": pl.Utf8,
    "value_raw": pl.Utf8,
    "value": pl.Float64,
}
CUSTOMS_EXTRA: dict[str, pl.DataType] = {
    "flow": pl.Utf8,
    "trade_mode": pl.Utf8,
    "trade_mode_name": pl.Utf8,
    "currency": pl.Utf8,
}

MIN_YEAR = 1949
DEFAULT_MISSING = ("",)


@dataclass
class RawTable:
    """What a reader returns: long records exactly as read (one row per cell) plus lineage."""

    kind: str  # raw table name: nbs_export, nbs_long, yearbook_xlsx, tidy_csv, customs
    source_file: str
    sha256: str
    records: pl.DataFrame
    vintage: str | None = None
    notes: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def decode_text(path: Path, display: str) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030; an empty or undecodable file is an error."""
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError("file is empty", file=display)
    if b"\x00" in raw[:4096]:
        raise InputError(
            "file is binary or UTF-16 encoded; save it as UTF-8 or GBK CSV", file=display
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError(
                "cannot decode as UTF-8 or GBK (broken encoding)", file=display, line=line
            ) from exc
    if "\ufffd" in text:
        line = text[: text.index("\ufffd")].count("\n") + 1
        raise InputError(
            "text contains replacement characters (broken encoding)", file=display, line=line
        )
    if _looks_mojibake(text):
        raise InputError(
            "text looks mis-encoded (UTF-8 bytes read as Latin-1/GBK, mojibake); re-export the file",
            file=display,
            line=1,
        )
    return text


_MOJIBAKE = re.compile(r"[ÃÂåæçèéäï][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ''\"\"•–—˜™š›œžŸ¡-¿]")


def _looks_mojibake(text: str) -> bool:
    head = text[:2000]
    return len(_MOJIBAKE.findall(head)) >= 3


_UNIT_RE = re.compile(r"^(.*?)\s*[（(]([^()（）]*)[)）]\s*$")


def split_unit(header: str) -> tuple[str, str]:
    """'地区生产总值 (亿元)' → ('地区生产总值', '亿元'); the last bracket group is the unit."""
    h = re.sub(r"[\s\u3000]+", " ", str(header)).strip()
    # greedy on the indicator so that only the last bracket group is the unit
    m = re.match(r"^(.*)[（(]([^()（）]*)[)）]\s*$", h)
    if not m:
        return h, ""
    name, unit = m.group(1).strip(), m.group(2).strip()
    # '居民消费价格指数((上年=100))' → name ends with '(' : strip stray brackets
    name = name.rstrip("(（ ").strip()
    return name, unit


def parse_number(
    raw: object, *, missing: tuple[str, ...], file: str, line: int, column: str
) -> float | None:
    """A published cell as float; documented missing markers give None; anything else errors."""
    if raw is None:
        return None
    if isinstance(raw, int | float):
        return float(raw)
    s = str(raw).strip().replace("\u3000", "").strip()
    if s in missing:
        return None
    t = s.replace(",", "")
    try:
        v = float(t)
    except ValueError:
        raise InputError(
            f"non-numeric value {s!r} in column {column!r}", file=file, line=line
        ) from None
    if v != v or v in (float("inf"), float("-inf")):
        raise InputError(f"non-finite value {s!r} in column {column!r}", file=file, line=line)
    return v


def region_of(name: str, *, file: str, line: int) -> str | None:
    """GB/T 2260 code for a province cell; None for national/aggregate rows; error if unknown."""
    s = str(name).strip()
    if is_national(s):
        return None
    code = province_code(s)
    if code is None:
        raise InputError(
            f"unknown province name {s!r} (expected a GB/T 2260 province name or code)",
            file=file,
            line=line,
        )
    return code


def check_year(year: int, *, file: str, line: int) -> int:
    this_year = _dt.date.today().year
    if year < MIN_YEAR or year > this_year:
        raise InputError(
            f"year {year} is outside {MIN_YEAR}–{this_year} (a future or implausible year)",
            file=file,
            line=line,
        )
    return year


_YEAR_RE = re.compile(r"^\s*(\d{4})\s*年?\s*$")


def parse_year(cell: object) -> int | None:
    if cell is None:
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    m = _YEAR_RE.match(str(cell))
    return int(m.group(1)) if m else None


def records_frame(rows: list[dict], extra: dict[str, pl.DataType] | None = None) -> pl.DataFrame:
    schema = dict(RECORD_SCHEMA)
    if extra:
        schema.update(extra)
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def check_duplicates(df: pl.DataFrame, keys: list[str], file: str) -> None:
    """Two rows for the same key (region, year, indicator …) in one file are an error."""
    dup = (
        df.group_by(keys, maintain_order=True)
        .agg(pl.col("line_no").sort().alias("lines"), pl.len().alias("n"))
        .filter(pl.col("n") > 1)
    )
    if dup.height:
        first = dup.row(0, named=True)
        where = ", ".join(f"{k}={first[k]}" for k in keys)
        lines = ", ".join(map(str, first["lines"]))
        raise InputError(
            f"duplicated row for {where} (lines {lines})", file=file, line=first["lines"][1]
        )


def data_rows(rows: list[list[str]], width: int, *, file: str, start: int = 2, hint: str = ""):
    """(line number, cells) of the non-empty data rows of a CSV; a row with another number of
    cells than the header is an error naming file and line."""
    for i, row in enumerate(rows, start=start):
        if not any(c.strip() for c in row):
            continue
        if len(row) != width:
            raise InputError(
                f"row has {len(row)} cells but the header has {width}{hint}", file=file, line=i
            )
        yield i, row
