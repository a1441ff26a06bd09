"""Contracts of the structure result tables: entropy weights and composite index, inequality,
coupling coordination, synergy, co-evolution and causality (METHODS §4–8)."""

from __future__ import annotations

from warehouse.contracts.base import Column, Table
from warehouse.contracts.results_dea import REGION, YEAR, Q

C = Column
_SCOPE = C(
    "scope", "VARCHAR", "", "weights over the pooled panel (pooled) or per year (per_year), §4.3"
)
_NORM = C("normalise", "VARCHAR", "", "standardisation of §4.1 (minmax …)")
_SHIFT = C("shift", "VARCHAR", "", "how zeros are avoided after standardisation (add: + 0.0001)")
_SUB = "subsystem (cbec, trade, industry, logistics; config/structure.toml)"

COMPOSITE_INDEX = Table(
    "results", "composite_index", "Entropy-weighted composite index per province, year and subsystem", "§4",
    (REGION, YEAR,
     C("subsystem", "VARCHAR", "", _SUB, key=True),
     C("score", "DOUBLE", "0–1 (+ shift)", "composite index U = Σ w_j x'_ij"),
     _SCOPE, _NORM, _SHIFT, Q),
    time="year", headline="score",
)  # fmt: skip

INDICATOR_WEIGHTS = Table(
    "results", "indicator_weights", "Entropy weights of the indicators of each subsystem", "§4.2",
    (C("subsystem", "VARCHAR", "", _SUB, key=True),
     C("indicator", "VARCHAR", "", "indicator (variable, or variable per `per`)", key=True),
     C("variable", "VARCHAR", "", "staging.panel variable behind the indicator"),
     C("per", "VARCHAR", "", "denominator variable of a ratio indicator (e.g. gdp), else NULL"),
     C("direction", "VARCHAR", "", "+ (benefit) or − (cost) indicator"),
     C("year", "BIGINT", "year", "year of per-year weights; NULL for pooled weights", key=True, null_key=True),
     C("weight", "DOUBLE", "share, sums to 1 per subsystem", "entropy weight w_j = d_j / Σ d"),
     C("entropy", "DOUBLE", "0–1", "information entropy e_j"),
     C("divergence", "DOUBLE", "0–1", "divergence d_j = 1 − e_j"),
     C("constant", "BOOLEAN", "", "the indicator is constant (weight 0, §4.4)"),
     C("n_obs", "BIGINT", "observations", "province-years behind the weight"),
     _SCOPE, _NORM, _SHIFT,
     C("year_from", "BIGINT", "year", "first year of the window"),
     C("year_to", "BIGINT", "year", "last year of the window"),
     C("regions_dropped", "VARCHAR", "", "provinces left out for missing data"),
     C("window_limit", "VARCHAR", "", "what limits the window at each end"),
     Q),
    time="year_to", headline="weight",
)  # fmt: skip

INEQUALITY = Table(
    "results", "inequality", "Regional inequality indices and group decompositions (long: one measure per row)", "§5",
    (YEAR,
     C("variable", "VARCHAR", "", "variable measured (e.g. gdp_per_capita, composite_cbec)", key=True),
     C("scheme", "VARCHAR", "", "region scheme of the groups (nbs4, belt3 …), METHODS §0", key=True),
     C("measure", "VARCHAR", "", "index: cv, gini, theil_t, theil_l, dagum components, *_between/_within/_share …", key=True),
     C("group", "VARCHAR", "", "region or region pair of a group component; NULL for a total", key=True, null_key=True),
     C("value", "DOUBLE", "index (shares 0–1)", "value of the measure"),
     Q),
    time="year", headline="value",
)  # fmt: skip

