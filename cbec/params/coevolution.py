"""Parameters of the co-evolution block: Lotka–Volterra fits (METHODS §8.1–8.3, 8.5) and
Granger causality (§8.4) — config/coevolution.toml — and of green TFP (§9.9–9.10) —
config/green.toml. Defaults are the library's (`measures.coevolution.fit_lv`,
`measures.causality.granger_var`, the CLI); the pipeline's file sets lighter fits."""

from __future__ import annotations

from dataclasses import dataclass

from cbec.params.spec import (
    BOOL,
    TEXT,
    YEAR_PAIR,
    Rule,
    choice,
    integer,
    number,
    param,
    strings,
    table,
)


@dataclass(frozen=True)
class Fit:
    method: str = param("ode_nls", choice("ode_nls", "discrete"), "§8.2")
    scale: str = param("first", choice("first", "mean", "none"), "rescaling of each series")
    midpoint: bool = param(False, BOOL, "discretised regressors at interval midpoints")
    fit_x0: bool = param(False, BOOL, "estimate the initial state")
    n_starts: int = param(20, integer(0), "random multi-starts (§8.2)")
    screen_nfev: int = param(50, integer(1), "evaluations of every start before polishing")
    n_polish: int = param(2, integer(1), "best starts run to convergence")
    seed: int = param(0, integer(0), "numpy default_rng seed of the perturbations")
    level: float = param(0.95, number(0, 1), "interval level")
    n_boot: int = param(0, integer(0), "> 0: residual-bootstrap intervals")
    ode_method: str = param("LSODA", choice("LSODA", "RK45", "DOP853", "Radau", "BDF"))
    rtol: float = param(1e-8, number(0, 1), "ODE relative tolerance")
    atol: float = param(1e-10, number(0, 1), "ODE absolute tolerance")
    max_nfev: int = param(10_000, integer(1), "evaluations per polished start")
    cond_warn: float = param(1e8, number(1), "warn when cond(JᵀJ) exceeds this (§8.3)")


@dataclass(frozen=True)
class Causality:
    ic: str = param("aic", choice("aic", "bic", "hqic"), "lag order criterion")
    max_lags: int | None = param(None, integer(1), "None: chosen from the series length")
    alpha: float = param(0.05, number(0, 1), "ADF/KPSS level")
    max_diff: int = param(2, integer(0), "differencing at most this often")
    rule: str = param(
        "toda-yamamoto", choice("toda-yamamoto", "agree", "both", "adf", "kpss"), "§8.4"
    )
    min_obs: int = param(8, integer(3), "fewer points: too_short")


@dataclass(frozen=True)
class Coevolution:
    pairs: list[list[str]] = param(
        [["trade", "logistics"], ["trade", "industry"]],
        Rule((list,), items=(list,), expect="a list of [x1, x2] composite names"),
    )
    models: list[str] = param(["predator_prey", "competition"], strings(), "§8.1–8.3")
    fit: Fit = table(Fit)
    causality: Causality = table(Causality)


@dataclass(frozen=True)
class Green:
    inputs: list[str] = param(["capital_stock", "labour", "energy_consumption"], strings())
    outputs: list[str] = param(["real_gdp"], strings())
    bad_outputs: list[str] = param([], strings(), "none: no green_tfp table")
    index: str = param("ml", choice("ml", "luenberger"), "§9.10")
    technology: str = param("global", choice("global", "contemporaneous", "sequential"))
    direction: str = param("output", choice("output", "full", "input"), "g of the DDF (§9.9)")
    nonradial: bool = param(False, BOOL, "non-radial DDF (luenberger only)")
    weights: list[float] | None = param(None, Rule((list,), items=(int, float)), "non-radial")
    rts: str = param("crs", choice("crs", "vrs"))
    bad_disposability: str = param("weak", choice("weak", "strong"))
    years: list[int] | None = param(None, YEAR_PAIR, "window (None: every year)")
    bad_output_note: str = param("", TEXT, "what the bad output is, shown on every row")
