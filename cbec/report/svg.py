"""Small server-side SVG charts (no JavaScript, no external resources).

Every function returns an `<svg>` string. Values that are None/NaN are drawn as empty (hatched
grey) cells or gaps. Native `<title>` elements give hover tooltips.
"""

from __future__ import annotations

import math
from html import escape

FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans CJK SC',sans-serif"
PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
]
# viridis-like sequential stops and a blue–white–red diverging scale
_SEQ = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
_DIV = [(33, 102, 172), (146, 197, 222), (247, 247, 247), (244, 165, 130), (178, 24, 43)]
MISSING = "#e6e6e6"


def _ok(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def _interp(stops, t: float) -> str:
    t = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    a, b = stops[i], stops[i + 1]
    r, g, b_ = (round(a[k] + (b[k] - a[k]) * f) for k in range(3))
    return f"#{r:02x}{g:02x}{b_:02x}"


def color(v: float, vmin: float, vmax: float, diverging: bool = False, center: float = 0.0) -> str:
    if not _ok(v):
        return MISSING
    if diverging:
        span = max(abs(vmax - center), abs(vmin - center)) or 1.0
        return _interp(_DIV, 0.5 + (v - center) / (2 * span))
    return _interp(_SEQ, (v - vmin) / ((vmax - vmin) or 1.0))


def fmt(v, digits: int = 3) -> str:
    if not _ok(v):
        return "n/a"
    a = abs(v)
    if a != 0 and (a >= 1e6 or a < 1e-3):
        return f"{v:.{digits}g}"
    if a >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}" if a < 1 else f"{v:.{max(digits - len(str(int(a))), 0) + 1}f}"


def _text(x, y, s, *, anchor="start", size=11, extra="") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {extra}>'
        f"{escape(str(s))}</text>"
    )


def _open(w: float, h: float, label: str) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(label)}" '
        f'width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}" style="{FONT}">'
    )


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi == lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step) * step
    out, v = [], start
    while v <= hi + step * 1e-9:
        out.append(round(v, 12))
        v += step
    return out


def _legend_bar(x, y, vmin, vmax, diverging, center, label) -> str:
    """Colour bar (label above, end values below, "no data" swatch after it): 330 × 40 px."""
    n, w = 40, 200
    parts = ['<g class="legend">', _text(x, y + 9, label[:60], size=10)]
    for k in range(n):
        v = vmin + (vmax - vmin) * (k + 0.5) / n
        parts.append(
            f'<rect x="{x + k * w / n:.1f}" y="{y + 14}" width="{w / n + 0.5:.1f}" height="10" '
            f'fill="{color(v, vmin, vmax, diverging, center)}"/>'
        )
    parts.append(_text(x, y + 36, fmt(vmin), size=10))
    parts.append(_text(x + w, y + 36, fmt(vmax), anchor="end", size=10))
    parts.append(f'<rect x="{x + w + 12}" y="{y + 14}" width="10" height="10" fill="{MISSING}"/>')
    parts.append(_text(x + w + 26, y + 23, "no data", size=10) + "</g>")
    return "".join(parts)


def heatmap(
    rows: list[str],
    cols: list[str],
    values: dict[tuple[str, str], float | None],
    *,
    label: str,
    diverging: bool = False,
    center: float = 0.0,
    vmin: float | None = None,
    vmax: float | None = None,
    row_labels: dict[str, str] | None = None,
) -> str:
    """rows × cols coloured cells; `values[(row, col)]`."""
    vals = [v for v in values.values() if _ok(v)]
    lo = vmin if vmin is not None else (min(vals) if vals else 0.0)
    hi = vmax if vmax is not None else (max(vals) if vals else 1.0)
    row_labels = row_labels or {}
    left = 8 + 7 * max((len(row_labels.get(r, r)) for r in rows), default=4)
    cw = max(8.0, min(36.0, 900.0 / max(len(cols), 1)))
    ch = 16.0
    top = 46
    w = max(left + cw * len(cols) + 20, left + 290, 7 * min(len(label), 60) + left)
    h = top + ch * len(rows) + 56
    out = [_open(max(w, 420), h, label)]
    every = max(1, math.ceil(30 / cw))
    for j, c in enumerate(cols):
        if j % every == 0:
            x = left + cw * j + cw / 2
            out.append(
                f'<text x="{x:.1f}" y="{top - 6}" font-size="10" text-anchor="start" '
                f'transform="rotate(-45 {x:.1f} {top - 6})">{escape(str(c))}</text>'
            )
    for i, r in enumerate(rows):
        y = top + ch * i
        out.append(_text(left - 6, y + ch * 0.72, row_labels.get(r, r), anchor="end", size=10))
        for j, c in enumerate(cols):
            v = values.get((r, c))
            out.append(
                f'<rect class="cell" x="{left + cw * j:.1f}" y="{y:.1f}" width="{cw - 1:.1f}" '
                f'height="{ch - 1:.1f}" fill="{color(v, lo, hi, diverging, center)}">'
                f"<title>{escape(row_labels.get(r, r))}, {escape(str(c))}: {fmt(v, 4)}</title></rect>"
            )
    out.append(_legend_bar(left, top + ch * len(rows) + 12, lo, hi, diverging, center, label))
    out.append("</svg>")
    return "".join(out)


