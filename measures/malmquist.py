"""Malmquist productivity index (METHODS §9.7) and its cross-efficiency variant (§9.8).

Public API
----------
``malmquist(X, Y, *, orientation, frontier, decomposition, base, infeasible,
cross_efficiency, ...) -> MalmquistResult``
    X: (T, n, m) inputs and Y: (T, n, s) outputs of a balanced panel (period-major).
``malmquist_panel(df, dmu=, period=, inputs=, outputs=, ...) -> MalmquistResult``
    The same from a long polars frame, after the data checks of §9.7 (balanced panel,
    strictly positive data) whose errors name the DMU and the period (`PanelDataError`).
``MalmquistResult.table()``, ``.summary()``, ``.by_period()``, ``.by_dmu()``,
``.cumulative()``: results, DEAP-style geometric-mean summaries and chained indices.

Notation: e^a(b) is the Farrell efficiency of a DMU's period-b data against reference
technology a: θ (input orientation) or 1/φ (output orientation); e_V is the VRS analogue.
With this notation every index is > 1 for productivity growth.

Reference technologies (``frontier``), with A_t / B_t the two technologies of the pair
(t, t+1) and own(t) the technology a period's own efficiency is measured against:

=============  ==================  ==================  ======================
frontier       A_t                 B_t                 own(t)
=============  ==================  ==================  ======================
adjacent       period t            period t+1          period t
sequential     periods ≤ t         periods ≤ t+1       periods ≤ t
fixed          base period         base period         period t
global         all periods pooled  all periods pooled  period t
=============  ==================  ==================  ======================

    M   = [ e^A(t+1)/e^A(t) · e^B(t+1)/e^B(t) ]^½     (= e^F(t+1)/e^F(t) when A = B = F)
    M_V = the same with VRS efficiencies
    EC  = e^own(t+1)(t+1) / e^own(t)(t),  PEC = the same with VRS efficiencies

``decomposition="fgnz"`` (DEFAULT; Färe, Grosskopf, Norris & Zhang 1994, DEAP 2.1):
    TC = M / EC, SEC = EC / PEC. For "adjacent" this is exactly TC = [e^t(t+1)/e^{t+1}(t+1) ·
    e^t(t)/e^{t+1}(t)]^½; for "global" TC is Pastor & Lovell's best-practice gap change BPC;
    for "fixed" TC is the remaining ratio M/EC of Berg, Førsund & Jansen (1992).
``decomposition="rd"`` (Ray & Desli 1997): TC = TC_V = M_V / PEC, SEC = SCH = M / M_V and
    EC = PEC × SCH. For "adjacent" these are the geometric-mean forms of §9.7.
In both, M = EC × TC and EC = PEC × SEC hold by construction (to rounding).

Only VRS cross-period LPs can be infeasible (strictly positive data keep every CRS LP
feasible). FGNZ needs VRS LPs only against technologies that contain the evaluated point, so
it never meets an infeasible LP; Ray–Desli under "adjacent"/"sequential" may.
``infeasible`` (§9.7): "nan" (DEFAULT) — the affected components and M are NaN, status
"infeasible", each case listed in ``result.infeasible_cases``, averages containing them
are NaN; "drop" — the same values, but the rows are left out of the averages;
"global" — the affected DMU-pair is recomputed against the global (pooled) technology,
status "global_fallback". Nothing is ever replaced by 1 or by Inf.

CC-Malmquist (§9.8, ``cross_efficiency=True``): for each period a the game
cross-efficiency α^a of Liang et al. (2008) (``measures.dea.game``); G^a(b) the game
appraisal of period-b observations by the period-a game; CC-M = [G^t(t+1)/G^t(t) ·
G^{t+1}(t+1)/G^{t+1}(t)]^½ = EC_cc × TC_cc with EC_cc = G^{t+1}(t+1)/G^t(t). The CC index
always uses adjacent periods (the construction of §9.8), whatever ``frontier`` is.

LPs: the shared radial engine ``measures.dea.radial.radial_efficiency`` (direct HiGHS with
column generation) solves every DEA LP; one call evaluates all the points one reference
technology needs (e.g. periods t−1, t, t+1 against period t), and the calls run on a thread
pool (HiGHS releases the GIL).
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from measures.dea.game import game_cross_efficiency, game_lp_values
from measures.dea.radial import radial_efficiency
from measures.periods import order_periods

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

    def __init__(self, message: str, *, dmu=None, period=None, column=None, row=None):
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
        return pl.DataFrame(cols)

    def cumulative(self) -> dict[str, np.ndarray]:
        """Chained indices from the first period: cum[:, p] = Π_{q ≤ p} index[:, q]
        (METHODS §9.7; for "fixed"/"global" the chain equals the direct ratio)."""
        return {k: np.cumprod(v, axis=1) for k, v in self.components().items()}

    def by_period(self) -> pl.DataFrame:
        """DEAP "summary of annual means": geometric means over DMUs per period pair, then a
        last row (period_from/to null) with the geometric mean of those means."""
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
        return pl.DataFrame(rows)

    def by_dmu(self) -> pl.DataFrame:
        """DEAP "summary of firm means": geometric means over period pairs per DMU, then a
        last row (dmu null) with the geometric mean of those means."""
        inc = self._included()
        comps = self.components()
        rows: dict[str, list] = {"dmu": list(self.dmus) + [None]}
        rows["n"] = [int(r.sum()) for r in inc] + [int(inc.sum())]
        for k, v in comps.items():
            per = [_gmean(v[i, inc[i]]) for i in range(v.shape[0])]
            rows[k] = per + [_gmean(np.asarray(per, dtype=float))]
        return pl.DataFrame(rows)

    def summary(self) -> pl.DataFrame:
        """Both DEAP summaries in one long frame: scope ("period" | "dmu" | "all"), dmu,
        period_from, period_to, n and the geometric means of every component."""
        bp = self.by_period()
        bd = self.by_dmu()
        P = bp.height - 1
        per = bp.head(P).with_columns(
            pl.lit("period").alias("scope"), pl.lit(None, dtype=pl.Utf8).alias("dmu")
        )
        dm = bd.head(bd.height - 1).with_columns(
            pl.lit("dmu").alias("scope"),
            pl.lit(None).cast(per.schema["period_from"]).alias("period_from"),
            pl.lit(None).cast(per.schema["period_to"]).alias("period_to"),
            pl.col("dmu").cast(pl.Utf8),
        )
        al = bp.tail(1).with_columns(
            pl.lit("all").alias("scope"), pl.lit(None, dtype=pl.Utf8).alias("dmu")
        )
        order = ["scope", "dmu", "period_from", "period_to", "n", *self.components()]
        return pl.concat([per.select(order), dm.select(order), al.select(order)])


def _gmean(v: np.ndarray) -> float:
    """Geometric mean; NaN if any value is NaN or there is none (never silently skipped)."""
    v = np.asarray(v, dtype=float)
    if v.size == 0 or np.any(~np.isfinite(v)) or np.any(v <= 0):
        return float("nan")
    return float(np.exp(np.mean(np.log(v))))


# ---------------------------------------------------------------------------- LP plan
def _frontier_ids(frontier: str, T: int, base: int):
    """(A_p, B_p) technology ids per pair p and own(t) ids per period."""
    if frontier == "adjacent":
        own = [("period", t) for t in range(T)]
        ab = [(("period", p), ("period", p + 1)) for p in range(T - 1)]
    elif frontier == "sequential":
        own = [("seq", t) for t in range(T)]
        ab = [(("seq", p), ("seq", p + 1)) for p in range(T - 1)]
    elif frontier == "fixed":
        own = [("period", t) for t in range(T)]
        ab = [(("period", base), ("period", base)) for _ in range(T - 1)]
    else:  # global
        own = [("period", t) for t in range(T)]
        ab = [(("global",), ("global",)) for _ in range(T - 1)]
    return own, ab


def _reference(fid, X, Y):
    kind = fid[0]
    if kind == "period":
        return X[fid[1]], Y[fid[1]]
    if kind == "seq":
        t = fid[1]
        return X[: t + 1].reshape(-1, X.shape[2]), Y[: t + 1].reshape(-1, Y.shape[2])
    return X.reshape(-1, X.shape[2]), Y.reshape(-1, Y.shape[2])


class _Solver:
    """Collects the (technology, rts, evaluated period[, DMU subset]) efficiencies needed,
    solves them grouped by technology and returns lookups."""

    def __init__(self, X, Y, orientation: str, n_jobs: int):
        self.X, self.Y = X, Y
        self.orientation = orientation
        self.n_jobs = max(1, int(n_jobs))
        self.need: dict[tuple, set[int]] = defaultdict(set)
        self.val: dict[tuple, np.ndarray] = {}
        self.st: dict[tuple, np.ndarray] = {}
        self.lp_count = 0

    def want(self, fid, rts: str, period: int) -> None:
        self.need[(fid, rts)].add(period)

    def _run_group(self, key, periods, inner_jobs):
        fid, rts = key
        Xr, Yr = _reference(fid, self.X, self.Y)
        Xe = np.concatenate([self.X[t] for t in periods])
        Ye = np.concatenate([self.Y[t] for t in periods])
        res = radial_efficiency(
            Xr, Yr, Xe, Ye, orientation=self.orientation, rts=rts, n_jobs=inner_jobs
        )
        return res

    def solve(self) -> None:
        groups = [(k, sorted(v)) for k, v in self.need.items() if v]
        self.need.clear()
        if not groups:
            return
        # largest groups first (pooled/sequential technologies, many evaluated periods)
        groups.sort(key=lambda g: -(len(g[1]) * (self.X.shape[0] if g[0][0][0] != "period" else 1)))
        pool_jobs = min(self.n_jobs, len(groups))
        inner = 1 if pool_jobs > 1 else self.n_jobs
        if pool_jobs > 1:
            with ThreadPoolExecutor(pool_jobs) as ex:
                futs = [ex.submit(self._run_group, k, ps, inner) for k, ps in groups]
                results = [f.result() for f in futs]
        else:
            results = [self._run_group(k, ps, inner) for k, ps in groups]
        n = self.X.shape[1]
        for (key, periods), res in zip(groups, results, strict=True):
            self.lp_count += res.lp_count
            farrell = res.farrell if self.orientation == "output" else res.score
            farrell = np.where(res.status == "optimal", farrell, np.nan)
            for k, t in enumerate(periods):
                self.val[(*key, t)] = farrell[k * n : (k + 1) * n]
                self.st[(*key, t)] = res.status[k * n : (k + 1) * n]

    def get(self, fid, rts, period):
        return self.val[(fid, rts, period)], self.st[(fid, rts, period)]


def _geo(a1, a0, b1, b0):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt((a1 / a0) * (b1 / b0))


# ---------------------------------------------------------------------------- main API
def malmquist(
    X,
    Y,
    *,
    orientation: str = "input",
    frontier: str = "adjacent",
    decomposition: str = "fgnz",
    base: int = 0,
    infeasible: str = "nan",
    cross_efficiency: bool = False,
    game_tol: float = 1e-6,
    game_start: str | np.ndarray = "aggressive",
    game_max_iter: int = 1000,
    dmus: list | None = None,
    periods: list | None = None,
    n_jobs: int = 1,
) -> MalmquistResult:
    """Malmquist productivity index with its decomposition (METHODS §9.7; §9.8 with
    ``cross_efficiency=True``). See the module docstring for the definitions.

    Parameters
    ----------
    X, Y : (T, n, m) and (T, n, s) strictly positive inputs and outputs, periods in order.
    orientation : "input" (θ) or "output" (1/φ). Under CRS, M is orientation-independent.
    frontier : "adjacent" (DEFAULT), "fixed" (base period ``base``), "global", "sequential".
    decomposition : "fgnz" (DEFAULT) or "rd" (Ray & Desli).
    infeasible : "nan" (DEFAULT), "drop" or "global" (see module docstring).
    cross_efficiency : also compute CC-Malmquist (game cross-efficiency, §9.8).
    game_tol, game_start, game_max_iter : passed to ``game_cross_efficiency``.
    dmus, periods : labels used in tables and in ``infeasible_cases``.
    n_jobs : threads for the LP calls (and the game evaluations); 1 (DEFAULT) is fastest on
        2 cores (bench/malmquist.py), the LP calls hold the GIL between solves.
    """
    frontier = _FRONTIER_ALIASES.get(frontier, frontier)
    if frontier not in FRONTIERS:
        raise ValueError(f"frontier must be one of {FRONTIERS}, got {frontier!r}")
    if decomposition not in DECOMPOSITIONS:
        raise ValueError(f"decomposition must be one of {DECOMPOSITIONS}, got {decomposition!r}")
    if infeasible not in INFEASIBLE:
        raise ValueError(f"infeasible must be one of {INFEASIBLE}, got {infeasible!r}")
    if orientation not in ("input", "output"):
        raise ValueError(f"orientation must be 'input' or 'output', got {orientation!r}")
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 3 or Y.ndim != 3 or X.shape[:2] != Y.shape[:2]:
        raise ValueError("X and Y must be (T periods, n DMUs, variables) arrays of equal T, n")
    T, n = X.shape[:2]
    if T < 2:
        raise ValueError("Malmquist needs at least two periods")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise ValueError("Malmquist data must be finite (no NaN/Inf)")
    if np.any(X <= 0) or np.any(Y <= 0):
        t, i, _ = np.argwhere(X <= 0)[0] if np.any(X <= 0) else np.argwhere(Y <= 0)[0]
        raise PanelDataError(
            f"Malmquist needs strictly positive data (METHODS §9.7); DMU index {i}, "
            f"period index {t} has a non-positive value",
            dmu=i,
            period=t,
        )
    if not 0 <= base < T:
        raise ValueError(f"base must be a period index in [0, {T - 1}]")
    dmus = list(range(n)) if dmus is None else list(dmus)
    periods = list(range(T)) if periods is None else list(periods)
    if len(dmus) != n or len(periods) != T:
        raise ValueError("dmus / periods labels do not match the data shape")

    own, ab = _frontier_ids(frontier, T, base)
    rd = decomposition == "rd"
    sv = _Solver(X, Y, orientation, n_jobs)
    for t in range(T):
        sv.want(own[t], "crs", t)
        sv.want(own[t], "vrs", t)
    for p, (A, B) in enumerate(ab):
        for fid in (A, B):
            sv.want(fid, "crs", p)
            sv.want(fid, "crs", p + 1)
            if rd:
                sv.want(fid, "vrs", p)
                sv.want(fid, "vrs", p + 1)
    sv.solve()

    P = T - 1
    eff: dict[str, np.ndarray] = {}
    bad_lps: dict[tuple[int, int], list[str]] = defaultdict(list)
    for rts in ("crs", "vrs"):
        own_v = np.empty((T, n))
        for t in range(T):
            v, st = sv.get(own[t], rts, t)
            own_v[t] = v
            for i in np.flatnonzero(st != "optimal"):
                for p in (t - 1, t):
                    if 0 <= p < P:
                        bad_lps[(int(i), p)].append(f"{rts} own({periods[t]}) [{st[i]}]")
        eff[f"{rts}:own"] = own_v
        if rts == "vrs" and not rd:
            continue
        for name in ("A0", "A1", "B0", "B1"):
            eff[f"{rts}:{name}"] = np.empty((P, n))
        for p, (A, B) in enumerate(ab):
            for name, fid, t in (("A0", A, p), ("A1", A, p + 1), ("B0", B, p), ("B1", B, p + 1)):
                v, st = sv.get(fid, rts, t)
                eff[f"{rts}:{name}"][p] = v
                for i in np.flatnonzero(st != "optimal"):
                    tag = f"{rts} {_fid_label(fid, periods)}({periods[t]}) [{st[i]}]"
                    if tag not in bad_lps[(int(i), p)]:
                        bad_lps[(int(i), p)].append(tag)

    comps = _compose(eff, rd)
    status = np.full((n, P), "optimal", dtype=object)
    cases: list[dict] = []
    if bad_lps:
        fallback = None
        if infeasible == "global":
            fallback = _global_fallback(X, Y, orientation, rd, sorted(bad_lps), n_jobs)
            sv.lp_count += fallback.pop("_lp_count")
        for (i, p), lps in sorted(bad_lps.items()):
            cases.append(
                {
                    "dmu": dmus[i],
                    "period_from": periods[p],
                    "period_to": periods[p + 1],
                    "lps": "; ".join(lps),
                }
            )
            if fallback is not None and np.all(
                np.isfinite([fallback[k][(i, p)] for k in COMPONENTS])
            ):
                for k in COMPONENTS:
                    comps[k][i, p] = fallback[k][(i, p)]
                status[i, p] = "global_fallback"
            else:
                status[i, p] = "infeasible"
                comps["mi"][i, p] = np.nan
                for k in ("ec", "tc", "pec", "sec"):
                    if not np.isfinite(comps[k][i, p]):
                        comps[k][i, p] = np.nan
    notes = []
    if cases:
        notes.append(
            f"{len(cases)} DMU-period pair(s) with a non-optimal LP; infeasible={infeasible!r}"
        )
    res = MalmquistResult(
        dmus=dmus,
        periods=periods,
        status=status,
        orientation=orientation,
        frontier=frontier,
        decomposition=decomposition,
        infeasible=infeasible,
        base=base,
        efficiencies=eff,
        infeasible_cases=cases,
        lp_count=sv.lp_count,
        notes=notes,
        **comps,
    )
    if cross_efficiency:
        res.cc = cc_malmquist(
            X, Y, tol=game_tol, start=game_start, max_iter=game_max_iter, n_jobs=n_jobs
        )
    return res


def _fid_label(fid, periods) -> str:
    if fid[0] == "period":
        return f"tech {periods[fid[1]]}"
    if fid[0] == "seq":
        return f"tech ≤{periods[fid[1]]}"
    return "tech global"


def _compose(eff: dict[str, np.ndarray], rd: bool) -> dict[str, np.ndarray]:
    """The index and its components from the efficiencies (module docstring formulas).
    Arrays are returned DMU-major (n, T−1)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        c_own, v_own = eff["crs:own"], eff["vrs:own"]
        mi = _geo(eff["crs:A1"], eff["crs:A0"], eff["crs:B1"], eff["crs:B0"])
        ec = c_own[1:] / c_own[:-1]
        pec = v_own[1:] / v_own[:-1]
        if rd:
            mv = _geo(eff["vrs:A1"], eff["vrs:A0"], eff["vrs:B1"], eff["vrs:B0"])
            tc = mv / pec
            sec = mi / mv
            ec = pec * sec
        else:
            tc = mi / ec
            sec = ec / pec
    return {"mi": mi.T.copy(), "ec": ec.T.copy(), "tc": tc.T.copy(), "pec": pec.T.copy(),
            "sec": sec.T.copy()}  # fmt: skip


