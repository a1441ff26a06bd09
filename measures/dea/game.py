"""Game cross-efficiency (Liang, Wu, Cook & Zhu 2008, Operations Research 56(5): 1278–1288;
METHODS §9.6) and the single game LP used by the cross-efficiency Malmquist index (§9.8).

Public API
----------
``game_cross_efficiency(X, Y, *, tol=1e-6, max_iter=1000, start="aggressive",
accelerate="anderson", ...) -> GameResult``
    The fixed point α of α_j = (1/n) Σ_d α_dj(α_d), where α_dj(α_d) is the game LP
    max μ'y_j s.t. ω'x_l − μ'y_l ≥ 0 (all l), ω'x_j = 1, α_d ω'x_d − μ'y_d ≤ 0, ω, μ ≥ 0.
    Stops when max_j |F(α)_j − α_j| < tol and reports F(α) (= "α^{t+1}" of §9.6 step 3).

``game_lp_values(X_ref, Y_ref, alpha_ref, X_eval, Y_eval) -> GameLPValues``
    For every player d of a reference game with converged α_ref and every evaluated point o
    (e.g. another period's observations): value[d, o] = max μ'y_o s.t. ω'x_o = 1,
    ω'x_l − μ'y_l ≥ 0 for the reference DMUs l, α_ref_d ω'x_d − μ'y_d ≤ 0 (§9.8 G^a(b)).
    G^a(b)_o = value[:, o].mean(). With X_eval = X_ref this reproduces the game matrix.

``game_lp_value(X_ref, Y_ref, alpha_ref, x_eval, y_eval, d) -> (value, status)``
    The same LP for one (d, o) pair.

Implementation: data are divided by column means (values invariant). Each evaluated point o
owns one persistent HiGHS model; moving to player d changes only the m + s coefficients of the
player row, and the simplex restarts from the previous basis. Rows ω'x_l − μ'y_l ≥ 0 of
CCR-inefficient DMUs l are dropped (implied for ω, μ ≥ 0: each such DMU is dominated by a
non-negative combination of efficient ones), which leaves the optimal values unchanged.

Acceleration (``accelerate="anderson"``, DEFAULT): the plain iteration α ← F(α) converges
linearly and oscillates (F is decreasing in α); Anderson mixing (memory 5) with iterates
clipped to [0, θ*] reaches the same fixed point in a fraction of the LP solves. The stopping
rule and the reported α = F(α) are those of §9.6 in both modes; ``accelerate=None`` runs the
plain iteration of the paper.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from measures.dea._highs import INF, new_highs, pass_lp, status_name
from measures.dea.batch_game import batch_game_values
from measures.dea.crosseff import cross_efficiency, efficient_rows, scale_by_means
from measures.dea.radial import radial_efficiency


class GameConvergenceError(RuntimeError):
    """The game iteration did not reach the tolerance within max_iter, or an LP failed."""


@dataclass
class GameResult:
    """scores: α_j (n,); alpha_matrix[d, j] = α_dj at the last evaluation; theta: CCR θ*;
    start: the start vector α^1; iterations: number of F evaluations (one = n² LPs);
    trace: max_j |F(α)_j − α_j| per evaluation; converged; lp_count (LPs run, with
    lp_retries: the cold re-runs after a non-optimal warm start); status: "optimal" or the
    first non-optimal LP status met."""

    scores: np.ndarray
    alpha_matrix: np.ndarray
    theta: np.ndarray
    start: np.ndarray
    iterations: int
    trace: list[float] = field(default_factory=list)
    converged: bool = True
    lp_count: int = 0
    status: str = "optimal"
    accelerate: str | None = "anderson"
    lp_retries: int = 0


@dataclass
class GameLPValues:
    """value[d, o] and status[d, o] of the game LP of player d for evaluated point o."""

    value: np.ndarray
    status: np.ndarray

    @property
    def scores(self) -> np.ndarray:
        """G_o = (1/n) Σ_d value[d, o] (NaN if any LP of o failed)."""
        return self.value.mean(axis=0)


class _GameModel:
    """Persistent HiGHS model for one evaluated point (xo, yo) against reference rows.
    Columns [ω (m), μ (s)]; rows: μ'y_l − ω'x_l ≤ 0 (l in rows), ω'xo = 1, player row."""

    def __init__(self, Xs: np.ndarray, Ys: np.ndarray, rows: np.ndarray, xo, yo):
        m, s = Xs.shape[1], Ys.shape[1]
        self.m, self.s = m, s
        k = rows.size
        A = np.zeros((k + 2, m + s))
        A[:k, :m] = -Xs[rows]
        A[:k, m:] = Ys[rows]
        A[k, :m] = xo
        rl = np.r_[np.full(k, -INF), 1.0, -INF]
        ru = np.r_[np.zeros(k), 1.0, 0.0]
        self.h = new_highs()
        cost = np.r_[np.zeros(m), -np.asarray(yo, dtype=float)]  # maximise μ'yo
        pass_lp(self.h, cost, np.zeros(m + s), np.full(m + s, INF), rl, ru, A)
        self.prow = k + 1
        self.lp_count = 0
        self.retries = 0

    def solve(self, xd: np.ndarray, yd: np.ndarray, alpha_d: float) -> tuple[float, str]:
        h, m, s, pr = self.h, self.m, self.s, self.prow
        for i in range(m):
            h.changeCoeff(pr, i, float(alpha_d * xd[i]))
        for r in range(s):
            h.changeCoeff(pr, m + r, -float(yd[r]))
        h.run()
        self.lp_count += 1
        st = status_name(h.getModelStatus())
        if st != "optimal":
            h.clearSolver()
            h.run()
            self.lp_count += 1
            self.retries += 1
            st = status_name(h.getModelStatus())
        if st != "optimal":
            return np.nan, st
        return -h.getInfo().objective_function_value, st