COUPLING = Table(
    "results", "coupling", "Coupling degree C, development T and coupling coordination degree D", "§6",
    (REGION, YEAR,
     C("system", "VARCHAR", "", "subsystems coupled, e.g. cbec+logistics", key=True),
     C("n_subsystems", "BIGINT", "subsystems", "number of subsystems n"),
     C("u1", "DOUBLE", "0–1", "composite index of the first subsystem (two-subsystem systems)"),
     C("u2", "DOUBLE", "0–1", "composite index of the second subsystem (two-subsystem systems)"),
     C("c_model", "VARCHAR", "", "coupling formula of `c`: traditional or wang (§6.1)"),
     C("c", "DOUBLE", "0–1", "coupling degree C"),
     C("c_traditional", "DOUBLE", "0–1", "C by the traditional formula"),
     C("c_wang", "DOUBLE", "0–1", "C by the corrected formula of Wang et al."),
     C("t", "DOUBLE", "0–1", "comprehensive coordination index T = Σ β_i U_i"),
     C("d", "DOUBLE", "0–1", "coupling coordination degree D = sqrt(C·T)"),
     C("grade", "BIGINT", "1–10", "ten-level grade of D (§6.3)"),
     C("grade_label", "VARCHAR", "", "name of the grade (极度失调 … 优质协调)"),
     C("stage", "VARCHAR", "", "coupling stage of C (低水平耦合 … 高水平耦合)"),
     C("e", "DOUBLE", "ratio", "relative development degree E = U2 / U1 (§6.4)"),
     C("lag_type", "VARCHAR", "", "which subsystem lags (from E), or synchronous"),
     C("label", "VARCHAR", "", "grade and lagging type in one label"),
     Q),
    time="year", headline="d",
)  # fmt: skip

SYNERGY = Table(
    "results", "synergy", "Composite-system synergy degree (孟庆松 & 韩文秀 2000) between adjacent years", "§7",
    (REGION,
     C("year_from", "BIGINT", "year", "base year t0", key=True),
     C("year_to", "BIGINT", "year", "year t1"),
     C("base", "VARCHAR", "", "base period: previous year or a fixed year"),
     C("order_cbec_from", "DOUBLE", "0–1", "order degree of the cbec subsystem in year_from (§7.2)"),
     C("order_cbec_to", "DOUBLE", "0–1", "order degree of the cbec subsystem in year_to"),
     C("order_logistics_from", "DOUBLE", "0–1", "order degree of the logistics subsystem in year_from"),
     C("order_logistics_to", "DOUBLE", "0–1", "order degree of the logistics subsystem in year_to"),
     C("synergy", "DOUBLE", "−1…1", "synergy degree C (§7.3)"),
     C("grade", "VARCHAR", "", "grade of C (non-synergistic, low, medium, high …)"),
     C("year", "BIGINT", "year", "year of the value (= year_to)"),
     C("system", "VARCHAR", "", "subsystems, e.g. cbec+logistics", key=True),
     C("bounds", "VARCHAR", "", "order-parameter bounds (e.g. expand10: observed range ± 10 %)"),
     C("method", "VARCHAR", "", "subsystem order aggregation: geometric or linear"),
     Q),
    time="year_to", headline="synergy",
)  # fmt: skip

_LV = ("a1", "b1", "a2", "b2", "r1", "K1", "sigma12", "r2", "K2", "sigma21")
_LV_TEXT = {"a1": "predator–prey a_1 (growth of x1)", "b1": "predator–prey b_1 (predation)",
            "a2": "predator–prey a_2 (death rate of x2)", "b2": "predator–prey b_2 (conversion)",
            "r1": "logistic r_1", "K1": "logistic K_1 (x1 scaled)", "sigma12": "σ_12 (effect of x2 on x1)",
            "r2": "logistic r_2", "K2": "logistic K_2 (x2 scaled)", "sigma21": "σ_21 (effect of x1 on x2)"}  # fmt: skip


def _lv_columns() -> tuple[Column, ...]:
    out: list[Column] = []
    for p in _LV:
        t = _LV_TEXT[p]
        out += [C(p, "DOUBLE", "per year (scaled series)", f"{t}, ODE-NLS estimate"),
                C(f"se_{p}", "DOUBLE", "as the estimate", f"standard error of {p}"),
                C(f"ci_low_{p}", "DOUBLE", "as the estimate", f"lower 95 % bound of {p}"),
                C(f"ci_high_{p}", "DOUBLE", "as the estimate", f"upper 95 % bound of {p}")]  # fmt: skip
    return tuple(out)


