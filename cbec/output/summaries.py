"""DEAP-style summary blocks and Excel sheet splits of the analysis results (presentation
only: every number is computed from the result table itself, METHODS §9 for DEA)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

EFFICIENT_TOL = 1e-6  # DEAP prints 3 decimals; a score within 1e-6 of 1 counts as efficient


def _finite(df: pl.DataFrame, col: str):
    import polars as pl

    return df.filter(pl.col(col).is_not_null() & pl.col(col).is_finite())[col]


def _names(values: list[str], limit: int = 12) -> str:
    more = f" … (+{len(values) - limit})" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def peer_table(df: pl.DataFrame) -> pl.DataFrame:
    """dmu, period, peer, lambda: one row per reference DMU (from 'B:0.5;E:0.25' text)."""
    import polars as pl

    rows: dict[str, list] = {"dmu": [], "period": [], "peer": [], "lambda": []}
    for d, p, text in df.select("dmu", "period", "peers").iter_rows():
        for item in (text or "").split(";"):
            if ":" in item:
                name, lam = item.rsplit(":", 1)
                rows["dmu"].append(d)
                rows["period"].append(p)
                rows["peer"].append(name)
                rows["lambda"].append(float(lam))
    return pl.DataFrame(rows, schema={"dmu": pl.Utf8, "period": pl.Utf8, "peer": pl.Utf8,
                                      "lambda": pl.Float64})  # fmt: skip


def dea_sheets(df: pl.DataFrame) -> dict[str, pl.DataFrame]:
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


def dea_summary(df: pl.DataFrame, score: str = "score") -> list[tuple[str, object]]:
    """n, mean/min efficiency, efficient DMUs, peer counts, RTS distribution (DEAP 2.1 style)."""
    import polars as pl

    items: list[tuple[str, object]] = [("DMUs (rows)", df.height)]
    periods = [p for p in df["period"].unique(maintain_order=True).to_list() if p is not None] \
        if "period" in df.columns else []  # fmt: skip
    if periods:
        items.append(("periods", len(periods)))
    if score in df.columns:
        s = _finite(df, score)
        if len(s):
            items += [(f"mean {score}", float(s.mean())), (f"min {score}", float(s.min()))]
            eff = df.filter((pl.col(score) - 1).abs() <= EFFICIENT_TOL)
            items.append((f"efficient ({score} = 1 ± {EFFICIENT_TOL:g})", eff.height))
            if 0 < eff.height <= 40:
                items.append(("efficient DMUs", _names(eff["dmu"].cast(pl.Utf8).to_list())))
        if len(periods) > 1:
            for p in periods[:30]:
                m = _finite(df.filter(pl.col("period") == p), score)
                items.append((f"mean {score} {p}", float(m.mean()) if len(m) else None))
        missing = df.height - len(s)
        if missing:
            items.append((f"{score} missing (infeasible LP)", missing))
    if "peers" in df.columns:
        counts = peer_table(df).filter(pl.col("peer") != pl.col("dmu")).group_by("peer").len()
        counts = counts.sort(["len", "peer"], descending=[True, False])
        text = ", ".join(f"{p} {n}" for p, n in counts.head(15).iter_rows())
        items.append(("peer count (times a reference of another DMU)", text or "none"))
    if "rts_class" in df.columns:
        rts = df.group_by("rts_class").len().sort("rts_class")
        items.append(("returns to scale", ", ".join(f"{k} {n}" for k, n in rts.iter_rows())))
    if "status" in df.columns:
        st = df.group_by("status").len().sort("len", descending=True)
        items.append(("LP status", ", ".join(f"{k} {n}" for k, n in st.iter_rows())))
    return items


def labelled_means(df: pl.DataFrame, key: str) -> pl.DataFrame:
    """A Malmquist by_period/by_dmu frame with readable labels: 'p → q' for period pairs and
    'geometric mean' for the overall last row (never 'null null')."""
    import polars as pl

    if key == "period":
        label = [
            "geometric mean" if a is None and b is None else f"{a} → {b}"
            for a, b in df.select("period_from", "period_to").iter_rows()
        ]
        rest = df.drop("period_from", "period_to")
        return rest.insert_column(0, pl.Series("period", label, dtype=pl.Utf8))
    label = ["geometric mean" if d is None else str(d) for d in df["dmu"].to_list()]
    return df.drop("dmu").insert_column(0, pl.Series("dmu", label, dtype=pl.Utf8))
