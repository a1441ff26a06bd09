"""Granger causality and VAR between two series (reference study C): every statistic equals
statsmodels' on the same (differenced) inputs; the stationarity/differencing path."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsmodels.tsa.api import VAR
from statsmodels.tsa.stattools import adfuller, grangercausalitytests, kpss

from measures.causality import (
    SeriesTooShortError,
    adf_maxlag,
    granger_var,
    make_stationary,
    stationarity_test,
)


def _random_walks(n: int = 40, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """x a random walk; Δy driven by lagged Δx (x Granger-causes y, not the reverse)."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(n, 2))
    x = 10 + np.cumsum(e[:, 0])
    dx = np.diff(x, prepend=x[0])
    y = np.zeros(n)
    for t in range(2, n):
        y[t] = y[t - 1] + 0.6 * dx[t - 1] + 0.5 * e[t, 1]
    return x, y


def _sm_granger(effect: np.ndarray, cause: np.ndarray, p: int) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return grangercausalitytests(np.column_stack([effect, cause]), maxlag=[p])[p][0]


def test_random_walks_are_differenced_and_results_equal_statsmodels():
    x, y = _random_walks()
    r = granger_var(x, y, names=("ecommerce", "logistics"), rule="both")
    # levels fail the stationarity rule, first differences pass: d = 1
    lv = [s for s in r.stationarity if s.diff_order == 0]
    assert len(lv) == 2 and not all(s.stationary for s in lv)
    assert r.diff_order == 1 and r.stationary_after_diff and not r.warnings
    dx, dy = np.diff(x), np.diff(y)
    data = np.column_stack([dx, dy])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = VAR(data)
        sel = model.select_order(maxlags=r.max_lags)
        assert r.selected_lags == {k: int(v) for k, v in sel.selected_orders.items()}
        p = max(1, sel.selected_orders["aic"])
        assert r.lags == p
        res = model.fit(p)
    assert r.n_obs_var == res.nobs and r.var_aic == pytest.approx(res.aic, abs=1e-10)
    for cause, effect, ci, ei in (
        ("ecommerce", "logistics", 0, 1),
        ("logistics", "ecommerce", 1, 0),
    ):
        d = r.direction(cause, effect)
        g = _sm_granger(data[:, ei], data[:, ci], p)
        assert d.f_stat == pytest.approx(g["ssr_ftest"][0], rel=1e-10, abs=1e-10)
        assert d.p_value == pytest.approx(g["ssr_ftest"][1], rel=1e-10, abs=1e-10)
        assert d.df_num == g["ssr_ftest"][3] and d.df_denom == g["ssr_ftest"][2]
        assert d.chi2_stat == pytest.approx(g["ssr_chi2test"][0], rel=1e-10)
        vt = res.test_causality(caused=ei, causing=ci, kind="f")
        assert d.var_f_stat == pytest.approx(vt.test_statistic, rel=1e-10, abs=1e-10)
        assert d.var_p_value == pytest.approx(vt.pvalue, rel=1e-10, abs=1e-10)
        assert d.irf_h1 == pytest.approx(res.irf(10).irfs[1, ei, ci], rel=1e-10, abs=1e-12)
    # the simulated direction is found, the reverse is not
    assert r.direction("ecommerce", "logistics").p_value < 0.01
    assert r.direction("logistics", "ecommerce").p_value > 0.05


def test_trend_input_forces_differencing():
    rng = np.random.default_rng(5)
    n = 30
    x = 1.0 + 0.5 * np.arange(n) + np.cumsum(rng.normal(0, 0.3, n))
    y = 2.0 + 0.3 * np.arange(n) + rng.normal(0, 0.2, n)
    r = granger_var(x, y, rule="both")
    assert r.diff_order >= 1
    dx, dy = np.diff(x, n=r.diff_order), np.diff(y, n=r.diff_order)
    g = _sm_granger(dy, dx, r.lags)
    assert r.direction("x1", "x2").f_stat == pytest.approx(g["ssr_ftest"][0], rel=1e-10)


