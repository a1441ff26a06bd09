"""Malmquist on long frames (METHODS §9.7 data checks): `panel_arrays` turns one row per DMU
and period into (T, n, ·) arrays, refusing unbalanced panels, duplicates, missing cells and
non-positive values with a `PanelDataError` naming DMU and period; `malmquist_panel`."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from cbec.frame import number_of
from measures.malmquist.index import malmquist
from measures.malmquist.results import MalmquistResult, PanelDataError
from measures.periods import order_periods


def panel_arrays(
    df: Any,
    *,
    dmu: str,
    period: str,
    inputs: list[str],
    outputs: list[str],
    unbalanced: str = "raise",
    zero_replace: float | None = None,
    period_order: list | None = None,
) -> tuple[np.ndarray, np.ndarray, list, list, dict]:
    """Long frame (a polars DataFrame, or any table whose `df[column]` is a sequence of
    values, such as `cbec.frame.Frame`) → (X (T, n, m), Y (T, n, s), dmus, periods, info) with
    the checks of METHODS §9.7: duplicates, missing cells, unbalanced panel and non-positive
    values raise `PanelDataError` naming DMU and period, unless

    unbalanced="drop_dmus": DMUs missing in some period are dropped (listed in
        info["dropped_dmus"]); no value is imputed.
    zero_replace=v: zeros (not negatives) are replaced by v (> 0); the cells are listed in
        info["replaced"].
    period_order: the periods in time order (DEFAULT: numbers numerically, text labels
        naturally, "y9" < "y10" — `measures.periods.natural_key`).
    """
    names, pers, values = _checked_columns(df, dmu, period, inputs, outputs, unbalanced,
                                           zero_replace)  # fmt: skip
    try:
        periods = order_periods(pers, period_order)
    except ValueError as exc:
        raise PanelDataError(str(exc)) from exc
    keep, dmus, info = _balanced(names, pers, periods, unbalanced)
    t_of = {v: k for k, v in enumerate(periods)}
    i_of = {v: k for k, v in enumerate(dmus)}
    T, n = len(periods), len(dmus)
    rows = np.zeros((T, n), dtype=np.int64)
    for r in keep:
        rows[t_of[pers[r]], i_of[names[r]]] = r
    # column-major blocks reshaped to (T, n, ·), the memory layout the LPs were verified with
    # (a different layout changes BLAS's summation order, so the last bit of some results)
    ordered = values[rows.ravel()]
    X = np.asfortranarray(ordered[:, : len(inputs)]).reshape(T, n, len(inputs))
    Y = np.asfortranarray(ordered[:, len(inputs) :]).reshape(T, n, len(outputs))
    for arr, cols in ((X, inputs), (Y, outputs)):
        _positive(arr, cols, dmus, periods, rows, zero_replace, info)
    return X, Y, dmus, periods, info


def _column(df: Any, name: str) -> list:
    values = df[name]
    return values.to_list() if hasattr(values, "to_list") else list(values)


def _checked_columns(df: Any, dmu: str, period: str, inputs: list[str], outputs: list[str],
                     unbalanced: str,
                     zero_replace: float | None) -> tuple[list, list, np.ndarray]:  # fmt: skip
    """(DMU names as text, period values, the (rows, m + s) numbers); no missing key, no
    duplicate cell, every cell a number."""
    if unbalanced not in ("raise", "drop_dmus"):
        raise ValueError("unbalanced must be 'raise' or 'drop_dmus'")
    if zero_replace is not None and not zero_replace > 0:
        raise ValueError("zero_replace must be a positive number")
    cols = [dmu, period, *inputs, *outputs]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found")
    names = [None if v is None else str(v) for v in _column(df, dmu)]
    pers = _column(df, period)
    for r, (d, p) in enumerate(zip(names, pers, strict=True)):
        if d is None or p is None:
            raise PanelDataError(f"row {r + 1} has no {dmu if d is None else period} value",
                                 dmu=d, period=p, row=r)  # fmt: skip
    counts = Counter(zip(names, pers, strict=True))
    dup = [r for r, key in enumerate(zip(names, pers, strict=True)) if counts[key] > 1]
    if dup:
        r = dup[0]
        raise PanelDataError(
            f"DMU {names[r]!r} appears more than once in period {pers[r]!r} "
            f"({len(dup)} duplicated rows)",
            dmu=names[r], period=pers[r], row=r,
        )  # fmt: skip
    values = np.empty((len(names), len(inputs) + len(outputs)))
    for k, c in enumerate((*inputs, *outputs)):
        raw = _column(df, c)
        for r, v in enumerate(raw):
            x = number_of(v)
            if x is None or x != x:
                raise PanelDataError(
                    f"DMU {names[r]!r}, period {pers[r]!r}: column {c!r} is missing or "
                    f"not a number ({v!r}); Malmquist does not impute (METHODS §0)",
                    dmu=names[r], period=pers[r], column=c, row=r,
                )  # fmt: skip
            if math.isinf(x):
                raise PanelDataError(
                    f"DMU {names[r]!r}, period {pers[r]!r}: column {c!r} is {v!r}; Malmquist "
                    "needs finite numbers (METHODS §9.7)",
                    dmu=names[r], period=pers[r], column=c, row=r,
                )  # fmt: skip
            values[r, k] = x
    return names, pers, values


def _balanced(names: list, pers: list, periods: list,
              unbalanced: str) -> tuple[list[int], list, dict[str, Any]]:  # fmt: skip
    """The rows kept and the DMUs observed in every period (all, or with
    unbalanced="drop_dmus" those that are); else a PanelDataError."""
    dmus = sorted(set(names))
    info: dict = {"dropped_dmus": [], "replaced": []}
    present = set(zip(names, pers, strict=True))
    gaps = [(i, t) for i in dmus for t in periods if (i, t) not in present]
    keep = list(range(len(names)))
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
        keep = [r for r in keep if names[r] not in set(drop)]
        if len(dmus) < 1:
            raise PanelDataError("no DMU is observed in every period")
    return keep, dmus, info


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
    df: Any,
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
