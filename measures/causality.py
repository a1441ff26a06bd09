"""Granger causality and a bivariate VAR between two annual series (reference study C: mutual
causality of logistics and e-commerce; METHODS §0 — statsmodels computes every statistic).

Steps of `granger_var`:
1. Stationarity of each series by ADF (H0 unit root) and KPSS (H0 stationary); with the
   DEFAULT rule "both" a series counts as stationary when ADF rejects and KPSS does not (at
   `alpha`). Both series are differenced together (same order, so the VAR is on comparable
   transforms) until both pass or `max_diff` is reached; the order is recorded.
2. VAR lag order by an information criterion (`ic` = "aic" DEFAULT | "bic" | "hqic") via
   `VAR.select_order(maxlags)`, at least 1 lag (Granger needs one).
3. Both directions: `grangercausalitytests` SSR F test (the usual single-equation Granger
   F) and the VAR's own `test_causality(kind="f")` Wald-F, plus the VAR impulse responses of
   the effect to a unit shock in the cause (h = 1 and cumulative to `irf_horizon`), which is
   how "short-run inhibition, long-run promotion" statements are read.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import cast

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "CausalityResult",
    "GrangerDirection",
    "SeriesTooShortError",
    "StationarityTest",
    "adf_maxlag",
    "granger_var",
    "make_stationary",
    "stationarity_test",
]

IC_CHOICES = ("aic", "bic", "hqic")
#: stationarity / differencing rules (METHODS §8.4). "both": stationary only if ADF rejects
#: and KPSS does not (over-differences short stationary series; kept for comparison);
#: "adf" / "kpss": one test; "agree": difference only when both tests indicate a unit root
#: (ADF does not reject and KPSS rejects); "toda-yamamoto" (DEFAULT): no differencing — a
#: levels VAR(p + d_max) with d_max from the "agree" rule, Wald test on the first p lags
#: (Toda & Yamamoto 1995). Size/power by simulation: bench/granger.py.
RULES = ("toda-yamamoto", "agree", "both", "adf", "kpss")


class SeriesTooShortError(ValueError):
    """The series are too short for the requested tests."""


@dataclass
class StationarityTest:
    series: str
    diff_order: int
    n_obs: int
    adf_stat: float
    adf_pvalue: float
    adf_lags: int
    kpss_stat: float
    kpss_pvalue: float
    kpss_lags: int
    stationary: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GrangerDirection:
    """H0: `cause` does not Granger-cause `effect`."""

    cause: str
    effect: str
    lags: int
    f_stat: float
    p_value: float
    df_num: int
    df_denom: float
    chi2_stat: float
    chi2_pvalue: float
    var_f_stat: float
    var_p_value: float
    irf_h1: float
    irf_cum: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CausalityResult:
    names: tuple[str, str]
    diff_order: int
    n_obs: int
    n_obs_var: int
    ic: str
    max_lags: int
    selected_lags: dict[str, int]
    lags: int
    stationarity: list[StationarityTest]
    directions: list[GrangerDirection]
    var_aic: float
    var_bic: float
    var_stable: bool
    stationary_after_diff: bool
    alpha: float
    warnings: list[str] = field(default_factory=list)
    rule: str = "toda-yamamoto"
    var_in_levels: bool = False
    notes: list[str] = field(default_factory=list)  # what was done (not a warning)

    def direction(self, cause: str, effect: str) -> GrangerDirection:
        for d in self.directions:
            if d.cause == cause and d.effect == effect:
                return d
        raise KeyError((cause, effect))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["names"] = list(self.names)
        return d


def adf_maxlag(n: int) -> int:
    """ADF maximum lag: Schwert's 12·(n/100)^{1/4} (statsmodels' default), capped so the
    regression keeps enough degrees of freedom in short annual series (≤ n/3 − 1)."""
    return int(max(0, min(math.ceil(12.0 * (n / 100.0) ** 0.25), n // 3 - 1)))


def stationarity_test(
    x: ArrayLike, *, name: str = "x", diff_order: int = 0, alpha: float = 0.05, regression: str = "c",
    rule: str = "both",
) -> StationarityTest:  # fmt: skip
    """ADF (autolag AIC, `adf_maxlag`) and KPSS (nlags "auto") on one series."""
    from statsmodels.tsa.stattools import adfuller, kpss

    x = np.asarray(x, dtype=float)
    n = x.size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # KPSS p-value table interpolation warnings
        adf = adfuller(x, maxlag=adf_maxlag(n), regression=regression, autolag="AIC")
        kp = kpss(x, regression=regression, nlags="auto")
    adf_ok = adf[1] < alpha
    kpss_ok = kp[1] >= alpha
    if rule == "both":
        st = bool(adf_ok and kpss_ok)
    elif rule == "adf":
        st = bool(adf_ok)
    elif rule == "kpss":
        st = bool(kpss_ok)
    elif rule in ("agree", "toda-yamamoto"):
        st = bool(adf_ok or kpss_ok)  # a unit root only when both tests say so
    else:
        raise ValueError(f"rule must be one of {RULES}, not {rule!r}")
    return StationarityTest(
        series=name, diff_order=diff_order, n_obs=n, adf_stat=float(adf[0]),
        adf_pvalue=float(adf[1]), adf_lags=int(adf[2]), kpss_stat=float(kp[0]),
        kpss_pvalue=float(kp[1]), kpss_lags=int(kp[2]), stationary=st,
    )  # fmt: skip


def _check_not_constant(a: np.ndarray, b: np.ndarray, names, d: int) -> None:
    for x, nm in ((a, names[0]), (b, names[1])):
        if x.size and np.ptp(x) <= 1e-12 * max(1.0, float(np.max(np.abs(x)))):
            after = f" after differencing {d} time(s)" if d else ""
            raise SeriesTooShortError(f"series {nm} is constant{after}: nothing to test")


def make_stationary(
    x1: ArrayLike, x2: ArrayLike, *, names: tuple[str, str] = ("x1", "x2"), alpha: float = 0.05, max_diff: int = 2,
    rule: str = "both", regression: str = "c", min_obs: int = 6,
) -> tuple[np.ndarray, np.ndarray, int, list[StationarityTest], bool]:  # fmt: skip
    """Difference both series together until both pass the stationarity rule.
    Returns (x1_d, x2_d, order, tests at every order tried, stationary)."""
    a, b = np.asarray(x1, dtype=float), np.asarray(x2, dtype=float)
    tests: list[StationarityTest] = []
    d = 0
    while True:
        if a.size < min_obs:
            raise SeriesTooShortError(
                f"{a.size} observations after differencing {d} time(s); stationarity tests "
                f"need at least {min_obs}"
            )
        _check_not_constant(a, b, names, d)
        t1 = stationarity_test(a, name=names[0], diff_order=d, alpha=alpha, rule=rule,
                               regression=regression)  # fmt: skip
        t2 = stationarity_test(b, name=names[1], diff_order=d, alpha=alpha, rule=rule,
                               regression=regression)  # fmt: skip
        tests += [t1, t2]
        if (t1.stationary and t2.stationary) or d >= max_diff or a.size - 1 < min_obs:
            return a, b, d, tests, bool(t1.stationary and t2.stationary)
        a, b, d = np.diff(a), np.diff(b), d + 1


def granger_var(
    x1: ArrayLike,
    x2: ArrayLike,
    *,
    names: tuple[str, str] = ("x1", "x2"),
    ic: str = "aic",
    max_lags: int | None = None,
    alpha: float = 0.05,
    max_diff: int = 2,
    rule: str = "toda-yamamoto",
    diff_order: int | None = None,
    irf_horizon: int = 10,
    min_obs: int = 8,
) -> CausalityResult:
    """Granger causality in both directions and a VAR between two series (see module doc).

    rule: see `RULES` (DEFAULT "toda-yamamoto": levels VAR with d_max extra lags; the result's
    diff_order is then d_max and `rule` says how it was used).
    diff_order: force this order of differencing (skips the automatic choice; the tests are
    still reported). max_lags: upper bound for the IC search (DEFAULT ⌊m^{1/3}⌋ for m points,
    and never more than leaves the VAR ≥ 3 residual degrees of freedom per equation).
    Raises SeriesTooShortError when fewer than `min_obs` points are given or no lag fits.
    """
    from statsmodels.tsa.api import VAR
    from statsmodels.tsa.stattools import grangercausalitytests

    if ic not in IC_CHOICES:
        raise ValueError(f"ic must be one of {IC_CHOICES}, not {ic!r}")
    a, b = np.asarray(x1, dtype=float).ravel(), np.asarray(x2, dtype=float).ravel()
    if a.size != b.size:
        raise ValueError("the two series must have the same length")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("the series contain missing or non-finite values")
    n = a.size
    if n < min_obs:
        raise SeriesTooShortError(
            f"{n} observations: Granger/VAR with stationarity tests needs at least {min_obs}"
        )
    warns: list[str] = []
    if diff_order is None:
        da, db, d, tests, ok = make_stationary(a, b, names=names, alpha=alpha, max_diff=max_diff,
                                               rule=rule, min_obs=max(6, min_obs - max_diff))  # fmt: skip
        if not ok:
            warns.append(f"not stationary after {d} difference(s) by the {rule!r} rule; "
                         "the Granger F test may be unreliable")  # fmt: skip
    else:
        da, db, d = np.diff(a, n=diff_order), np.diff(b, n=diff_order), int(diff_order)
        _check_not_constant(da, db, names, d)
        tests = []
        if da.size >= 6:
            tests = [stationarity_test(da, name=names[0], diff_order=d, alpha=alpha, rule=rule),
                     stationarity_test(db, name=names[1], diff_order=d, alpha=alpha, rule=rule)]  # fmt: skip
        ok = bool(tests and all(t.stationary for t in tests))
    if np.ptp(da) == 0 or np.ptp(db) == 0:
        raise SeriesTooShortError("a series is constant after differencing: nothing to test")
    ty = rule == "toda-yamamoto" and diff_order is None
    data, extra = (np.column_stack([a, b]), d) if ty else (np.column_stack([da, db]), 0)
    m = data.shape[0]
    # largest p with m − p − extra observations and 1 + 2(p + extra) coefficients per
    # equation leaving ≥ 3 residual df
    cap = (m - 4) // 3 - extra
    # DEFAULT lag cap ⌊m^{1/3}⌋ (2 at 16 points, 3 at 30): AIC over up to 4 lags in annual
    # series of 16–30 points inflates the size of the Granger test (bench/granger.py)
    max_p = (
        min(cap, max(1, int(m ** (1 / 3) + 1e-9))) if max_lags is None else min(int(max_lags), cap)
    )
    if max_p < 1:
        raise SeriesTooShortError(
            f"{m} observations after differencing {0 if ty else d} time(s): too few for a VAR "
            f"with {1 + extra} lag(s)"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sel = VAR(data).select_order(maxlags=max_p)
        chosen = {k: int(v) for k, v in sel.selected_orders.items()}
        p = max(1, chosen[ic])
        if chosen[ic] == 0:
            warns.append(f"{ic.upper()} selects 0 lags; Granger tests use 1 lag")
        notes = []
        if ty and extra:
            notes.append(f"Toda–Yamamoto: levels VAR({p} + {extra}); the Wald tests cover the "
                         f"first {p} lag(s) only")  # fmt: skip
        res = VAR(data).fit(p + extra)
        directions = _directions(data, res, names, p, extra, irf_horizon, grangercausalitytests)
    return CausalityResult(
        names=cast("tuple[str, str]", tuple(names)), diff_order=d, n_obs=n, n_obs_var=int(res.nobs), ic=ic, max_lags=max_p,
        selected_lags=chosen, lags=p, stationarity=tests, directions=directions,
        var_aic=float(res.aic), var_bic=float(res.bic), var_stable=bool(res.is_stable()),
        stationary_after_diff=ok, alpha=alpha, warnings=warns, rule=rule,
        var_in_levels=ty, notes=notes,
    )  # fmt: skip


def _wald_first_lags(data: np.ndarray, effect: int, cause: int, p: int, extra: int):
    """OLS of the effect on a constant and p + extra lags of both series; Wald test that the
    first p lags of the cause are zero (Toda & Yamamoto 1995). Returns (F, p_F, df1, df2,
    χ², p_χ²)."""
    from scipy import stats

    k = p + extra
    n = data.shape[0] - k
    cols = [np.ones(n)]
    for lag in range(1, k + 1):
        cols += [data[k - lag : k - lag + n, effect], data[k - lag : k - lag + n, cause]]
    Z = np.column_stack(cols)
    y = data[k:, effect]
    beta, *_ = np.linalg.lstsq(Z, y, rcond=None)
    resid = y - Z @ beta
    df2 = n - Z.shape[1]
    s2 = float(resid @ resid) / df2
    cov = s2 * np.linalg.pinv(Z.T @ Z)
    idx = [2 + 2 * (lag - 1) for lag in range(1, p + 1)]  # cause's first p lags
    bsub = beta[idx]
    w = float(bsub @ np.linalg.solve(cov[np.ix_(idx, idx)], bsub))
    f = w / p
    return f, float(stats.f.sf(f, p, df2)), p, float(df2), w, float(stats.chi2.sf(w, p))


def _directions(data, res, names, p, extra, irf_horizon, grangercausalitytests):
    irf = res.irf(irf_horizon).irfs
    out = []
    for ci, ei in ((0, 1), (1, 0)):
        if extra:
            f, pf, d1, d2, w, pw = _wald_first_lags(data, ei, ci, p, extra)
            vf, vp = f, pf
        else:
            g = grangercausalitytests(data[:, [ei, ci]], maxlag=[p])[p][0]
            f, pf, d2, d1 = (float(v) for v in g["ssr_ftest"])
            w, pw = (float(v) for v in g["ssr_chi2test"][:2])
            vt = res.test_causality(caused=ei, causing=ci, kind="f")
            vf, vp = float(vt.test_statistic), float(vt.pvalue)
        out.append(GrangerDirection(
            cause=names[ci], effect=names[ei], lags=p, f_stat=f, p_value=pf, df_num=int(d1),
            df_denom=float(d2), chi2_stat=w, chi2_pvalue=pw, var_f_stat=vf, var_p_value=vp,
            irf_h1=float(irf[1, ei, ci]), irf_cum=float(irf[1:, ei, ci].sum()),
        ))  # fmt: skip
    return out
