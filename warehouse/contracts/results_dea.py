"""Contracts of the production and DEA result tables (METHODS §1–3, §9)."""

from __future__ import annotations

from warehouse.contracts.base import Column, Family, Table

C = Column
Q = C("quality", "VARCHAR[]", "", "quality flags of the inputs behind the row (compilation, spliced, imputed_upstream, pre_revision, proxy:…)")  # fmt: skip
REGION = C(
    "region_code", "VARCHAR", "", "GB/T 2260 two-digit province code (ref.regions)", key=True
)
YEAR = C("year", "BIGINT", "year", "calendar year", key=True)
YEAR_FROM = C("year_from", "BIGINT", "year", "first year of the adjacent-year pair", key=True)
YEAR_TO = C("year_to", "BIGINT", "year", "second year of the adjacent-year pair", key=True)
STATUS = C("status", "VARCHAR", "", "LP solver status (optimal, or why the number is NaN)")
BASE = C("base_year", "INTEGER", "year", "base year of the constant prices")
_IO = (
    ("capital_stock", "亿元, base-year prices"),
    ("labour", "万人 × years"),
    ("real_gdp", "亿元, base-year prices"),
)  # the default DEA inputs and output
SCORE = "efficiency score (1 = on the frontier)"

REAL_GDP = Table(
    "results", "real_gdp", "Real GDP at constant base-year prices per province and year", "§2",
    (REGION, YEAR,
     C("gdp_nominal", "DOUBLE", "亿元, current prices", "nominal GDP"),
     C("gdp_index", "DOUBLE", "上年=100", "GDP volume index, previous year = 100"),
     C("real_gdp", "DOUBLE", "亿元, base-year prices", "real GDP (chained volume index × base-year GDP)", required=True),
     C("deflator", "DOUBLE", "base year = 1", "implicit GDP deflator = nominal / real"),
     BASE,
     C("population", "DOUBLE", "万人", "year-end resident population"),
     C("real_gdp_per_capita", "DOUBLE", "元 per person, base-year prices", "real GDP per head"),
     Q),
    time="year", headline="real_gdp",
)  # fmt: skip

CAPITAL_STOCK = Table(
    "results", "capital_stock", "Physical capital stock by the perpetual inventory method", "§1",
    (REGION, YEAR,
     C("investment", "DOUBLE", "亿元, current prices", "gross fixed capital formation (investment series of §1.4)"),
     C("deflator", "DOUBLE", "base year = 1", "investment price deflator (§1.5)"),
     C("investment_real", "DOUBLE", "亿元, base-year prices", "deflated investment I_t / P_t"),
     C("capital_stock", "DOUBLE", "亿元, base-year prices", "capital stock K_t = (1 − δ) K_{t−1} + I_t / P_t", required=True),
     BASE,
     C("delta", "DOUBLE", "per year", "depreciation rate δ"),
     C("init", "VARCHAR", "", "initial-stock method (§1.3), e.g. steady_state"),
     C("flag", "VARCHAR", "", "edge case of §1.6 met in this year (e.g. negative_investment), else empty"),
     Q),
    time="year", headline="capital_stock",
)  # fmt: skip

LABOUR = Table(
    "results", "labour", "Labour input: employment × average years of schooling", "§3",
    (REGION, YEAR,
     C("employment", "DOUBLE", "万人", "employed persons (series of §3.1)"),
     C("employment_series", "VARCHAR", "", "which employment series and splice was used"),
     C("schooling_years", "DOUBLE", "years", "average years of schooling of the population aged 6+"),
     C("schooling_interpolated", "BOOLEAN", "", "schooling interpolated between census years"),
     C("labour", "DOUBLE", "万人 × years", "labour input L × h (quantity × quality)", required=True),
     C("method", "VARCHAR", "", "quality adjustment: years (× schooling) or count (head count)"),
     Q),
    time="year", headline="labour",
)  # fmt: skip

DEA_PANEL = Table(
    "results", "dea_panel", "The balanced input/output panel of DEA and Malmquist (window of config/dea.toml)", "§9",
    (REGION, YEAR,
     C("capital_stock", "DOUBLE", "亿元, base-year prices", "DEA input: capital stock (results.capital_stock)"),
     C("labour", "DOUBLE", "万人 × years", "DEA input: labour (results.labour)"),
     C("real_gdp", "DOUBLE", "亿元, base-year prices", "DEA output: real GDP (results.real_gdp)"),
     Q),
    families=(Family("", "DOUBLE", "unit of staging.panel", "DEA input or output {name} (config/dea.toml)"),),
    time="year",
)  # fmt: skip

