"""Radial DEA scores against many technologies in one batch (METHODS §9.7 "Solving", §9.1;
issue 18 item 4: past the per-LP floor).

Public API
----------
``panel_radial_scores(groups, *, orientation, rts, max_rounds, chunk, progress)
-> [(score, ok), ...]``: for every group (X_ref, Y_ref, X_eval, Y_eval) — one reference
technology and the DMUs evaluated against it, e.g. all (technology, evaluated period) pairs of a
Malmquist panel — θ* (input) or φ* (output) under CRS or VRS and the mask of the LPs solved
here. ``ok`` is False exactly where `batch_radial.batch_radial_scores` leaves an LP to HiGHS
(data not all positive, no single-column feasible start, the iteration or round cap, no
certificate): callers solve those with `radial_efficiency`.

Method: that of `batch_radial` (data divided by each technology's column means, single-column
feasible starts `_starts`/`_start_basis`, column generation priced by the duals over the LP's
whole technology, the certificate b'π = objective), but the LPs of ALL groups are pivoted
together: one `solve_batch` call per chunk and round instead of one per technology, block and
round. Each LP has its own reference columns (`radial_tableau` with Xr (K, W, m)): its
technology's candidate set, padded to the common width W with all-zero columns — B⁻¹0 = 0 and
reduced cost 0 in every basis, so a padding column never enters. Chunks take an evenly spread
share of every group, so the candidate sets found in the first chunk serve the later ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from measures.dea._batch_simplex import radial_tableau, solve_batch
from measures.dea.batch_radial import _duals, _price, _pricing_columns, _start_basis, _starts

CHUNK = 4096  # LPs per solve_batch call at most (tableau ≈ CHUNK·(m+s+2)·(W+m+s+3)·8 bytes)
MIN_CHUNK = 64  # and at least, below 8 chunks: a progress bar that moves

_PAD = np.iinfo(np.int64).max  # key of a padding column, above every reference column

Group = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass
class _Techs:
    """Per technology: scaled reference data, pricing columns, candidate column set."""

    X: list[np.ndarray]
    Y: list[np.ndarray]
    cols: list[np.ndarray]
    cand: list[np.ndarray]


@dataclass
class _LPs:
    """Per LP: its technology, scaled evaluated point and start column (−1: none)."""

    gid: np.ndarray
    X: np.ndarray
    Y: np.ndarray
    start: np.ndarray


def panel_radial_scores(
    groups: Sequence[Group],
    *,
    orientation: str = "input",
    rts: str = "crs",
    max_rounds: int = 12,
    chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(score (K_g,), ok (K_g,)) per group] (module docstring); progress(done, K) per
    chunk of `chunk` LPs over all groups (DEFAULT K/8 within [MIN_CHUNK, CHUNK]: few
    solve_batch calls, a tableau of a few MB, a moving progress bar)."""
    if orientation not in ("input", "output") or rts not in ("crs", "vrs"):
        raise ValueError("panel radial scores: orientation input/output, rts crs/vrs")
    if not groups:
        return []
    tech, lp = _prepare(groups, orientation, rts == "vrs")
    K = lp.gid.size
    score, ok = np.full(K, np.nan), np.zeros(K, dtype=bool)
    order, step = _spread(lp.gid), int(chunk or min(CHUNK, max(MIN_CHUNK, -(-K // 8))))
    for a in range(0, K, step):
        part = order[a : a + step]
        _solve_chunk(tech, lp, part[lp.start[part] >= 0], (orientation, rts == "vrs"),
                     max_rounds, score, ok)  # fmt: skip
        if progress is not None:
            progress(min(a + step, K), K)
    cut = np.cumsum([0] + [len(g[2]) for g in groups])
    return [(score[i:j], ok[i:j]) for i, j in zip(cut[:-1], cut[1:], strict=True)]


def _prepare(groups: Sequence[Group], orientation: str, vrs: bool) -> tuple[_Techs, _LPs]:
    """Scale every group by its reference's column means and find the start columns."""
    tech = _Techs([], [], [], [])
    gid, Xe, Ye, start = [], [], [], []
    for g, data in enumerate(groups):
        Xr, Yr, xe, ye = (np.asarray(a, dtype=float) for a in data)
        K = xe.shape[0]
        good = K > 0 and Xr.size > 0 and min(a.min() for a in (Xr, Yr, xe, ye)) > 0
        if good:
            sx, sy = Xr.mean(0), Yr.mean(0)
            Xr, xe, Yr, ye = Xr / sx, xe / sx, Yr / sy, ye / sy
            st = _starts(Xr, Yr, xe, ye, orientation, _rts(vrs), sample=_sample(Xr.shape[0]))
        else:
            st = np.full(K, -1, dtype=np.int64)
        tech.X.append(Xr)
        tech.Y.append(Yr)
        tech.cols.append(_pricing_columns(Xr, Yr, _rts(vrs)))
        tech.cand.append(np.unique(st[st >= 0]))
        gid.append(np.full(K, g, dtype=np.int64))
        Xe.append(xe)
        Ye.append(ye)
        start.append(st)
    cat = np.concatenate
    return tech, _LPs(cat(gid), cat(Xe), cat(Ye), cat(start))


def _rts(vrs: bool) -> str:
    return "vrs" if vrs else "crs"


def _sample(n: int) -> int:
    """DMUs probed against all n reference columns for the pool of start columns
    (`_starts`): n/16 within [16, 64] — the probe costs sample·n per technology; fewer
    probes give worse starts (more pivots) against a large technology (Malmquist 200 × 10:
    16 is 25 % faster than 64; 1 000 × 20: 64 beats 16 by 25 %)."""
    return min(64, max(16, n // 16))


def _spread(gid: np.ndarray) -> np.ndarray:
    """An order of the LPs (grouped by gid) of which every prefix holds an evenly spread
    share of every group; the identity for a single group."""
    size = np.bincount(gid)
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    rank = np.arange(gid.size) - first[gid]
    return np.argsort((rank + 0.5) / size[gid], kind="stable")


def _solve_chunk(tech: _Techs, lp: _LPs, live: np.ndarray, kind: tuple[str, bool],
                 max_rounds: int, score: np.ndarray, ok: np.ndarray) -> None:  # fmt: skip
    """Column generation for the `live` LPs; fills score/ok; grows the candidate sets. An LP
    solved again starts from its last optimal basis (still feasible: columns were only added)."""
    warm = None
    for _ in range(max_rounds):
        if live.size == 0:
            break
        val, solved, priced_out, entering, codes = _round(tech, lp, live, *kind, warm)
        done = solved & priced_out
        score[live[done]], ok[live[done]] = val[done], True
        again = solved & ~priced_out
        if not again.any():
            break
        live, entering, warm = live[again], entering[again], codes[again]
        g = lp.gid[live]
        for t in np.unique(g):
            tech.cand[t] = np.union1d(tech.cand[t], entering[g == t])


def _round(tech: _Techs, lp: _LPs, live: np.ndarray, orientation: str, vrs: bool,
           warm: np.ndarray | None = None):  # fmt: skip
    """Solve the `live` LPs, each over its technology's candidate columns (padded with zero
    columns), from the single-column start or from the `warm` basis codes (`_encode`); price
    every column of its technology. Returns (value, solved, priced_out, entering reference
    column, final basis codes) per live LP."""
    used, loc = np.unique(lp.gid[live], return_inverse=True)
    W = max(tech.cand[t].size for t in used)
    idx = np.zeros((used.size, W), dtype=np.int64)
    key = np.full((used.size, W), _PAD)  # the sorted candidates, padded
    for u, t in enumerate(used):
        idx[u, : tech.cand[t].size] = key[u, : tech.cand[t].size] = tech.cand[t]
    Xr = np.stack([tech.X[t][idx[u]] for u, t in enumerate(used)])[loc]
    Yr = np.stack([tech.Y[t][idx[u]] for u, t in enumerate(used)])[loc]
    idx, key = idx[loc], key[loc]
    Xe, Ye, K = lp.X[live], lp.Y[live], live.size
    A, b, c = radial_tableau(Xr, Yr, Xe, Ye, orientation, "vrs" if vrs else "crs")
    A[:, :, 1 : 1 + W] *= (key < _PAD)[:, None, :]  # padding: zero columns, never entering
    if warm is None:
        pos = (key < lp.start[live][:, None]).sum(axis=1)
        k = np.arange(K)
        basis = _start_basis(Xr[k, pos], Yr[k, pos], Xe, Ye, pos, W, orientation, _rts(vrs))
    else:
        basis = _decode(warm, key, W)
    final = basis.copy()
    obj, solved = solve_batch(A, b, c, basis, final_basis=final)
    pi, certified = _duals(A, b, c, final, obj)
    entering, priced_out = np.empty(K, dtype=np.int64), np.empty(K, dtype=bool)
    for u, t in enumerate(used):
        rows = loc == u
        entering[rows], priced_out[rows] = _price(pi[rows], tech.cols[t])
    value = obj if orientation == "input" else -obj
    return value, solved & certified, priced_out, entering, _encode(final, idx, W)


def _encode(basis: np.ndarray, idx: np.ndarray, W: int) -> np.ndarray:
    """Basis column numbers → codes independent of the candidate layout: λ → its reference
    column (≥ 0), θ → −1, slack i → −2 − i."""
    ref = np.take_along_axis(idx, np.clip(basis - 1, 0, W - 1), axis=1)
    lam = (basis >= 1) & (basis <= W)
    return np.where(lam, ref, np.where(basis == 0, -1, W - basis - 1))


def _decode(codes: np.ndarray, key: np.ndarray, W: int) -> np.ndarray:
    """Codes (`_encode`) → column numbers in the layout with sorted candidates `key`."""
    pos = (key[:, None, :] < codes[:, :, None]).sum(axis=2)
    return np.where(codes >= 0, 1 + pos, np.where(codes == -1, 0, W - codes - 1))
