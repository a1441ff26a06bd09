"""Indicator panels and windows of the composite subsystems (config/indicators.toml; METHODS §4,
§0 "never impute silently"; issue 15).

A subsystem runs on its own window `years = [first, last]` (or "auto": the longest run of years
in which every indicator has every province). `subsystem_windows` resolves the windows, checks
that each is complete, and says what binds each end, so a window is never truncated silently.
"""

from __future__ import annotations

import warnings

import polars as pl

from transforms._scalars import as_int


def indicator_name(spec: dict) -> str:
    return f"{spec['variable']}_per_{spec['per']}" if spec.get("per") else spec["variable"]


def subsystem_specs(ind: dict) -> dict[str, list[dict]]:
    subs = ind.get("subsystems") or {}
    if not subs:
        raise ValueError("config/indicators.toml defines no [subsystems.*]")
    out = {}
    for name, s in subs.items():
        items = s.get("indicators") or []
        if not items:
            raise ValueError(f"subsystem {name!r} has no indicators")
        for it in items:
            if "variable" not in it or it.get("direction") not in ("+", "-"):
                raise ValueError(
                    f"subsystem {name!r}: every indicator needs `variable` and direction '+'/'-'"
                    f", got {it}"
                )
        names = [indicator_name(it) for it in items]
        if len(set(names)) != len(names):
            raise ValueError(f"subsystem {name!r} lists an indicator twice")
        out[name] = items
    return out


def wide_panel(panel: pl.DataFrame, variables: list[str], years=None) -> pl.DataFrame:
    """region_code, year, one Float64 column per variable (null where the panel has no value)."""
    need = {"region_code", "year", "variable", "value"}
    if not need <= set(panel.columns):
        raise ValueError(f"the panel needs columns {sorted(need)}")
    sub = panel.filter(pl.col("variable").is_in(variables))
    if years is not None:
        sub = sub.filter(pl.col("year").is_between(int(years[0]), int(years[1])))
    if sub.select(pl.struct("region_code", "year", "variable").is_duplicated().any()).item():
        raise ValueError("the panel has duplicate (region_code, year, variable) rows")
    w = (
        sub.select(
            "region_code",
            pl.col("year").cast(pl.Int64),
            "variable",
            pl.col("value").cast(pl.Float64),
        )  # fmt: skip
        .pivot(on="variable", index=["region_code", "year"], values="value")
        .sort("region_code", "year")
    )
    for v in variables:
        if v not in w.columns:
            w = w.with_columns(pl.lit(None, dtype=pl.Float64).alias(v))
    return w.select("region_code", "year", *variables)


def _grid(panel: pl.DataFrame, years) -> pl.DataFrame:
    """Every province × every year of the range (provinces = those present in the panel)."""
    codes = sorted(panel["region_code"].unique().to_list())
    ys = list(range(int(years[0]), int(years[1]) + 1))
    return pl.DataFrame(
        {"region_code": [c for c in codes for _ in ys], "year": ys * len(codes)},
        schema={"region_code": pl.Utf8, "year": pl.Int64},
    )


def indicator_frame(panel: pl.DataFrame, specs: list[dict], years, missing: str) -> tuple:
    """Wide frame of a subsystem's indicators on the full province × year grid.
    missing="raise" stops on any empty cell; "drop_region" drops provinces with a gap."""
    names = [indicator_name(s) for s in specs]
    w = indicator_values(panel, specs, years)
    gaps = w.unpivot(index=["region_code", "year"], on=names).filter(
        pl.col("value").is_null() | pl.col("value").is_nan()
    )
    dropped: list[str] = []
    if gaps.height:
        if missing == "drop_region":
            dropped = sorted(gaps["region_code"].unique().to_list())
            warnings.warn(f"provinces {dropped} dropped (missing indicator values)", stacklevel=2)
            w = w.filter(~pl.col("region_code").is_in(dropped))
        else:
            cells = ", ".join(f"{r}/{y}/{v}" for r, y, v, _ in gaps.head(12).iter_rows())
            raise ValueError(
                f"{gaps.height} missing indicator cell(s) in {years[0]}–{years[1]} "
                f"(province/year/indicator: {cells}{' …' if gaps.height > 12 else ''}); "
                "adjust `years`/indicators in config/indicators.toml or set "
                'missing = "drop_region" (no silent imputation, METHODS §0)'
            )
    return w, names, dropped


