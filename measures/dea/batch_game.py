"""Batched game LPs (METHODS §9.6, §9.8): the values α_dj of every (player d, evaluated point
o) pair of one game evaluation, all LPs pivoted together (`_batch_simplex.solve_batch`).
Internal to measures.dea: `game._evaluate` calls `batch_game_values` first and solves what
it leaves (``ok`` False) with its persistent HiGHS models.

The game LP  max μ'y_o  s.t.  μ'y_l − ω'x_l ≤ 0 (l in the reference rows), ω'x_o = 1,
α_d ω'x_d − μ'y_d ≤ 0, ω, μ ≥ 0  has the LP dual (strong duality: the same optimal value)

    min θ  s.t.  Σ_l λ_l x_l − κ α_d x_d ≤ θ x_o,  Σ_l λ_l y_l − κ y_d ≥ y_o,  λ, κ ≥ 0,

the CCR input envelopment LP of o (§9.1) against the reference rows plus one column
(−α_d x_d, −y_d) of player d. It is built by `_batch_simplex.radial_tableau` with one
reference per LP, started from o's single-column CCR start (`batch_radial`; κ = 0), solved
over all its columns (the rows are the few CCR-efficient DMUs), and accepted only with its
certificate b'π = primal. The tableau keeps θ ≥ 0; that changes nothing where the game LP
is feasible (its value μ'y_o is then > 0 for α_d > 0). An α_d above d's attainable efficiency
makes the game LP infeasible and the dual unbounded, which the θ ≥ 0 tableau shows as an
optimum θ = 0 (the recession ray reaches it from every point): LPs with a value ≤ POSITIVE
are not ok and go to HiGHS, which reports the status.
"""

from __future__ import annotations

import numpy as np

from measures.dea._batch_simplex import radial_tableau, solve_batch
from measures.dea.batch_radial import _duals, _start_basis, _start_columns

BLOCK = 4096  # LPs per batch (memory BLOCK·(rows + 1)·(m + s) floats for the tableau)
POSITIVE = 1e-9  # a batch value at or below this is the unbounded dual (module docstring)


def batch_game_values(
    Xs: np.ndarray,
    Ys: np.ndarray,
    rows: np.ndarray,
    Xe: np.ndarray,
    Ye: np.ndarray,
    alpha: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(value (n, n_eval), ok (n, n_eval)) of the game LP of every player d = 0..n−1 of the
    reference (Xs, Ys; scaled, α_d = alpha[d]) for every evaluated point (Xe, Ye) (module
    docstring). Needs strictly positive data; otherwise nothing is ok."""
    n, n_e = Xs.shape[0], Xe.shape[0]
    val = np.full((n, n_e), np.nan)
    ok = np.zeros((n, n_e), dtype=bool)
    if min(a.min() for a in (Xs, Ys, Xe, Ye)) <= 0 or rows.size == 0:
        return val, ok
    Xr, Yr = Xs[rows], Ys[rows]
    start = _start_columns(Xr, Yr, Xe, Ye, "input", "crs")  # o's CCR start (κ = 0)
    d_all, o_all = np.divmod(np.arange(n * n_e), n_e)
    for a in range(0, n * n_e, BLOCK):
        d, o = d_all[a : a + BLOCK], o_all[a : a + BLOCK]
        v, good = _solve(Xr, Yr, Xs[d] * alpha[d][:, None], Ys[d], Xe[o], Ye[o], start[o])
        val[d, o] = v
        ok[d, o] = good
    return val, ok


def _solve(Xr, Yr, xp, yp, xo, yo, start) -> tuple[np.ndarray, np.ndarray]:
    """K game LPs: reference rows (Xr, Yr) plus the player column (−xp, −yp) per LP."""
    K, n_r = xo.shape[0], Xr.shape[0]
    Xk = np.concatenate([np.broadcast_to(Xr, (K, *Xr.shape)), -xp[:, None, :]], axis=1)
    Yk = np.concatenate([np.broadcast_to(Yr, (K, *Yr.shape)), -yp[:, None, :]], axis=1)
    A, b, c = radial_tableau(Xk, Yk, xo, yo, "input", "crs")
    basis = _start_basis(Xr[start], Yr[start], xo, yo, start, n_r + 1, "input", "crs")
    final = basis.copy()
    obj, solved = solve_batch(A, b, c, basis, final_basis=final)
    _, certified = _duals(A, b, c, final, obj)  # b'π = primal, as for the radial batch
    return obj, solved & certified & (obj > POSITIVE)
