"""Parameters of the regional-structure block: entropy composites (METHODS §4), inequality (§5),
coupling coordination (§6) and composite-system synergy (§7) — config/structure.toml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbec.params.spec import (
    BOOL,
    TABLE,
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

NUMBERS = Rule((list,), items=(int, float))
PAIRS = Rule((list,), items=(list,), expect="a list of [subsystem, subsystem] lists")


@dataclass(frozen=True)
class Entropy:
    scope: str = param("pooled", choice("pooled", "by_year"), "time-entropy weights (§4.3)")
    normalise: str = param("minmax", choice("minmax", "sum"), "§4.1")
    shift: str = param("add", choice("add", "rescale", "none"), "z + ε, a + (b − a)z or none")
    epsilon: float = param(1e-4, number(0, 1), "the shift of `add`")
    rescale: list[float] = param([0.01, 0.99], NUMBERS, "[a, b] of `rescale`")
    score: str = param("z", choice("z", "p"), "S = Σ w z' (DEFAULT) or Σ w p")
    scale: float = param(1.0, number(0), "100 gives the ×100 form")


@dataclass(frozen=True)
class Inequality:
    region_scheme: str = param("nbs4", choice("nbs4", "belt3", "belt3_1986"), "§5.3 groups")
    extra_schemes: list[str] = param([], strings(), "decompositions for these schemes too")
    ddof: int = param(0, integer(0, 1), "CV standard deviation")
    small_sample: bool = param(False, BOOL, "Gini × n/(n − 1)")
    weight: str = param("population", TEXT, "weights of the *_weighted measures ('' = none)")
    dagum: bool = param(True, BOOL, "Dagum (1997) decomposition by region")
    composites: bool = param(True, BOOL, "also the composite indices of every subsystem")
    variables: list[dict[str, Any]] = param([], Rule((list,), items=(dict,)), "ratio variables")
    region_map: dict[str, str] = param({}, TABLE, "{code: group} for non-province units")


@dataclass(frozen=True)
class Coupling:
    c_model: str = param("traditional", choice("traditional", "wang2021", "liao_k"), "§6.1")
    liao_k: float = param(2.0, number(0), "k of the liao_k model")
    weights: Any = param(
        "equal",
        Rule(
            (str, dict),
            test=lambda v: v == "equal" or isinstance(v, dict),
            expect="'equal' or a table of α per subsystem",
        ),  # fmt: skip
        "α of T (§6.2)",
    )
    d_scale: str = param("ten_level", choice("ten_level", "user"), "grading of D (§6.3)")
    cuts: list[float] = param([], NUMBERS, "upper bounds of the grades of d_scale = 'user'")
    labels: list[str] = param([], strings(), "labels of the grades of d_scale = 'user'")
    lag_rule: str = param("ratio", choice("ratio", "diff"), "§6.4")
    lag_thresholds: list[float] = param([0.8, 1.2], NUMBERS, "E thresholds of `ratio`")
    lag_diff: float = param(0.1, number(0), "threshold of `diff`")
    pairs: list[list[str]] = param([], PAIRS, "subsystem pairs")
    include_all: bool = param(True, BOOL, "also all subsystems together")


@dataclass(frozen=True)
class Synergy:
    subsystems: list[str] = param([], strings(), "order parameters' subsystems ([] = first two)")
    bounds: str = param("sample", choice("sample", "expand10", "user"), "§7.1")
    user_bounds: dict[str, Any] = param({}, TABLE, "bounds of bounds = 'user'")
    clip: bool = param(False, BOOL)
    method: str = param("geometric", choice("geometric", "linear"), "§7.2")
    bases: list[str] = param(["previous"], strings(), "previous and/or fixed")
    base_year: int | None = param(None, integer(1900, 2100), "fixed base (None = first year)")


@dataclass(frozen=True)
class Structure:
    entropy: Entropy = table(Entropy)
    inequality: Inequality = table(Inequality)
    coupling: Coupling = table(Coupling)
    synergy: Synergy = table(Synergy)


__all__ = ["YEAR_PAIR", "Coupling", "Entropy", "Inequality", "Structure", "Synergy"]