def _rows_for(Xs: np.ndarray, Ys: np.ndarray, reduce_rows: bool) -> np.ndarray:
    if not reduce_rows:
        return np.arange(Xs.shape[0])
    return efficient_rows(radial_efficiency(Xs, Ys).score)


class _Models:
    """The persistent `_GameModel` of each evaluated point, built on first use (the batched
    pass leaves most points none to solve); lp_count includes the batched LPs."""

    def __init__(self, Xs: np.ndarray, Ys: np.ndarray, rows: np.ndarray, Xe, Ye):
        self.Xs, self.Ys, self.rows, self.Xe, self.Ye = Xs, Ys, rows, Xe, Ye
        self._built: dict[int, _GameModel] = {}
        self.batch_lps = 0

    def __len__(self) -> int:
        return self.Xe.shape[0]

    def __getitem__(self, j: int) -> _GameModel:
        if j not in self._built:  # threads work on disjoint j
            self._built[j] = _GameModel(self.Xs, self.Ys, self.rows, self.Xe[j], self.Ye[j])
        return self._built[j]

    @property
    def lp_count(self) -> int:
        return self.batch_lps + sum(m.lp_count for m in self._built.values())

    @property
    def retries(self) -> int:
        return sum(m.retries for m in self._built.values())


def _eval_block(models, js, Xs, Ys, alpha, out_val, out_st, shrink, todo):
    for j in js:
        for d in np.flatnonzero(todo[:, j]):
            mdl = models[int(j)]
            val, st = mdl.solve(Xs[d], Ys[d], alpha[d])
            if st != "optimal" and shrink:
                val, st = mdl.solve(Xs[d], Ys[d], alpha[d] - 1e-9)
            out_val[d, j] = val
            out_st[d, j] = st


