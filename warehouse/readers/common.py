"""Shared pieces of the source-file readers: decoding, streaming CSV rows, numbers, units, the
record frame, and the limits that keep reading bounded (memory < 4 × file size + 200 MB).

- Encodings: UTF-8 (with/without BOM), GBK/GB18030, UTF-16 with a BOM (Excel "Unicode text").
  Decided by a streaming pass over the bytes (1 MB chunks), never by loading the file.
- Line endings: LF, CRLF and CR-only; line numbers are physical lines of the file (a quoted
  multi-line header cell counts its lines), so messages name the right line.
- Numbers: locale-free. '1234.5', '-0.3', '1,234,567.8' (a comma only in a valid 3-digit
  grouping) and '1.5e3' are numbers; '49670,2', '1,23', '1.234,5' are ambiguous and an error
  naming the cell — a decimal comma is never guessed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cbec.errors import InputError
from warehouse.provinces import is_national, province_code
from warehouse.readers.text import (  # noqa: F401 - re-exported for the readers
    CsvRow,
    csv_rows,
    decode_text,
    ends_with_newline,
    sniff_encoding,
    truncation_check,
)

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


MAX_RECORDS = (
    2_000_000  # cells per file (31 provinces × 75 years × 860 indicators): bounds memory and time
)
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
    if "," in s:
        if not _GROUPED.match(s):
            raise InputError(
                f"ambiguous number {s!r} in column {column!r}: a comma is read only as a "
                "thousands separator in 3-digit groups (1,234,567.8); a decimal comma is never "
                "guessed — re-export with a decimal point",
                file=file,
                line=line,
            )
        t = s.replace(",", "")
    else:
        t = s
    if not _PLAIN.match(t):
        raise InputError(f"non-numeric value {s!r} in column {column!r}", file=file, line=line)
    try:
        v = float(t)
    except ValueError:  # pragma: no cover - _PLAIN only admits float syntax
        raise InputError(
            f"non-numeric value {s!r} in column {column!r}", file=file, line=line
        ) from None
    if v != v or v in (float("inf"), float("-inf")):
        raise InputError(f"non-finite value {s!r} in column {column!r}", file=file, line=line)
    return v


_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


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


def data_rows(rows, width: int, *, file: str, start: int = 2, hint: str = ""):
    """(line number, cells) of the data rows of a CSV. `rows` are CsvRow (or plain lists,
    numbered from `start`). Cells are padded to the header `width` when the row was written
    with that many cells (empty last cells are missing values); a row written with fewer
    cells, or with extra non-empty cells, is an error naming file and line."""
    for i, row in enumerate(rows, start=start):
        if isinstance(row, CsvRow):
            line, cells, written = row.line, row.cells, row.width
        else:
            line, cells = i, row
            written = len(row)
            if not any(c.strip() for c in row):
                continue
        if len(cells) > width:
            raise InputError(
                f"row has {len(cells)} cells but the header has {width}{hint}", file=file, line=line
            )
        if written < width:
            raise InputError(
                f"row has {written} cells but the header has {width}{hint}", file=file, line=line
            )
        yield line, cells + [""] * (width - len(cells))


class Tracked:
    """Iterate rows and remember the last one (for the truncation check)."""

    def __init__(self, rows: Iterator[CsvRow]):
        self.rows, self.last = rows, None

    def __iter__(self) -> Iterator[CsvRow]:
        for r in self.rows:
            self.last = r
            yield r


class RecordSink:
    """Collects reader records into polars chunks (columnar, ~60 B a cell instead of a dict
    each), with the MAX_RECORDS bound per file."""

    def __init__(self, file: str, extra: dict[str, pl.DataType] | None = None):
        self.file, self.extra = file, extra
        self.rows: list[dict] = []
        self.chunks: list[pl.DataFrame] = []
        self.count = 0

    def append(self, rec: dict) -> None:
        self.rows.append(rec)
        self.count += 1
        if self.count > MAX_RECORDS:
            raise InputError(
                f"more than {MAX_RECORDS:,} cells: not a provincial statistics table (split it)",
                file=self.file,
                line=rec.get("line_no"),
            )
        if len(self.rows) >= 100_000:
            self.chunks.append(records_frame(self.rows, self.extra))
            self.rows = []

    def __len__(self) -> int:
        return self.count

    def frame(self) -> pl.DataFrame:
        if self.rows or not self.chunks:
            self.chunks.append(records_frame(self.rows, self.extra))
            self.rows = []
        return pl.concat(self.chunks) if len(self.chunks) > 1 else self.chunks[0]


def month_ranges(months: list[int]) -> str:
    """[1, 2, 3, 5] → '1–3, 5'."""
    out, start, prev = [], None, None
    for x in sorted(months):
        if start is not None and x == prev + 1:
            prev = x
            continue
        if start is not None:
            out.append(f"{start}–{prev}" if start != prev else str(start))
        start = prev = x
    if start is not None:
        out.append(f"{start}–{prev}" if start != prev else str(start))
    return ", ".join(out)
