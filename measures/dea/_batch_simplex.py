"""Batched dense primal simplex for many small radial DEA LPs that share their reference
columns (METHODS §9.11: the bootstrap solves B·n of them). Internal to measures.dea.

Each LP k: min θ s.t. Aλ-part shared, θ column and right-hand side per LP, in standard form
A_k z = b_k, z ≥ 0, started from a feasible basis given by the caller, Bland's rule (no
cycling), all LPs pivoted together with numpy. Verified against HiGHS in the tests."""

from __future__ import annotations

import numpy as np

TOL = 1e-10


def solve_batch(
    A: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    basis: np.ndarray,
    max_iter: int = 1000,
    dantzig_iter: int = 200,
    final_basis: np.ndarray | None = None,
    blocked: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A (K, R, C), b (K, R), c (C,), basis (K, R) column indices of a feasible basis.
    Tableau with the reduced-cost row kept as row R; Dantzig's entering rule for the first
    `dantzig_iter` pivots, then Bland's (smallest index; leaving ties by smallest basic
    index), which cannot cycle. Returns (objective (K,), ok (K,) bool); the optimal basis of
    each finished LP is written into `final_basis` (K, R) when given. `blocked` (K, C) bool:
    columns that may not enter LP k (they stay at 0; the basis must not contain them)."""
    K, R, C = A.shape
    Bm = np.take_along_axis(A, basis[:, None, :].repeat(R, axis=1), axis=2)  # (K, R, R)
    T = np.empty((K, R + 1, C + 1))
    T[:, :R] = np.linalg.inv(Bm) @ np.concatenate([A, b[:, :, None]], axis=2)  # 3× a solve
    cb = c[basis]
    T[:, R, :C] = c[None, :] - np.einsum("kr,krc->kc", cb, T[:, :R, :C])
    T[:, R, C] = -np.einsum("kr,kr->k", cb, T[:, :R, C])
    basis = basis.copy()
    idx = np.arange(K)  # rows of T still pivoting (T, basis compacted to them)
    obj = np.full(K, np.nan)
    ok = np.zeros(K, dtype=bool)

    def retire(mask):
        obj[idx[mask]] = -T[mask, R, C]
        ok[idx[mask]] = (T[mask, :R, C] > -1e-8).all(axis=1)
        if final_basis is not None:
            final_basis[idx[mask]] = basis[mask]

    blk = None if blocked is None else np.asarray(blocked, dtype=bool)
    for it in range(max_iter):
        red = T[:, R, :C]
        if blk is not None:
            red = np.where(blk, 0.0, red)
        improving = red < -TOL
        live = improving.any(axis=1)
        if not live.all():
            retire(~live)
            T, basis, idx, red, improving = (
                T[live],
                basis[live],
                idx[live],
                red[live],
                improving[live],
            )
            blk = None if blk is None else blk[live]
        if idx.size == 0:
            break
        e = np.argmin(red, axis=1) if it < dantzig_iter else np.argmax(improving, axis=1)
        sel = np.arange(idx.size)
        col = T[sel, :R, e]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(col > TOL, T[:, :R, C] / col, np.inf)
        best = ratio.min(axis=1)
        bounded = np.isfinite(best)
        if not bounded.all():  # unbounded: not ok
            T, basis, idx, e, col, ratio, best = (
                a[bounded] for a in (T, basis, idx, e, col, ratio, best)
            )
            blk = None if blk is None else blk[bounded]
            sel = np.arange(idx.size)
            if idx.size == 0:
                break
        tie = ratio <= best[:, None] + 1e-12
        leave = np.argmin(np.where(tie, basis, np.iinfo(np.int64).max), axis=1)
        full_col = T[sel, :, e]  # (k, R+1) incl. the reduced-cost row
        piv = T[sel, leave, :] / col[sel, leave][:, None]
        T -= full_col[:, :, None] * piv[:, None, :]
        T[sel, leave, :] = piv
        basis[sel, leave] = e
    return obj, ok


def radial_tableau(Xr: np.ndarray, Yr: np.ndarray, Xe: np.ndarray, Ye: np.ndarray,
                   orientation: str, rts: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Standard form of K radial envelopment LPs, A (K, R, C), b (K, R), c (C,); columns θ,
    λ_1..n, s⁻ (m), s⁺ (s)[, the NIRS/NDRS slack of Σλ]. Reference Xr (n, m) shared by all
    LPs or (K, n, m) one per LP; evaluated DMUs Xe (K, m). Input: Xλ + s⁻ − θx_o = 0,
    Yλ − s⁺ = y_o, min θ; output: Xλ + s⁻ = x_o, Yλ − s⁺ − φy_o = 0, min −φ."""
    K, m = Xe.shape
    s, n = Ye.shape[1], Xr.shape[-2]
    extra = rts in ("nirs", "ndrs")
    R, C = m + s + (rts != "crs"), 1 + n + m + s + extra
    A = np.zeros((K, R, C))
    b = np.zeros((K, R))
    A[:, :m, 1 : 1 + n] = np.swapaxes(Xr, -1, -2)
    A[:, m : m + s, 1 : 1 + n] = np.swapaxes(Yr, -1, -2)
    A[:, np.arange(m), 1 + n + np.arange(m)] = 1.0
    A[:, m + np.arange(s), 1 + n + m + np.arange(s)] = -1.0
    if rts != "crs":
        A[:, -1, 1 : 1 + n] = 1.0
        b[:, -1] = 1.0
        if extra:
            A[:, -1, -1] = 1.0 if rts == "nirs" else -1.0
    c = np.zeros(C)
    if orientation == "input":
        A[:, :m, 0] = -Xe
        b[:, m : m + s] = Ye
        c[0] = 1.0
    else:
        A[:, m : m + s, 0] = -Ye
        b[:, :m] = Xe
        c[0] = -1.0
    return A, b, c


def radial_batch(
    Xs: np.ndarray, Ys: np.ndarray, factors: np.ndarray, orientation: str, rts: str
) -> np.ndarray:
    """Distances δ (1/θ input, φ output) of every original DMU against each pseudo technology
    (reference inputs × factor_j for input, outputs × factor_j for output orientation).
    factors (Bc, n) → (Bc, n) distances; NaN where the simplex did not finish. Needs x, y > 0."""
    Bc, n = factors.shape
    m, s = Xs.shape[1], Ys.shape[1]
    K = Bc * n
    o = np.tile(np.arange(n), Bc)
    fac = factors.repeat(n, axis=0)  # (K, n) factors of the reference columns
    Xr = Xs[None, :, :] * (fac[:, :, None] if orientation == "input" else 1.0)
    Yr = Ys[None, :, :] * (fac[:, :, None] if orientation == "output" else 1.0)
    A, b, c = radial_tableau(Xr, Yr, Xs[o], Ys[o], orientation, rts)
    s_cols = 1 + n + np.arange(m)
    t_cols = 1 + n + m + np.arange(s)
    if orientation == "input":
        keep = [s_cols[1:], t_cols if rts != "crs" else t_cols[1:]]
    else:
        keep = [s_cols if rts != "crs" else s_cols[1:], t_cols[1:]]
    basis = np.concatenate(
        [
            np.stack([1 + o, np.zeros(K, dtype=np.int64)], axis=1),
            np.tile(np.concatenate(keep), (K, 1)),
        ],
        axis=1,
    ).astype(np.int64)
    obj, ok = solve_batch(A, b, c, basis)
    val = np.where(ok, obj, np.nan)
    dist = 1.0 / val if orientation == "input" else -val
    return dist.reshape(Bc, n)