def _evaluate(models: _Models, Xs, Ys, alpha, n_jobs, shrink=True):
    """α_dj of every player d and evaluated point j: batched (`batch_game_values`), then
    HiGHS for the LPs the batch leaves."""
    val, ok = batch_game_values(Xs, Ys, models.rows, models.Xe, models.Ye, alpha)
    models.batch_lps += int(ok.sum())
    st = np.full(ok.shape, None, dtype=object)
    st[ok] = "optimal"
    js = np.flatnonzero(~ok.all(axis=0))
    if n_jobs <= 1 or js.size < 8:
        _eval_block(models, js, Xs, Ys, alpha, val, st, shrink, ~ok)
    else:
        with ThreadPoolExecutor(n_jobs) as ex:
            futs = [
                ex.submit(_eval_block, models, c, Xs, Ys, alpha, val, st, shrink, ~ok)
                for c in np.array_split(js, n_jobs)
            ]
            for f in futs:
                f.result()
    return val, st


def game_lp_values(
    X_ref: ArrayLike,
    Y_ref: ArrayLike,
    alpha_ref: ArrayLike,
    X_eval: ArrayLike,
    Y_eval: ArrayLike,
    *,
    reduce_rows: bool = True,
    n_jobs: int = 1,
) -> GameLPValues:
    """value[d, o] of the game LP of player d (α_d = alpha_ref[d]) for evaluated point o
    against the reference technology (METHODS §9.8). See the module docstring."""
    X_ref = np.asarray(X_ref, dtype=float)
    Y_ref = np.asarray(Y_ref, dtype=float)
    X_eval = np.atleast_2d(np.asarray(X_eval, dtype=float))
    Y_eval = np.atleast_2d(np.asarray(Y_eval, dtype=float))
    alpha_ref = np.asarray(alpha_ref, dtype=float)
    mx, my = X_ref.mean(0), Y_ref.mean(0)
    mx, my = np.where(mx > 0, mx, 1.0), np.where(my > 0, my, 1.0)
    Xs, Ys = X_ref / mx, Y_ref / my
    Xe, Ye = X_eval / mx, Y_eval / my
    rows = _rows_for(Xs, Ys, reduce_rows)
    val, st = _evaluate(_Models(Xs, Ys, rows, Xe, Ye), Xs, Ys, alpha_ref, n_jobs, shrink=False)
    return GameLPValues(value=val, status=st.astype(str))


def game_lp_value(
    X_ref: ArrayLike,
    Y_ref: ArrayLike,
    alpha_ref: ArrayLike,
    x_eval: ArrayLike,
    y_eval: ArrayLike,
    d: int,
) -> tuple[float, str]:
    """One game LP: player d of the reference game, evaluated point (x_eval, y_eval)."""
    X_ref = np.asarray(X_ref, dtype=float)
    Y_ref = np.asarray(Y_ref, dtype=float)
    mx, my = X_ref.mean(0), Y_ref.mean(0)
    mx, my = np.where(mx > 0, mx, 1.0), np.where(my > 0, my, 1.0)
    Xs, Ys = X_ref / mx, Y_ref / my
    rows = _rows_for(Xs, Ys, True)
    mdl = _GameModel(Xs, Ys, rows, np.asarray(x_eval) / mx, np.asarray(y_eval) / my)
    return mdl.solve(Xs[d], Ys[d], float(np.asarray(alpha_ref)[d]))


