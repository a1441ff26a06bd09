"""Parameters of the production block: real GDP (METHODS §2), capital stock (§1), labour (§3),
and of DEA efficiency (§9.1–9.6) and the Malmquist index (§9.7–9.8). Each default is the
METHODS DEFAULT; config/*.toml sets what a pipeline run uses, and the run records the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbec.params.spec import (
    BOOL,
    TABLE,
    TEXT,
    Rule,
    choice,
    integer,
    number,
    param,
    strings,
    table,
)


@dataclass(frozen=True)
class RealGdp:
    base_year: int = param(2000, integer(1952, 2100), "constant prices of this year (§2)")
    population: str = param("year_end", choice("year_end", "mean"), "population for per-capita")


@dataclass(frozen=True)
class Capital:
    delta: float = param(0.096, number(0, 1), "depreciation rate δ (Zhang, Wu & Zhang 2004)")
    init: str = param("steady_state", choice("steady_state", "zhang", "external"), "§1.3")
    n_growth: int = param(5, integer(1, 50), "years N of the steady-state growth g (§1.3)")
    investment: str = param("gfcf", TEXT, "investment series (§1.4)")
    deflator: str = param("invest_price_1952", TEXT, "investment price index (§1.5)")
    allow_negative: bool = param(False, BOOL, "keep published negative investment, flagged")
    first_year: int = param(1952, integer(1900, 2100), "first year of the PIM")
    g_fallback: str = param("national", choice("national", "none"), "§1.3 when g + δ ≤ 0.02")


@dataclass(frozen=True)
class Labour:
    series: str = param("total", choice("total", "urban_proxy"), "employment series (§3.1)")
    splice: str = param("ratio", choice("ratio", "none"), "2019/2020 census-vintage splice")
    proxy: list[str] = param(
        ["emp_urban_units", "emp_private", "emp_individual"], strings(), "urban_proxy's parts"
    )
    method: str = param("years", choice("years", "pwt", "count"), "quality: schooling (§3)")
    interp: str = param("linear", choice("linear", "none"), "schooling between census years")


@dataclass(frozen=True)
class Production:
    real_gdp: RealGdp = table(RealGdp)
    capital: Capital = table(Capital)
    labour: Labour = table(Labour)


@dataclass(frozen=True)
class Game:
    tol: float = param(1e-6, number(0, 1), "convergence of the game α (§9.6)")
    max_iter: int = param(1000, integer(1), "iterations of the game")
    start: str = param("aggressive", choice("aggressive", "benevolent", "arbitrary", "ccr"))
    accelerate: str = param("anderson", choice("anderson", "none"), "same fixed point, fewer LPs")


@dataclass(frozen=True)
class CrossEff:
    secondary: str = param(
        "aggressive", choice("aggressive", "benevolent", "none", "arbitrary"), "§9.5"
    )
    include_self: bool = param(True, BOOL, "e_j averages over all n raters")


WINDOW = Rule(
    (str, list),
    test=lambda v: (
        v == "longest"
        or (
            isinstance(v, list)
            and len(v) == 2
            and all(isinstance(y, int) for y in v)
            and v[0] <= v[1]
        )
    ),
    expect="'longest' or [first_year, last_year]",
)


@dataclass(frozen=True)
class Dea:
    inputs: list[str] = param(["capital_stock", "labour"], strings(), "§3.1 default specification")
    outputs: list[str] = param(["real_gdp"], strings())
    orientation: str = param("input", choice("input", "output"))
    rts: str = param("crs", choice("crs", "vrs", "nirs", "ndrs"), "the headline score's RTS")
    window: Any = param("longest", WINDOW, "balanced window of the DEA panel")
    proxies: dict[str, str] = param({}, TABLE, "variables that stand in for a concept")
    sensitivity: list[dict[str, Any]] = param([], Rule((list,), items=(dict,)), "alternatives")
    block_size: int = param(10_000, integer(2), "§9.1 blocks: DMUs per block of a larger year")
    crosseff: CrossEff = table(CrossEff)
    game: Game = table(Game)


@dataclass(frozen=True)
class MalmquistGame:
    tol: float = param(1e-6, number(0, 1), "game cross-efficiency of each year (§9.6)")
    max_iter: int = param(1000, integer(1))
    start: str = param("aggressive", choice("aggressive", "benevolent", "arbitrary", "ccr"))


@dataclass(frozen=True)
class Malmquist:
    orientation: str = param("input", choice("input", "output"), "under CRS M does not depend")
    frontier: str = param("adjacent", choice("adjacent", "fixed", "global", "sequential"))
    base: int = param(0, integer(0), "base period index for frontier = 'fixed'")
    decomposition: str = param("fgnz", choice("fgnz", "rd"), "§9.7")
    infeasible: str = param("nan", choice("nan", "global", "drop"))
    cross_efficiency: bool = param(True, BOOL, "also CC-Malmquist (§9.8)")
    game: MalmquistGame = table(MalmquistGame)
