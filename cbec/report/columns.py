"""The report's column map: every column a section charts is named by the table contracts
(warehouse/contracts), never guessed. `col` fails at import when a contract no longer declares a
column the report uses."""

from __future__ import annotations

import polars as pl

from warehouse.contracts import find, result


def col(table: str, name: str) -> str:
    """`name`, after checking that results.<table> declares it (KeyError otherwise)."""
    result(table).column(name)
    return name


def time_col(df: pl.DataFrame, table: str | None) -> str | None:
    """The time axis of results.<table> (its contract's `time`), if the frame has it."""
    t = find(f"results.{table}") if table else None
    name = t.time if t is not None else None
    return name if name in df.columns else None


def unit_of(table: str, column: str) -> str:
    """The contract's unit of results.<table>.<column> ("" when it declares none)."""
    t = find(f"results.{table}")
    if t is None:
        return ""
    try:
        return t.column(column).unit
    except KeyError:
        return ""


def headline(table: str) -> str | None:
    """The main value column of results.<table>, if its contract names one."""
    t = find(f"results.{table}")
    return t.headline if t is not None else None


EFFICIENCY_SCORE = col("efficiency", "score")
CROSS_EFF = col("cross_efficiency", "cross_eff")
GAME_CROSS_EFF = col("game_cross_efficiency", "game_cross_eff")
MALMQUIST = {
    "M (TFP change)": col("malmquist", "mi"),
    "EC (efficiency change)": col("malmquist", "ec"),
    "TC (technical change)": col("malmquist", "tc"),
    "PEC (pure efficiency change)": col("malmquist", "pec"),
    "SEC (scale efficiency change)": col("malmquist", "sec"),
    "CC-M (game cross-efficiency Malmquist)": col("malmquist", "cc_mi"),
}
INEQ_VALUE, INEQ_MEASURE = col("inequality", "value"), col("inequality", "measure")
COUPLING_D, COUPLING_GRADE = col("coupling", "d"), col("coupling", "grade")
COUPLING_C, COUPLING_T = col("coupling", "c"), col("coupling", "t")
COUPLING_LAG = col("coupling", "lag_type")
SYNERGY = col("synergy", "synergy")
WEIGHT, WEIGHT_INDICATOR = col("indicator_weights", "weight"), col("indicator_weights", "indicator")
SUBSYSTEM = col("indicator_weights", "subsystem")
COMPOSITE_SCORE, COMPOSITE_SUB = (
    col("composite_index", "score"),
    col("composite_index", "subsystem"),
)