_PAIR = C("pair", "VARCHAR", "", "series pair, e.g. trade-logistics", key=True)
COEVOLUTION = Table(
    "results", "coevolution", "Lotka–Volterra fits of two composite-index series per province", "§8.1–8.3, §8.5",
    (REGION, _PAIR,
     C("x1", "VARCHAR", "", "first series (subsystem)"),
     C("x2", "VARCHAR", "", "second series (subsystem)"),
     C("model", "VARCHAR", "", "predator_prey or competition (logistic LV)", key=True),
     C("method", "VARCHAR", "", "estimation: ode_nls or discrete"),
     C("ode_solver", "VARCHAR", "", "ODE integrator of an ode_nls fit: lsoda_compiled, or lsoda_odeint where the compiled solver is not built (weak fits may differ between the two, METHODS §0); empty for no ODE fit"),
     C("n_obs", "BIGINT", "years", "years in the fit"),
     C("year_start", "BIGINT", "year", "first year"),
     C("year_end", "BIGINT", "year", "last year"),
     *_lv_columns(),
     C("x1_star", "DOUBLE", "scaled", "interior equilibrium x1*"),
     C("x2_star", "DOUBLE", "scaled", "interior equilibrium x2*"),
     C("eig1_real", "DOUBLE", "per year", "real part of the first Jacobian eigenvalue at the equilibrium"),
     C("eig1_imag", "DOUBLE", "per year", "imaginary part of the first eigenvalue"),
     C("eig2_real", "DOUBLE", "per year", "real part of the second eigenvalue"),
     C("eig2_imag", "DOUBLE", "per year", "imaginary part of the second eigenvalue"),
     C("stability", "VARCHAR", "", "stability class (§8.5): stable node, focus, centre, saddle …"),
     C("period", "DOUBLE", "years", "oscillation period 2π/|Im λ| (centre or focus)"),
     C("interaction", "VARCHAR", "", "interaction from the signs: mutualism, competition, predator-prey …"),
     C("r2_x1", "DOUBLE", "0–1", "R² of the fitted x1 path"),
     C("r2_x2", "DOUBLE", "0–1", "R² of the fitted x2 path"),
     C("mape_x1", "DOUBLE", "%", "MAPE of x1 levels"),
     C("mape_x2", "DOUBLE", "%", "MAPE of x2 levels"),
     C("mape", "DOUBLE", "%", "mean MAPE of both series"),
     C("cond_jtj", "DOUBLE", "", "condition number of JᵀJ (weak identification > 1e8)"),
     C("converged", "BOOLEAN", "", "least-squares fit converged"),
     C("sign_violations", "VARCHAR", "", "parameters with the wrong sign for the model"),
     C("status", "VARCHAR", "", "ok, weak, not_identified, not_converged or too_short"),
     C("message", "VARCHAR", "", "why the status is what it is"),
     Q),
    headline=None,
)  # fmt: skip

CAUSALITY = Table(
    "results", "causality", "Granger causality (Toda–Yamamoto) and VAR impulse responses per province", "§8.4",
    (REGION, _PAIR,
     C("cause", "VARCHAR", "", "series tested as the cause", key=True),
     C("effect", "VARCHAR", "", "series tested as the effect", key=True),
     C("direction", "VARCHAR", "", "cause->effect"),
     C("ic", "VARCHAR", "", "lag-order information criterion (aic, bic)"),
     C("lags", "BIGINT", "years", "VAR lag order p"),
     C("diff_order", "BIGINT", "", "integration order d (extra lags of Toda–Yamamoto)"),
     C("n_obs", "BIGINT", "years", "observations of the series"),
     C("n_obs_var", "BIGINT", "years", "observations used by the VAR"),
     C("f_stat", "DOUBLE", "", "Wald F statistic of the causality test"),
     C("p_value", "DOUBLE", "probability", "p-value of the causality test"),
     C("df_num", "BIGINT", "", "numerator degrees of freedom"),
     C("df_denom", "DOUBLE", "", "denominator degrees of freedom"),
     C("var_f_stat", "DOUBLE", "", "F statistic of the VAR-in-differences test"),
     C("var_p_value", "DOUBLE", "probability", "p-value of the VAR-in-differences test"),
     C("irf_h1", "DOUBLE", "effect units per cause unit", "impulse response at horizon 1"),
     C("irf_cum", "DOUBLE", "effect units per cause unit", "cumulative impulse response"),
     C("stationary", "BOOLEAN", "", "series stationary after diff_order differences"),
     C("var_stable", "BOOLEAN", "", "VAR roots inside the unit circle"),
     C("status", "VARCHAR", "", "ok or weak"),
     C("message", "VARCHAR", "", "test and caveats in words"),
     Q),
    headline="p_value",
)  # fmt: skip

TABLES = (COMPOSITE_INDEX, INDICATOR_WEIGHTS, INEQUALITY, COUPLING, SYNERGY, COEVOLUTION,
          CAUSALITY)  # fmt: skip
