"""Radial DEA scores of many DMUs against one technology, solved together (METHODS §9.1,
§9.7; issue 18 item 4: past the per-LP floor of one HiGHS call per DMU).

Public API
----------
``batch_radial_scores(X_ref, Y_ref, X_eval, Y_eval, *, orientation, rts) -> (score, ok)``:
θ* (input) or φ* (output) of every evaluated DMU under CRS, VRS, NIRS or NDRS, and a mask of the LPs
solved here. ``ok`` is False where this method does not apply or did not finish (data not
all positive, no single-column feasible start — e.g. a VRS cross-period LP that may be
infeasible —, the iteration cap): callers solve those with HiGHS (`radial_efficiency`).

Algorithm: the envelopment LP in standard form (θ, λ, input slacks s⁻, output slacks s⁺),
data divided by the reference's column means. Every LP starts from a feasible basis built
from one reference column j*: input CRS λ_j* = max_r y_or/y_j*r, θ = max_i λ x_j*i/x_oi
(the binding input and output slacks leave the basis); VRS fixes λ_j* = 1 and needs
y_j* ≥ y_o (input) or x_j* ≤ x_o (output); NIRS (Σλ ≤ 1) and NDRS (Σλ ≥ 1) clip the CRS λ
to their bound, keeping the slack of Σλ basic where the bound does not bind. j* is the
column with the best such start.
Column generation: the LPs (built by `_batch_simplex.radial_tableau`, the bootstrap's builder)
are solved (`_batch_simplex.solve_batch`, all pivoted together with numpy) over a candidate set of reference columns — first the start columns; then the
duals π of each optimal basis price every reference column (reduced cost −π'a_j), the most
negative column of every LP that is not optimal over all columns joins the candidates, and
those LPs are solved again, until none prices out (optimal over the whole technology).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from measures.dea._batch_simplex import radial_tableau, solve_batch

PRICE_TOL = 1e-9
LAMBDA_BOUNDS = {"crs": (0.0, np.inf), "vrs": (1.0, 1.0), "nirs": (0.0, 1.0), "ndrs": (1.0, np.inf)}
"""The bounds of Σλ of each returns-to-scale assumption (METHODS §9.1)."""
BLOCK = 512  # evaluated DMUs per block for the start-column search (memory K·n·max(m, s))


def batch_radial_scores(
    X_ref: np.ndarray,
    Y_ref: np.ndarray,
    X_eval: np.ndarray,
    Y_eval: np.ndarray,
    *,
    orientation: str = "input",
    rts: str = "crs",
    max_rounds: int = 12,
    block: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(score (K,), ok (K,)): θ*/φ* where ok, NaN elsewhere (module docstring). The evaluated
    DMUs are solved in blocks of `block` (DEFAULT K/8 within [64, 512]: large enough to
    amortise numpy's per-call cost, small enough for a tableau of a few MB and a moving
    progress bar; the candidate columns found carry over); progress(done, K) per block."""
    if orientation not in ("input", "output") or rts not in LAMBDA_BOUNDS:
        raise ValueError("batch radial scores: orientation input/output, rts crs/vrs/nirs/ndrs")
    Xr, Yr, Xe, Ye = (np.asarray(a, dtype=float) for a in (X_ref, Y_ref, X_eval, Y_eval))
    K = Xe.shape[0]
    score, ok = np.full(K, np.nan), np.zeros(K, dtype=bool)
    if K == 0 or min(a.min() for a in (Xr, Yr, Xe, Ye)) <= 0:
        return score, ok
    sx, sy = Xr.mean(0), Yr.mean(0)
    Xr, Xe, Yr, Ye = Xr / sx, Xe / sx, Yr / sy, Ye / sy
    block = int(block or min(512, max(64, K // 8)))
    start = _starts(Xr, Yr, Xe, Ye, orientation, rts)
    cand = np.unique(start[start >= 0])
    for a in range(0, K, block):
        live = a + np.flatnonzero(start[a : a + block] >= 0)
        cand = _solve_block(Xr, Yr, Xe, Ye, cand, start, live, (orientation, rts),
                            max_rounds, score, ok)  # fmt: skip
        if progress is not None:
            progress(min(a + block, K), K)
    return score, ok


def _solve_block(Xr, Yr, Xe, Ye, cand, start, live, kind, max_rounds, score, ok) -> np.ndarray:
    """Column generation for the `live` LPs; fills score/ok; returns the candidate set."""
    for _ in range(max_rounds):
        if live.size == 0:
            break
        val, solved, priced_out, entering = _round(Xr, Yr, Xe, Ye, cand, start, live, *kind)
        done = live[solved & priced_out]
        score[done], ok[done] = val[solved & priced_out], True
        again = solved & ~priced_out
        if not again.any():
            break
        cand = np.union1d(cand, entering[again])
        live = live[again]
    return cand


def _starts(Xr, Yr, Xe, Ye, orientation: str, rts: str, sample: int = 64) -> np.ndarray:
    """Start columns without an O(K·n) search: the best starts of an evenly spread sample
    of the evaluated DMUs form a pool; every DMU takes its best start from the pool, and
    only those the pool cannot start (VRS, NIRS, NDRS) search all reference columns."""
    K = Xe.shape[0]
    if K <= sample or Xr.shape[0] <= sample:
        return _start_columns(Xr, Yr, Xe, Ye, orientation, rts)
    probe = np.linspace(0, K - 1, sample).astype(np.int64)
    first = _start_columns(Xr, Yr, Xe[probe], Ye[probe], orientation, rts)
    pool = np.unique(first[first >= 0])
    start = np.full(K, -1, dtype=np.int64)
    if pool.size:
        local = _start_columns(Xr[pool], Yr[pool], Xe, Ye, orientation, rts)
        start = np.where(local >= 0, pool[np.maximum(local, 0)], -1)
    miss = np.flatnonzero(start < 0)
    if miss.size:  # a DMU that is itself a reference column starts there (θ = 1, λ_o = 1)
        rows = {r.tobytes(): j for j, r in enumerate(np.hstack([Xr, Yr]))}
        own = np.hstack([Xe[miss], Ye[miss]])
        start[miss] = [rows.get(r.tobytes(), -1) for r in own]
        miss = miss[start[miss] < 0]
    if miss.size:
        start[miss] = _start_columns(Xr, Yr, Xe[miss], Ye[miss], orientation, rts)
    return start


def _start_columns(Xr, Yr, Xe, Ye, orientation: str, rts: str, skip=None) -> np.ndarray:
    """Per evaluated DMU the reference column with the best single-column feasible start
    (−1: none; VRS, NIRS, NDRS); skip (K,): a column each DMU may not use (−1: none). The
    start's λ is the CRS one (covering the outputs / within the inputs) clipped to the
    bounds of Σλ (`LAMBDA_BOUNDS`); a column whose clipped λ cannot cover the outputs
    (input) or stay within the inputs (output) has no start."""
    K = Xe.shape[0]
    lo, hi = LAMBDA_BOUNDS[rts]
    out = np.empty(K, dtype=np.int64)
    for a in range(0, K, BLOCK):
        xe, ye = Xe[a : a + BLOCK, None, :], Ye[a : a + BLOCK, None, :]
        if orientation == "input":
            need = (ye / Yr[None]).max(axis=2)  # λ covering the outputs
            lam = need if rts == "crs" else np.clip(need, lo, hi)
            th = (lam[:, :, None] * Xr[None] / xe).max(axis=2)
            th = np.where(need <= hi * (1 + 1e-12), th, np.inf) if hi < np.inf else th
            _drop(th, None if skip is None else skip[a : a + BLOCK], np.inf)
            j = th.argmin(axis=1)
            good = np.isfinite(th[np.arange(j.size), j])
        else:
            room = (xe / Xr[None]).min(axis=2)  # λ within the inputs
            lam = room if rts == "crs" else np.clip(room, lo, hi)
            ph = (lam[:, :, None] * Yr[None] / ye).min(axis=2)
            ph = np.where(room >= lo * (1 - 1e-12), ph, -np.inf) if lo > 0 else ph
            _drop(ph, None if skip is None else skip[a : a + BLOCK], -np.inf)
            j = ph.argmax(axis=1)
            good = np.isfinite(ph[np.arange(j.size), j])
        out[a : a + BLOCK] = np.where(good, j, -1)
    return out


def _drop(M: np.ndarray, skip: np.ndarray | None, value: float) -> None:
    """Set M[k, skip[k]] = value where skip[k] ≥ 0 (a column LP k may not use)."""
    if skip is not None:
        k = np.flatnonzero(skip >= 0)
        M[k, skip[k]] = value


def _round(Xr, Yr, Xe, Ye, cand, start, live, orientation: str, rts: str):
    """Solve the `live` LPs over the candidate columns; price all reference columns.
    Returns (value, solved, priced_out, entering column) per live LP."""
    n_c = cand.size
    A, b, c = radial_tableau(Xr[cand], Yr[cand], Xe[live], Ye[live], orientation, rts)
    pos = np.searchsorted(cand, start[live])
    basis = _start_basis(Xr[start[live]], Yr[start[live]], Xe[live], Ye[live], pos, n_c,
                         orientation, rts)  # fmt: skip
    final = basis.copy()
    obj, solved = solve_batch(A, b, c, basis, final_basis=final)
    pi, certified = _duals(A, b, c, final, obj)
    entering, priced_out = _price(pi, _pricing_columns(Xr, Yr, rts))
    solved &= certified
    value = obj if orientation == "input" else -obj
    return value, solved, priced_out, entering


def _duals(A, b, c, final, obj) -> tuple[np.ndarray, np.ndarray]:
    """Duals π (K, R) of the final bases, and the certificate: the dual objective b'π equals
    the primal one (an LP without it goes to HiGHS)."""
    R = A.shape[1]
    Bm = np.take_along_axis(A, final[:, None, :].repeat(R, axis=1), axis=2)
    pi = np.linalg.solve(np.transpose(Bm, (0, 2, 1)), c[final][:, :, None])[:, :, 0]
    certified = np.abs(np.einsum("kr,kr->k", b, pi) - obj) <= 1e-9 * (1 + np.abs(obj))
    return pi, certified


def _pricing_columns(Xr, Yr, rts: str) -> np.ndarray:
    """The λ columns of the whole technology (R, n) in the rows of the LP."""
    ones = [np.ones((1, Xr.shape[0]))] if rts != "crs" else []
    return np.concatenate([Xr.T, Yr.T, *ones])


def _price(pi, cols, skip=None) -> tuple[np.ndarray, np.ndarray]:
    """Per LP the most negative reduced cost −π'a_j over `cols`: (entering column, priced
    out, i.e. no column below −PRICE_TOL). In row blocks: against up to 4 096 columns, of
    ~32 k reduced costs — each matmul small enough for OpenBLAS to stay on one thread (a
    threaded call waits milliseconds for its second thread on a loaded 2-core machine:
    Malmquist 1 000 × 20 spent 6.8 s of 11 s pricing); against more (pooled technologies),
    of ~2 M, where a threaded call amortises that wait. skip (K,): a column LP k may not use."""
    K, n = pi.shape[0], cols.shape[1]
    entering, low = np.empty(K, dtype=np.int64), np.empty(K)
    step = row_step(n)
    for a in range(0, K, step):
        reduced = -pi[a : a + step] @ cols
        _drop(reduced, None if skip is None else skip[a : a + step], np.inf)
        j = reduced.argmin(axis=1)
        entering[a : a + step], low[a : a + step] = j, reduced[np.arange(j.size), j]
    return entering, low >= -PRICE_TOL


def row_step(n: int) -> int:
    """Rows per pricing matmul against n columns (see `_price`)."""
    return max(8, 32768 // n) if n <= 4096 else max(1, 2**21 // n)


def _start_basis(xj, yj, Xe, Ye, pos, n_c: int, orientation: str, rts: str) -> np.ndarray:
    """Basis (K, R): λ_j*, θ, and the slacks except the binding ones (module docstring).
    With λ_j* at a bound of Σλ (always under VRS) the convexity row binds and the slacks of
    the other side all stay basic; NIRS/NDRS starts with λ_j* inside the bounds keep the
    slack of Σλ (the tableau's last column) in the basis instead."""
    K, m = Xe.shape
    s = Ye.shape[1]
    lo, hi = LAMBDA_BOUNDS[rts]
    s_in = 1 + n_c + np.arange(m)
    s_out = 1 + n_c + m + np.arange(s)
    cover = (Ye / yj).max(axis=1) if orientation == "input" else (Xe / xj).min(axis=1)
    lam = np.clip(cover, lo, hi)
    tight = np.full(K, rts == "vrs") if rts in ("crs", "vrs") else lam != cover
    if orientation == "input":
        ins = _without(s_in, (lam[:, None] * xj / Xe).argmax(axis=1))
        outs = _other_side(s_out, (Ye / yj).argmax(axis=1), tight, rts, 1 + n_c + m + s)
    else:
        outs = _without(s_out, (lam[:, None] * yj / Ye).argmin(axis=1))
        ins = _other_side(s_in, (Xe / xj).argmin(axis=1), tight, rts, 1 + n_c + m + s)
    head = np.stack([1 + pos, np.zeros(K, dtype=np.int64)], axis=1)
    return np.concatenate([head, ins, outs], axis=1).astype(np.int64)


def _other_side(cols: np.ndarray, bind: np.ndarray, tight: np.ndarray, rts: str,
                extra: int) -> np.ndarray:  # fmt: skip
    """The basic slacks of the side that fixes λ_j*: all of them where Σλ binds (`tight`);
    else all but the binding one, plus the slack of Σλ (column `extra`) under NIRS/NDRS."""
    K = bind.size
    free = _without(cols, bind)
    if rts == "crs":
        return free
    every = np.tile(cols, (K, 1))
    if rts == "vrs":
        return every
    loose = np.concatenate([free, np.full((K, 1), extra, dtype=np.int64)], axis=1)
    return np.where(tight[:, None], every, loose)


def _without(cols: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """Per row, `cols` without its element number drop[k] → (K, len(cols) − 1)."""
    keep = np.arange(cols.size - 1)[None, :]
    return cols[keep + (keep >= drop[:, None])]