def _global_fallback(X, Y, orientation, rd, cells, n_jobs) -> dict:
    """Components of the DMU-pairs in ``cells`` [(i, p)] against the global technology
    (infeasible="global"): M = e^G(p+1)/e^G(p), own-period EC/PEC as usual."""
    T, n = X.shape[:2]
    Xg, Yg = X.reshape(-1, X.shape[2]), Y.reshape(-1, Y.shape[2])
    pts = sorted({(i, t) for i, p in cells for t in (p, p + 1)})
    Xe = np.array([X[t, i] for i, t in pts])
    Ye = np.array([Y[t, i] for i, t in pts])
    out: dict = {k: {} for k in COMPONENTS}
    lp = 0
    val = {}
    for rts in ("crs", "vrs"):
        rg = radial_efficiency(Xg, Yg, Xe, Ye, orientation=orientation, rts=rts, n_jobs=n_jobs)
        ro = {}
        lp += rg.lp_count
        for t in sorted({t for _, t in pts}):
            idx = [k for k, (_, tt) in enumerate(pts) if tt == t]
            r = radial_efficiency(
                X[t], Y[t], Xe[idx], Ye[idx], orientation=orientation, rts=rts, n_jobs=1
            )
            lp += r.lp_count
            for k, v in zip(idx, r.score, strict=True):
                ro[pts[k]] = v if orientation == "input" else 1.0 / v
        for k, pt in enumerate(pts):
            g = rg.score[k] if orientation == "input" else 1.0 / rg.score[k]
            val[(rts, "G", pt)] = g
            val[(rts, "own", pt)] = ro[pt]
    for i, p in cells:
        a, b = (i, p), (i, p + 1)
        mi = val[("crs", "G", b)] / val[("crs", "G", a)]
        ec = val[("crs", "own", b)] / val[("crs", "own", a)]
        pec = val[("vrs", "own", b)] / val[("vrs", "own", a)]
        if rd:
            mv = val[("vrs", "G", b)] / val[("vrs", "G", a)]
            tc, sec = mv / pec, mi / mv
            ec = pec * sec
        else:
            tc, sec = mi / ec, ec / pec
        for k, v in zip(COMPONENTS, (mi, ec, tc, pec, sec), strict=True):
            out[k][(i, p)] = float(v)
    out["_lp_count"] = lp
    return out


