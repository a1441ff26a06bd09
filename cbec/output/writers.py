"""Files people open: `--out FILE.csv` (UTF-8 with BOM unless --no-bom, float noise removed,
empty cells for missing), `--out FILE.xlsx` (one sheet per table, a header block naming the
units and the method), `--out FILE.parquet` (the main table, full precision)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cbec.errors import UsageError
from cbec.frame import LIST_SEPARATOR, Frame, as_frame

if TYPE_CHECKING:
    import polars as pl

SUFFIXES = (".csv", ".xlsx", ".parquet")
# CSV/XLSX cells keep 14 significant digits: float noise of a few dozen ulps goes
# (1.0000000000000004 → 1, 0.4999999999999994 → 0.5), every digit a method's reference tests
# check (relative 1e-12) stays. --digits N rounds to N decimals instead.
SIGNIFICANT = 14


def check_suffix(path: str, allowed: tuple[str, ...] = SUFFIXES) -> str:
    """The lower-case suffix of --out, or a usage error (exit 2) naming the allowed ones."""
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise UsageError(
            f"--out {path}: unknown file type {suffix or '(none)'!r}; use one of "
            + ", ".join(allowed)
        )
    return suffix


def _rounded(values, digits: int | None):
    """numpy: NaN/±inf → NaN; `digits` decimals, or 14 significant digits (an integer divided
    by a power of ten is correctly rounded, so the shortest repr is the rounded decimal)."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    out = np.full_like(v, np.nan)
    ok = np.isfinite(v)
    if digits is not None:
        out[ok] = np.round(v[ok], digits)
    else:
        a = np.abs(v[ok])
        e = np.where(a > 0, np.floor(np.log10(np.where(a > 0, a, 1.0))), 0.0)
        k = SIGNIFICANT - 1 - e  # decimals that keep 14 significant digits
        exact = (k >= 0) & (k <= 22)  # 10**k is an exact float up to 1e22
        r = v[ok].copy()
        scale = 10.0 ** k[exact]
        r[exact] = np.round(r[exact] * scale) / scale
        tiny = k > 22
        r[tiny] = [float(f"{x:.{SIGNIFICANT}g}") for x in r[tiny]]
        out[ok] = r
    return out + 0.0  # no "-0.0"


def clean(df: Frame | pl.DataFrame, digits: int | None = None) -> Frame:
    """Float columns rounded (14 significant digits, or `digits` decimals), NaN/±inf as None
    (an empty cell), list columns joined as 'a; b' text."""
    out = as_frame(df)
    for c in out.columns:
        kind = out.kind(c)
        if kind == "float":
            values = [float("nan") if v is None else v for v in out[c]]
            rounded = _rounded(values, digits).tolist()
            out = out.with_column(c, [None if v != v else v for v in rounded], "float")
        elif kind == "list":
            joined = [None if v is None else LIST_SEPARATOR.join(str(x) for x in v if x is not None)
                      for v in out[c]]  # fmt: skip
            out = out.with_column(c, joined, "str")
    return out


def write_csv(df: Frame | pl.DataFrame, path: str, *, bom: bool = True,
              digits: int | None = None) -> None:  # fmt: skip
    """The table as CSV: a header line, then one line per row; missing is an empty cell, an
    empty text is "" (quoted), numbers as the shortest text that reads back the same."""
    table = clean(df, digits)
    cells = [_csv_column(table[c], table.kind(c)) for c in table.columns]  # column by column
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        f.write(",".join(_csv_cell(c) for c in table.columns) + "\n")
        f.writelines(",".join(row) + "\n" for row in zip(*cells, strict=True))


def _csv_column(values: list, kind: str) -> list[str]:
    """A column's CSV cells; number columns take the fast path (their cells are float/int)."""
    if kind == "float":
        return ["" if v is None else float_text(v) for v in values]
    if kind == "int":
        return ["" if v is None else str(v) for v in values]
    return [_csv_cell(v) for v in values]


def float_text(v: float) -> str:
    """The shortest text that reads back as `v`, in the notation of polars' CSV writer (so a
    file is the same whichever command wrote it): decimal from 1e-5 up to 1e16, else
    scientific with an unpadded exponent (2.5e-7, 1e+16)."""
    text = repr(v)
    if "e" not in text:
        return text
    mantissa, exp = text.split("e")
    e = int(exp)
    if e == -5:
        sign = "-" if mantissa.startswith("-") else ""
        return f"{sign}0.0000{mantissa.lstrip('-').replace('.', '')}"
    return f"{mantissa}e{'-' if e < 0 else '+'}{abs(e)}"


def _csv_cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return float_text(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime.datetime):  # polars: 2024-01-02T03:04:05.000000+0000
        text = v.replace(tzinfo=None).isoformat(timespec="microseconds") + v.strftime("%z")
    elif isinstance(v, datetime.date):
        text = v.isoformat()
    elif isinstance(v, datetime.time):  # polars writes nanoseconds
        text = v.isoformat(timespec="microseconds") + "000"
    else:
        text = str(v)
    if text == "" or any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_xlsx(
    tables: dict[str, Frame | pl.DataFrame],
    path: str,
    *,
    header: list[str],
    digits: int | None = None,
    number_format: dict[str, str] | None = None,
) -> None:
    """One sheet per table: the `header` lines (units, method, source file), a blank row, then
    the column names (bold, frozen) and the rows. `number_format` maps a column-name prefix to
    an Excel format (display only: the cell keeps the full value)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    wb = Workbook()
    wb.remove(wb.active)
    for name, table in tables.items():
        df = as_frame(table)
        ws = wb.create_sheet(_sheet_name(name, wb.sheetnames))
        for line in header:
            ws.append([line])
        ws.append([])
        ws.append(list(df.columns))
        top = len(header) + 2
        for cell in ws[top]:
            cell.font = Font(bold=True)
        for row in clean(df, digits).iter_rows():
            ws.append(list(row))
        ws.freeze_panes = f"A{top + 1}"
        _formats(ws, df.columns, top, number_format or {})
    wb.save(path)


def _sheet_name(name: str, taken: list[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "table"
    out, k = base, 2
    while out in taken:
        out, k = f"{base[:28]}_{k}", k + 1
    return out


def _formats(ws, columns: list[str], top: int, formats: dict[str, str]) -> None:
    for j, col in enumerate(columns, start=1):
        fmt = next((f for p, f in formats.items() if col == p or col.startswith(p)), None)
        width = max(len(col) + 2, 10)
        ws.column_dimensions[ws.cell(row=top, column=j).column_letter].width = min(width, 40)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=top + 1, min_col=j, max_col=j):
                if isinstance(cell.value, float):
                    cell.number_format = fmt
