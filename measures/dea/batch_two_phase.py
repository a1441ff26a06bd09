"""Batched two-phase radial DEA (METHODS §9.1): θ*/φ*, max-slacks and λ of many DMUs against
one technology, all LPs pivoted together (`_batch_simplex.solve_batch`). Internal to
measures.dea: `radial.radial_efficiency` calls `batch_two_phase` first and solves what it
leaves (``ok`` False) with HiGHS, one LP at a time.

Phase 1 is the column generation of `batch_radial` (single-column feasible starts, duals π₁
pricing every reference column, certificate b'π₁ = primal), continued from each LP's last
basis when columns join. Phase 2 maximises Σ w⁻s⁻ + Σ w⁺s⁺ (original units) over the phase-1
optimal face: by complementary slackness, with any optimal dual π₁ the optimal solutions of
phase 1 are exactly the feasible points with z_j = 0 wherever the reduced cost
d_j = c_j − π₁'a_j > 0. Phase 2 therefore runs the simplex from the phase-1 optimal basis
with the phase-2 costs and every column of d_j > FACE_TOL blocked (θ is constant on the
face, since it is the phase-1 objective); it is priced over the face columns of the whole
technology by its duals π₂ and certified by b'π₂ = primal. LPs with no slack column on the
face keep the phase-1 solution (all max-slacks are 0). Reference columns are the non-
dominated DMUs only (the pricing pool of `_sparse`; a dominated column is never needed in
either phase), so the tableau width is the candidate set, not n. Super-efficiency (§9.4,
``skip``): LP k may not use its own column — it is blocked in both phases, left out of the
start search and of pricing (the pool then holds the second non-dominated layer as well);
VRS LPs without a single-column start go to HiGHS, which reports the infeasible ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from measures.dea._batch_simplex import radial_tableau, solve_batch
from measures.dea.batch_radial import (
    PRICE_TOL,
    _drop,
    _duals,
    _price,
    _pricing_columns,
    _start_basis,
    _start_columns,
    _starts,
    row_step,
)

FACE_TOL = 1e-9  # reduced cost (phase-1 scale) below which a column is on the optimal face


@dataclass
class BatchTwoPhase:
    """Per evaluated DMU: ok (solved and certified), score θ*/φ*, slacks (scaled units),
    and λ as (reference column indices, values) pairs (None where not ok)."""

    ok: np.ndarray
    score: np.ndarray
    s_in: np.ndarray
    s_out: np.ndarray
    lambdas: list[tuple[np.ndarray, np.ndarray] | None]


@dataclass
class _Block:
    """The live LPs of one block over the candidate columns `cand`: tableau, bases, and
    each LP's own reference column (−1: none) that it may not use."""

    A: np.ndarray
    b: np.ndarray
    basis: np.ndarray
    cand: np.ndarray
    skip: np.ndarray

    def blocked(self) -> np.ndarray | None:
        """(K, C) mask of the tableau columns LP k may not use (its own column), or None."""
        pos = np.searchsorted(self.cand, self.skip)
        has = (self.skip >= 0) & (pos < self.cand.size)
        has[has] = self.cand[pos[has]] == self.skip[has]
        if not has.any():
            return None
        mask = np.zeros(self.A.shape[0::2], dtype=bool)
        k = np.flatnonzero(has)
        mask[k, 1 + pos[k]] = True
        return mask


class _LPs:
    """The problem shared by every block: scaled data, kind, pricing columns, phase-2 cost."""

    def __init__(self, Xr, Yr, Xe, Ye, orientation: str, rts: str, w2: np.ndarray,
                 max_rounds: int, skip: np.ndarray):  # fmt: skip
        self.Xr, self.Yr, self.Xe, self.Ye = Xr, Yr, Xe, Ye
        self.orientation, self.rts = orientation, rts
        self.m, self.s = Xe.shape[1], Ye.shape[1]
        self.extra = int(rts in ("nirs", "ndrs"))  # the slack of Σλ ≤ 1 / Σλ ≥ 1
        self.w2 = w2  # phase-2 cost of s⁻, s⁺ (negative weights: minimisation)
        self.max_rounds = max_rounds
        self.skip = skip  # (K,) own reference column per evaluated DMU, −1: none
        self.cols = _pricing_columns(Xr, Yr, rts)  # (R, n_ref): a_j of every λ_j

    def block(self, live: np.ndarray, cand: np.ndarray, basis: np.ndarray) -> _Block:
        A, b, _ = radial_tableau(self.Xr[cand], self.Yr[cand], self.Xe[live], self.Ye[live],
                                 self.orientation, self.rts)  # fmt: skip
        return _Block(A, b, basis, cand, self.skip[live])

    def cost(self, phase: int, n_c: int) -> np.ndarray:
        """Cost vector over θ, λ (n_c), s⁻, s⁺[, the slack of Σλ] of phase 1 (min θ / min −φ)
        or phase 2 (the slack of Σλ is not an input or output slack: cost 0)."""
        c = np.zeros(1 + n_c + self.m + self.s + self.extra)
        if phase == 1:
            c[0] = 1.0 if self.orientation == "input" else -1.0
        else:
            c[1 + n_c : 1 + n_c + self.m + self.s] = self.w2
        return c

    def widen(self, blk: _Block, live: np.ndarray, entering: np.ndarray) -> _Block:
        """The block with the entering reference columns added to its candidate set."""
        cand = np.union1d(blk.cand, entering)
        if cand.size == blk.cand.size:
            return blk
        return self.block(live, cand, _remap(blk.basis, blk.cand, cand))