def category_grid(
    rows: list[str],
    cols: list[str],
    cats: dict[tuple[str, str], object],
    *,
    colors: dict[object, str],
    names: dict[object, str],
    label: str,
    row_labels: dict[str, str] | None = None,
) -> str:
    """rows × cols cells coloured by category (e.g. coordination grade 1..10), with a legend."""
    row_labels = row_labels or {}
    left = 8 + 7 * max((len(row_labels.get(r, r)) for r in rows), default=4)
    cw = max(10.0, min(36.0, 900.0 / max(len(cols), 1)))
    ch = 16.0
    top = 46
    used = [k for k in colors if k in set(cats.values())] or list(colors)
    legend_rows = math.ceil(len(used) / 3)
    w = max(left + cw * len(cols) + 20, 760)
    h = top + ch * len(rows) + 20 + 18 * legend_rows
    out = [_open(w, h, label)]
    every = max(1, math.ceil(30 / cw))
    for j, c in enumerate(cols):
        if j % every == 0:
            x = left + cw * j + cw / 2
            out.append(
                f'<text x="{x:.1f}" y="{top - 6}" font-size="10" '
                f'transform="rotate(-45 {x:.1f} {top - 6})">{escape(str(c))}</text>'
            )
    for i, r in enumerate(rows):
        y = top + ch * i
        out.append(_text(left - 6, y + ch * 0.72, row_labels.get(r, r), anchor="end", size=10))
        for j, c in enumerate(cols):
            k = cats.get((r, c))
            fill = colors.get(k, MISSING)
            name = names.get(k, "no data") if k is not None else "no data"
            out.append(
                f'<rect class="cell" x="{left + cw * j:.1f}" y="{y:.1f}" width="{cw - 1:.1f}" '
                f'height="{ch - 1:.1f}" fill="{fill}"><title>{escape(row_labels.get(r, r))}, '
                f"{escape(str(c))}: {escape(str(name))}</title></rect>"
            )
    y0 = top + ch * len(rows) + 12
    for n, k in enumerate(used):
        x = 10 + (n % 3) * 250
        y = y0 + 18 * (n // 3)
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colors[k]}"/>')
        out.append(_text(x + 16, y + 10, names.get(k, k), size=10))
    out.append("</svg>")
    return "".join(out)


