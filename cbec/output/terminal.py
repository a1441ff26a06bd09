"""Tables and summary blocks for people on a terminal (no dtype row, no `shape:` line): the
columns fit the terminal width (wide tables are split into column blocks that repeat the
identifying column), numbers are right-aligned with 6 significant digits, missing is "–"."""

from __future__ import annotations

import json
import math
import shutil
import unicodedata
from typing import TYPE_CHECKING

from cbec.frame import Frame, as_frame

if TYPE_CHECKING:
    import polars as pl

MISSING = "–"
MAX_ROWS = 200  # more rows: the first 100 and the last 10, and a line saying how many are cut
MAX_CELL = 40


def cell(v, missing: str = MISSING) -> str:
    """One value as text: 6 significant digits (levels from 10^6 to 10^15 as whole numbers,
    not 1.23457e+07), lists as 'a; b', NaN/None as `missing`."""
    if v is None:
        return missing
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        if not math.isfinite(v):
            return missing if math.isnan(v) else ("inf" if v > 0 else "-inf")
        if 1e6 <= abs(v) < 1e15:
            return f"{v:.0f}"
        return f"{v + 0.0:.6g}"
    if isinstance(v, list):
        v = "; ".join(cell(x, "") for x in v if x is not None)
    s = str(v).replace("\r\n", " ").replace("\n", " ").replace("\t", " ")  # one line
    return s if len(s) <= MAX_CELL else s[: MAX_CELL - 1] + "…"


def table_text(
    table: Frame | pl.DataFrame,
    width: int | None = None,
    keep: int = 1,
    *,
    missing: str = MISSING,
    more_rows: int = 0,
    hint: str = "write them all with --out FILE",
    max_blocks: int = 0,
    col_hint: str = "use --csv / --json",
) -> str:
    """The frame as aligned text within `width` columns (DEFAULT: the terminal's width).
    `more_rows`: rows not in `df` (a "… N more rows" line); `max_blocks` > 0: at most that
    many column blocks, then a "… N more columns (`col_hint`)" line; `hint` ends the rows line."""
    df = as_frame(table)
    width = max(width or shutil.get_terminal_size((120, 24)).columns, 20)
    rows: list[tuple | None] = list(df.iter_rows())
    cut = more_rows
    if len(rows) > MAX_ROWS:
        cut += len(rows) - 110
        rows = rows[:100] + [None] + rows[-10:]
    elif cut:
        rows.append(None)
    numeric = [df.numeric(c) for c in df.columns]
    text = [[cell(v, missing) for v in r] if r is not None else None for r in rows]
    keep = min(keep, len(df.columns))
    cap = [width // 2 if j < keep else width for j in range(len(df.columns))]
    widths = [min(cap[j], max([width_of(c)] + [width_of(r[j]) for r in text if r is not None]))
              for j, c in enumerate(df.columns)]  # fmt: skip
    head = list(range(keep))
    room = width - sum(widths[k] + 2 for k in head)
    widths = [w if j < keep else min(w, max(room, 4)) for j, w in enumerate(widths)]
    blocks: list[list[int]] = []
    cur: list[int] = []
    used = 0
    for j in range(keep, len(df.columns)):
        w = widths[j] + 2
        if cur and used + w > room:
            blocks.append(cur)
            cur, used = [], 0
        cur.append(j)
        used += w
    blocks.append(cur)
    hidden = sum(len(b) for b in blocks[max_blocks:]) if max_blocks > 0 else 0
    out = []
    for b in blocks[: max_blocks or None]:
        cols = head + b
        out += [_line([df.columns[j] for j in cols], [widths[j] for j in cols],
                      [numeric[j] for j in cols]),
                "  ".join("─" * widths[j] for j in cols)]  # fmt: skip
        for r in text:
            if r is None:
                out.append(f"… {cut} more row{'s' * (cut != 1)} ({hint})")
                continue
            out.append(_line([r[j] for j in cols], [widths[j] for j in cols],
                             [numeric[j] for j in cols]))  # fmt: skip
        out.append("")
    if hidden:
        out.append(f"… {hidden} more column{'s' * (hidden != 1)} ({col_hint})")
    return "\n".join(out).rstrip("\n")


def _line(cells: list[str], widths: list[int], right: list[bool]) -> str:
    parts = zip(cells, widths, right, strict=True)
    return "  ".join(_pad(_fit(c, w), w, r) for c, w, r in parts).rstrip()


def _fit(s: str, w: int) -> str:
    """`s` cut to `w` terminal columns (a trailing "…" when cut)."""
    if width_of(s) <= w:
        return s
    out, used = "", 0
    for ch in s:
        cw = width_of(ch)
        if used + cw > w - 1:
            break
        out, used = out + ch, used + cw
    return out + "…"


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


def json_text(tables: dict[str, Frame | pl.DataFrame], summary: dict, method: str) -> str:
    """{"method": …, "summary": {…}, "tables": {name: [row objects]}}; NaN/inf as null."""
    body = {
        "method": method,
        "summary": {k: _plain(v) for k, v in summary.items()},
        "tables": {
            name: [{k: _plain(v) for k, v in r.items()} for r in as_frame(df).iter_rows(named=True)]
            for name, df in tables.items()
        },
    }
    return json.dumps(body, ensure_ascii=False, indent=1, default=str)