EFFICIENCY = Table(
    "results", "efficiency", "Radial DEA scores per province and year, one frontier per year", "§9.1",
    (REGION, YEAR,
     C("orientation", "VARCHAR", "", "input or output orientation", key=True),
     C("rts", "VARCHAR", "", "returns to scale of `score`: crs (CCR) or vrs (BCC)", key=True),
     C("score", "DOUBLE", "0–1", f"headline {SCORE}: θ (input) or 1/φ (output)", required=True),
     C("phi", "DOUBLE", "≥ 1", "output-oriented expansion factor φ (NaN under input orientation)"),
     C("te_crs", "DOUBLE", "0–1", f"CCR technical {SCORE}"),
     C("te_vrs", "DOUBLE", "0–1", f"BCC pure technical {SCORE}"),
     C("te_nirs", "DOUBLE", "0–1", f"technical {SCORE} under non-increasing returns to scale"),
     C("scale_eff", "DOUBLE", "0–1", "scale efficiency TE_CRS / TE_VRS"),
     C("rts_class", "VARCHAR", "", "returns to scale of the province: crs, irs or drs"),
     *(C(f"slack_{v}", "DOUBLE", u, f"phase-2 slack of {v}") for v, u in _IO),
     *(C(f"target_{v}", "DOUBLE", u, f"projection (target) of {v} on the frontier") for v, u in _IO),
     C("peers", "VARCHAR", "", "frontier peers and their λ weights, code:λ;code:λ"),
     STATUS, Q),
    families=(
        Family("slack_", "DOUBLE", "unit of the input/output", "phase-2 slack of {name}"),
        Family("target_", "DOUBLE", "unit of the input/output", "projection (target) of {name} on the frontier"),
    ),
    time="year", headline="score",
)  # fmt: skip

CROSS_EFFICIENCY = Table(
    "results", "cross_efficiency", "Cross-efficiency: mean appraisal by all provinces' weights", "§9.5",
    (REGION, YEAR,
     C("ccr", "DOUBLE", "0–1", "CCR self-appraised efficiency"),
     C("cross_eff", "DOUBLE", "0–1", "cross-efficiency with the configured secondary goal"),
     C("cross_eff_benevolent", "DOUBLE", "0–1", "cross-efficiency with the benevolent secondary goal"),
     C("maverick", "DOUBLE", "ratio", "maverick index (ccr − cross_eff) / cross_eff"),
     C("secondary", "VARCHAR", "", "secondary goal: aggressive, benevolent or none", key=True),
     STATUS, Q),
    time="year", headline="cross_eff",
)  # fmt: skip

GAME_CROSS_EFFICIENCY = Table(
    "results", "game_cross_efficiency", "Game cross-efficiency (Liang, Wu, Cook & Zhu 2008)", "§9.6",
    (REGION, YEAR,
     C("game_cross_eff", "DOUBLE", "0–1", "game cross-efficiency at the fixed point"),
     C("iterations", "BIGINT", "iterations", "iterations to convergence"),
     C("converged", "BOOLEAN", "", "max |Δα| below the tolerance within max_iter"),
     C("max_delta", "DOUBLE", "", "max |Δα| of the last iteration"),
     STATUS, Q),
    time="year", headline="game_cross_eff",
)  # fmt: skip

_IDX = "index, 1 = no change"
MALMQUIST = Table(
    "results", "malmquist", "Malmquist productivity index and decomposition per province and adjacent-year pair", "§9.7–9.8",
    (REGION, YEAR_FROM, YEAR_TO,
     C("mi", "DOUBLE", _IDX, "Malmquist TFP change M = EC × TC"),
     C("ec", "DOUBLE", _IDX, "efficiency change (catch-up) under CRS"),
     C("tc", "DOUBLE", _IDX, "technical change (frontier shift)"),
     C("pec", "DOUBLE", _IDX, "pure efficiency change under VRS"),
     C("sec", "DOUBLE", _IDX, "scale efficiency change EC / PEC"),
     STATUS,
     C("cc_mi", "DOUBLE", _IDX, "cross-efficiency (game) Malmquist index (§9.8)"),
     C("ec_cc", "DOUBLE", _IDX, "efficiency change of the CC-Malmquist index"),
     C("tc_cc", "DOUBLE", _IDX, "technical change of the CC-Malmquist index"),
     C("cc_status", "VARCHAR", "", "solver status of the CC-Malmquist LPs"),
     Q),
    time="year_to", headline="mi",
)  # fmt: skip

