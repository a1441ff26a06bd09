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

LPs (§9.7 "Solving"): all radial LPs of the index — every (technology, evaluated period) —
in one batch per returns to scale (``measures.dea.batch_panel``: single-column starts, column
generation, numpy simplex over all of them at once); the shared radial engine
``measures.dea.radial.radial_efficiency`` (HiGHS) solves the LPs the batch leaves (no start,
e.g. VRS cross-period, or not finished) and reports their status.

Layout (scipy-style): `results` (result types, component names, `PanelDataError`),
`frontiers` (reference technologies and the grouped LP solves), `decomposition` (index and
components from the efficiencies, global fallback), `index` (`malmquist`), `cc`
(`cc_malmquist`), `panel` (`panel_arrays`, `malmquist_panel`).
"""

from __future__ import annotations

from measures.malmquist.cc import cc_malmquist
from measures.malmquist.index import malmquist
from measures.malmquist.panel import malmquist_panel, panel_arrays
from measures.malmquist.results import (
    CC_COMPONENTS,
    COMPONENTS,
    DECOMPOSITIONS,
    FRONTIERS,
    INFEASIBLE,
    CCResult,
    MalmquistResult,
    PanelDataError,
)

__all__ = [
    "CC_COMPONENTS",
    "COMPONENTS",
    "DECOMPOSITIONS",
    "FRONTIERS",
    "INFEASIBLE",
    "CCResult",
    "MalmquistResult",
    "PanelDataError",
    "cc_malmquist",
    "malmquist",
    "malmquist_panel",
    "panel_arrays",
]
