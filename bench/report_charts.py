"""The report's chart layer against the maintained libraries (issue 17, deliver 5):
`python -m bench.report_charts [--png DIR]`.

Draws the report's three chart kinds — a 31-province × 10-year heatmap, a 4-series × 20-year
line chart and the 31-province choropleth map — once with the project's SVG writer
(cbec/report/svg.py, choropleth.py) and once each with matplotlib (SVG backend) and
Altair/Vega-Lite rendered offline by vl-convert, on the same numbers and the same projected
outlines. Prints bytes of inline SVG and the minimum of 5 render times per chart. The peers
are optional (`pip install matplotlib altair vl-convert-python`); absent ones are reported.
With --png DIR each SVG is also written there for a look side by side.
"""

from __future__ import annotations

import io
import re
import sys
import time
from pathlib import Path

import numpy as np

from cbec.report import geo, svg
from cbec.report.choropleth import choropleth
from warehouse.provinces import CODES, NAME_EN

YEARS = [str(y) for y in range(2015, 2025)]


def _data():
    rng = np.random.default_rng(17)
    heat = {(c, y): float(rng.uniform(0.3, 1.0)) for c in CODES for y in YEARS}
    xs = [str(y) for y in range(2005, 2025)]
    lines = {f"series {k}": list(np.cumsum(rng.normal(0, 1, len(xs))) + 10) for k in range(4)}
    values = {c: float(rng.lognormal(11, 0.4)) for c in CODES}
    return heat, xs, lines, values


def _rings(d: str) -> list[list[tuple[int, int]]]:
    """Rings back from the outlines' relative path data."""
    rings = []
    for m in re.finditer(r"M(-?\d+) (-?\d+)l([-\d ]*)z", d.replace("-", " -")):
        x, y = int(m.group(1)), int(m.group(2))
        ring = [(x, y)]
        steps = [int(v) for v in m.group(3).split()]
        for dx, dy in zip(steps[::2], steps[1::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append(ring)
    return rings


def ours(heat, xs, lines, values) -> dict[str, str]:
    return {
        "heatmap": svg.heatmap(list(CODES), YEARS, heat, label="score"),
        "line chart": svg.line_chart(xs, lines, label="lines", y_label="index"),
        "map": choropleth(values, label="map", unit="yuan per person", names=NAME_EN),
    }


def matplotlib_svgs(heat, xs, lines, values) -> dict[str, str]:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    def save(fig) -> str:
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
        plt.close(fig)
        return buf.getvalue()

    out = {}
    fig, ax = plt.subplots(figsize=(5, 6))
    grid = np.array([[heat[(c, y)] for y in YEARS] for c in CODES])
    im = ax.imshow(grid, cmap="viridis", aspect="auto")
    ax.set_yticks(range(len(CODES)), [NAME_EN[c] for c in CODES], fontsize=7)
    ax.set_xticks(range(len(YEARS)), YEARS, rotation=45, fontsize=7)
    fig.colorbar(im, ax=ax, orientation="horizontal", label="score")
    out["heatmap"] = save(fig)
    fig, ax = plt.subplots(figsize=(7.6, 3))
    for name, ys in lines.items():
        ax.plot(xs, ys, marker=".", label=name)
    ax.set_ylabel("index")
    ax.legend(fontsize=7, ncol=4)
    out["line chart"] = save(fig)
    o = geo.outlines(560)
    polys, vals = [], []
    for code, d in o.paths.items():
        for ring in _rings(d):
            polys.append(ring)
            vals.append(values[code])
    fig, ax = plt.subplots(figsize=(5.6, 5))
    pc = PolyCollection(polys, array=np.array(vals), cmap="viridis", edgecolors="white",
                        linewidths=0.4)  # fmt: skip
    ax.add_collection(pc)
    ax.set_xlim(0, o.width)
    ax.set_ylim(o.height, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.colorbar(pc, ax=ax, orientation="horizontal", label="yuan per person", shrink=0.5)
    out["map"] = save(fig)
    return out


def vega_svgs(heat, xs, lines, values) -> dict[str, str]:
    import altair as alt
    import polars as pl
    import vl_convert as vlc

    def render(chart) -> str:
        return vlc.vegalite_to_svg(chart.to_dict())

    h = pl.DataFrame(
        [{"province": NAME_EN[c], "year": y, "score": v} for (c, y), v in heat.items()]
    )
    out = {"heatmap": render(alt.Chart(h.to_pandas()).mark_rect().encode(
        x="year:O", y="province:O", color=alt.Color("score:Q", scale=alt.Scale(scheme="viridis")),
    ))}  # fmt: skip
    lf = pl.DataFrame(
        [
            {"year": x, "series": k, "value": v}
            for k, ys in lines.items()
            for x, v in zip(xs, ys, strict=True)
        ]
    )
    out["line chart"] = render(
        alt.Chart(lf.to_pandas())
        .mark_line(point=True)
        .encode(x="year:O", y=alt.Y("value:Q", title="index"), color="series:N")
        .properties(width=700, height=260)
    )
    o = geo.outlines(560)
    feats = [
        {
            "type": "Feature",
            "properties": {"name": NAME_EN[c], "value": values[c]},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[list(p) for p in r]] for r in _rings(d)],
            },
        }  # fmt: skip
        for c, d in o.paths.items()
    ]
    geo_data = alt.Data(values=feats)
    out["map"] = render(
        alt.Chart(geo_data)
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .encode(color=alt.Color("properties.value:Q", title="yuan per person",
                                scale=alt.Scale(scheme="viridis")))
        .project(type="identity", reflectY=False)
        .properties(width=560, height=o.height)
    )  # fmt: skip
    return out


def timed(fn, *args) -> tuple[dict[str, str], float]:
    best = float("inf")
    res: dict[str, str] = {}
    for _ in range(5):
        t = time.perf_counter()
        res = fn(*args)
        best = min(best, time.perf_counter() - t)
    return res, best


def main(argv: list[str]) -> None:
    data = _data()
    geo.outlines(560)  # decode the geometry once, outside the timings
    rows = []
    for name, fn in (("cbec (hand-written SVG)", ours), ("matplotlib 2D SVG", matplotlib_svgs),
                     ("Altair + vl-convert", vega_svgs)):  # fmt: skip
        try:
            svgs, secs = timed(fn, *data)
        except ImportError as exc:
            rows.append((name, None, f"absent ({exc.name}); pip install it to compare"))
            continue
        rows.append((name, svgs, f"{secs * 1000:.0f} ms for all three"))
        if "--png" in argv:
            folder = Path(argv[argv.index("--png") + 1])
            folder.mkdir(parents=True, exist_ok=True)
            for kind, text in svgs.items():
                (folder / f"{name.split()[0]}-{kind.replace(' ', '_')}.svg").write_text(text)
    print(f"{'renderer':28} {'heatmap':>10} {'line chart':>11} {'map':>10}  render time")
    for name, svgs, note in rows:
        if svgs is None:
            print(f"{name:28} {note}")
            continue
        sizes = " ".join(f"{len(svgs[k].encode()) / 1024:>9.1f}K" for k in svgs)
        print(f"{name:28} {sizes}  {note}")


if __name__ == "__main__":
    main(sys.argv[1:])
