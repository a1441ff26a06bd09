"""Thin helpers around a persistent `highspy.Highs` model (METHODS §0: LPs solved by HiGHS,
status of every LP kept). Internal to measures.dea."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import highspy
import numpy as np

INF = highspy.kHighsInf
_MS = highspy.HighsModelStatus

# HiGHS tolerances used by every DEA LP (both the direct and the cvxpy path).
PRIMAL_TOL = 1e-10
DUAL_TOL = 1e-10


def status_name(ms: Any) -> str:
    """Map a HighsModelStatus to a short lower-case status string."""
    if ms == _MS.kOptimal:
        return "optimal"
    if ms == _MS.kInfeasible:
        return "infeasible"
    if ms == _MS.kUnbounded:
        return "unbounded"
    if ms == _MS.kUnboundedOrInfeasible:
        return "infeasible_or_unbounded"
    if ms == _MS.kIterationLimit:
        return "iteration_limit"
    if ms == _MS.kTimeLimit:
        return "time_limit"
    return str(highspy.Highs().modelStatusToString(ms)).lower().replace(" ", "_")


_BANNER_LOCK = threading.Lock()
_banner_done = False


def run_with_retry(h: highspy.Highs) -> str:
    """Run the LP; when HiGHS stops short of optimal, clear the solver state and run once more
    from scratch (a warm start can stall on degenerate DEA LPs). Returns the status name."""
    h.run()
    st = status_name(h.getModelStatus())
    if st != "optimal":
        h.clearSolver()
        h.run()
        st = status_name(h.getModelStatus())
    return st


def _quiet_highs() -> highspy.Highs:
    """A silent Highs. HiGHS prints its banner once per process, on the first construction: only
    that one is wrapped in an fd-1 redirect, under a lock, so threads never race on stdout."""
    global _banner_done
    with _BANNER_LOCK:
        if not _banner_done:
            try:
                sys.stdout.flush()
                fd = os.dup(1)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                try:
                    h = highspy.Highs()
                finally:
                    os.dup2(fd, 1)
                    os.close(fd)
                    os.close(devnull)
            except OSError:  # pragma: no cover - no real fd 1
                h = highspy.Highs()
            _banner_done = True
            h.silent()
            return h
    h = highspy.Highs()
    h.silent()
    return h


def new_highs(*, presolve: bool = False) -> highspy.Highs:
    """A silent HiGHS instance with the tight DEA tolerances, dual simplex, one thread."""
    h = _quiet_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "on" if presolve else "off")
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("primal_feasibility_tolerance", PRIMAL_TOL)
    h.setOptionValue("dual_feasibility_tolerance", DUAL_TOL)
    h.setOptionValue("threads", 1)
    return h


def pass_lp(
    h: highspy.Highs,
    cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    A_dense: np.ndarray,
) -> None:
    """Pass a (small) LP given by a dense constraint matrix, column-wise (the CSC arrays
    built with numpy: importing scipy.sparse costs a CLI command ~0.1–0.2 s)."""
    nr, nc = A_dense.shape
    start, index, value = dense_to_csc(A_dense)
    lp = highspy.HighsLp()
    lp.num_col_ = nc
    lp.num_row_ = nr
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    h.passModel(lp)


def dense_to_csc(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, index, value) of the compressed-column form of dense `A`, explicit zeros
    dropped and row indices sorted within each column (as scipy.sparse.csc_matrix gives)."""
    A = np.asarray(A, dtype=float)
    nz = A.T != 0  # column-major order: column by column, rows ascending
    start = np.zeros(A.shape[1] + 1, dtype=np.int32)
    np.cumsum(nz.sum(axis=1), out=start[1:])
    index = np.nonzero(nz)[1].astype(np.int32)
    return start, index, A.T[nz]


def add_dense_cols(h: highspy.Highs, cols: np.ndarray, cost: float = 0.0) -> None:
    """Append columns (rows of `cols` are the columns' dense coefficient vectors), bounds [0, inf)."""
    k, nr = cols.shape
    if k == 0:
        return
    starts = np.arange(k, dtype=np.int32) * nr
    idx = np.tile(np.arange(nr, dtype=np.int32), k)
    vals = np.ascontiguousarray(cols, dtype=float).ravel()
    h.addCols(k, np.full(k, cost), np.zeros(k), np.full(k, INF), k * nr, starts, idx, vals)