def test_stationary_input_is_not_differenced_and_bic_is_used():
    rng = np.random.default_rng(3)
    n = 80
    x, y = np.zeros(n), np.zeros(n)
    e = rng.normal(size=(n, 2))
    for t in range(1, n):
        x[t] = 0.4 * x[t - 1] + e[t, 0]
        y[t] = 0.3 * y[t - 1] + 0.5 * x[t - 1] + e[t, 1]
    r = granger_var(x, y, ic="bic", max_lags=3)
    assert r.diff_order == 0 and r.ic == "bic" and r.rule == "toda-yamamoto"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sel = VAR(np.column_stack([x, y])).select_order(maxlags=3)
    assert r.lags == max(1, sel.selected_orders["bic"])
    g = _sm_granger(y, x, r.lags)
    assert r.direction("x1", "x2").f_stat == pytest.approx(g["ssr_ftest"][0], rel=1e-10)
    assert r.direction("x1", "x2").p_value < 1e-3


def test_forced_difference_order():
    x, y = _random_walks(seed=2)
    r = granger_var(x, y, diff_order=2)
    assert r.diff_order == 2
    g = _sm_granger(np.diff(y, n=2), np.diff(x, n=2), r.lags)
    assert r.direction("x1", "x2").f_stat == pytest.approx(g["ssr_ftest"][0], rel=1e-10)


def test_stationarity_tests_equal_statsmodels():
    x, _ = _random_walks()
    s = stationarity_test(x, name="x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adf = adfuller(x, maxlag=adf_maxlag(len(x)), regression="c", autolag="AIC")
        kp = kpss(x, regression="c", nlags="auto")
    assert s.adf_stat == pytest.approx(adf[0], rel=1e-12) and s.adf_pvalue == pytest.approx(adf[1])
    assert s.kpss_stat == pytest.approx(kp[0], rel=1e-12) and s.kpss_lags == kp[2]
    assert s.stationary == (adf[1] < 0.05 and kp[1] >= 0.05)
    a, b, d, tests, ok = make_stationary(x, x[::-1].copy())
    assert d == len(tests) // 2 - 1 and a.size == x.size - d


def test_too_short_and_constant_series_raise():
    x = np.array([319.3, 438.1, 574.4, 777.1, 1023.0])
    with pytest.raises(SeriesTooShortError, match="at least 8"):
        granger_var(x, x[::-1].copy())
    with pytest.raises(SeriesTooShortError, match="x1 is constant after differencing 1"):
        granger_var(np.arange(20.0), np.linspace(0, 1, 20) ** 2, diff_order=1)
    with pytest.raises(SeriesTooShortError, match="x2 is constant"):
        granger_var(np.arange(20.0) ** 1.5, np.full(20, 3.0))
    with pytest.raises(ValueError, match="same length"):
        granger_var(np.arange(10.0), np.arange(9.0))


def test_toda_yamamoto_wald_equals_statsmodels_ols_f_test():
    """The lag-augmented Wald test (Toda & Yamamoto 1995) against statsmodels OLS.f_test on a
    regression built independently: effect on a constant and p + d_max lags of both series."""
    import statsmodels.api as sm

    x, y = _random_walks(seed=4)
    r = granger_var(x, y)  # DEFAULT rule
    assert r.rule == "toda-yamamoto" and r.var_in_levels and r.diff_order == 1
    p, k = r.lags, r.lags + r.diff_order
    for cause, effect, c, e in (("x1", "x2", x, y), ("x2", "x1", y, x)):
        rows = len(x) - k
        Z = np.column_stack(
            [np.ones(rows)]
            + [v[k - lag : k - lag + rows] for lag in range(1, k + 1) for v in (e, c)]
        )
        res = sm.OLS(e[k:], Z).fit()
        R = np.zeros((p, Z.shape[1]))
        for j in range(p):
            R[j, 2 + 2 * j] = 1.0
        ft = res.f_test(R)
        d = r.direction(cause, effect)
        assert d.f_stat == pytest.approx(float(np.squeeze(ft.fvalue)), rel=1e-9)
        assert d.p_value == pytest.approx(float(ft.pvalue), rel=1e-9)
        assert d.df_num == p and d.df_denom == ft.df_denom
