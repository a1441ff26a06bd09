"""Firm-scale pieces of radial DEA (METHODS §9.1): the pricing pool (non-dominated reference
DMUs) and sparse intensity weights λ. Internal to measures.dea.

Pricing pool. In every envelopment LP of `measures.dea.radial` (phase 1 and phase 2, any
orientation and returns to scale) the row duals of the input rows are ≤ 0 and those of the
output rows ≥ 0 (the slack columns s⁻/s⁺ must price out), and the returns-to-scale row has the
same coefficient 1 in every λ column. The reduced-cost test of column j, a_j'π > thr, is
therefore monotone: if DMU k dominates j (x_k ≤ x_j, y_k ≥ y_j) then a_k'π ≥ a_j'π. Pricing the
non-dominated DMUs only is an exact optimality proof for the full LP. With DMU o excluded
(super-efficiency) a DMU dominated only by o must still be priced: the second layer (the
non-dominated DMUs of the rest) covers it. For n = 30 000 random DMUs the pool is ~1–3 % of n.

Sparse λ. `LambdaMatrix` holds the (n_eval, n_ref) λ of one run in CSR form (one row per
evaluated DMU, its peers as columns). ``L[k]`` is the dense row k, ``L[k, j]`` one entry,
``L.csr`` the scipy matrix, ``L.row(k)`` the (peer indices, λ) pair, ``L.toarray()`` dense.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# radial results keep λ dense (an ndarray, as before) up to this many cells (200 MB), sparse
# (`LambdaMatrix`) above it; METHODS §9.1, docs/OPERATIONS.md "Firm scale".
DENSE_LAMBDA_MAX = 25_000_000
# the non-dominated filter gives up (pricing then scans every column) beyond this many rows
POOL_LIMIT = 2048


def initial_candidates(Xs: np.ndarray, Ys: np.ndarray) -> np.ndarray:
    """DMUs extreme in a single ratio y_r/x_i (CCR-efficient), smallest x_i, largest y_r,
    largest Σy/Σx: a cheap starting column set that is usually on the frontier."""
    n = Xs.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        cand = set()
        for i in range(Xs.shape[1]):
            for r in range(Ys.shape[1]):
                ratio = np.where(Xs[:, i] > 0, Ys[:, r] / Xs[:, i], 0.0)
                cand.add(int(np.argmax(ratio)))
            cand.add(int(np.argmin(np.where(Xs[:, i] > 0, Xs[:, i], np.inf))))
        for r in range(Ys.shape[1]):
            cand.add(int(np.argmax(Ys[:, r])))
        tot = np.where(Xs.sum(1) > 0, Ys.sum(1) / Xs.sum(1), 0.0)
        cand.add(int(np.argmax(tot)))
    return np.array(sorted(c for c in cand if 0 <= c < n), dtype=np.int64)


def _dominated_by(P: np.ndarray, C: np.ndarray) -> np.ndarray:
    """For each row of C: is it dominated (≤ everywhere, < somewhere) by a row of P?
    Rows are "bigger is better" vectors (−x, y)."""
    out = np.zeros(C.shape[0], dtype=bool)
    if P.shape[0] == 0 or C.shape[0] == 0:
        return out
    step = max(1, 2_000_000 // (P.shape[0] * C.shape[1] + 1))
    for a in range(0, C.shape[0], step):
        c = C[a : a + step, None, :]
        ge = np.all(P[None, :, :] >= c, axis=2)
        gt = np.any(P[None, :, :] > c, axis=2)
        out[a : a + step] = np.any(ge & gt, axis=1)
    return out


def nondominated(
    Z: np.ndarray, idx: np.ndarray | None = None, block: int = 512, limit: int | None = None
) -> np.ndarray | None:
    """Indices (sorted) of the rows of Z (bigger is better) that no other row dominates; a
    row is dropped only when a dominating row is found, so the result is always a superset of
    the maximal rows (exact for pricing). Points are visited by decreasing coordinate sum, so
    dominators come first; a pre-screen against the 64 best rows removes most points.
    Returns None as soon as more than `limit` rows are kept (the filter would cost more than
    it saves: O(n · kept) comparisons)."""
    if idx is None:
        idx = np.arange(Z.shape[0])
    if idx.size == 0:
        return idx.astype(np.int64)
    order = idx[np.argsort(-Z[idx].sum(axis=1), kind="stable")]
    head = order[:64]
    rest = order[64:]
    rest = rest[~_dominated_by(Z[head], Z[rest])]
    order = np.concatenate([head, rest])
    keep: list[np.ndarray] = []
    kept = np.empty((0, Z.shape[1]))
    for a in range(0, order.size, block):
        ch = order[a : a + block]
        Zc = Z[ch]
        alive = ~_dominated_by(kept, Zc)
        ch, Zc = ch[alive], Zc[alive]
        alive = ~_dominated_by(Zc, Zc)  # a row never dominates itself (strict part)
        ch, Zc = ch[alive], Zc[alive]
        keep.append(ch)
        kept = np.concatenate([kept, Zc])
        if limit is not None and kept.shape[0] > limit:
            return None
    return np.sort(np.concatenate(keep)).astype(np.int64)


def pricing_pool(Xs: np.ndarray, Ys: np.ndarray, exclude_self: bool) -> np.ndarray:
    """Reference DMUs that pricing must scan (see module docstring): the non-dominated ones,
    plus the second layer when a DMU's own column is excluded."""
    Z = np.hstack([-Xs, Ys])
    n = Z.shape[0]
    every = np.arange(n)
    first = nondominated(Z, limit=POOL_LIMIT)
    if first is None or not exclude_self:
        return every if first is None else first
    second = nondominated(Z, np.setdiff1d(every, first, assume_unique=True), limit=POOL_LIMIT)
    return every if second is None else np.union1d(first, second)


