"""DEAP-style summary blocks and Excel sheet splits of the analysis results (presentation
only: every number is computed from the result table itself, METHODS §9 for DEA)."""

from __future__ import annotations

import math
from collections import Counter

from cbec.frame import Frame

EFFICIENT_TOL = 1e-6  # DEAP prints 3 decimals; a score within 1e-6 of 1 counts as efficient


def _finite(df: Frame, col: str, rows: list[int] | None = None) -> list[float]:
    """The column's numbers that are not missing and finite (of `rows`, DEFAULT all)."""
    values = df[col] if rows is None else [df[col][i] for i in rows]
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def _names(values: list[str], limit: int = 12) -> str:
    more = f" … (+{len(values) - limit})" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def peer_table(df: Frame) -> Frame:
    """dmu, period, peer, lambda: one row per reference DMU (from 'B:0.5;E:0.25' text)."""
    rows: dict[str, list] = {"dmu": [], "period": [], "peer": [], "lambda": []}
    for d, p, text in df.select(["dmu", "period", "peers"]).iter_rows():
        for item in (text or "").split(";"):
            if ":" in item:
                name, lam = item.rsplit(":", 1)
                rows["dmu"].append(d)
                rows["period"].append(p)
                rows["peer"].append(name)
                rows["lambda"].append(float(lam))
    return Frame(rows, {"dmu": "str", "period": "str", "peer": "str", "lambda": "float"})


def dea_sheets(df: Frame) -> dict[str, Frame]:
    """scores / slacks / targets / peers sheets of a `cbec dea` table (columns that exist)."""
    key = ["dmu", "period"]
    slack = [c for c in df.columns if c.startswith("slack_")]
    target = [c for c in df.columns if c.startswith("target_")]
    other = [c for c in df.columns if c not in key + slack + target + ["peers"]]
    sheets = {"scores": df.select(key + other)}
    if slack:
        sheets["slacks"] = df.select(key + slack)
    if target:
        sheets["targets"] = df.select(key + target)
    if "peers" in df.columns:
        sheets["peers"] = peer_table(df)
    return sheets


def _counts(values: list, *, by_count: bool) -> list[tuple[object, int]]:
    """(value, count) pairs: most frequent first (ties by first appearance), or by value."""
    counts = Counter(values)
    if by_count:
        return sorted(counts.items(), key=lambda kv: -kv[1])
    return sorted(counts.items(), key=lambda kv: (kv[0] is not None, str(kv[0])))


def dea_summary(df: Frame, score: str = "score") -> list[tuple[str, object]]:
    """n, mean/min efficiency, efficient DMUs, peer counts, RTS distribution (DEAP 2.1 style)."""
    items: list[tuple[str, object]] = [("DMUs (rows)", df.height)]
    periods = [p for p in dict.fromkeys(df["period"]) if p is not None] \
        if "period" in df.columns else []  # fmt: skip
    if periods:
        items.append(("periods", len(periods)))
    if score in df.columns:
        s = _finite(df, score)
        if s:
            items += [(f"mean {score}", _mean(s)), (f"min {score}", min(s))]
            eff = [str(d) for d, v in zip(df["dmu"], df[score], strict=True)
                   if v is not None and abs(v - 1) <= EFFICIENT_TOL]  # fmt: skip
            items.append((f"efficient ({score} = 1 ± {EFFICIENT_TOL:g})", len(eff)))
            if 0 < len(eff) <= 40:
                items.append(("efficient DMUs", _names(eff)))
        if len(periods) > 1:
            for p in periods[:30]:
                m = _finite(df, score, [i for i, q in enumerate(df["period"]) if q == p])
                items.append((f"mean {score} {p}", _mean(m) if m else None))
        missing = df.height - len(s)
        if missing:
            items.append((f"{score} missing (infeasible LP)", missing))
    if "peers" in df.columns:
        peers = peer_table(df)
        refs = [p for p, d in zip(peers["peer"], peers["dmu"], strict=True) if p != d]
        ranked = sorted(Counter(refs).items(), key=lambda kv: (-kv[1], kv[0]))
        text = ", ".join(f"{p} {n}" for p, n in ranked[:15])
        items.append(("peer count (times a reference of another DMU)", text or "none"))
    if "rts_class" in df.columns:
        rts = _counts(df["rts_class"], by_count=False)
        items.append(("returns to scale", ", ".join(f"{k} {n}" for k, n in rts)))
    if "status" in df.columns:
        st = _counts(df["status"], by_count=True)
        items.append(("LP status", ", ".join(f"{k} {n}" for k, n in st)))
    return items


def labelled_means(columns: dict, key: str) -> Frame:
    """A Malmquist by_period/by_dmu table (its columns) with readable labels: 'p → q' for
    period pairs and 'geometric mean' for the overall last row (never 'null null')."""
    df = Frame(columns)
    if key == "period":
        label = [
            "geometric mean" if a is None and b is None else f"{a} → {b}"
            for a, b in zip(df["period_from"], df["period_to"], strict=True)
        ]
        rest = [c for c in df.columns if c not in ("period_from", "period_to")]
    else:
        label = ["geometric mean" if d is None else str(d) for d in df["dmu"]]
        rest = [c for c in df.columns if c != "dmu"]
    cols = {key: label, **{c: df[c] for c in rest}}
    return Frame(cols, {key: "str", **{c: df.kind(c) for c in rest}})
