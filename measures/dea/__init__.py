"""Data envelopment analysis (METHODS §9.1–9.6).

- `radial.radial_efficiency` — CCR/BCC/NIRS/NDRS envelopment LPs, two phases, super-efficiency
  (fast direct HiGHS path with column generation; cvxpy DPP path behind the same interface).
- `models.dea_model`, `models.scale_efficiency` — user-level results: slacks, targets, peers, RTS.
- `sbm.sbm`, `sbm.super_sbm`, `sbm.sbm_with_super` — Tone (2001, 2002).
- `crosseff.cross_efficiency` — arbitrary / aggressive / benevolent cross-efficiency.
- `game.game_cross_efficiency`, `game.game_lp_values`, `game.game_lp_value` — Liang et al. (2008)
  game cross-efficiency and the single game LP used by CC-Malmquist (§9.8).
"""

from measures.dea.crosseff import CrossEffResult, cross_efficiency
from measures.dea.game import (
    GameConvergenceError,
    GameLPValues,
    GameResult,
    game_cross_efficiency,
    game_lp_value,
    game_lp_values,
)
from measures.dea.models import DEAModelResult, dea_model, scale_efficiency
from measures.dea.radial import RadialResult, radial_efficiency
from measures.dea.sbm import SBMResult, sbm, sbm_with_super, super_sbm

__all__ = [
    "CrossEffResult",
    "DEAModelResult",
    "GameConvergenceError",
    "GameLPValues",
    "GameResult",
    "RadialResult",
    "SBMResult",
    "cross_efficiency",
    "dea_model",
    "game_cross_efficiency",
    "game_lp_value",
    "game_lp_values",
    "radial_efficiency",
    "sbm",
    "sbm_with_super",
    "scale_efficiency",
    "super_sbm",
]