def batch_two_phase(
    Xr: np.ndarray,
    Yr: np.ndarray,
    Xe: np.ndarray,
    Ye: np.ndarray,
    *,
    orientation: str,
    rts: str,
    w_in: np.ndarray,
    w_out: np.ndarray,
    two_phase: bool = True,
    skip: np.ndarray | None = None,
    block: int | None = None,
    max_rounds: int = 12,
    progress: Callable[[int], None] | None = None,
) -> BatchTwoPhase:
    """Solve the radial LPs of evaluated (Xe, Ye) against reference (Xr, Yr) — positive,
    already scaled data; CRS, VRS, NIRS or NDRS; phase-2 weights w_in/w_out (module
    docstring); skip
    (K,): the reference column each LP may not use (−1: none; super-efficiency). The DMUs
    are solved in blocks of `block` (DEFAULT K/8 within [64, 512], as `batch_radial`);
    progress(k) is called after each block with the number of its DMUs solved."""
    K, m = Xe.shape
    s = Ye.shape[1]
    res = BatchTwoPhase(np.zeros(K, dtype=bool), np.full(K, np.nan), np.full((K, m), np.nan),
                        np.full((K, s), np.nan), [None] * K)  # fmt: skip
    if K == 0 or min(a.min() for a in (Xr, Yr, Xe, Ye)) <= 0:
        return res
    if skip is None:
        skip = np.full(K, -1, dtype=np.int64)
        start = _starts(Xr, Yr, Xe, Ye, orientation, rts)
    else:
        start = _start_columns(Xr, Yr, Xe, Ye, orientation, rts, skip=skip)
    cand = np.unique(start[start >= 0])
    lp = _LPs(Xr, Yr, Xe, Ye, orientation, rts, np.concatenate([-w_in, -w_out]), max_rounds,
              skip)  # fmt: skip
    block = int(block or min(512, max(64, K // 8)))
    for a in range(0, K, block):
        live = a + np.flatnonzero(start[a : a + block] >= 0)
        if live.size:
            cand = _solve_live(lp, live, start, cand, two_phase, res)
        if progress is not None:
            progress(int(res.ok[a : a + block].sum()))
    return res


def _solve_live(lp: _LPs, live, start, cand, two_phase: bool, res: BatchTwoPhase) -> np.ndarray:
    """Both phases for the `live` LPs of one block; fills `res`; returns the candidates."""
    pos = np.searchsorted(cand, start[live])
    basis = _start_basis(lp.Xr[start[live]], lp.Yr[start[live]], lp.Xe[live], lp.Ye[live], pos,
                         cand.size, lp.orientation, lp.rts)  # fmt: skip
    blk = lp.block(live, cand, basis)
    ok, pi1, obj1, blk = _phase1(lp, blk, live)
    if two_phase and ok.any():
        ok, blk = _phase2(lp, blk, live, pi1, ok)
    _store(res, lp, live, blk, ok, obj1)
    return blk.cand


def _primal(A: np.ndarray, b: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Basic variable values (K, R) of each basis: B z_B = b."""
    R = A.shape[1]
    Bm = np.take_along_axis(A, basis[:, None, :].repeat(R, axis=1), axis=2)
    return np.linalg.solve(Bm, b[:, :, None])[:, :, 0]


def _remap(basis: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """A basis over candidate columns `old` expressed over the (superset) candidates `new`."""
    out = basis.copy()
    lam = (basis >= 1) & (basis <= old.size)
    out[lam] = 1 + np.searchsorted(new, old[basis[lam] - 1])
    tail = basis > old.size
    out[tail] = basis[tail] + (new.size - old.size)
    return out


def _optimise(blk: _Block, c: np.ndarray, blocked=None):
    """One batched simplex run from the block's bases; bases updated where it finished.
    Returns (objective, solved and certified by b'π = primal, π)."""
    final = blk.basis.copy()
    obj, solved = solve_batch(blk.A, blk.b, c, blk.basis, final_basis=final, blocked=blocked)
    blk.basis = np.where(solved[:, None], final, blk.basis)
    pi, certified = _duals(blk.A, blk.b, c, blk.basis, obj)
    return obj, solved & certified, pi


def _phase1(lp: _LPs, blk: _Block, live: np.ndarray):
    """Column generation for phase 1 (all live LPs stay in the block: those already optimal
    over every column re-solve in zero pivots). Returns (ok, π₁, objective, block)."""
    K = live.size
    for _ in range(lp.max_rounds):
        obj, solved, pi = _optimise(blk, lp.cost(1, blk.cand.size), blk.blocked())
        entering, priced = _price(pi, lp.cols, skip=blk.skip)
        again = solved & ~priced
        if not again.any():
            return solved & priced, pi, obj, blk
        blk = lp.widen(blk, live, entering[again])
    return np.zeros(K, dtype=bool), pi, obj, blk


def _price_face(pi2: np.ndarray, pi1: np.ndarray, cols: np.ndarray, skip: np.ndarray):
    """Phase-2 pricing over the face columns (phase-1 reduced cost ≤ FACE_TOL) of the whole
    technology, in the row blocks of `_price`: (entering column, priced out)."""
    K, n = pi2.shape[0], cols.shape[1]
    entering, low = np.empty(K, dtype=np.int64), np.empty(K)
    step = row_step(n)
    for a in range(0, K, step):
        red = np.where(-pi1[a : a + step] @ cols > FACE_TOL, np.inf, -pi2[a : a + step] @ cols)
        _drop(red, skip[a : a + step], np.inf)
        j = red.argmin(axis=1)
        entering[a : a + step], low[a : a + step] = j, red[np.arange(j.size), j]
    scale = np.maximum(1.0, np.abs(pi2).max(axis=1))
    return entering, low >= -PRICE_TOL * scale


def _phase2(lp: _LPs, blk: _Block, live: np.ndarray, pi1: np.ndarray, ok1: np.ndarray):
    """Max-slack phase 2 on the phase-1 optimal face (module docstring), by column
    generation over the face columns. Returns (ok, block)."""
    K = live.size
    for _ in range(lp.max_rounds):
        c1, c2 = lp.cost(1, blk.cand.size), lp.cost(2, blk.cand.size)
        off = c1[None, :] - np.einsum("kr,krc->kc", pi1, blk.A) > FACE_TOL
        own = blk.blocked()
        obj, solved, pi2 = _optimise(blk, c2, off if own is None else off | own)
        entering, priced = _price_face(pi2, pi1, lp.cols, blk.skip)
        again = ok1 & solved & ~priced
        if not again.any():
            return ok1 & solved & priced, blk
        blk = lp.widen(blk, live, entering[again])
    return np.zeros(K, dtype=bool), blk


def _store(res: BatchTwoPhase, lp: _LPs, live, blk: _Block, ok, obj1) -> None:
    """Scores, slacks and λ of the LPs that finished (ok) from their final bases."""
    if not ok.any():
        return
    basis, n_c = blk.basis[ok], blk.cand.size
    z = np.zeros((basis.shape[0], 1 + n_c + lp.m + lp.s + lp.extra))
    np.put_along_axis(z, basis, np.maximum(_primal(blk.A[ok], blk.b[ok], basis), 0.0), axis=1)
    k = live[ok]
    res.ok[k] = True
    res.score[k] = obj1[ok] if lp.orientation == "input" else -obj1[ok]
    res.s_in[k] = z[:, 1 + n_c : 1 + n_c + lp.m]
    res.s_out[k] = z[:, 1 + n_c + lp.m : 1 + n_c + lp.m + lp.s]
    lam = z[:, 1 : 1 + n_c]
    for row, kk in zip(lam, k, strict=True):
        nz = np.flatnonzero(row > 0)
        res.lambdas[kk] = (blk.cand[nz], row[nz])


def solve_batched(Xs, Ys, Xe, Ye, pool: np.ndarray, *, orientation: str, rts: str,
                  w_in: np.ndarray, w_out: np.ndarray, two_phase: bool,
                  exclude_self: bool, out: dict, tick) -> np.ndarray:  # fmt: skip
    """`radial_efficiency`'s batched first pass on scaled data: fills the per-DMU `out`
    (score, status, lambdas, s_in, s_out) of every DMU the batch solves, with the reference
    restricted to the pricing `pool`; returns the indices left to HiGHS. exclude_self: the
    evaluated DMUs are the reference DMUs and DMU k may not use its own column."""
    skip = None
    if exclude_self:
        skip = np.full(Xs.shape[0], -1, dtype=np.int64)
        skip[pool] = np.arange(pool.size)
    res = batch_two_phase(Xs[pool], Ys[pool], Xe, Ye, orientation=orientation, rts=rts,
                          w_in=w_in, w_out=w_out, two_phase=two_phase, skip=skip,
                          progress=tick.add)  # fmt: skip
    k = np.flatnonzero(res.ok)
    out["score"][k] = res.score[k]
    out["status"][k] = "optimal"
    if out["lambdas"] is not None:
        for kk in k:
            j, v = res.lambdas[kk]  # type: ignore[misc]
            o = np.argsort(pool[j])
            out["lambdas"][kk] = (pool[j][o], v[o])
    if two_phase:
        out["s_in"][k] = res.s_in[k]
        out["s_out"][k] = res.s_out[k]
    return np.flatnonzero(~res.ok)
