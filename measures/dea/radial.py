"""Radial DEA in envelopment form: CCR (CRS), BCC (VRS), NIRS, NDRS; input and output
orientation; two phases (max slacks); Andersen–Petersen exclusion (METHODS §9.1, §9.4).

Public API
----------
``radial_efficiency(X_ref, Y_ref, X_eval=None, Y_eval=None, *, orientation, rts,
exclude_self, ...) -> RadialResult``: phase-1 radial scores (θ for input, φ ≥ 1 for output
orientation) and, with ``two_phase=True``, max-slack phase-2 slacks.

Two interchangeable back ends solve the same LPs (a test proves they agree to 1e-9):

* ``backend="highs"`` (DEFAULT). With ``batch=True`` (DEFAULT; any rts, positive data)
  all LPs are first solved together by `measures.dea.batch_two_phase` (numpy simplex,
  certificates; also super-efficiency); the rest go to one persistent ``highspy`` model per
  shape: per DMU only the θ/φ coefficients and right-hand sides change, warm-started.
  Columns are generated on demand from a shared candidate set; pricing over the
  non-dominated reference DMUs (`measures.dea._sparse`) proves the restricted optimum
  optimal. Phase 2 fixes θ*/φ* and re-optimises from the phase-1 basis with a final
  pricing check; it is skipped when every slack's phase-1 reduced cost is > 0 (max-slacks
  0). A restricted LP that is infeasible is re-solved with all columns before "infeasible"
  is reported. ``n_jobs`` > 1: threads (HiGHS releases the GIL). λ is sparse per DMU.
* ``backend="cvxpy"``: cvxpy DPP, one compiled problem per shape re-solved per DMU (HiGHS).

Conventions: data are scaled by reference column means internally (scores are invariant);
phase-2 slacks maximise the unweighted sum of slacks in the *original units* (DEAP, deaR).
Infeasible / unbounded LPs give NaN with the solver status — never Inf, never 1.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from measures.dea._highs import INF, add_dense_cols, new_highs, pass_lp, status_name
from measures.dea._progress import Counter, ProgressFn
from measures.dea._radial_base import ORIENTATIONS, RTS, RadialResult, _check, _col_scale
from measures.dea._sparse import (
    DENSE_LAMBDA_MAX,
    build_lambdas,
    initial_candidates,
    pricing_pool,
)
from measures.dea.batch_two_phase import solve_batched

__all__ = ["ORIENTATIONS", "RTS", "RadialResult", "radial_efficiency"]

# phase 2 is skipped when every slack column's phase-1 reduced cost exceeds this (scaled data):
# by complementary slackness every optimal phase-1 solution then has zero slacks, so the
# max-slack optimum is 0 and the phase-1 λ is a phase-2 optimum (METHODS §9.1)
PHASE2_SKIP_TOL = 1e-9


class _Engine:
    """Persistent HiGHS envelopment model with column generation (see module docstring).

    Columns: 0 = θ (input) / φ (output); 1..m = s⁻; m+1..m+s = s⁺; then λ for candidate DMUs.
    Rows: m input rows, s output rows, [+1 returns-to-scale row].
    """

    def __init__(
        self,
        Xs: np.ndarray,
        Ys: np.ndarray,
        orientation: str,
        rts: str,
        w_in: np.ndarray,
        w_out: np.ndarray,
        initial: np.ndarray | None = None,
        price_tol: float = 1e-9,
        max_add: int = 8,
        pool: np.ndarray | None = None,
    ):
        self.n, self.m = Xs.shape
        self.s = Ys.shape[1]
        self.orientation = orientation
        self.rts = rts
        self.has_rts_row = rts != "crs"
        m, s = self.m, self.s
        cols = [Xs, Ys]
        if self.has_rts_row:
            cols.append(np.ones((self.n, 1)))
        self.A_all = np.ascontiguousarray(np.hstack(cols))  # (n, R): column j's coefficients
        self.R = self.A_all.shape[1]
        self.nfix = 1 + m + s
        self.price_tol = price_tol
        self.max_add = max_add
        # phase-1 and phase-2 costs of the fixed columns (minimisation)
        c1 = np.zeros(self.nfix)
        c1[0] = 1.0 if orientation == "input" else -1.0
        c2 = np.concatenate([[0.0], -w_in, -w_out])
        self.c1, self.c2 = c1, c2
        self.fix_idx = np.arange(self.nfix, dtype=np.int32)
        A = np.zeros((self.R, self.nfix))
        A[:m, 1 : 1 + m] = np.eye(m)
        A[m : m + s, 1 + m : 1 + m + s] = -np.eye(s)
        rl = np.zeros(self.R)
        ru = np.zeros(self.R)
        if self.has_rts_row:
            rl[-1], ru[-1] = {"vrs": (1.0, 1.0), "nirs": (-INF, 1.0), "ndrs": (1.0, INF)}[rts]
        self.h = new_highs()
        lo = np.zeros(self.nfix)
        lo[0] = -INF
        pass_lp(self.h, c1, lo, np.full(self.nfix, INF), rl, ru, A)
        self.pos = np.full(self.n, -1, dtype=np.int64)  # model column of ref DMU j
        self.cand: list[int] = []
        self.in_rows = np.arange(m, dtype=np.int32)
        self.out_rows = np.arange(m, m + s, dtype=np.int32)
        self.lp_count = 0
        self.phase2_skipped = 0
        # pricing scans only the pool (non-dominated DMUs: exact, see measures.dea._sparse)
        self.pool = np.arange(self.n) if pool is None else np.asarray(pool, dtype=np.int64)
        self.A_pool = np.ascontiguousarray(self.A_all[self.pool])
        self.pool_pos = np.full(self.n, -1, dtype=np.int64)
        self.pool_pos[self.pool] = np.arange(self.pool.size)
        self.pool_in = np.zeros(self.pool.size, dtype=bool)  # pool column already in the model
        if initial is None:
            initial = initial_candidates(Xs, Ys)
        self._add(np.asarray(initial, dtype=np.int64))
        # fallback model with every column, built on first use (see `solve`)
        self._full: _Engine | None = None
        self._full_args = (Xs, Ys, orientation, rts, w_in, w_out)

    @property
    def full(self) -> _Engine | None:
        if len(self.cand) == self.n:
            return None
        if self._full is None:
            self._full = _Engine(*self._full_args, initial=np.arange(self.n))
        return self._full

    # ------------------------------------------------------------------ columns
    def _add(self, js: np.ndarray) -> None:
        js = np.asarray([j for j in js if self.pos[j] < 0], dtype=np.int64)
        if js.size == 0:
            return
        start = self.nfix + len(self.cand)
        add_dense_cols(self.h, self.A_all[js])
        self.pos[js] = start + np.arange(js.size)
        self.cand.extend(int(j) for j in js)
        pp = self.pool_pos[js]
        self.pool_in[pp[pp >= 0]] = True

    def _run(self) -> str:
        self.h.run()
        self.lp_count += 1
        st = status_name(self.h.getModelStatus())
        if st != "optimal":
            # a warm start after coefficient changes can stall ("unknown") or, rarely, end in
            # a spurious infeasibility: confirm every non-optimal status from scratch
            self.h.clearSolver()
            self.h.run()
            self.lp_count += 1
            st = status_name(self.h.getModelStatus())
        return st

    def _solve_priced(self, skip: int | None) -> str:
        """Optimise, then price every reference column; add violated ones and repeat."""
        while True:
            st = self._run()
            if st != "optimal":
                return st
            pi = np.asarray(self.h.getSolution().row_dual)
            price = self.A_pool @ pi  # reduced cost of λ_j is -a_j'π (cost 0)
            price[self.pool_in] = -np.inf
            if skip is not None and self.pool_pos[skip] >= 0:
                price[self.pool_pos[skip]] = -np.inf
            thr = self.price_tol * max(1.0, float(np.max(np.abs(pi))))
            viol = np.flatnonzero(price > thr)
            if viol.size == 0:
                return st
            if viol.size > self.max_add:
                viol = viol[np.argpartition(-price[viol], self.max_add)[: self.max_add]]
            self._add(self.pool[viol])

    # ------------------------------------------------------------------ one DMU
    def _lam(self, cv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Non-zero λ of a solution vector as (reference DMU indices, values), sorted."""
        lam = cv[self.nfix : self.nfix + len(self.cand)]
        nz = np.flatnonzero(lam != 0)
        j = np.asarray(self.cand, dtype=np.int64)[nz]
        o = np.argsort(j)
        return j[o], lam[nz][o]

    def solve(self, xo: np.ndarray, yo: np.ndarray, skip: int | None, two_phase: bool):
        """Returns (score, status, (ref indices, λ) or None, s_in_scaled, s_out_scaled)."""
        h, m, s = self.h, self.m, self.s
        if self.orientation == "input":
            for i in range(m):
                h.changeCoeff(i, 0, -float(xo[i]))
            h.changeRowsBounds(s, self.out_rows, yo, yo)
        else:
            for r in range(s):
                h.changeCoeff(m + r, 0, -float(yo[r]))
            h.changeRowsBounds(m, self.in_rows, xo, xo)
        if skip is not None and self.pos[skip] >= 0:
            h.changeColBounds(int(self.pos[skip]), 0.0, 0.0)
        try:
            st = self._solve_priced(skip)
            if st in ("infeasible", "infeasible_or_unbounded") and self.full is not None:
                # a restricted LP can be infeasible when the full one is not (VRS/NIRS/NDRS):
                # decide on the full model, then keep its support as candidate columns
                res = self.full.solve(xo, yo, skip, two_phase)
                if res[2] is not None:
                    self._add(res[2][0])
                return res
            if st != "optimal":
                return np.nan, st, None, None, None
            sol = h.getSolution()
            val = float(sol.col_value[0])
            if two_phase:
                d = np.asarray(sol.col_dual[1 : self.nfix])
                if d.size and float(d.min()) > PHASE2_SKIP_TOL:
                    self.phase2_skipped += 1
                    cv = np.asarray(sol.col_value)
                    return val, "optimal", self._lam(cv), np.zeros(m), np.zeros(s)
                return self._phase2(val, skip)
            cv = np.asarray(sol.col_value)
            return val, "optimal", self._lam(cv), cv[1 : 1 + m], cv[1 + m : 1 + m + s]
        finally:
            if skip is not None and self.pos[skip] >= 0:
                h.changeColBounds(int(self.pos[skip]), 0.0, INF)

    def _phase2(self, val: float, skip: int | None):
        """Max-slack phase 2 at θ*/φ* = val in the same model, from the phase-1 basis."""
        h, m, s = self.h, self.m, self.s
        h.changeColsCost(self.nfix, self.fix_idx, self.c2)
        h.changeColBounds(0, val, val)
        st2 = self._solve_priced(skip)
        if st2 != "optimal":
            # θ* fixed exactly can be infeasible by rounding: relax by 1e-11 relative
            # in the direction that enlarges the phase-2 feasible set
            eps = 1e-11 * max(1.0, abs(val))
            lo, hi = (val, val + eps) if self.orientation == "input" else (val - eps, val)
            h.changeColBounds(0, lo, hi)
            st2 = self._solve_priced(skip)
        # read before restoring: a model change invalidates HiGHS' solution
        cv = np.asarray(h.getSolution().col_value)
        h.changeColsCost(self.nfix, self.fix_idx, self.c1)
        h.changeColBounds(0, -INF, INF)
        if st2 != "optimal":
            return val, "phase2_" + st2, None, None, None
        return val, "optimal", self._lam(cv), cv[1 : 1 + m], cv[1 + m : 1 + m + s]