MALMQUIST_SUMMARY = Table(
    "results", "malmquist_summary", "Geometric means of the Malmquist indices by year pair, province and overall", "§9.7",
    (C("scope", "VARCHAR", "", "mean over: all (every province and pair), period (per pair) or region (per province)", key=True),
     C("region_code", "VARCHAR", "", "province (scope region), else NULL", key=True, null_key=True),
     C("year_from", "BIGINT", "year", "first year of the pair (scope period), else NULL", key=True, null_key=True),
     C("year_to", "BIGINT", "year", "second year of the pair (scope period), else NULL", key=True, null_key=True),
     C("n", "BIGINT", "observations", "province-pairs in the mean"),
     C("mi", "DOUBLE", _IDX, "geometric mean of M"),
     C("ec", "DOUBLE", _IDX, "geometric mean of EC"),
     C("tc", "DOUBLE", _IDX, "geometric mean of TC"),
     C("pec", "DOUBLE", _IDX, "geometric mean of PEC"),
     C("sec", "DOUBLE", _IDX, "geometric mean of SEC"),
     C("cc_mi", "DOUBLE", _IDX, "geometric mean of the CC-Malmquist index"),
     C("ec_cc", "DOUBLE", _IDX, "geometric mean of the CC efficiency change"),
     C("tc_cc", "DOUBLE", _IDX, "geometric mean of the CC technical change"),
     Q),
    time="year_to", headline="mi",
)  # fmt: skip

GREEN_TFP = Table(
    "results", "green_tfp", "Green TFP: Malmquist–Luenberger / Luenberger with CO2 as bad output", "§9.9–9.10",
    (REGION, YEAR_FROM, YEAR_TO,
     C("index", "VARCHAR", "", "ml (Malmquist–Luenberger, ratio) or luenberger (difference)", key=True),
     C("tfpch", "DOUBLE", "index (ml: 1 = no change; luenberger: 0 = no change)", "green TFP change"),
     C("ec", "DOUBLE", "as tfpch", "efficiency change"),
     C("tc", "DOUBLE", "as tfpch", "technical change"),
     C("d_from", "DOUBLE", "", "directional distance β in year_from"),
     C("d_to", "DOUBLE", "", "directional distance β in year_to"),
     STATUS,
     C("bad_output_note", "VARCHAR", "", "where the bad output comes from (config/green.toml)"),
     Q),
    time="year_to", headline="tfpch",
)  # fmt: skip

SENSITIVITY = Table(
    "results", "efficiency_sensitivity", "DEA mean efficiency and TFP change under alternative specifications ([[sensitivity]] of config/dea.toml)", "§3.1, §9.1",
    (C("specification", "VARCHAR", "", "specification name (default = the published one)", key=True),
     C("description", "VARCHAR", "", "the specification in words"),
     C("inputs", "VARCHAR[]", "", "DEA inputs"),
     C("outputs", "VARCHAR[]", "", "DEA outputs"),
     C("labour_series", "VARCHAR", "", "employment series, splice and quality method"),
     C("window_first", "BIGINT", "year", "first year of the window"),
     C("window_last", "BIGINT", "year", "last year of the window"),
     C("year", "BIGINT", "year", "calendar year", key=True),
     C("n_dmu", "BIGINT", "provinces", "provinces in the frontier"),
     C("mean_efficiency", "DOUBLE", "0–1", "mean CCR efficiency"),
     C("n_frontier", "BIGINT", "provinces", "provinces on the frontier"),
     C("frontier_provinces", "VARCHAR[]", "", "codes of the frontier provinces"),
     C("mean_tfp_change", "DOUBLE", _IDX, "geometric mean Malmquist index into this year (NULL in the first year)"),
     Q),
    time="year", headline="mean_efficiency",
)  # fmt: skip

TABLES = (REAL_GDP, CAPITAL_STOCK, LABOUR, DEA_PANEL, EFFICIENCY, CROSS_EFFICIENCY,
          GAME_CROSS_EFFICIENCY, MALMQUIST, MALMQUIST_SUMMARY, GREEN_TFP, SENSITIVITY)  # fmt: skip
