"""Reference technologies of the Malmquist index (METHODS §9.7): which technology every
efficiency is measured against, and the LP solves: all of them in one batch per returns to
scale (`measures.dea.batch_panel`), HiGHS (`radial_efficiency`) for the rest."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from measures.dea.batch_panel import panel_radial_scores
from measures.dea.radial import radial_efficiency


# ---------------------------------------------------------------------------- LP plan
def _frontier_ids(frontier: str, T: int, base: int):
    """(A_p, B_p) technology ids per pair p and own(t) ids per period."""
    own: list[tuple]
    ab: list[tuple[tuple, tuple]]
    if frontier == "adjacent":
        own = [("period", t) for t in range(T)]
        ab = [(("period", p), ("period", p + 1)) for p in range(T - 1)]
    elif frontier == "sequential":
        own = [("seq", t) for t in range(T)]
        ab = [(("seq", p), ("seq", p + 1)) for p in range(T - 1)]
    elif frontier == "fixed":
        own = [("period", t) for t in range(T)]
        ab = [(("period", base), ("period", base)) for _ in range(T - 1)]
    else:  # global
        own = [("period", t) for t in range(T)]
        ab = [(("global",), ("global",)) for _ in range(T - 1)]
    return own, ab


def _reference(fid, X, Y):
    kind = fid[0]
    if kind == "period":
        return X[fid[1]], Y[fid[1]]
    if kind == "seq":
        t = fid[1]
        return X[: t + 1].reshape(-1, X.shape[2]), Y[: t + 1].reshape(-1, Y.shape[2])
    return X.reshape(-1, X.shape[2]), Y.reshape(-1, Y.shape[2])


class _Solver:
    """Collects the (technology, rts, evaluated period) efficiencies needed and solves them
    all at once (`panel_scores`); returns lookups. `progress(done, total)`: the evaluated
    DMU-periods (one LP each) of all technologies, per chunk (reporting only)."""

    def __init__(self, X, Y, orientation: str, n_jobs: int,
                 progress: Callable[[int, int], None] | None = None):  # fmt: skip
        self.X, self.Y = X, Y
        self.orientation = orientation
        self.n_jobs = max(1, int(n_jobs))
        self.need: dict[tuple, set[int]] = defaultdict(set)
        self.val: dict[tuple, np.ndarray] = {}
        self.st: dict[tuple, np.ndarray] = {}
        self.lp_count = 0
        self.progress = progress

    def want(self, fid: Any, rts: str, period: int) -> None:
        self.need[(fid, rts)].add(period)

    def solve(self) -> None:
        groups = [(k, sorted(v)) for k, v in self.need.items() if v]
        self.need.clear()
        if not groups:
            return
        items = [(*_reference(fid, self.X, self.Y),
                  np.concatenate([self.X[t] for t in periods]),
                  np.concatenate([self.Y[t] for t in periods]), rts)
                 for (fid, rts), periods in groups]  # fmt: skip
        results = panel_scores(items, self.orientation, self.n_jobs, self.progress)
        n = self.X.shape[1]
        for (key, periods), (score, status, lps) in zip(groups, results, strict=True):
            self.lp_count += lps
            farrell = 1.0 / score if self.orientation == "output" else score
            farrell = np.where(status == "optimal", farrell, np.nan)
            for k, t in enumerate(periods):
                self.val[(*key, t)] = farrell[k * n : (k + 1) * n]
                self.st[(*key, t)] = status[k * n : (k + 1) * n]

    def get(self, fid: Any, rts: Any, period: Any):
        return self.val[(fid, rts, period)], self.st[(fid, rts, period)]


def panel_scores(items: list[tuple], orientation: str, n_jobs: int = 1,
                 progress: Callable[[int, int], None] | None = None) -> list[tuple]:  # fmt: skip
    """[(θ*/φ* (K,), status (K,), LP count)] per item (X_ref, Y_ref, X_eval, Y_eval, rts):
    the CRS items and the VRS items each in one batch (`measures.dea.batch_panel`: positive
    data, all LPs of all technologies pivoted together), HiGHS (`radial_efficiency`, on
    `n_jobs` threads) for the other returns to scale and every LP the batch did not finish;
    progress(done, total) over the LPs of all items."""
    K = [it[2].shape[0] for it in items]
    score = [np.full(k, np.nan) for k in K]
    ok = [np.zeros(k, dtype=bool) for k in K]
    offset = 0
    for rts in ("crs", "vrs"):
        sel = [g for g, it in enumerate(items) if it[4] == rts]
        size = sum(K[g] for g in sel)

        def report(d: int, _k: int, at: int = offset) -> None:
            if progress is not None:
                progress(at + d, sum(K))

        got = panel_radial_scores([items[g][:4] for g in sel], orientation=orientation,
                                  rts=rts, progress=report)  # fmt: skip
        for g, (sc, good) in zip(sel, got, strict=True):
            score[g], ok[g] = sc, good
        offset += size
    out = []
    for g, (Xr, Yr, Xe, Ye, rts) in enumerate(items):
        status = np.where(ok[g], "optimal", "").astype(object)
        rest = np.flatnonzero(~ok[g])
        if rest.size:
            res = radial_efficiency(Xr, Yr, Xe[rest], Ye[rest], orientation=orientation,
                                    rts=rts, n_jobs=n_jobs, batch=False)  # batch tried  # fmt: skip
            score[g][rest], status[rest] = res.score, res.status
        out.append((score[g], status.astype(str), K[g]))
    if progress is not None and not all(o.all() for o in ok):
        progress(sum(K), sum(K))
    return out


def scores(Xr, Yr, Xe, Ye, orientation: str, rts: str, n_jobs: int = 1,
           progress: Callable[[int, int], None] | None = None):  # fmt: skip
    """(θ*/φ* (K,), status (K,), LP count) of the evaluated DMUs against one technology
    (`panel_scores` of one item)."""
    return panel_scores([(Xr, Yr, Xe, Ye, rts)], orientation, n_jobs, progress)[0]


def _fid_label(fid, periods) -> str:
    if fid[0] == "period":
        return f"tech {periods[fid[1]]}"
    if fid[0] == "seq":
        return f"tech ≤{periods[fid[1]]}"
    return "tech global"
