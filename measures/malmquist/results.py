"""Result types of the Malmquist index (METHODS §9.7, §9.8): `MalmquistResult` with its
DEAP-style summaries, `CCResult`, `PanelDataError` and the component names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # the tables are built as columns; polars is imported by the methods that
    import polars as pl  # return polars frames (`cbec malmquist` uses the columns)

Columns = dict[str, Any]  # column name → list or 1-d array, all of one length

FRONTIERS = ("adjacent", "fixed", "global", "sequential")
DECOMPOSITIONS = ("fgnz", "rd")
INFEASIBLE = ("nan", "drop", "global")
COMPONENTS = ("mi", "ec", "tc", "pec", "sec")
CC_COMPONENTS = ("cc_mi", "ec_cc", "tc_cc")
_FRONTIER_ALIASES = {"fixed_base": "fixed", "contemporaneous": "adjacent", "seq": "sequential"}


class PanelDataError(ValueError):
    """A data problem that Malmquist refuses to paper over (METHODS §0, §9.7): unbalanced
    panel, duplicate or missing cells, non-positive values. Names the DMU and period;
    ``row`` is the 0-based row of the offending cell in the input frame (if there is one)."""

    def __init__(
        self,
        message: str,
        *,
        dmu: Any = None,
        period: Any = None,
        column: Any = None,
        row: Any = None,
    ):
        super().__init__(message)
        self.dmu, self.period, self.column, self.row = dmu, period, column, row


@dataclass
class CCResult:
    """CC-Malmquist pieces (METHODS §9.8); arrays (n, T−1) unless stated.
    g_own (T, n): G^a(a) = α^a; g_fwd: G^t(t+1); g_bwd: G^{t+1}(t)."""

    cc_mi: np.ndarray
    ec_cc: np.ndarray
    tc_cc: np.ndarray
    g_own: np.ndarray
    g_fwd: np.ndarray
    g_bwd: np.ndarray
    game_iterations: list[int]
    game_converged: list[bool]
    lp_count: int
    status: np.ndarray


@dataclass
class MalmquistResult:
    """Indices for DMU i and the period pair p = (periods[p], periods[p+1]); arrays (n, T−1).

    status: "optimal", "infeasible" (values NaN) or "global_fallback" per DMU-pair.
    efficiencies: the Farrell efficiencies used, keyed like "crs:own" (T, n), "crs:A0",
        "crs:A1", "crs:B0", "crs:B1" (T−1, n) (e^{A_p}(p), e^{A_p}(p+1), …) and "vrs:…".
    infeasible_cases: one dict per affected DMU-pair (dmu, period_from, period_to, lps).
    """

    dmus: list
    periods: list
    mi: np.ndarray
    ec: np.ndarray
    tc: np.ndarray
    pec: np.ndarray
    sec: np.ndarray
    status: np.ndarray
    orientation: str
    frontier: str
    decomposition: str
    infeasible: str
    base: int
    efficiencies: dict[str, np.ndarray] = field(default_factory=dict)
    infeasible_cases: list[dict] = field(default_factory=list)
    lp_count: int = 0
    cc: CCResult | None = None
    notes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ counts
    @property
    def n_infeasible(self) -> int:
        return len(self.infeasible_cases)

    def _included(self) -> np.ndarray:
        """Mask of DMU-pairs that enter the averages."""
        if self.infeasible == "drop":
            return self.status != "infeasible"
        return np.ones(self.status.shape, dtype=bool)

    def components(self) -> dict[str, np.ndarray]:
        out = {k: getattr(self, k) for k in COMPONENTS}
        if self.cc is not None:
            out.update({k: getattr(self.cc, k) for k in CC_COMPONENTS})
        return out

    # ------------------------------------------------------------------ tables
    def table(self, *, cumulative: bool = False) -> pl.DataFrame:
        """Long table: dmu, period_from, period_to, mi, ec, tc, pec, sec, status
        [+ cc_mi, ec_cc, tc_cc, cc_status] [+ cum_<component>…]."""
        import polars as pl

        return pl.DataFrame(self.table_columns(cumulative=cumulative))

    def table_columns(self, *, cumulative: bool = False) -> Columns:
        """The columns of `table`."""
        n, P = self.mi.shape
        cols: dict[str, list | np.ndarray] = {
            "dmu": [d for d in self.dmus for _ in range(P)],
            "period_from": [self.periods[p] for _ in range(n) for p in range(P)],
            "period_to": [self.periods[p + 1] for _ in range(n) for p in range(P)],
        }
        for k in COMPONENTS:
            cols[k] = getattr(self, k).ravel()
        cols["status"] = self.status.ravel().astype(str).tolist()
        if self.cc is not None:
            for k in CC_COMPONENTS:
                cols[k] = getattr(self.cc, k).ravel()
            cols["cc_status"] = self.cc.status.ravel().astype(str).tolist()
        if cumulative:
            for k, v in self.cumulative().items():
                cols[f"cum_{k}"] = v.ravel()
        return cols

    def cumulative(self) -> dict[str, np.ndarray]:
        """Chained indices from the first period: cum[:, p] = Π_{q ≤ p} index[:, q]
        (METHODS §9.7; for "fixed"/"global" the chain equals the direct ratio)."""
        return {k: np.cumprod(v, axis=1) for k, v in self.components().items()}

    def by_period(self) -> pl.DataFrame:
        """DEAP "summary of annual means": geometric means over DMUs per period pair, then a
        last row (period_from/to null) with the geometric mean of those means."""
        import polars as pl

        return pl.DataFrame(self.by_period_columns())

    def by_period_columns(self) -> Columns:
        """The columns of `by_period`."""
        inc = self._included()
        P = self.mi.shape[1]
        rows: dict[str, list] = {"period_from": [], "period_to": [], "n": []}
        comps = self.components()
        for k in comps:
            rows[k] = []
        for p in range(P):
            rows["period_from"].append(self.periods[p])
            rows["period_to"].append(self.periods[p + 1])
            rows["n"].append(int(inc[:, p].sum()))
            for k, v in comps.items():
                rows[k].append(_gmean(v[inc[:, p], p]))
        rows["period_from"].append(None)
        rows["period_to"].append(None)
        rows["n"].append(int(inc.sum()))
        for k in comps:
            rows[k].append(_gmean(np.asarray(rows[k], dtype=float)))
        return rows

    def by_dmu(self) -> pl.DataFrame:
        """DEAP "summary of firm means": geometric means over period pairs per DMU, then a
        last row (dmu null) with the geometric mean of those means."""
        import polars as pl

        return pl.DataFrame(self.by_dmu_columns())

    def by_dmu_columns(self) -> Columns:
        """The columns of `by_dmu`."""
        inc = self._included()
        comps = self.components()
        rows: dict[str, list] = {"dmu": list(self.dmus) + [None]}
        rows["n"] = [int(r.sum()) for r in inc] + [int(inc.sum())]
        for k, v in comps.items():
            per = _row_gmeans(v, inc)
            rows[k] = [*per.tolist(), _gmean(per)]
        return rows

    def summary(self) -> pl.DataFrame:
        """Both DEAP summaries in one long frame: scope ("period" | "dmu" | "all"), dmu,
        period_from, period_to, n and the geometric means of every component."""
        import polars as pl

        cols = self.summary_columns()
        periods = pl.Series(self.periods).dtype  # the period columns keep the periods' type
        schema: dict[str, pl.DataType | type[pl.DataType]] = {
            "scope": pl.Utf8, "dmu": pl.Utf8, "period_from": periods, "period_to": periods,
            "n": pl.Int64, **dict.fromkeys(self.components(), pl.Float64),
        }  # fmt: skip
        return pl.DataFrame(cols, schema=schema, strict=False)

    def summary_columns(self) -> Columns:
        """The columns of `summary`: the period rows, the DMU rows, then the overall row."""
        bp, bd = self.by_period_columns(), self.by_dmu_columns()
        P, N = len(bp["n"]) - 1, len(bd["n"]) - 1
        comps = list(self.components())
        return {
            "scope": ["period"] * P + ["dmu"] * N + ["all"],
            "dmu": [None] * P + [str(d) for d in bd["dmu"][:N]] + [None],
            "period_from": bp["period_from"][:P] + [None] * N + [None],
            "period_to": bp["period_to"][:P] + [None] * N + [None],
            "n": bp["n"][:P] + bd["n"][:N] + bp["n"][P:],
            **{k: [*bp[k][:P], *bd[k][:N], *bp[k][P:]] for k in comps},
        }


def _row_gmeans(v: np.ndarray, inc: np.ndarray) -> np.ndarray:
    """`_gmean` of each row of v over its included cells (inc), in one pass: NaN for a row
    with no included cell or an included one that is not finite and positive."""
    v = np.asarray(v, dtype=float)
    bad = inc & ~(np.isfinite(v) & (v > 0))
    use = inc & ~bad
    cnt = inc.sum(axis=1)
    logs = np.log(np.where(use, v, 1.0))  # log 1 = 0 where a cell is not used
    out = np.exp(logs.sum(axis=1) / np.maximum(cnt, 1))
    out[(cnt == 0) | bad.any(axis=1)] = np.nan
    return out


def _gmean(v: np.ndarray) -> float:
    """Geometric mean; NaN if any value is NaN or there is none (never silently skipped)."""
    v = np.asarray(v, dtype=float)
    if v.size == 0 or np.any(~np.isfinite(v)) or np.any(v <= 0):
        return float("nan")
    return float(np.exp(np.mean(np.log(v))))
