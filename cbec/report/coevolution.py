"""Report section: Lotka–Volterra co-evolution (METHODS §8). What was identified is shown as
fits (stability class, interaction, fit quality); what was not is summarised as counts and
reasons — never as a dump of rows whose estimates are all missing."""

from __future__ import annotations

import re

import polars as pl

from cbec.report import svg
from cbec.report.common import Loader, province_label
from cbec.report.generic import generic
from cbec.report.page import Report, Section

IDENTIFIED = ("ok", "weak")
FIT_COLUMNS = ("region_code", "pair", "model", "n_obs", "year_start", "year_end", "stability",
               "interaction", "period", "r2_x1", "r2_x2", "mape", "status", "caveat")  # fmt: skip
STATUS_ORDER = ("ok", "weak", "not_identified", "not_converged", "too_short")


def reason(message: str | None) -> str:
    """The first clause of a message without its numbers, so that fits failing for the same
    reason group together ("only 6 years (need ≥ 8)" → "only # years (need ≥ #)"); names
    such as a2 or K1 keep their digits."""
    if not message:
        return "(no message)"
    first = message.split(";")[0].strip()  # the first (main) reason; the rest are caveats
    text = re.sub(r"(?<![A-Za-z_])[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?%?", "#", first)
    return re.sub(r"\s+", " ", text)[:160]


def caveat(message: str | None, width: int = 70) -> str:
    """The first clause of a fit's message, shortened, with the number of further clauses
    (the whole message is in the table's CSV)."""
    parts = [p.strip() for p in (message or "").split(";") if p.strip()]
    if not parts:
        return ""
    head = parts[0] if len(parts[0]) <= width else parts[0][: width - 1] + "…"
    return head + (f" (+{len(parts) - 1} more)" if len(parts) > 1 else "")


def status_counts(df: pl.DataFrame) -> pl.DataFrame:
    """Fits per model and status (columns in STATUS_ORDER, then any other status)."""
    d = df.with_columns(pl.col("status").fill_null("(none)"))
    wide = d.group_by("model").agg(
        pl.col("status").eq(s).sum().alias(s) for s in sorted(set(d["status"].to_list()))
    )
    cols = [s for s in STATUS_ORDER if s in wide.columns]
    cols += sorted(c for c in wide.columns if c not in ("model", *cols))
    return wide.select("model", *cols).sort("model")


def not_identified_summary(df: pl.DataFrame) -> pl.DataFrame:
    """Counts of the fits that are not identified, by status and reason."""
    bad = df.filter(~pl.col("status").is_in(IDENTIFIED) | pl.col("status").is_null())
    return (
        bad.with_columns(
            pl.col("message").map_elements(reason, return_dtype=pl.Utf8).alias("reason")
        )
        .group_by("status", "reason")
        .agg(pl.len().alias("fits"), pl.col("pair").n_unique().alias("pairs"))
        .sort("fits", descending=True)
    )


def coevolution(rep: Report, load: Loader) -> None:
    """Status chart, the identified fits, and a short summary of the rest."""
    sec = rep.section("coevolution", "Co-evolution")
    df = load("coevolution")
    if df is None:
        sec.note("This run has no co-evolution tables (coevolution).")
        return
    if df.is_empty():
        sec.note("results.coevolution is empty in this run.")
        return
    if not {"status", "model", "pair", "message"} <= set(df.columns):
        generic(rep, sec, "coevolution", df)  # not the contract's layout: shown as is
        return
    _status_chart(rep, sec, df)
    good = df.filter(pl.col("status").is_in(IDENTIFIED))
    sec.html(f"<h3>Identified fits ({good.height} of {df.height})</h3>")
    if good.is_empty():
        sec.note("No fit was identified in this run (see the reasons below).")
    else:
        shown = good.with_columns(
            pl.col("message").map_elements(caveat, return_dtype=pl.Utf8).alias("caveat")
        )
        cols = [c for c in FIT_COLUMNS if c in shown.columns]
        shown = shown.select(cols).with_columns(
            pl.col("region_code").map_elements(province_label, return_dtype=pl.Utf8)
        )
        rep.table(sec, shown.sort("status", "region_code"), max_rows=40,
                  name="coevolution-identified", csv=good)  # fmt: skip
    bad = not_identified_summary(df)
    if bad.height:
        n = int(bad["fits"].sum())
        sec.html(f"<h3>Not identified ({n} fits): reasons</h3>")
        rep.table(sec, bad, max_rows=15, name="coevolution-not-identified",
                  csv=df.filter(~pl.col("status").is_in(IDENTIFIED)))  # fmt: skip