def game_cross_efficiency(
    X: np.ndarray,
    Y: np.ndarray,
    *,
    tol: float = 1e-6,
    max_iter: int = 1000,
    start: str | np.ndarray = "aggressive",
    accelerate: str | None = "anderson",
    memory: int = 5,
    reduce_rows: bool = True,
    n_jobs: int = 1,
    on_max_iter: str = "raise",
    progress: Callable[[int, float], None] | None = None,
) -> GameResult:
    """Game cross-efficiency (METHODS §9.6).

    start: "aggressive" (DEFAULT), "benevolent", "arbitrary" — the average cross-efficiency
        of §9.5 with that secondary goal — "ccr" (θ*), or an explicit vector α^1.
    tol: stop when max_j |α_j^{t+1} − α_j^t| < tol.  max_iter: cap on F evaluations
        (each is n² LPs); ``on_max_iter="raise"`` (DEFAULT) raises GameConvergenceError,
        "return" returns with converged=False.
    accelerate: "anderson" (DEFAULT) or None (plain iteration of the paper).
    An infeasible LP (α_d above d's attainable efficiency by round-off) is retried once with
    α_d − 1e-9; if it still fails, GameConvergenceError is raised.
    progress: called as progress(iteration, max|Δα|) after each F evaluation (reporting only;
        the results do not depend on it).
    """
    Xs, Ys = scale_by_means(X, Y)
    n = Xs.shape[0]
    theta = radial_efficiency(Xs, Ys).score
    if np.any(~np.isfinite(theta)):
        raise GameConvergenceError("CCR efficiency is not defined for every DMU")
    if isinstance(start, str):
        if start == "ccr":
            a0 = theta.copy()
        else:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a0 = cross_efficiency(Xs, Ys, secondary=start).scores
    else:
        a0 = np.asarray(start, dtype=float).copy()
        if a0.shape != (n,):
            raise ValueError("start vector must have one value per DMU")
    a0 = np.minimum(a0, theta)
    rows = _rows_for(Xs, Ys, reduce_rows) if reduce_rows else np.arange(n)
    models = _Models(Xs, Ys, rows, Xs, Ys)

    def F(alpha):
        val, st = _evaluate(models, Xs, Ys, alpha, n_jobs)
        bad = st != "optimal"
        if bad.any():
            d, j = np.argwhere(bad)[0]
            raise GameConvergenceError(
                f"game LP (j={j}, d={d}) is {st[d, j]} at alpha_d={float(alpha[d]):.6g}"
            )
        return val.mean(axis=0), val

    x = a0.copy()
    trace: list[float] = []
    dR: list[np.ndarray] = []
    dG: list[np.ndarray] = []
    prev_r = prev_g = None
    it = 0
    converged = False
    M: Any
    g, M = x, None
    while it < max_iter:
        g, M = F(x)
        it += 1
        r = g - x
        res = float(np.max(np.abs(r)))
        trace.append(res)
        if progress is not None:
            progress(it, res)
        if res < tol:
            converged = True
            break
        if accelerate == "anderson":
            if prev_r is not None:
                dR.append(r - prev_r)
                dG.append(g - prev_g)
                if len(dR) > memory:
                    dR.pop(0)
                    dG.pop(0)
            prev_r, prev_g = r, g
            if dR:
                Rm = np.column_stack(dR)
                Gm = np.column_stack(dG)
                gamma, *_ = np.linalg.lstsq(Rm, r, rcond=None)
                x_new = g - Gm @ gamma
                # restart the memory when the extrapolation leaves the box by much
                if np.any(x_new > theta + 1e-3) or np.any(x_new < -1e-3):
                    dR.clear()
                    dG.clear()
                    x_new = g
                x = np.clip(x_new, 0.0, theta)
            else:
                x = g
        elif accelerate is None:
            x = g
        else:
            raise ValueError("accelerate must be 'anderson' or None")
    if not converged and on_max_iter == "raise":
        raise GameConvergenceError(
            f"game cross-efficiency did not converge in {max_iter} iterations "
            f"(last max|Δα| = {trace[-1]:.3g})"
        )
    if np.any(g > theta + 1e-8):
        raise GameConvergenceError("game cross-efficiency exceeds CCR efficiency (check data)")
    return GameResult(
        scores=g,
        alpha_matrix=M,
        theta=theta,
        start=a0,
        iterations=it,
        trace=trace,
        converged=converged,
        lp_count=models.lp_count,
        lp_retries=models.retries,
        accelerate=accelerate,
    )