# ----------------------------------------------------------------------------- windows
def indicator_values(panel: pl.DataFrame, specs: list[dict], years) -> pl.DataFrame:
    """Wide frame region_code, year, one column per indicator (ratios computed) on the full
    province × year grid of `years` (null where a value is missing)."""
    variables = sorted({s["variable"] for s in specs} | {s["per"] for s in specs if s.get("per")})
    w = _grid(panel, years).join(wide_panel(panel, variables, years), on=["region_code", "year"],
                                 how="left")  # fmt: skip
    exprs = []
    for s in specs:
        e = pl.col(s["variable"])
        if s.get("per"):
            e = e / pl.col(s["per"])
        exprs.append(e.alias(indicator_name(s)))
    return w.select("region_code", "year", *exprs)


def gaps_by_year(panel: pl.DataFrame, specs: list[dict], years) -> dict[int, list[str]]:
    """{year: indicators with at least one province missing} for every year of `years`."""
    names = [indicator_name(s) for s in specs]
    w = indicator_values(panel, specs, years)
    gaps = (
        w.unpivot(index=["region_code", "year"], on=names)
        .filter(pl.col("value").is_null() | pl.col("value").is_nan())
        .group_by("year")
        .agg(pl.col("variable").unique().sort())
    )
    out: dict[int, list[str]] = {y: [] for y in range(int(years[0]), int(years[1]) + 1)}
    for y, v in gaps.iter_rows():
        out[int(y)] = [n for n in names if n in v]
    return out


def _longest_run(complete: list[int]) -> tuple[int, int] | None:
    """Longest run of consecutive years (ties: the latest)."""
    best: tuple[int, int] | None = None
    start = complete[0] if complete else 0
    for i, y in enumerate(complete):
        if i == 0 or y != complete[i - 1] + 1:
            start = y
        if best is None or y - start >= best[1] - best[0]:
            best = (start, y)
    return best


def _limit(gaps: dict[int, list[str]], year: int, lo: int, hi: int, side: str) -> str:
    if year < lo:
        return f"{side} {year}: before official_from ({lo})"
    if year > hi:
        return f"{side} {year}: no data in the panel after {hi}"
    return f"{side} {year}: " + ", ".join(gaps[year]) if gaps[year] else ""


def subsystem_windows(panel: pl.DataFrame, subs: dict[str, list[dict]], ind: dict) -> dict:
    """{subsystem: (first, last, window_limit)} from indicators.toml: a subsystem's `years`
    (DEFAULT the top-level `years`; "auto" = the longest complete run). `window_limit` names
    the indicators missing in the year before and after the window; a window that could be
    extended (all indicators complete one year further out) is warned about."""
    lo = as_int(ind.get("official_from", panel["year"].min()))
    hi = as_int(panel["year"].max())
    out = {}
    for name, specs in subs.items():
        cfg = (ind.get("subsystems") or {}).get(name, {})
        years = cfg.get("years", ind.get("years"))
        gaps = gaps_by_year(panel, specs, (lo, hi))
        if years == "auto":
            run = _longest_run([y for y, g in gaps.items() if not g])
            if run is None:
                raise ValueError(f"subsystem {name!r}: no year has every indicator complete")
            years = run
        elif not years:
            years = (lo, hi)
        y0, y1 = int(years[0]), int(years[1])
        start, end = _limit(gaps, y0 - 1, lo, hi, "start"), _limit(gaps, y1 + 1, lo, hi, "end")
        for side, y, text in (("starts", y0 - 1, start), ("ends", y1 + 1, end)):
            if not text:
                warnings.warn(
                    f"subsystem {name!r} {side} at {y0 if side == 'starts' else y1} but every "
                    f"indicator is complete in {y}: the window could be longer (indicators.toml)",
                    stacklevel=2,
                )
        out[name] = (y0, y1, "; ".join(t for t in (start, end) if t))
    return out
