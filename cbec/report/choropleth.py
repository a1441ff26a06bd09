"""Province choropleth maps (inline SVG) on the shipped outlines (cbec/report/geo.py).

The colour scale is fitted to the data: it spans the 2nd–98th percentile of the mapped values
(values beyond it take the end colours and the legend says so), or, for a diverging quantity,
a symmetric range around `center` wide enough for the same percentiles. Provinces without a
value are hatched. The legend (colour bar, ticks, unit, "no data" swatch) sits inside the SVG.
"""

from __future__ import annotations

import math
from html import escape

from cbec.report import geo
from cbec.report.svg import FONT, _nice_ticks, _ok, color, fmt

HATCH = (
    '<pattern id="nodata" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f1f1"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#b9b9b9" stroke-width="2"/></pattern>'
)
LEGEND_H = 58


def _quantile(vals: list[float], q: float) -> float:
    s = sorted(vals)
    pos = q * (len(s) - 1)
    i = math.floor(pos)
    return s[i] + (s[min(i + 1, len(s) - 1)] - s[i]) * (pos - i)


def color_span(
    vals: list[float], *, diverging: bool = False, center: float = 0.0
) -> tuple[float, float]:
    """(lo, hi) of the colour scale: 2nd–98th percentile; symmetric about `center` if diverging."""
    if not vals:
        return (0.0, 1.0)
    lo, hi = _quantile(vals, 0.02), _quantile(vals, 0.98)
    if diverging:
        r = max(abs(lo - center), abs(hi - center)) or 1.0
        return center - r, center + r
    if hi == lo:
        return lo - 0.5, hi + 0.5
    return lo, hi


def _legend(x: float, y: float, lo: float, hi: float, diverging, center, unit, clipped) -> str:
    """Colour bar with ticks, the unit and a "no data" swatch, all within (x, y)…(x+420, y+58)."""
    w, n = 240, 48
    out = [f'<g class="legend" transform="translate({x:.0f},{y:.0f})">']
    out.append(f'<text x="0" y="10" font-size="11">{escape(unit)}</text>')
    for k in range(n):
        v = lo + (hi - lo) * (k + 0.5) / n
        out.append(
            f'<rect x="{k * w / n:.1f}" y="16" width="{w / n + 0.4:.1f}" height="11" '
            f'fill="{color(v, lo, hi, diverging, center)}"/>'
        )
    ticks = _nice_ticks(lo, hi, 4)
    for end, anchor in ((lo, "start"), (hi, "end")):  # the scale's ends, unless a tick is near
        if all(abs(t - end) / ((hi - lo) or 1.0) * w > 48 for t in ticks):
            ex = 0 if anchor == "start" else w
            out.append(
                f'<text x="{ex}" y="42" font-size="9" fill="#5b6470" '
                f'text-anchor="{anchor}">{fmt(end)}</text>'
            )
    for t in ticks:
        tx = (t - lo) / ((hi - lo) or 1.0) * w
        out.append(f'<line x1="{tx:.1f}" y1="27" x2="{tx:.1f}" y2="31" stroke="#555"/>')
        out.append(f'<text x="{tx:.1f}" y="42" font-size="10" text-anchor="middle">{fmt(t)}</text>')
    out.append('<rect x="262" y="16" width="14" height="11" fill="url(#nodata)" stroke="#999"/>')
    out.append('<text x="281" y="26" font-size="10">no data</text>')
    if clipped:
        out.append(
            '<text x="0" y="55" font-size="9" fill="#5b6470">values beyond the scale '
            "(outside the 2nd–98th percentile) take its end colours</text>"
        )
    out.append("</g>")
    return "".join(out)


def choropleth(
    values: dict[str, float | None],
    *,
    label: str,
    unit: str,
    names: dict[str, str] | None = None,
    diverging: bool = False,
    center: float = 0.0,
    width: int = 560,
    notes: dict[str, str] | None = None,
) -> str:
    """A map of `values` (GB/T 2260 province code → value) with its legend inside the SVG;
    `notes[code]` is added to that province's tooltip (e.g. its quality flags)."""
    shape = geo.outlines(width)
    names = names or {}
    vals = [float(v) for v in values.values() if v is not None and _ok(v)]
    lo, hi = color_span(vals, diverging=diverging, center=center)
    clipped = any(v < lo or v > hi for v in vals)
    h = shape.height + LEGEND_H + 12
    out = [
        f'<svg class="chart map" role="img" aria-label="{escape(label)}" width="{width}" '
        f'height="{h}" viewBox="0 0 {width} {h}" style="{FONT}"><defs>{HATCH}</defs>'
    ]
    out.append('<g stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">')
    for code, d in shape.paths.items():
        v = values.get(code)
        fill = color(v, lo, hi, diverging, center) if _ok(v) else "url(#nodata)"
        name = names.get(code, code)
        extra = f" ({escape(notes[code])})" if notes and notes.get(code) else ""
        out.append(
            f'<path class="province" data-code="{code}" d="{d}" fill="{fill}">'
            f"<title>{escape(name)}: {fmt(v, 4)} {escape(unit)}{extra}</title></path>"
        )
    out.append("</g>")
    for d in shape.extra:
        out.append(f'<path d="{d}" fill="#d9d9d9" stroke="#9a9a9a" stroke-width="0.4"/>')
    out.append(_legend(8, shape.height + 8, lo, hi, diverging, center, unit, clipped))
    out.append("</svg>")
    return "".join(out)
