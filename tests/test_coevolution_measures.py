"""Lotka–Volterra co-evolution (METHODS §8; reference study D): closed forms, recovery of the
parameters of simulated ODE trajectories, interval coverage with noise, identification errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm

from measures.coevolution import (
    IdentificationError,
    analyse_competition,
    analyse_predator_prey,
    classify_eigenvalues,
    comp_equilibrium,
    comp_jacobian,
    discrete_predator_prey,
    fit_competition,
    fit_lv,
    fit_predator_prey,
    interaction_type,
    pp_conserved,
    pp_jacobian,
    simulate_competition,
    simulate_predator_prey,
)

T = np.arange(15, dtype=float)  # 15 annual points
PP = {"a1": 0.5, "b1": 0.02, "a2": 0.4, "b2": 0.5}
PP_X0 = (30.0, 15.0)
COMP = {"r1": 0.6, "K1": 100.0, "sigma12": 0.3, "r2": 0.4, "K2": 80.0, "sigma21": 0.5}
COMP_X0 = (10.0, 8.0)


@pytest.fixture(scope="module")
def pp_path():
    return simulate_predator_prey(*PP.values(), PP_X0, T)


@pytest.fixture(scope="module")
def comp_path():
    return simulate_competition(*COMP.values(), COMP_X0, T)


# ---------------------------------------------------------------------------- closed forms


def test_predator_prey_equilibrium_jacobian_and_stability_match_closed_forms():
    a1, b1, a2, b2 = PP.values()
    an = analyse_predator_prey(a1, b1, a2, b2)
    assert an.equilibrium == pytest.approx((a2 / (b1 * b2), a1 / b1), rel=1e-14)
    np.testing.assert_allclose(an.jacobian, [[0, -a2 / b2], [a1 * b2, 0]], rtol=1e-14)
    # the general Jacobian evaluated at E* is the same matrix (up to round-off in the zeros)
    np.testing.assert_allclose(pp_jacobian(*an.equilibrium, a1, b1, a2, b2), an.jacobian,
                               atol=1e-12)  # fmt: skip
    w = math.sqrt(a1 * a2)
    np.testing.assert_allclose(an.eigenvalues, [1j * w, -1j * w], atol=1e-15)
    assert np.all(an.eigenvalues.real == 0)
    assert an.stability == "centre" and an.exists
    assert an.period == pytest.approx(2 * math.pi / w, rel=1e-14)
    np.testing.assert_allclose(sorted(an.origin_eigenvalues.real), [-a2, a1])
    assert an.origin_stability == "saddle"


def test_predator_prey_conserved_quantity_is_constant_along_the_orbit(pp_path):
    v = pp_conserved(pp_path[:, 0], pp_path[:, 1], *PP.values())
    assert np.ptp(v) / abs(v.mean()) < 1e-7


def test_sign_violating_predator_prey_is_a_saddle_outside_the_quadrant():
    an = analyse_predator_prey(0.5, 0.02, -0.4, 0.5)
    assert not an.exists and an.stability == "saddle"
    np.testing.assert_allclose(sorted(an.eigenvalues.real), [-math.sqrt(0.2), math.sqrt(0.2)])


def test_competition_equilibrium_and_jacobian_match_closed_forms():
    r1, K1, s12, r2, K2, s21 = COMP.values()
    x1s = (K1 + s12 * K2) / (1 - s12 * s21)
    x2s = (K2 + s21 * K1) / (1 - s12 * s21)
    assert comp_equilibrium(*COMP.values()) == pytest.approx((x1s, x2s), rel=1e-14)
    # the right-hand side vanishes there
    f1 = r1 * x1s * (1 - x1s / K1 + s12 * x2s / K1)
    f2 = r2 * x2s * (1 - x2s / K2 + s21 * x1s / K2)
    assert abs(f1) < 1e-10 and abs(f2) < 1e-10
    an = analyse_competition(*COMP.values())
    Jstar = [[-r1 * x1s / K1, r1 * s12 * x1s / K1], [r2 * s21 * x2s / K2, -r2 * x2s / K2]]
    np.testing.assert_allclose(an.jacobian, Jstar, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(comp_jacobian(x1s, x2s, *COMP.values()), Jstar, rtol=1e-10)
    tr, det = np.trace(Jstar), np.linalg.det(Jstar)
    assert tr < 0 and det > 0 and an.stability == "stable node" and an.exists
    np.testing.assert_allclose(sorted(an.eigenvalues.real), sorted(np.linalg.eigvals(Jstar).real))


def test_competition_stability_and_interaction_labels():
    # strong mutualism σ12·σ21 > 1: no positive interior equilibrium
    an = analyse_competition(0.5, 100, 2.0, 0.5, 100, 1.0)
    assert not an.exists and an.stability == "no interior equilibrium"
    # strong competition σ12·σ21 > 1 with x1* = x2* = 40 > 0: a saddle (det J* < 0)
    an = analyse_competition(0.5, 100, -1.5, 0.5, 100, -1.5)
    assert an.equilibrium == pytest.approx((40.0, 40.0))
    assert an.exists and an.stability == "saddle"
    assert np.linalg.det(an.jacobian) < 0
    assert interaction_type(0.3, 0.5) == "mutualism"
    assert interaction_type(-0.3, -0.5) == "competition"
    assert interaction_type(0.3, -0.5) == "parasitism"
    assert interaction_type(0.3, 0.0) == "commensalism"
    assert interaction_type(0.3, 0.5, zero12=True, zero21=True) == "independence"
    assert classify_eigenvalues(np.array([-1 + 2j, -1 - 2j])) == "stable focus"
    assert classify_eigenvalues(np.array([1.0, 2.0])) == "unstable node"


# ------------------------------------------------------------------ recovery (noise-free)


def _rel_err(est: dict, truth: dict) -> dict:
    return {k: abs(est[k] / v - 1) for k, v in truth.items()}


def test_predator_prey_parameters_recovered_to_1e5_noise_free(pp_path):
    f = fit_predator_prey(pp_path[:, 0], pp_path[:, 1], T, n_starts=5)
    err = _rel_err(f.params, PP)
    assert max(err.values()) < 1e-5, err
    assert f.converged and f.status == "ok"
    assert f.r2[0] > 0.999999 and f.r2[1] > 0.999999
    an = f.analysis
    assert an.equilibrium == pytest.approx((PP["a2"] / (PP["b1"] * PP["b2"]),
                                            PP["a1"] / PP["b1"]), rel=1e-5)  # fmt: skip
    assert an.stability == "centre"


def test_competition_parameters_recovered_to_1e5_noise_free(comp_path):
    f = fit_competition(comp_path[:, 0], comp_path[:, 1], T, n_starts=5)
    err = _rel_err(f.params, COMP)
    assert max(err.values()) < 1e-5, err
    assert f.converged and f.status == "ok"
    assert f.interaction == "mutualism"
    assert f.analysis.equilibrium == pytest.approx(comp_equilibrium(*COMP.values()), rel=1e-5)


def test_predator_prey_recovered_with_years_as_time_and_mean_scaling(pp_path):
    f = fit_predator_prey(pp_path[:, 0], pp_path[:, 1], 2005 + T, n_starts=3, scale="mean")
    assert max(_rel_err(f.params, PP).values()) < 1e-5


# ---------------------------------------------------------- interval coverage (with noise)


def _noisy(path: np.ndarray, seed: int, sd: float = 0.03) -> np.ndarray:
    """Multiplicative log-normal noise on every point but the initial state, which the
    default fit (METHODS §8.2: x0 fixed at the data) takes as known."""
    e = np.random.default_rng(seed).normal(0.0, sd, path.shape)
    e[0] = 0.0
    return path * np.exp(e)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_predator_prey_wald_intervals_cover_the_truth(pp_path, seed):
    y = _noisy(pp_path, seed)
    f = fit_predator_prey(y[:, 0], y[:, 1], T, n_starts=5)
    assert f.ci_method == "wald_log" and f.status in ("ok", "weak")
    for k, v in PP.items():
        assert f.ci_low[k] < v < f.ci_high[k], (k, f.ci_low[k], v, f.ci_high[k])
        assert f.se[k] > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_competition_wald_intervals_cover_the_truth(comp_path, seed):
    y = _noisy(comp_path, seed)
    f = fit_competition(y[:, 0], y[:, 1], T, n_starts=5)
    assert f.ci_method == "wald_log"
    for k, v in COMP.items():
        assert f.ci_low[k] < v < f.ci_high[k], (k, f.ci_low[k], v, f.ci_high[k])


def test_fitted_initial_state_intervals_cover_the_truth_with_noise_everywhere(pp_path):
    e = np.random.default_rng(7).normal(0.0, 0.03, pp_path.shape)
    y = pp_path * np.exp(e)
    f = fit_predator_prey(y[:, 0], y[:, 1], T, fit_x0=True, n_starts=3)
    assert f.x0_fitted and f.n_res == 2 * len(T) and f.n_params == 6
    for k, v in PP.items():
        assert f.ci_low[k] < v < f.ci_high[k], k


def test_bootstrap_percentile_intervals_cover_the_truth(pp_path):
    """Residual-bootstrap percentile intervals (df-inflated residuals), same noisy data as
    the Wald coverage test (seed 0); at T = 15 they are somewhat narrower than the Wald ones,
    the widths agree within a factor 2."""
    y = _noisy(pp_path, 0)
    w = fit_predator_prey(y[:, 0], y[:, 1], T, n_starts=2)
    f = fit_predator_prey(y[:, 0], y[:, 1], T, n_starts=2, n_boot=100, seed=1)
    assert f.ci_method == "bootstrap" and f.boot_n_ok >= 50
    assert f.params == pytest.approx(w.params, rel=1e-6)
    for k, v in PP.items():
        assert f.ci_low[k] < v < f.ci_high[k], k
        ratio = (f.ci_high[k] - f.ci_low[k]) / (w.ci_high[k] - w.ci_low[k])
        assert 0.5 < ratio < 2.0, (k, ratio)


# ------------------------------------------------------------------ discrete step (§8.2)


def test_discrete_predator_prey_equals_ols_with_hc1(pp_path):
    x1, x2 = pp_path[:, 0], pp_path[:, 1]
    d = discrete_predator_prey(x1, x2, T)
    g1 = np.diff(np.log(x1))
    res = sm.OLS(g1, sm.add_constant(x2[:-1])).fit(cov_type="HC1")
    assert d.params["a1"] == pytest.approx(res.params[0], rel=1e-12)
    assert d.params["b1"] == pytest.approx(-res.params[1], rel=1e-12)
    assert d.se["b1"] == pytest.approx(res.bse[1], rel=1e-12)
    assert all(v > 0 for v in d.params.values()) and not d.sign_violations


def test_discrete_method_reports_a_fit_with_signs_checked(comp_path):
    f = fit_lv(comp_path[:, 0], comp_path[:, 1], T, model="competition", method="discrete")
    assert f.method == "discrete" and f.ci_method == "wald_discrete"
    assert all(np.isfinite(list(f.params.values())))
    assert f.params["K1"] > 0 and f.params["r1"] > 0


# ---------------------------------------------------------------------- identification


def test_too_few_points_raise_identification_error(pp_path):
    with pytest.raises(IdentificationError, match="too few points") as ei:
        fit_predator_prey(pp_path[:2, 0], pp_path[:2, 1])
    assert ei.value.reason == "too_few_points"
    with pytest.raises(IdentificationError) as ei:
        fit_competition(pp_path[:3, 0], pp_path[:3, 1])
    assert ei.value.reason == "too_few_points"


def test_constant_series_raise_no_co_movement(pp_path):
    flat = np.full(len(T), 5.0)
    for model in ("predator_prey", "competition"):
        with pytest.raises(IdentificationError, match="no co-movement") as ei:
            fit_lv(pp_path[:, 0], flat, T, model=model)
        assert ei.value.reason == "no_co_movement"


def test_non_positive_data_raise(pp_path):
    x = pp_path[:, 0].copy()
    x[4] = 0.0
    with pytest.raises(IdentificationError, match="positive"):
        fit_predator_prey(x, pp_path[:, 1], T)


def test_short_real_series_is_flagged_not_silently_fitted():
    # Zhejiang CBEC export/import 2016–2020 (reference study D): 5 points, 4 parameters
    exp = [319.3, 438.1, 574.4, 777.1, 1023.0]
    imp = [84.3, 165.8, 235.9, 274.41, 364.1]
    f = fit_predator_prey(exp, imp, np.arange(2016, 2021), n_starts=3)
    assert f.status in ("weak", "not_identified")
    assert "only 5 points" in f.message
    assert f.discrete.sign_violations  # growth of imports does not rise with exports
