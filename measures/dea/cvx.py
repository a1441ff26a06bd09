"""cvxpy modelling path for the envelopment LPs (METHODS §0, §9.1): one DPP-compiled problem per
shape, re-solved per DMU by changing Parameter values (no re-canonicalisation), solved by
HiGHS with the same tolerances as the direct path. Used as the reference implementation the
direct highspy path is tested against (agreement to 1e-9)."""

from __future__ import annotations

from typing import Any

import cvxpy as cp
import numpy as np

from measures.dea._highs import DUAL_TOL, PRIMAL_TOL
from measures.dea._radial_base import RadialResult, _col_scale

_CVX_STATUS = {
    cp.OPTIMAL: "optimal",
    cp.INFEASIBLE: "infeasible",
    cp.UNBOUNDED: "unbounded",
    cp.OPTIMAL_INACCURATE: "optimal_inaccurate",
    cp.INFEASIBLE_INACCURATE: "infeasible",
    cp.UNBOUNDED_INACCURATE: "unbounded",
}

SOLVER_OPTS = {
    "primal_feasibility_tolerance": PRIMAL_TOL,
    "dual_feasibility_tolerance": DUAL_TOL,
    "presolve": "off",
    # HiGHS has one thread scheduler per process, created by the first run: a cvxpy solve
    # with the default thread count before any `new_highs` model (threads 1) makes every
    # later one fail with "scheduler already initialized" (status not_set → NaN)
    "threads": 1,
}


def cvx_status(prob: cp.Problem) -> str:
    return _CVX_STATUS.get(prob.status, str(prob.status))


def _rts_constraints(lam: cp.Variable, rts: str) -> list:
    if rts == "vrs":
        return [cp.sum(lam) == 1]
    if rts == "nirs":
        return [cp.sum(lam) <= 1]
    if rts == "ndrs":
        return [cp.sum(lam) >= 1]
    return []


def radial_cvxpy(
    X_ref: np.ndarray,
    Y_ref: np.ndarray,
    X_eval: np.ndarray,
    Y_eval: np.ndarray,
    *,
    orientation: str,
    rts: str,
    exclude_self: bool,
    two_phase: bool,
    return_lambdas: bool,
) -> RadialResult:
    """Same contract as `measures.dea.radial.radial_efficiency` (backend="cvxpy")."""
    n, m = X_ref.shape
    s = Y_ref.shape[1]
    ne = X_eval.shape[0]
    sx, sy = _col_scale(X_ref), _col_scale(Y_ref)
    Xs, Ys = X_ref / sx, Y_ref / sy
    Xe, Ye = X_eval / sx, Y_eval / sy

    lam = cp.Variable(n, nonneg=True)
    sin = cp.Variable(m, nonneg=True)
    sout = cp.Variable(s, nonneg=True)
    eff: Any = cp.Variable()
    xo = cp.Parameter(m, nonneg=True)
    yo = cp.Parameter(s, nonneg=True)
    keep = cp.Parameter(n, nonneg=True)  # 0 for the excluded DMU, 1 otherwise
    # phase 1
    if orientation == "input":
        cons1 = [Xs.T @ lam + sin == eff * xo, Ys.T @ lam - sout == yo]
        obj1: Any = cp.Minimize(eff)
    else:
        cons1 = [Xs.T @ lam + sin == xo, Ys.T @ lam - sout == eff * yo]
        obj1 = cp.Maximize(eff)
    excl = [cp.multiply(1 - keep, lam) == 0] if exclude_self else []
    p1 = cp.Problem(obj1, cons1 + _rts_constraints(lam, rts) + excl)
    # phase 2 with the phase-1 value entering through the right-hand sides
    rx = cp.Parameter(m, nonneg=True)
    ry = cp.Parameter(s, nonneg=True)
    cons2 = [Xs.T @ lam + sin == rx, Ys.T @ lam - sout == ry]
    p2 = cp.Problem(cp.Maximize(sx @ sin + sy @ sout), cons2 + _rts_constraints(lam, rts) + excl)

    score = np.full(ne, np.nan)
    status = np.empty(ne, dtype=object)
    lambdas: Any = np.zeros((ne, n)) if return_lambdas else None
    s_in: Any = np.full((ne, m), np.nan) if two_phase else None
    s_out: Any = np.full((ne, s), np.nan) if two_phase else None
    lp = 0
    for k in range(ne):
        xo.value, yo.value = Xe[k], Ye[k]
        kv = np.ones(n)
        if exclude_self:
            kv[k] = 0.0
        keep.value = kv
        p1.solve(solver=cp.HIGHS, **SOLVER_OPTS)
        lp += 1
        st = cvx_status(p1)
        status[k] = st
        if st != "optimal":
            continue
        val = float(eff.value)
        score[k] = val
        if two_phase:
            if orientation == "input":
                rx.value, ry.value = val * Xe[k], Ye[k]
            else:
                rx.value, ry.value = Xe[k], val * Ye[k]
            p2.solve(solver=cp.HIGHS, **SOLVER_OPTS)
            lp += 1
            st2 = cvx_status(p2)
            if st2 != "optimal":
                status[k] = "phase2_" + st2
                continue
            s_in[k], s_out[k] = sin.value * sx, sout.value * sy
        if return_lambdas:
            lambdas[k] = lam.value
    return RadialResult(
        score=score,
        status=status.astype(str),
        lambdas=lambdas,
        slack_in=s_in,
        slack_out=s_out,
        orientation=orientation,
        rts=rts,
        lp_count=lp,
        columns_used=n,
    )