def line_chart(
    x: list,
    series: dict[str, list[float | None]],
    *,
    label: str,
    y_label: str = "",
    ref: float | None = None,
    width: int = 760,
    height: int = 300,
) -> str:
    """One polyline per series over a shared x axis (gaps where values are missing)."""
    left, right, top, bottom = 64, 16, 16, 40
    legend_h = 18 * math.ceil(len(series) / 4)
    vals = [v for s in series.values() for v in s if _ok(v)]
    if ref is not None:
        vals.append(ref)
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    pw, ph = width - left - right, height - top - bottom
    n = len(x)

    def px(i):
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def py(v):
        return top + ph * (1 - (v - lo) / (hi - lo))

    out = [_open(width, height + legend_h, label)]
    for t in _nice_ticks(lo, hi):
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{py(t):.1f}" y2="{py(t):.1f}" stroke="#ddd"/>'
        )
        out.append(_text(left - 6, py(t) + 4, fmt(t), anchor="end", size=10))
    out.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#555"/>'
        f'<line x1="{left}" x2="{width - right}" y1="{top + ph}" y2="{top + ph}" stroke="#555"/>'
    )
    if ref is not None and lo <= ref <= hi:
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{py(ref):.1f}" y2="{py(ref):.1f}" '
            f'stroke="#333" stroke-dasharray="4 3"/>'
        )
    every = max(1, math.ceil(n * 34 / pw))
    for i, xv in enumerate(x):
        if i % every == 0 or i == n - 1:
            out.append(_text(px(i), top + ph + 16, xv, anchor="middle", size=10))
    if y_label:
        out.append(
            f'<text x="12" y="{top + ph / 2:.0f}" font-size="10" text-anchor="middle" '
            f'transform="rotate(-90 12 {top + ph / 2:.0f})">{escape(y_label)}</text>'
        )
    for k, (name, ys) in enumerate(series.items()):
        col = PALETTE[k % len(PALETTE)]
        seg: list[str] = []
        segs: list[list[str]] = []
        for i, v in enumerate(ys):
            if _ok(v):
                seg.append(f"{px(i):.1f},{py(v):.1f}")
                out.append(
                    f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="2.2" fill="{col}">'
                    f"<title>{escape(name)}, {escape(str(x[i]))}: {fmt(v, 4)}</title></circle>"
                )
            elif seg:
                segs.append(seg)
                seg = []
        if seg:
            segs.append(seg)
        for s in segs:
            if len(s) > 1:
                out.append(
                    f'<polyline fill="none" stroke="{col}" stroke-width="1.8" points="{" ".join(s)}"/>'
                )
        lx = 10 + (k % 4) * 185
        ly = height + 4 + 18 * (k // 4)
        out.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{col}"/>')
        out.append(_text(lx + 16, ly + 10, name[:28], size=10))
    out.append("</svg>")
    return "".join(out)


def bar_chart(
    categories: list[str],
    series: dict[str, list[float | None]],
    *,
    label: str,
    stacked: bool = False,
    ref: float | None = None,
    width: int = 760,
    value_label: str = "",
    base: float = 0.0,
) -> str:
    """Horizontal bars: one row per category, one bar per series (or stacked segments).
    Unstacked bars start at `base` (e.g. 1 for indices where 1 = no change)."""
    left = 8 + 7 * max((len(c) for c in categories), default=4)
    right, top = 20, 22
    ns = max(len(series), 1)
    band = 14.0 if stacked or ns == 1 else min(8.0 * ns + 4, 40.0)
    bh = band - 3 if stacked or ns == 1 else (band - 4) / ns
    legend_h = 18 * math.ceil(len(series) / 4) if len(series) > 1 or stacked else 0
    ph = band * len(categories)
    height = top + ph + 26 + legend_h
    vals: list[float] = [0.0 if stacked else base]
    if stacked:
        for i in range(len(categories)):
            pos = sum(max(s[i], 0) for s in series.values() if _ok(s[i]))
            neg = sum(min(s[i], 0) for s in series.values() if _ok(s[i]))
            vals += [pos, neg]
    else:
        vals += [v for s in series.values() for v in s if _ok(v)]
    if ref is not None:
        vals.append(ref)
    lo, hi = min(vals), max(vals)
    if lo == hi:
        hi = lo + 1
    if base != 0.0 and not stacked:
        pad = (hi - lo) * 0.05
        lo, hi = lo - pad, hi + pad
    pw = width - left - right

    def px(v):
        return left + pw * (v - lo) / (hi - lo)

    out = [_open(width, height, label)]
    for t in _nice_ticks(lo, hi):
        out.append(
            f'<line x1="{px(t):.1f}" x2="{px(t):.1f}" y1="{top}" y2="{top + ph}" stroke="#e3e3e3"/>'
        )
        out.append(_text(px(t), top + ph + 14, fmt(t), anchor="middle", size=10))
    if value_label:
        out.append(_text(width - right, 12, value_label, anchor="end", size=10))
    for i, c in enumerate(categories):
        y = top + band * i
        out.append(_text(left - 6, y + band * 0.7, c, anchor="end", size=10))
        acc_pos = acc_neg = 0.0
        for k, (name, vs) in enumerate(series.items()):
            v = vs[i]
            if not _ok(v):
                continue
            col = PALETTE[k % len(PALETTE)]
            if stacked:
                base = acc_pos if v >= 0 else acc_neg
                x0, x1 = sorted((px(base), px(base + v)))
                yy = y + 1.5
                if v >= 0:
                    acc_pos += v
                else:
                    acc_neg += v
            else:
                x0, x1 = sorted((px(base), px(v)))
                yy = y + 2 + (0 if ns == 1 else k * bh)
            out.append(
                f'<rect class="bar" x="{x0:.1f}" y="{yy:.1f}" width="{max(x1 - x0, 0.8):.1f}" '
                f'height="{bh:.1f}" fill="{col}"><title>{escape(c)}, {escape(name)}: {fmt(v, 4)}'
                f"</title></rect>"
            )
    axis = 0.0 if stacked else base
    out.append(
        f'<line x1="{px(axis):.1f}" x2="{px(axis):.1f}" y1="{top}" y2="{top + ph}" stroke="#555"/>'
    )
    if ref is not None:
        out.append(
            f'<line x1="{px(ref):.1f}" x2="{px(ref):.1f}" y1="{top}" y2="{top + ph}" '
            f'stroke="#333" stroke-dasharray="4 3"/>'
        )
    if legend_h:
        for k, name in enumerate(series):
            lx = 10 + (k % 4) * 185
            ly = top + ph + 24 + 18 * (k // 4)
            out.append(
                f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>'
            )
            out.append(_text(lx + 16, ly + 10, name[:28], size=10))
    out.append("</svg>")
    return "".join(out)
