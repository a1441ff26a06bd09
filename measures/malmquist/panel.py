"""Malmquist on long frames (METHODS §9.7 data checks): `panel_arrays` turns one row per DMU
and period into (T, n, ·) arrays, refusing unbalanced panels, duplicates, missing cells and
non-positive values with a `PanelDataError` naming DMU and period; `malmquist_panel`."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from measures.malmquist.index import malmquist
from measures.malmquist.results import MalmquistResult, PanelDataError
from measures.periods import order_periods


def panel_arrays(
    df: pl.DataFrame,
    *,
    dmu: str,
    period: str,
    inputs: list[str],
    outputs: list[str],
    unbalanced: str = "raise",
    zero_replace: float | None = None,
    period_order: list | None = None,
) -> tuple[np.ndarray, np.ndarray, list, list, dict]:
    """Long frame → (X (T, n, m), Y (T, n, s), dmus, periods, info) with the checks of
    METHODS §9.7: duplicates, missing cells, unbalanced panel and non-positive values raise
    `PanelDataError` naming DMU and period, unless

    unbalanced="drop_dmus": DMUs missing in some period are dropped (listed in
        info["dropped_dmus"]); no value is imputed.
    zero_replace=v: zeros (not negatives) are replaced by v (> 0); the cells are listed in
        info["replaced"].
    period_order: the periods in time order (DEFAULT: numbers numerically, text labels
        naturally, "y9" < "y10" — `measures.periods.natural_key`).
    """
    d = _checked_frame(df, dmu, period, inputs, outputs, unbalanced, zero_replace)
    try:
        periods = order_periods(d[period].to_list(), period_order)
    except ValueError as exc:
        raise PanelDataError(str(exc)) from exc
    d, dmus, info = _balanced(d, dmu, period, periods, unbalanced)
    rank = {v: k for k, v in enumerate(periods)}
    d = d.with_columns(
        pl.col(period).map_elements(rank.__getitem__, return_dtype=pl.Int64).alias("_prank")
    ).sort(["_prank", dmu])
    T, n = len(periods), len(dmus)
    out = []
    for group in (inputs, outputs):
        a = d.select(group).to_numpy().astype(float).reshape(T, n, len(group))
        out.append(a)
    X, Y = out
    rows = d["_row"].to_numpy().reshape(T, n)
    for arr, names in ((X, inputs), (Y, outputs)):
        _positive(arr, names, dmus, periods, rows, zero_replace, info)
    return X, Y, dmus, periods, info


def _checked_frame(df: pl.DataFrame, dmu: str, period: str, inputs: list[str],
                   outputs: list[str], unbalanced: str,
                   zero_replace: float | None) -> pl.DataFrame:  # fmt: skip
    """The selected columns with a `_row` index; no null key, no duplicate cell, numbers."""
    if unbalanced not in ("raise", "drop_dmus"):
        raise ValueError("unbalanced must be 'raise' or 'drop_dmus'")
    if zero_replace is not None and not zero_replace > 0:
        raise ValueError("zero_replace must be a positive number")
    cols = [dmu, period, *inputs, *outputs]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found")
    d = df.select(cols).with_row_index("_row").with_columns(pl.col(dmu).cast(pl.Utf8))
    nulls = d.filter(pl.col(dmu).is_null() | pl.col(period).is_null())
    if nulls.height:
        r = nulls.row(0, named=True)
        raise PanelDataError(
            f"row {r['_row'] + 1} has no {dmu if r[dmu] is None else period} value",
            dmu=r[dmu],
            period=r[period],
            row=r["_row"],
        )
    dup = d.filter(pl.struct(dmu, period).is_duplicated())
    if dup.height:
        r = dup.row(0, named=True)
        raise PanelDataError(
            f"DMU {r[dmu]!r} appears more than once in period {r[period]!r} "
            f"({dup.height} duplicated rows)",
            dmu=r[dmu],
            period=r[period],
            row=r["_row"],
        )
    for c in (*inputs, *outputs):
        cast = d[c].cast(pl.Float64, strict=False)
        bad = (cast.is_null() | cast.is_nan()).arg_true()
        if len(bad):
            k = int(bad[0])
            raise PanelDataError(
                f"DMU {d[dmu][k]!r}, period {d[period][k]!r}: column {c!r} is missing or "
                f"not a number ({d[c][k]!r}); Malmquist does not impute (METHODS §0)",
                dmu=d[dmu][k],
                period=d[period][k],
                column=c,
                row=int(d["_row"][k]),
            )
        d = d.with_columns(cast.alias(c))
    return d


def _balanced(d: pl.DataFrame, dmu: str, period: str, periods: list,
              unbalanced: str) -> tuple[pl.DataFrame, list, dict[str, Any]]:  # fmt: skip
    """Every DMU in every period, or (unbalanced="drop_dmus") the DMUs that are."""
    dmus = sorted(d[dmu].unique().to_list())
    info: dict = {"dropped_dmus": [], "replaced": []}
    present = {(r[0], r[1]) for r in d.select(dmu, period).iter_rows()}
    gaps = [(i, t) for i in dmus for t in periods if (i, t) not in present]
    if gaps:
        if unbalanced == "raise":
            shown = ", ".join(f"DMU {i!r} in period {t!r}" for i, t in gaps[:5])
            more = f" and {len(gaps) - 5} more" if len(gaps) > 5 else ""
            raise PanelDataError(
                f"unbalanced panel: no observation for {shown}{more}. Malmquist needs every "
                f"DMU in every period (METHODS §9.7); drop those DMUs explicitly "
                f"(unbalanced='drop_dmus' / --drop-unbalanced) or complete the data",
                dmu=gaps[0][0],
                period=gaps[0][1],
            )
        drop = sorted({i for i, _ in gaps})
        info["dropped_dmus"] = drop
        dmus = [i for i in dmus if i not in set(drop)]
        d = d.filter(~pl.col(dmu).is_in(drop))
        if len(dmus) < 1:
            raise PanelDataError("no DMU is observed in every period")
    return d, dmus, info


def _positive(arr: np.ndarray, names: list[str], dmus: list, periods: list, rows: np.ndarray,
              zero_replace: float | None, info: dict[str, Any]) -> None:  # fmt: skip
    """Strictly positive data, or zeros replaced by `zero_replace` (listed in info)."""
    neg = np.argwhere(arr < 0) if zero_replace is not None else np.argwhere(arr <= 0)
    if neg.size:
        t, i, k = neg[0]
        raise PanelDataError(
            f"DMU {dmus[i]!r}, period {periods[t]!r}: {names[k]} = {float(arr[t, i, k]):g}; "
            f"Malmquist needs strictly positive data (METHODS §9.7)"
            + ("" if zero_replace is not None else "; zeros can be replaced explicitly "
               "(zero_replace / --zero-replace VALUE)"),
            dmu=dmus[i],
            period=periods[t],
            column=names[k],
            row=int(rows[t, i]),
        )  # fmt: skip
    if zero_replace is not None:
        for t, i, k in np.argwhere(arr == 0):
            info["replaced"].append((dmus[i], periods[t], names[k]))
            arr[t, i, k] = zero_replace


def malmquist_panel(
    df: pl.DataFrame,
    *,
    dmu: str,
    period: str,
    inputs: list[str],
    outputs: list[str],
    unbalanced: str = "raise",
    zero_replace: float | None = None,
    period_order: list | None = None,
    **kwargs: Any,
) -> MalmquistResult:
    """`malmquist` on a long frame (one row per DMU and period); see `panel_arrays` for
    the data checks and `malmquist` for the options. Dropped DMUs and replaced zeros are
    recorded in ``result.notes``."""
    X, Y, dmus, periods, info = panel_arrays(
        df,
        dmu=dmu,
        period=period,
        inputs=inputs,
        outputs=outputs,
        unbalanced=unbalanced,
        zero_replace=zero_replace,
        period_order=period_order,
    )
    res = malmquist(X, Y, dmus=dmus, periods=periods, **kwargs)
    if info["dropped_dmus"]:
        res.notes.append(f"dropped unbalanced DMUs: {', '.join(map(str, info['dropped_dmus']))}")
    if info["replaced"]:
        res.notes.append(
            f"{len(info['replaced'])} zero cell(s) replaced by {zero_replace}: "
            + ", ".join(f"{a}/{b}/{c}" for a, b, c in info["replaced"][:10])
        )
    return res
