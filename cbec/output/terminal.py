"""Tables and summary blocks for people on a terminal (no dtype row, no `shape:` line): the
columns fit the terminal width (wide tables are split into column blocks that repeat the
identifying column), numbers are right-aligned with 6 significant digits, missing is "–"."""

from __future__ import annotations

import json
import math
import shutil
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

MISSING = "–"
MAX_ROWS = 200  # more rows: the first 100 and the last 10, and a line saying how many are cut
MAX_CELL = 40


def cell(v) -> str:
    if v is None:
        return MISSING
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        if not math.isfinite(v):
            return MISSING if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return f"{v + 0.0:.6g}"
    if isinstance(v, list):
        v = "; ".join(map(str, v))
    s = str(v)
    return s if len(s) <= MAX_CELL else s[: MAX_CELL - 1] + "…"


def table_text(df: pl.DataFrame, width: int | None = None, keep: int = 1) -> str:
    """The frame as aligned text within `width` columns (DEFAULT: the terminal's width)."""
    import polars as pl

    width = width or shutil.get_terminal_size((120, 24)).columns
    rows: list[tuple | None] = list(df.iter_rows())
    cut = 0
    if len(rows) > MAX_ROWS:
        cut = len(rows) - 110
        rows = rows[:100] + [None] + rows[-10:]
    numeric = [t.is_numeric() or t == pl.Boolean for t in df.schema.values()]
    text = [[cell(v) for v in r] if r is not None else None for r in rows]
    widths = [max([width_of(c)] + [width_of(r[j]) for r in text if r is not None])
              for j, c in enumerate(df.columns)]  # fmt: skip
    blocks: list[list[int]] = []
    cur: list[int] = []
    used = 0
    keep = min(keep, len(df.columns))
    head = list(range(keep))
    for j in range(keep, len(df.columns)):
        w = widths[j] + 2
        if cur and used + w + sum(widths[k] + 2 for k in head) > width:
            blocks.append(cur)
            cur, used = [], 0
        cur.append(j)
        used += w
    blocks.append(cur)
    out = []
    for b in blocks:
        cols = head + b
        line = "  ".join(_pad(df.columns[j], widths[j], numeric[j]) for j in cols)
        out += [line.rstrip(), "  ".join("─" * widths[j] for j in cols)]
        for r in text:
            if r is None:
                out.append(f"… {cut} more rows (write them all with --out FILE)")
                continue
            out.append("  ".join(_pad(r[j], widths[j], numeric[j]) for j in cols).rstrip())
        out.append("")
    return "\n".join(out).rstrip("\n")


def width_of(s: str) -> int:
    """Terminal columns of `s`: CJK (wide/full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int, right: bool) -> str:
    gap = " " * max(w - width_of(s), 0)
    return gap + s if right else s + gap


def summary_text(title: str, items: list[tuple[str, object]]) -> str:
    """A DEAP-style block: a title line, then `label : value` lines aligned on the colon."""
    if not items:
        return ""
    w = max(width_of(k) for k, _ in items)
    lines = [title, "─" * max(width_of(title), 20)]
    for k, v in items:
        lines.append(f"{_pad(k, w, False)} : {cell(v) if not isinstance(v, str) else v}")
    return "\n".join(lines)


def _plain(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def json_text(tables: dict[str, pl.DataFrame], summary: dict, method: str) -> str:
    """{"method": …, "summary": {…}, "tables": {name: [row objects]}}; NaN/inf as null."""
    body = {
        "method": method,
        "summary": {k: _plain(v) for k, v in summary.items()},
        "tables": {
            name: [{k: _plain(v) for k, v in r.items()} for r in df.iter_rows(named=True)]
            for name, df in tables.items()
        },
    }
    return json.dumps(body, ensure_ascii=False, indent=1, default=str)
