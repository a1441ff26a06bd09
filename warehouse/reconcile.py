"""Reconciliation checks between the candidate values of staging cells (config/variables.toml
`[staging.checks]`; ARCHITECTURE.md versioning semantics 6).

A candidate is one source's value of one (variable, region_code, year) cell. The checks mark
candidates as blocked, with the check's name and a message naming file, line, variable,
province, year and both values; staging then takes the next-ranked clean candidate.

- currency_unit: a US$ value whose ratio to another source's value of the same cell is within
  `currency_tol` of that year's CNY/US$ rate is RMB stored as US$ (the larger one is blocked);
  a ratio within `currency_tol` of a power of ten (10…10⁶) blocks the value that disagrees
  with the cell's other sources, or both when nothing tells them apart;
- identity: within one source, total = sum of parts (exports + imports = trade_total) within
  `identity_tol`; all values of that source for the cell are blocked when it fails;
- official_difference (after the choice, in staging): the chosen value more than
  `official_tol` away from another official source's value of the same cell, unless the cell
  is listed in `[[staging.accepted]]` with a reason.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl

CELL = ["variable", "region_code", "year"]
CAND_ID = "cand_id"


def load_rates(path: Path) -> pl.DataFrame:
    """year, cny_per_usd (data/reference_cny_usd; PROVENANCE there)."""
    return pl.read_csv(path, columns=["year", "cny_per_usd"]).cast(
        {"year": pl.Int64, "cny_per_usd": pl.Float64}
    )


def where(r: dict) -> str:
    """'file, line N (source, vintage V): value' of one candidate record."""
    line = f", line {r['line_no']}" if r.get("line_no") is not None else ""
    return f"{r['value']:.6g} in {r['source_file']}{line} ({r['source']}, vintage {r['vintage']})"


def cell_name(r: dict) -> str:
    from warehouse.provinces import NAME_ZH

    name = NAME_ZH.get(r["region_code"], r["region_code"])
    return f"{r['variable']}, {name} ({r['region_code']}) {r['year']}"


def _pairs(cand: pl.DataFrame, variables: list[str]) -> pl.DataFrame:
    """Every ordered pair (a, b) of candidates of one cell from different sources, a/b ratio."""
    sub = cand.filter(pl.col("variable").is_in(variables) & (pl.col("value") > 0))
    right = sub.select(CELL + [CAND_ID, "source", "value"]).rename(
        {CAND_ID: "b_id", "source": "b_source", "value": "b_value"}
    )
    pairs = sub.join(right, on=CELL).filter(pl.col("source") != pl.col("b_source"))
    return pairs.with_columns((pl.col("value") / pl.col("b_value")).alias("ratio"))


def currency_blocks(
    cand: pl.DataFrame, usd_variables: list[str], rates: pl.DataFrame, tol: float
) -> dict[int, str]:
    """cand_id → message for RMB-as-US$ and power-of-ten candidates (module docstring)."""
    if not usd_variables or cand.is_empty():
        return {}
    pairs = _pairs(cand, usd_variables).join(rates, on="year", how="left")
    out: dict[int, str] = {}
    records = {r[CAND_ID]: r for r in cand.iter_rows(named=True)}
    rmb = pairs.filter(
        pl.col("cny_per_usd").is_not_null()
        & ((pl.col("ratio") / pl.col("cny_per_usd") - 1).abs() <= tol)
    )
    for p in rmb.iter_rows(named=True):
        a, b = records[p[CAND_ID]], records[p["b_id"]]
        out[a[CAND_ID]] = (
            f"currency unit: {cell_name(a)}: {where(a)} is {p['ratio']:.4g} × {where(b)}, "
            f"within {tol:.0%} of the {a['year']} CNY/US$ rate {p['cny_per_usd']:.4f} "
            "(RMB stored as US$)"
        )
    for p in pairs.filter(pl.col("ratio") > 1).iter_rows(named=True):
        k = round(math.log10(p["ratio"]))
        if k < 1 or k > 6 or abs(p["ratio"] / 10**k - 1) > tol:
            continue
        a, b = records[p[CAND_ID]], records[p["b_id"]]
        if a[CAND_ID] in out or b[CAND_ID] in out:
            continue
        wrong = _odd_one_out(cand, a, b, tol)
        for w in wrong:
            other = b if w is a else a
            out[w[CAND_ID]] = (
                f"power of ten: {cell_name(w)}: {where(w)} vs {where(other)} differ by "
                f"×10^{k if w is a else -k}"
                + (
                    "; the other agrees with a third source or the neighbouring years"
                    if len(wrong) == 1
                    else " and nothing tells which is right"
                )
            )
    return out


def _odd_one_out(cand: pl.DataFrame, a: dict, b: dict, tol: float) -> list[dict]:
    """Of a pair 10^k apart, the one that no third source of the cell confirms; failing that,
    the one farther (in log terms) from the cell's neighbouring years; failing that, both."""
    same = (pl.col("variable") == a["variable"]) & (pl.col("region_code") == a["region_code"])
    others = cand.filter(
        same & (pl.col("year") == a["year"]) & ~pl.col("source").is_in([a["source"], b["source"]])
    )["value"].to_list()

    def confirmed(x: dict) -> bool:
        return any(abs(v / x["value"] - 1) <= tol for v in others if x["value"])

    if confirmed(a) != confirmed(b):
        return [b] if confirmed(a) else [a]
    near = cand.filter(
        same & pl.col("year").is_in([a["year"] - 1, a["year"] + 1]) & (pl.col("value") > 0)
    )
    if near.is_empty():
        return [a, b]
    ref = math.log(float(near["value"].median()))
    da, db = abs(math.log(a["value"]) - ref), abs(math.log(b["value"]) - ref)
    return [a] if da > db else [b]