class LambdaMatrix:
    """(n_eval, n_ref) intensity weights in CSR form (see module docstring)."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, shape):
        import scipy.sparse as sp

        self.csr = sp.csr_array((data, indices, indptr), shape=tuple(shape))
        self.shape = tuple(shape)
        self.ndim = 2

    @property
    def nnz(self) -> int:
        return int(self.csr.nnz)

    def row(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(peer column indices, λ values) of evaluated DMU k."""
        a, b = self.csr.indptr[k], self.csr.indptr[k + 1]
        return self.csr.indices[a:b], self.csr.data[a:b]

    def toarray(self) -> np.ndarray:
        return self.csr.toarray()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, tuple):
            k, cols = key
            return self[int(k)][cols]
        row = np.zeros(self.shape[1])
        j, v = self.row(int(key))
        row[j] = v
        return row

    def __len__(self) -> int:
        return self.shape[0]


def build_lambdas(
    rows: list[tuple[np.ndarray, np.ndarray] | None], n_ref: int, dense: bool
) -> np.ndarray | LambdaMatrix:
    """Assemble per-DMU (indices, values) pairs (None: LP not solved → zero row) into a dense
    array or a `LambdaMatrix`."""
    n_eval = len(rows)
    if dense:
        L = np.zeros((n_eval, n_ref))
        for k, r in enumerate(rows):
            if r is not None:
                L[k, r[0]] = r[1]
        return L
    lens = np.array([0 if r is None else r[0].size for r in rows], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(lens)])
    pairs = [r for r in rows if r is not None and r[0].size]
    if pairs:
        idx = np.concatenate([r[0] for r in pairs]).astype(np.int64)
        val = np.concatenate([r[1] for r in pairs]).astype(float)
    else:
        idx, val = np.zeros(0, dtype=np.int64), np.zeros(0)
    return LambdaMatrix(indptr, idx, val, (n_eval, n_ref))


def peers_of(L: np.ndarray | LambdaMatrix, tol: float = 1e-9) -> list[list[int]]:
    """Peer indices (λ > tol) per evaluated DMU, for a dense or sparse λ."""
    if isinstance(L, LambdaMatrix):
        out = []
        for k in range(L.shape[0]):
            j, v = L.row(k)
            out.append([int(x) for x in j[np.nan_to_num(v) > tol]])
        return out
    return [list(np.flatnonzero(row > tol)) for row in np.nan_to_num(L)]