# ---------------------------------------------------------------------------- CC-Malmquist
def cc_malmquist(
    X,
    Y,
    *,
    tol: float = 1e-6,
    start: str | np.ndarray = "aggressive",
    max_iter: int = 1000,
    n_jobs: int = 1,
) -> CCResult:
    """CC-Malmquist on game cross-efficiency (METHODS §9.8) for adjacent period pairs.
    LP count: every game's LPs plus 2n² cross-period game LPs per adjacent pair."""
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    T, n = X.shape[:2]
    P = T - 1
    g_own = np.empty((T, n))
    its, conv = [], []
    lp = 0
    for t in range(T):
        g = game_cross_efficiency(
            X[t], Y[t], tol=tol, start=start, max_iter=max_iter, n_jobs=n_jobs
        )
        g_own[t] = g.scores
        its.append(g.iterations)
        conv.append(g.converged)
        lp += g.lp_count
    g_fwd = np.empty((P, n))
    g_bwd = np.empty((P, n))
    status = np.full((n, P), "optimal", dtype=object)
    for p in range(P):
        f = game_lp_values(X[p], Y[p], g_own[p], X[p + 1], Y[p + 1], n_jobs=n_jobs)
        b = game_lp_values(X[p + 1], Y[p + 1], g_own[p + 1], X[p], Y[p], n_jobs=n_jobs)
        lp += f.value.size + b.value.size
        g_fwd[p] = f.scores
        g_bwd[p] = b.scores
        bad = np.any(f.status != "optimal", axis=0) | np.any(b.status != "optimal", axis=0)
        status[bad, p] = "infeasible"
    with np.errstate(invalid="ignore", divide="ignore"):
        cc = _geo(g_fwd, g_own[:-1], g_own[1:], g_bwd)
        ec = g_own[1:] / g_own[:-1]
        tc = cc / ec
    return CCResult(
        cc_mi=cc.T.copy(),
        ec_cc=ec.T.copy(),
        tc_cc=tc.T.copy(),
        g_own=g_own,
        g_fwd=g_fwd,
        g_bwd=g_bwd,
        game_iterations=its,
        game_converged=conv,
        lp_count=int(lp),
        status=status,
    )


# ---------------------------------------------------------------------------- long frames
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
    try:
        periods = order_periods(d[period].to_list(), period_order)
    except ValueError as exc:
        raise PanelDataError(str(exc)) from exc
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
    return X, Y, dmus, periods, info


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
    **kwargs,
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