def _solve_block(
    engine: _Engine,
    Xe: np.ndarray,
    Ye: np.ndarray,
    idx: np.ndarray,
    exclude_self: bool,
    two_phase: bool,
    want_lambdas: bool | str,
    out: dict,
    tick: Counter,
) -> None:
    for k in idx:
        skip = int(k) if exclude_self else None
        val, st, lam, sin, sout = engine.solve(Xe[k], Ye[k], skip, two_phase)
        out["score"][k] = val
        out["status"][k] = st
        if lam is not None:
            if want_lambdas:
                out["lambdas"][k] = lam
            if two_phase:
                out["s_in"][k] = sin
                out["s_out"][k] = sout
        tick.add()


def radial_efficiency(
    X_ref: ArrayLike,
    Y_ref: ArrayLike,
    X_eval: ArrayLike | None = None,
    Y_eval: ArrayLike | None = None,
    *,
    orientation: str = "input",
    rts: str = "crs",
    exclude_self: bool = False,
    two_phase: bool = False,
    return_lambdas: bool | str = False,
    backend: str = "highs",
    n_jobs: int = 1,
    progress: ProgressFn | None = None,
    batch: bool = True,
) -> RadialResult:
    """Radial DEA scores (METHODS §9.1; §9.4 Andersen–Petersen with ``exclude_self``).

    Parameters
    ----------
    X_ref, Y_ref : (n_ref, m), (n_ref, s) non-negative inputs / outputs spanning the technology.
    X_eval, Y_eval : (n_eval, m), (n_eval, s) points evaluated against it (default: the
        reference DMUs themselves). Points outside the technology get θ > 1 / φ < 1.
    orientation : "input" → score θ* = min θ; "output" → score φ* = max φ (≥ 1 inside the
        technology; the Farrell output efficiency is ``result.farrell`` = 1/φ*).
    rts : "crs" (CCR), "vrs" (BCC, Σλ = 1), "nirs" (Σλ ≤ 1), "ndrs" (Σλ ≥ 1).
    exclude_self : drop DMU o from its own reference set (super-efficiency; only when the
        evaluated DMUs are the reference DMUs). Under VRS this LP can be infeasible → NaN.
    two_phase : also solve phase 2 (max Σs⁻ + Σs⁺ at fixed θ*/φ*, original units) and
        return ``slack_in``/``slack_out``; lambdas then come from phase 2.
    return_lambdas : return λ: a dense (n_eval, n_ref) array when n_eval·n_ref ≤
        ``DENSE_LAMBDA_MAX`` (25 million cells, 200 MB), else a sparse
        `measures.dea._sparse.LambdaMatrix` (``L[k]`` dense row, ``L[k, j]``, ``L.csr``);
        ``"sparse"`` / ``"dense"`` force one form (highs back end).
    backend : "highs" (direct highspy, column generation; DEFAULT) or "cvxpy" (DPP model).
    n_jobs : threads for the highs back end (each thread owns its own model).
    progress : optional callback progress(done, n_eval) after each block of evaluated DMUs
        (reporting only; the cvxpy back end calls it once at the end).
    batch : solve the LPs together first (`batch_two_phase`; module docstring).

    Returns
    -------
    RadialResult with ``score`` (float64, NaN unless optimal), ``status`` (str per DMU),
    ``lambdas`` (or None), ``slack_in``/``slack_out`` (or None), ``lp_count``.
    """
    X_ref, Y_ref, X_eval, Y_eval = _check(
        X_ref, Y_ref, X_eval, Y_eval, orientation, rts, exclude_self
    )
    if backend == "cvxpy":
        from measures.dea.cvx import radial_cvxpy

        res = radial_cvxpy(X_ref, Y_ref, X_eval, Y_eval, orientation=orientation, rts=rts,
                           exclude_self=exclude_self, two_phase=two_phase,
                           return_lambdas=bool(return_lambdas))  # fmt: skip
        if progress is not None:
            progress(len(res.score), len(res.score))
        return res
    if backend != "highs":
        raise ValueError(f"backend must be 'highs' or 'cvxpy', got {backend!r}")
    return _radial_highs(X_ref, Y_ref, X_eval, Y_eval, orientation=orientation, rts=rts,
                         exclude_self=exclude_self, two_phase=two_phase,
                         return_lambdas=return_lambdas, n_jobs=n_jobs,
                         tick=Counter(progress, X_eval.shape[0]), batch=batch)  # fmt: skip


