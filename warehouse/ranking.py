"""Which candidate of a staging cell wins (config/variables.toml `[staging]`; ARCHITECTURE.md
versioning semantics 6): sources ranked by quality, the newest vintage only between vintages
of the same family, reconciliation checks that block a candidate and fall back to the next.
"""

from __future__ import annotations

import fnmatch
import re

import polars as pl

from warehouse import reconcile
from warehouse.reconcile import CAND_ID, CELL

ORDER = [*CELL, "family_rank", "vintage_key", "priority", "source_file", "line_no"]
DESC = [False, False, False, False, True, False, False, False]
MAX_ROUNDS = 8


def vintage_key(vintage: str | None) -> str:
    """'YYYY', 'YYYY-M[M]' or 'YYYY-MM-DD' → 'YYYY-MM-DD' so that vintages compare as dates
    ('2026-3' < '2026-10'); a year alone counts as its first day. Anything else sorts first."""
    if vintage is None:
        return "0000-00-00"
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", str(vintage))
    if not m:
        return "0000-00-00"
    y, mo, d = m.group(1), m.group(2) or "1", m.group(3) or "1"
    return f"{y}-{int(mo):02d}-{int(d):02d}"


def source_table(sources: list[str], staging_cfg: dict) -> pl.DataFrame:
    """source → family, family_rank (1 = best), official. A source matches the first family
    whose `sources` patterns (fnmatch) it fits; one that fits none ranks last, unofficial."""
    families = staging_cfg.get("families", [])
    rows = []
    for src in sources:
        fam, rank, official = "unranked", len(families) + 1, False
        for i, f in enumerate(families, start=1):
            if any(fnmatch.fnmatchcase(src, pat) for pat in f["sources"]):
                fam, rank, official = f["name"], i, bool(f.get("official", False))
                break
        rows.append({"source": src, "family": fam, "family_rank": rank, "official": official})
    schema = {"source": pl.Utf8, "family": pl.Utf8, "family_rank": pl.Int64, "official": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


def _pick(cand: pl.DataFrame, blocked: dict[int, tuple[str, str]]) -> pl.DataFrame:
    clean = cand.filter(~pl.col(CAND_ID).is_in(list(blocked)))
    return clean.sort(ORDER, descending=DESC, nulls_last=True).unique(
        subset=CELL, keep="first", maintain_order=True
    )


def choose_with_checks(
    cand: pl.DataFrame, cfg: dict, rates: pl.DataFrame | None
) -> tuple[pl.DataFrame, dict[int, tuple[str, str]]]:
    """(chosen candidates, cand_id → (check, message) of every blocked candidate)."""
    st = cfg.get("staging", {})
    checks = st.get("checks", {})
    usd = [v for v, spec in cfg["variables"].items() if spec.get("currency") == "USD"]
    identities = list(st.get("identities", []))
    blocked: dict[int, tuple[str, str]] = {}
    if rates is not None:
        cur = reconcile.currency_blocks(cand, usd, rates, float(checks.get("currency_tol", 0.02)))
        blocked.update({k: ("currency_unit", m) for k, m in cur.items()})
    ident_tol = float(checks.get("identity_tol", 0.02))
    abs_tol = float(checks.get("identity_abs_tol", 0.0))
    ids = reconcile.identity_blocks(cand, identities, ident_tol, abs_tol)
    blocked.update({k: ("identity", m) for k, m in ids.items() if k not in blocked})
    accepted = list(st.get("accepted", []))
    official_tol = float(checks.get("official_tol", 0.10))
    chosen = _pick(cand, blocked)
    for _ in range(MAX_ROUNDS):
        new = _official_differences(chosen, cand, blocked, accepted, official_tol)
        new.update(_chosen_identity(chosen, identities, (ident_tol, abs_tol), new))
        if not new:
            break
        blocked.update(new)
        chosen = _pick(cand, blocked)
    return chosen, blocked


def _official_differences(
    chosen: pl.DataFrame,
    cand: pl.DataFrame,
    blocked: dict[int, tuple[str, str]],
    accepted: list[dict],
    tol: float,
) -> dict[int, tuple[str, str]]:
    """Chosen values more than `tol` away from a clean value of another official family."""
    others = cand.filter(pl.col("official") & ~pl.col(CAND_ID).is_in(list(blocked)))
    right = others.select(*CELL, "family", pl.col("value").alias("o_value"), pl.col(CAND_ID).alias("o_id"))  # fmt: skip
    pairs = chosen.join(right, on=CELL).filter(pl.col("family") != pl.col("family_right"))
    gap = (pl.col("value") - pl.col("o_value")).abs() / pl.col("o_value").abs().clip(1e-12)
    pairs = pairs.filter(gap > tol)
    out: dict[int, tuple[str, str]] = {}
    if pairs.is_empty():
        return out
    recs = {r[CAND_ID]: r for r in cand.iter_rows(named=True)}
    for p in pairs.iter_rows(named=True):
        if p[CAND_ID] in out or reconcile.is_accepted(accepted, p):
            continue
        a, o = recs[p[CAND_ID]], recs[p["o_id"]]
        out[p[CAND_ID]] = (
            "official_difference",
            f"official difference: {reconcile.cell_name(a)}: chosen {reconcile.where(a)} is "
            f"{abs(a['value'] / o['value'] - 1):.1%} from the official {reconcile.where(o)} "
            f"(tolerance {tol:.0%}; list the cell in [[staging.accepted]] with a reason if "
            "both are right)",
        )
    return out


def _chosen_identity(
    chosen: pl.DataFrame, identities: list[dict], tols: tuple[float, float], already: dict
) -> dict[int, tuple[str, str]]:
    """The chosen parts and total of a cell taken from different sources must add up too:
    otherwise the worst-ranked of them (rank, then oldest vintage) is blocked."""
    out: dict[int, tuple[str, str]] = {}
    for ident in identities:
        names = [ident["total"], *ident["parts"]]
        sub = chosen.filter(pl.col("variable").is_in(names))
        if sub.is_empty():
            continue
        w = sub.pivot(on="variable", index=["region_code", "year"], values="value")
        if not set(names) <= set(w.columns):
            continue
        w = w.drop_nulls(names)
        total = pl.col(ident["total"])
        diff = (pl.sum_horizontal(list(ident["parts"])) - total).abs()
        tol, abs_tol = tols
        for r in w.filter((diff / total.abs().clip(1e-12) > tol) & (diff > abs_tol)).iter_rows(
            named=True
        ):
            rows = sub.filter(
                (pl.col("region_code") == r["region_code"]) & (pl.col("year") == r["year"])
            ).sort(["family_rank", "vintage_key"], descending=[True, False])
            worst = rows.row(0, named=True)
            if worst[CAND_ID] in already:
                continue
            shown = ", ".join(f"{x['variable']} {reconcile.where(x)}" for x in rows.iter_rows(named=True))  # fmt: skip
            out[worst[CAND_ID]] = (
                "identity",
                f"identity across sources: {' + '.join(ident['parts'])} ≠ {ident['total']} "
                f"within {tol:.0%} for {reconcile.cell_name(worst)}: {shown}; the worst-ranked "
                "value is blocked",
            )
    return out


def assemble(
    cand: pl.DataFrame,
    chosen: pl.DataFrame,
    blocked: dict[int, tuple[str, str]],
    excluded: pl.DataFrame,
    cfg: dict,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(staging.panel, staging.conflicts) frames: see warehouse/staging.py."""
    from warehouse.contracts import get
    from warehouse.staging_quality import cell_quality

    block = pl.DataFrame(
        {CAND_ID: list(blocked), "check": [c for c, _ in blocked.values()],
         "reason": [m for _, m in blocked.values()]},
        schema={CAND_ID: pl.UInt32, "check": pl.Utf8, "reason": pl.Utf8},
    )  # fmt: skip
    best = cand.sort(ORDER, descending=DESC, nulls_last=True).unique(subset=CELL, keep="first")
    fell_back = chosen.join(best.select(*CELL, pl.col(CAND_ID).alias("_best")), on=CELL)
    fell_back = fell_back.filter(pl.col(CAND_ID) != pl.col("_best")).select(CELL)
    n_fam = cand.group_by(CELL).agg(pl.col("family").n_unique().alias("_n_families"))
    panel = (
        chosen.join(n_fam, on=CELL, how="left")
        .join(fell_back.with_columns(pl.lit(True).alias("_fallback")), on=CELL, how="left")
        .with_columns(_choice_text().alias("choice"), pl.col("family_rank").alias("source_rank"))
    )
    panel = (
        cell_quality(panel, cfg)
        .select(get("staging.panel").names)
        .sort(["variable", "region_code", "year"])
    )
    conflicts = _conflicts(cand, chosen, block, excluded)
    return panel, conflicts.select(get("staging.conflicts").names).sort(
        ["variable", "region_code", "year"]
    )


def _choice_text() -> pl.Expr:
    base = pl.format(
        "{} (family {}, rank {}, vintage {})",
        pl.col("source"), pl.col("family"), pl.col("family_rank"), pl.col("vintage"),
    )  # fmt: skip
    why = (
        pl.when(pl.col("_fallback").fill_null(False))
        .then(pl.lit("fallback: a better-ranked value was blocked (staging.conflicts)"))
        .when(pl.col("_n_families") > 1)
        .then(pl.lit("best-ranked source with a clean value"))
        .otherwise(pl.lit("only source family of this cell"))
    )
    return pl.concat_str([why, pl.lit(": "), base])


def _conflicts(
    cand: pl.DataFrame, chosen: pl.DataFrame, block: pl.DataFrame, excluded: pl.DataFrame
) -> pl.DataFrame:
    """Every non-chosen candidate with its status; cells without a clean value: unresolved."""
    ch = chosen.select(
        *CELL,
        pl.col(CAND_ID).alias("_chosen_id"),
        pl.col("value").alias("chosen_value"),
        pl.col("source").alias("chosen_source"),
        pl.col("vintage").alias("chosen_vintage"),
        pl.col("source_file").alias("chosen_file"),
        pl.col("family").alias("_cf"),
        pl.col("vintage_key").alias("_cv"),
    )
    ex = excluded.with_columns(
        pl.lit(None, dtype=pl.UInt32).alias(CAND_ID), pl.lit("exclude").alias("check")
    )
    losers = pl.concat(
        [
            cand.join(block, on=CAND_ID, how="left"),
            ex.select(cand.columns + ["check", "reason"]),
        ],
        how="vertical_relaxed",
    )
    rows = losers.join(ch, on=CELL, how="left").filter(
        pl.col(CAND_ID).is_null() | (pl.col(CAND_ID) != pl.col("_chosen_id").fill_null(-1))
    )
    status = (
        pl.when(pl.col("check") == "exclude").then(pl.lit("excluded"))
        .when(pl.col("chosen_value").is_null()).then(pl.lit("unresolved"))
        .when(pl.col("check").is_not_null()).then(pl.lit("blocked"))
        .when(pl.col("family") != pl.col("_cf")).then(pl.lit("lower_rank"))
        .when(pl.col("vintage_key") != pl.col("_cv")).then(pl.lit("superseded_vintage"))
        .otherwise(pl.lit("duplicate"))
    )  # fmt: skip
    rel = (pl.col("value") - pl.col("chosen_value")).abs() / pl.max_horizontal(
        pl.col("chosen_value").abs(), pl.lit(1e-12)
    )
    return rows.with_columns(
        status.alias("status"),
        rel.alias("rel_diff"),
        pl.col("value").alias("other_value"),
        pl.col("source").alias("other_source"),
        pl.col("vintage").alias("other_vintage"),
        pl.col("source_file").alias("other_file"),
        pl.col("line_no").alias("other_line"),
    )