def identity_blocks(
    cand: pl.DataFrame, identities: list[dict], tol: float, abs_tol: float = 0.0
) -> dict[int, str]:
    """cand_id → message for every candidate of a source whose parts do not add up to its
    total for that province-year: more than `tol` relative AND more than `abs_tol` absolute
    (the rounding of values printed to one decimal)."""
    out: dict[int, str] = {}
    for ident in identities:
        total, parts = ident["total"], list(ident["parts"])
        names = [total, *parts]
        sub = cand.filter(pl.col("variable").is_in(names))
        if sub.is_empty():
            continue
        keys = ["source", "region_code", "year"]
        wide = sub.group_by([*keys, "variable"]).agg(
            pl.col("value").first(), pl.col(CAND_ID), pl.col("source_file").first()
        )
        w = wide.pivot(on="variable", index=keys, values="value")
        if not set(names) <= set(w.columns):
            continue
        w = w.drop_nulls(names).with_columns(pl.sum_horizontal(parts).alias("_sum"))
        diff = (pl.col("_sum") - pl.col(total)).abs()
        bad = w.filter((diff / pl.col(total).abs().clip(1e-12) > tol) & (diff > abs_tol))
        if bad.is_empty():
            continue
        ids = wide.join(bad.select(keys), on=keys)
        for r in bad.iter_rows(named=True):
            mine = ids.filter(
                (pl.col("source") == r["source"])
                & (pl.col("region_code") == r["region_code"])
                & (pl.col("year") == r["year"])
            )
            file = mine["source_file"][0]
            shown = " + ".join(f"{p} {r[p]:.6g}" for p in parts)
            msg = (
                f"identity: {' + '.join(parts)} = {total} fails in {file} ({r['source']}) for "
                f"{cell_name({**r, 'variable': total})}: {shown} = {r['_sum']:.6g} vs "
                f"{total} {r[total]:.6g} ({abs(r['_sum'] / r[total] - 1):.1%} apart, "
                f"tolerance {tol:.0%})"
            )
            for id_list in mine[CAND_ID].to_list():
                for cid in id_list:
                    out[int(cid)] = msg
    return out


def is_accepted(accepted: list[dict], r: dict) -> str | None:
    """The reason of the [[staging.accepted]] entry naming this cell, if any."""
    for a in accepted:
        if a.get("variable") != r["variable"]:
            continue
        if "region" in a and str(a["region"]) != r["region_code"]:
            continue
        years = a.get("years", [a["year"]] if "year" in a else None)
        if years is not None and r["year"] not in _year_set(years):
            continue
        return str(a.get("reason", "accepted"))
    return None


def _year_set(years: list[int]) -> set[int]:
    if len(years) == 2 and years[1] - years[0] > 1:
        return set(range(int(years[0]), int(years[1]) + 1))
    return {int(y) for y in years}
