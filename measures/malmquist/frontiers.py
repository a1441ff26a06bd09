"""Reference technologies of the Malmquist index (METHODS §9.7): which technology every
efficiency is measured against, and the grouped LP solves (one `radial_efficiency` call per
technology, on a thread pool)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from measures.dea.batch_radial import batch_radial_scores
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
    """Collects the (technology, rts, evaluated period[, DMU subset]) efficiencies needed,
    solves them grouped by technology and returns lookups. `progress(done, total)`: the
    evaluated DMU-periods (one LP each) of all groups, per block (reporting only)."""

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

    def _run_group(self, key, periods, inner_jobs, progress=None):
        fid, rts = key
        Xr, Yr = _reference(fid, self.X, self.Y)
        Xe = np.concatenate([self.X[t] for t in periods])
        Ye = np.concatenate([self.Y[t] for t in periods])
        return scores(Xr, Yr, Xe, Ye, self.orientation, rts, inner_jobs, progress)

    def _parts(self, groups: list) -> list:
        """One progress callback per group, adding up the evaluated DMU-periods of all."""
        if self.progress is None:
            return [None] * len(groups)
        report, n = self.progress, self.X.shape[1]
        total = sum(len(ps) for _, ps in groups) * n
        done = [0] * len(groups)

        def part(g: int) -> Callable[[int, int], None]:
            def cb(d: int, _n: int) -> None:
                done[g] = d
                report(sum(done), total)

            return cb

        return [part(g) for g in range(len(groups))]

    def solve(self) -> None:
        groups = [(k, sorted(v)) for k, v in self.need.items() if v]
        self.need.clear()
        if not groups:
            return
        # largest groups first (pooled/sequential technologies, many evaluated periods)
        groups.sort(key=lambda g: -(len(g[1]) * (self.X.shape[0] if g[0][0][0] != "period" else 1)))
        pool_jobs = min(self.n_jobs, len(groups))
        inner = 1 if pool_jobs > 1 else self.n_jobs
        parts = self._parts(groups)
        if pool_jobs > 1:
            with ThreadPoolExecutor(pool_jobs) as ex:
                futs = [ex.submit(self._run_group, k, ps, inner, cb)
                        for (k, ps), cb in zip(groups, parts, strict=True)]  # fmt: skip
                results = [f.result() for f in futs]
        else:
            results = [self._run_group(k, ps, inner, cb)
                       for (k, ps), cb in zip(groups, parts, strict=True)]  # fmt: skip
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


def scores(Xr, Yr, Xe, Ye, orientation: str, rts: str, n_jobs: int = 1,
           progress: Callable[[int, int], None] | None = None):  # fmt: skip
    """(θ*/φ* (K,), status (K,), LP count) of the evaluated DMUs against one technology:
    `measures.dea.batch_radial` (CRS/VRS, positive data: all LPs pivoted together), HiGHS
    (`radial_efficiency`) for the rest and for any LP the batch did not finish."""
    K = Xe.shape[0]
    score, ok = np.full(K, np.nan), np.zeros(K, dtype=bool)
    if rts in ("crs", "vrs"):
        score, ok = batch_radial_scores(Xr, Yr, Xe, Ye, orientation=orientation, rts=rts,
                                        progress=progress)  # fmt: skip
    status = np.where(ok, "optimal", "").astype(object)
    rest = np.flatnonzero(~ok)
    if rest.size:
        res = radial_efficiency(Xr, Yr, Xe[rest], Ye[rest], orientation=orientation, rts=rts,
                                n_jobs=n_jobs)  # fmt: skip
        score[rest], status[rest] = res.score, res.status
    if progress is not None and not ok.all():
        progress(K, K)
    return score, status.astype(str), K


def _fid_label(fid, periods) -> str:
    if fid[0] == "period":
        return f"tech {periods[fid[1]]}"
    if fid[0] == "seq":
        return f"tech ≤{periods[fid[1]]}"
    return "tech global"
