"""CC-Malmquist on game cross-efficiency (METHODS §9.8, Liang et al. 2008 games)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from measures.dea.game import game_cross_efficiency, game_lp_values
from measures.malmquist.decomposition import _geo
from measures.malmquist.results import CCResult


def cc_malmquist(
    X: ArrayLike,
    Y: ArrayLike,
    *,
    tol: float = 1e-6,
    start: str | np.ndarray = "aggressive",
    max_iter: int = 1000,
    n_jobs: int = 1,
    g_own: ArrayLike | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CCResult:
    """CC-Malmquist on game cross-efficiency (METHODS §9.8) for adjacent period pairs.
    LP count: every game's LPs plus 2n² cross-period game LPs per adjacent pair.
    g_own: the converged own-period game scores (T, n), when each period's game (§9.6, same
    tol/start/max_iter) was already solved elsewhere — e.g. once per year, shared by the
    pairs; the games are then not rerun (`game_iterations` stays empty, not counted in LPs).
    progress: optional `progress(done, total)` after each period's game and each pair (results
    unchanged)."""
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    T, n = X.shape[:2]
    P = T - 1
    its: list[int] = []
    conv: list[bool] = []
    lp = 0
    steps = P + (0 if g_own is not None else T)

    def tick() -> None:
        if progress is not None:
            progress(len(its) + done_pairs[0], steps)

    done_pairs = [0]
    if g_own is not None:
        g_own = np.asarray(g_own, dtype=float)
        if g_own.shape != (T, n):
            raise ValueError(f"g_own has shape {g_own.shape}, expected {(T, n)}")
    else:
        g_own = np.empty((T, n))
        for t in range(T):
            g = game_cross_efficiency(
                X[t], Y[t], tol=tol, start=start, max_iter=max_iter, n_jobs=n_jobs
            )
            g_own[t] = g.scores
            its.append(g.iterations)
            conv.append(g.converged)
            lp += g.lp_count
            tick()
    g_fwd = np.empty((P, n))
    g_bwd = np.empty((P, n))
    status = np.full((n, P), "optimal", dtype=object)
    for p in range(P):
        f = game_lp_values(X[p], Y[p], g_own[p], X[p + 1], Y[p + 1], n_jobs=n_jobs)
        b = game_lp_values(X[p + 1], Y[p + 1], g_own[p + 1], X[p], Y[p], n_jobs=n_jobs)
        lp += f.value.size + b.value.size
        g_fwd[p] = f.scores
        g_bwd[p] = b.scores
        bad = np.any(f.status != "optimal", axis=0) | np.any(b.status != "optimal", axis=0)
        status[bad, p] = "infeasible"
        done_pairs[0] += 1
        tick()
    with np.errstate(invalid="ignore", divide="ignore"):
        cc = _geo(g_fwd, g_own[:-1], g_own[1:], g_bwd)
        ec = g_own[1:] / g_own[:-1]
        tc = cc / ec
    return CCResult(
        cc_mi=cc.T.copy(),
        ec_cc=ec.T.copy(),
        tc_cc=tc.T.copy(),
        g_own=g_own,
        g_fwd=g_fwd,
        g_bwd=g_bwd,
        game_iterations=its,
        game_converged=conv,
        lp_count=int(lp),
        status=status,
    )