def _radial_highs(X_ref: np.ndarray, Y_ref: np.ndarray, X_eval: np.ndarray,
                  Y_eval: np.ndarray, *, orientation: str, rts: str, exclude_self: bool,
                  two_phase: bool, return_lambdas: bool | str, n_jobs: int,
                  tick: Counter, batch: bool) -> RadialResult:  # fmt: skip
    """The highs back end of `radial_efficiency` on checked data."""
    n_ref, m = X_ref.shape
    s = Y_ref.shape[1]
    n_eval = X_eval.shape[0]
    sx, sy = _col_scale(X_ref), _col_scale(Y_ref)
    Xs, Ys = X_ref / sx, Y_ref / sy
    Xe, Ye = X_eval / sx, Y_eval / sy
    out: dict[str, Any] = {
        "score": np.full(n_eval, np.nan),
        "status": np.empty(n_eval, dtype=object),
        "lambdas": [None] * n_eval if return_lambdas else None,
        "s_in": np.full((n_eval, m), np.nan) if two_phase else None,
        "s_out": np.full((n_eval, s), np.nan) if two_phase else None,
    }
    pool = pricing_pool(Xs, Ys, exclude_self)
    order = np.arange(n_eval)
    if batch:
        order = solve_batched(Xs, Ys, Xe, Ye, pool, orientation=orientation, rts=rts, w_in=sx,
                              w_out=sy, two_phase=two_phase, exclude_self=exclude_self, out=out,
                              tick=tick)  # fmt: skip
    n_jobs = max(1, min(int(n_jobs), order.size // 200 + 1)) if order.size else 0
    init = initial_candidates(Xs, Ys) if n_jobs else None
    engines = [_Engine(Xs, Ys, orientation, rts, sx, sy, init, pool=pool) for _ in range(n_jobs)]
    if n_jobs == 1:
        _solve_block(engines[0], Xe, Ye, order, exclude_self, two_phase, return_lambdas, out,
                     tick)  # fmt: skip
    elif n_jobs:
        chunks = np.array_split(order, n_jobs)
        with ThreadPoolExecutor(n_jobs) as ex:
            futs = [
                ex.submit(
                    _solve_block, e, Xe, Ye, c, exclude_self, two_phase, return_lambdas, out, tick
                )
                for e, c in zip(engines, chunks, strict=True)
            ]
            for f in futs:
                f.result()
    lambdas = None
    if return_lambdas:
        dense = return_lambdas == "dense" or (
            return_lambdas != "sparse" and n_eval * n_ref <= DENSE_LAMBDA_MAX
        )
        lambdas = build_lambdas(out["lambdas"], n_ref, dense)
    return RadialResult(
        score=out["score"],
        status=out["status"].astype(str),
        lambdas=lambdas,
        slack_in=None if out["s_in"] is None else out["s_in"] * sx,
        slack_out=None if out["s_out"] is None else out["s_out"] * sy,
        orientation=orientation,
        rts=rts,
        lp_count=sum(e.lp_count + (e._full.lp_count if e._full else 0) for e in engines),
        columns_used=max([len(e.cand) for e in engines], default=0),
        extra={
            "phase2_skipped": sum(e.phase2_skipped for e in engines),
            "pricing_pool": int(pool.size),
            "batch_solved": n_eval - order.size,
        },  # fmt: skip
    )
