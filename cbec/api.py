"""The Python API for notebooks (docs/API.md): the analyses of the `cbec` commands as functions
of a polars frame with named columns, returning labelled polars frames — the same transforms
the pipeline and the CLI run, with the defaults of the parameter model (cbec.params).

    import polars as pl
    from cbec import api
    scores = api.dea(df, dmu="province", inputs=["K", "L"], outputs=["Y"], period="year")

Every function cites its METHODS section; `period=None` means one cross-section.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from cbec.params import section_dict

_KEY = ("region_code", "year")


def _as_panel(data: pl.DataFrame, dmu: str, period: str | None, columns: list[str]) -> pl.DataFrame:
    """The frame in the transforms' shape (region_code, year, columns) — checked."""
    missing = [c for c in [dmu, *([period] if period else []), *columns] if c not in data.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame (it has {data.columns})")
    year = pl.col(period) if period else pl.lit(0)
    out = data.select(
        pl.col(dmu).cast(pl.Utf8).alias("region_code"),
        year.alias("year"),
        *[pl.col(c).cast(pl.Float64) for c in columns],
    )
    if out.select(pl.struct(*_KEY).is_duplicated().any()).item():
        hint = "" if period else " (a panel? pass period=COLUMN)"
        raise ValueError(f"a {dmu} appears more than once{hint}")
    return out


def _labelled(frame: pl.DataFrame, dmu: str, period: str | None) -> pl.DataFrame:
    frame = frame.rename({"region_code": dmu})
    return frame.rename({"year": period}) if period else frame.drop("year")


def _efficiency(data, dmu, inputs, outputs, period, table: str, **options: Any) -> pl.DataFrame:
    from transforms.efficiency import efficiency_tables

    params = section_dict("dea", {"inputs": list(inputs), "outputs": list(outputs), **options})
    panel = _as_panel(data, dmu, period, [*inputs, *outputs])
    return _labelled(efficiency_tables(panel, params, (table,))[table], dmu, period)


def dea(
    data: pl.DataFrame,
    *,
    dmu: str,
    inputs: list[str],
    outputs: list[str],
    period: str | None = None,
    orientation: str = "input",
    rts: str = "crs",
) -> pl.DataFrame:
    """Radial DEA (METHODS §9.1): score, CRS/VRS/NIRS technical and scale efficiency, RTS
    class, slacks, targets and peers (`name:λ`) per DMU — one frontier per period."""
    return _efficiency(data, dmu, inputs, outputs, period, "efficiency",
                       orientation=orientation, rts=rts)  # fmt: skip


def cross_efficiency(
    data: pl.DataFrame,
    *,
    dmu: str,
    inputs: list[str],
    outputs: list[str],
    period: str | None = None,
    secondary: str = "aggressive",
) -> pl.DataFrame:
    """Doyle–Green cross-efficiency (METHODS §9.5): CCR score, mean cross-efficiency with the
    `secondary` goal and the benevolent one, maverick index."""
    return _efficiency(data, dmu, inputs, outputs, period, "cross_efficiency",
                       crosseff={"secondary": secondary})  # fmt: skip


def game_cross_efficiency(
    data: pl.DataFrame,
    *,
    dmu: str,
    inputs: list[str],
    outputs: list[str],
    period: str | None = None,
    tol: float | None = None,
) -> pl.DataFrame:
    """Liang et al. (2008) game cross-efficiency (METHODS §9.6) with iterations, convergence
    and the last max |Δα| (tol: the model's default 1e-6 unless given)."""
    game = {} if tol is None else {"tol": tol}
    return _efficiency(data, dmu, inputs, outputs, period, "game_cross_efficiency", game=game)


def malmquist(
    data: pl.DataFrame,
    *,
    dmu: str,
    period: str,
    inputs: list[str],
    outputs: list[str],
    **options: Any,
) -> dict[str, pl.DataFrame]:
    """Malmquist index (METHODS §9.7, FGNZ decomposition by default) and CC-Malmquist (§9.8):
    {"index": one row per DMU and pair of periods, "summary": DEAP-style geometric means}.
    `options`: the keys of config/malmquist.toml (frontier, decomposition, …)."""
    from transforms.productivity import productivity_tables

    panel = _as_panel(data, dmu, period, [*inputs, *outputs])
    out = productivity_tables(panel, {"inputs": list(inputs), "outputs": list(outputs), **options})
    index = out["malmquist"].rename(
        {"region_code": dmu, "year_from": f"{period}_from", "year_to": f"{period}_to"}
    )
    summary = out["malmquist_summary"].rename({"region_code": dmu}, strict=False)
    return {"index": index, "summary": summary}


def entropy(
    data: pl.DataFrame,
    *,
    indicators: dict[str, str],
    dmu: str,
    period: str | None = None,
    **options: Any,
) -> dict[str, pl.DataFrame]:
    """Entropy weights and composite score (METHODS §4): `indicators` maps each column to its
    direction "+" or "-"; `options` are config/structure.toml's [entropy] keys.
    {"weights": indicator, weight, …; "scores": dmu, period, score}."""
    from measures.entropy import entropy_index

    e = section_dict("structure", {"entropy": options})["entropy"]
    weights, scores = entropy_index(
        data, list(indicators.items()), id_cols=dmu, period=period,
        scope=e["scope"] if period else "pooled", normalise=e["normalise"], shift=e["shift"],
        epsilon=float(e["epsilon"]), rescale=tuple(e["rescale"]), score=e["score"],
        scale=float(e["scale"]),
    )  # fmt: skip
    return {"weights": weights, "scores": scores}


def inequality(
    data: pl.DataFrame,
    *,
    value: str,
    group: str | None = None,
    weight: str | None = None,
    period: str | None = None,
    small_sample: bool = False,
) -> pl.DataFrame:
    """CV, Gini, Theil T/L with group decompositions and Dagum's Gini decomposition (METHODS
    §5) of `value`, per period: rows period, measure, group, value."""
    from measures.inequality import inequality_rows

    rows: list[dict[str, Any]] = []
    parts = data.partition_by(period, maintain_order=True) if period else [data]
    for part in parts:
        y = part[value].cast(pl.Float64).to_numpy()
        w = part[weight].cast(pl.Float64).to_numpy() if weight else None
        g = part[group].cast(pl.Utf8).to_numpy() if group else None
        for measure, grp, v in inequality_rows(y, w, g, small_sample=small_sample,
                                               l_nonpositive="nan"):  # fmt: skip
            row = {period: part[period][0]} if period else {}
            rows.append({**row, "measure": measure, "group": grp, "value": float(v)})
    return pl.DataFrame(rows)


def coupling(data: pl.DataFrame, *, subsystems: list[str], keep: list[str] | None = None,
             **options: Any) -> pl.DataFrame:  # fmt: skip
    """Coupling degree (traditional and Wang-corrected), coordination T, coupling coordination
    D with grade and stage, relative development E with the lag type (METHODS §6) for every
    row; the score columns are `subsystems`, `options` config/structure.toml's [coupling]."""
    from measures.coupling import coupling_frame

    c = section_dict("structure", {"coupling": options})["coupling"]
    weights = None if c["weights"] == "equal" else [float(c["weights"][s]) for s in subsystems]
    return coupling_frame(
        data, list(subsystems), keep=keep, weights=weights, model=c["c_model"],
        k=float(c["liao_k"]), lag_rule=c["lag_rule"], lag_thresholds=tuple(c["lag_thresholds"]),
        lag_diff=float(c["lag_diff"]),
    )  # fmt: skip


def capital_stock(
    investment: np.ndarray | list[float],
    deflator: np.ndarray | list[float],
    **options: Any,
) -> pl.DataFrame:
    """Perpetual inventory (METHODS §1) of one province's nominal investment and its price
    index (P = 1 in the base year): rows t, investment_real, capital_stock. `options`:
    config/production.toml's [capital] keys (delta, init, n_growth, allow_negative)."""
    from measures.capital import perpetual_inventory

    c = section_dict("production", {"capital": options})["capital"]
    inv, p = np.asarray(investment, dtype=float), np.asarray(deflator, dtype=float)
    k, _ = perpetual_inventory(inv, p, float(c["delta"]), init=c["init"],
                               n_growth=int(c["n_growth"]),
                               allow_negative=bool(c["allow_negative"]))  # fmt: skip
    return pl.DataFrame({"t": np.arange(len(inv)), "investment_real": inv / p, "capital_stock": k})


__all__ = ["capital_stock", "coupling", "cross_efficiency", "dea", "entropy",
           "game_cross_efficiency", "inequality", "malmquist"]  # fmt: skip