def _status_chart(rep: Report, sec: Section, df: pl.DataFrame) -> None:
    counts = status_counts(df)
    cols = [c for c in counts.columns if c != "model"]
    rep.figure(
        sec,
        "Co-evolution fits by model and status",
        svg.bar_chart(
            [str(m) for m in counts["model"].to_list()],
            {c: [float(v) for v in counts[c].to_list()] for c in cols},
            label="fits by status",
            stacked=True,
            value_label="fits (province × series pair)",
        ),
        "Number of Lotka–Volterra fits (province × series pair) per model, by status "
        "(METHODS §8.5): ok and weak fits are identified; not_identified, not_converged and "
        "too_short fits have no usable estimates.",
        counts,
        "coevolution-status",
    )


def causality_summary(df: pl.DataFrame) -> pl.DataFrame:
    """Per direction (cause → effect): provinces tested and those with p < 0.05 and < 0.10."""
    return (
        df.with_columns((pl.col("cause") + " → " + pl.col("effect")).alias("direction"))
        .group_by("direction")
        .agg(
            pl.len().alias("provinces tested"),
            (pl.col("p_value") < 0.05).sum().alias("p < 0.05"),
            (pl.col("p_value") < 0.10).sum().alias("p < 0.10"),
            (pl.col("status") != "ok").sum().alias("weak"),
            pl.col("lags").median().alias("median lags"),
        )
        .sort("direction")
    )


def causality(rep: Report, load: Loader) -> None:
    """Granger / Toda–Yamamoto causality (METHODS §8.4): counts per direction and the
    provinces where a direction is significant at 10 %; every test is in the CSV."""
    sec = rep.section("causality", "Causality")
    df = load("causality")
    if df is None or df.is_empty() or not {"cause", "effect", "p_value"} <= set(df.columns):
        sec.note("This run has no causality tables (causality).")
        return
    summ = causality_summary(df)
    rep.figure(
        sec,
        "Provinces with significant causality, by direction",
        svg.bar_chart(
            summ["direction"].to_list(),
            {c: [float(v) for v in summ[c].to_list()] for c in ("p < 0.05", "p < 0.10")},
            label="causality by direction",
            value_label="provinces",
        ),
        "Number of provinces in which the cause Granger-causes the effect (Toda–Yamamoto Wald "
        "test, METHODS §8.4) at the 5 % and 10 % levels, out of the provinces tested (table). "
        "With 31 tests per direction about 1.5 (5 %) or 3 (10 %) are expected by chance.",
        summ,
        "causality-summary",
    )
    sig = df.filter(pl.col("p_value") < 0.10).sort("p_value")
    sec.html(f"<h3>Significant at 10 % ({sig.height} of {df.height} tests)</h3>")
    cols = [c for c in ("region_code", "cause", "effect", "lags", "diff_order", "n_obs",
                        "f_stat", "p_value", "status") if c in sig.columns]  # fmt: skip
    shown = sig.select(cols).with_columns(
        pl.col("region_code").map_elements(province_label, return_dtype=pl.Utf8)
    )
    rep.table(sec, shown, max_rows=40, name="causality-all-tests", csv=df)
