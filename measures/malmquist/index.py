"""`malmquist`: the Malmquist productivity index with its decomposition (METHODS §9.7; §9.8
with ``cross_efficiency=True``). See the package docstring for the definitions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from measures.malmquist.cc import cc_malmquist
from measures.malmquist.decomposition import _compose, _global_fallback
from measures.malmquist.frontiers import _fid_label, _frontier_ids, _Solver
from measures.malmquist.results import (
    _FRONTIER_ALIASES,
    COMPONENTS,
    DECOMPOSITIONS,
    FRONTIERS,
    INFEASIBLE,
    MalmquistResult,
    PanelDataError,
)


def malmquist(
    X: ArrayLike,
    Y: ArrayLike,
    *,
    orientation: str = "input",
    frontier: str = "adjacent",
    decomposition: str = "fgnz",
    base: int = 0,
    infeasible: str = "nan",
    cross_efficiency: bool = False,
    game_tol: float = 1e-6,
    game_start: str | np.ndarray = "aggressive",
    game_max_iter: int = 1000,
    game_own: ArrayLike | None = None,
    dmus: list | None = None,
    periods: list | None = None,
    n_jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    cc_progress: Callable[[int, int], None] | None = None,
) -> MalmquistResult:
    """Malmquist productivity index with its decomposition (METHODS §9.7; §9.8 with
    ``cross_efficiency=True``). See the module docstring for the definitions.

    Parameters
    ----------
    X, Y : (T, n, m) and (T, n, s) strictly positive inputs and outputs, periods in order.
    orientation : "input" (θ) or "output" (1/φ). Under CRS, M is orientation-independent.
    frontier : "adjacent" (DEFAULT), "fixed" (base period ``base``), "global", "sequential".
    decomposition : "fgnz" (DEFAULT) or "rd" (Ray & Desli).
    infeasible : "nan" (DEFAULT), "drop" or "global" (see module docstring).
    cross_efficiency : also compute CC-Malmquist (game cross-efficiency, §9.8).
    game_tol, game_start, game_max_iter : passed to ``game_cross_efficiency``.
    game_own : (T, n) converged own-period game scores solved elsewhere with those settings
        (``cc_malmquist``'s ``g_own``): the games are not rerun.
    dmus, periods : labels used in tables and in ``infeasible_cases``.
    n_jobs : threads for the HiGHS LP calls (the LPs the batch leaves, §9.7 "Solving") and
        the game evaluations; 1 (DEFAULT) is fastest on 2 cores (bench/malmquist.py).
    progress : optional callback progress(done, total) over the radial LPs (one per evaluated
        DMU-period and technology), per block of DMUs; reporting only (not the CC part).
    cc_progress : optional callback over the CC-Malmquist part: each period's game and each
        pair (``cc_malmquist``'s ``progress``).
    """
    frontier = _FRONTIER_ALIASES.get(frontier, frontier)
    X, Y, dmus, periods = _check(X, Y, frontier, decomposition, infeasible, orientation, base,
                                 dmus, periods)  # fmt: skip
    T, n = X.shape[:2]
    own, ab = _frontier_ids(frontier, T, base)
    rd = decomposition == "rd"
    sv = _Solver(X, Y, orientation, n_jobs, progress)
    _plan(sv, own, ab, rd)
    sv.solve()
    eff, bad_lps = _efficiencies(sv, own, ab, rd, periods, n)
    comps: dict[str, Any] = _compose(eff, rd)
    status, cases, lp_extra = _infeasible_pairs(comps, bad_lps, X, Y, orientation, rd,
                                                infeasible, n_jobs, dmus, periods)  # fmt: skip
    sv.lp_count += lp_extra
    notes = []
    if cases:
        notes.append(
            f"{len(cases)} DMU-period pair(s) with a non-optimal LP; infeasible={infeasible!r}"
        )
    res = MalmquistResult(
        dmus=dmus,
        periods=periods,
        status=status,
        orientation=orientation,
        frontier=frontier,
        decomposition=decomposition,
        infeasible=infeasible,
        base=base,
        efficiencies=eff,
        infeasible_cases=cases,
        lp_count=sv.lp_count,
        notes=notes,
        **comps,
    )
    if cross_efficiency:
        res.cc = cc_malmquist(
            X,
            Y,
            tol=game_tol,
            start=game_start,
            max_iter=game_max_iter,
            n_jobs=n_jobs,
            g_own=game_own,
            progress=cc_progress,
        )
    return res


def _plan(sv: _Solver, own: list, ab: list, rd: bool) -> None:
    """Every efficiency the index needs: own-period CRS and VRS, and the pair technologies
    A_p, B_p for periods p and p+1 (VRS too for Ray–Desli)."""
    for t in range(len(own)):
        sv.want(own[t], "crs", t)
        sv.want(own[t], "vrs", t)
    for p, (A, B) in enumerate(ab):
        for fid in (A, B):
            sv.want(fid, "crs", p)
            sv.want(fid, "crs", p + 1)
            if rd:
                sv.want(fid, "vrs", p)
                sv.want(fid, "vrs", p + 1)


def _check(X: Any, Y: Any, frontier: str, decomposition: str, infeasible: str,
           orientation: str, base: int, dmus: list | None,
           periods: list | None) -> tuple[np.ndarray, np.ndarray, list, list]:  # fmt: skip
    """Validated arguments: float arrays and the DMU / period labels."""
    if frontier not in FRONTIERS:
        raise ValueError(f"frontier must be one of {FRONTIERS}, got {frontier!r}")
    if decomposition not in DECOMPOSITIONS:
        raise ValueError(f"decomposition must be one of {DECOMPOSITIONS}, got {decomposition!r}")
    if infeasible not in INFEASIBLE:
        raise ValueError(f"infeasible must be one of {INFEASIBLE}, got {infeasible!r}")
    if orientation not in ("input", "output"):
        raise ValueError(f"orientation must be 'input' or 'output', got {orientation!r}")
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 3 or Y.ndim != 3 or X.shape[:2] != Y.shape[:2]:
        raise ValueError("X and Y must be (T periods, n DMUs, variables) arrays of equal T, n")
    T, n = X.shape[:2]
    if T < 2:
        raise ValueError("Malmquist needs at least two periods")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise ValueError("Malmquist data must be finite (no NaN/Inf)")
    if np.any(X <= 0) or np.any(Y <= 0):
        t, i, _ = np.argwhere(X <= 0)[0] if np.any(X <= 0) else np.argwhere(Y <= 0)[0]
        raise PanelDataError(
            f"Malmquist needs strictly positive data (METHODS §9.7); DMU index {i}, "
            f"period index {t} has a non-positive value",
            dmu=i,
            period=t,
        )
    if not 0 <= base < T:
        raise ValueError(f"base must be a period index in [0, {T - 1}]")
    dmus = list(range(n)) if dmus is None else list(dmus)
    periods = list(range(T)) if periods is None else list(periods)
    if len(dmus) != n or len(periods) != T:
        raise ValueError("dmus / periods labels do not match the data shape")
    return X, Y, dmus, periods


def _efficiencies(sv: _Solver, own: list, ab: list, rd: bool, periods: list,
                  n: int) -> tuple[dict[str, np.ndarray], dict[tuple[int, int], list[str]]]:  # fmt: skip
    """The efficiencies keyed like "crs:own", "crs:A0", … and, per DMU-pair (i, p), the
    non-optimal LPs that affect it."""
    T = len(own)
    P = T - 1
    eff: dict[str, np.ndarray] = {}
    bad_lps: dict[tuple[int, int], list[str]] = defaultdict(list)
    for rts in ("crs", "vrs"):
        own_v = np.empty((T, n))
        for t in range(T):
            v, st = sv.get(own[t], rts, t)
            own_v[t] = v
            for i in np.flatnonzero(st != "optimal"):
                for p in (t - 1, t):
                    if 0 <= p < P:
                        bad_lps[(int(i), p)].append(f"{rts} own({periods[t]}) [{st[i]}]")
        eff[f"{rts}:own"] = own_v
        if rts == "vrs" and not rd:
            continue
        for name in ("A0", "A1", "B0", "B1"):
            eff[f"{rts}:{name}"] = np.empty((P, n))
        for p, (A, B) in enumerate(ab):
            for name, fid, t in (("A0", A, p), ("A1", A, p + 1), ("B0", B, p), ("B1", B, p + 1)):
                v, st = sv.get(fid, rts, t)
                eff[f"{rts}:{name}"][p] = v
                for i in np.flatnonzero(st != "optimal"):
                    tag = f"{rts} {_fid_label(fid, periods)}({periods[t]}) [{st[i]}]"
                    if tag not in bad_lps[(int(i), p)]:
                        bad_lps[(int(i), p)].append(tag)
    return eff, bad_lps


def _infeasible_pairs(comps: dict[str, np.ndarray], bad_lps: dict, X: np.ndarray,
                      Y: np.ndarray, orientation: str, rd: bool, infeasible: str, n_jobs: int,
                      dmus: list, periods: list) -> tuple[np.ndarray, list[dict], int]:  # fmt: skip
    """Status per DMU-pair and the infeasible cases (METHODS §9.7 ``infeasible``); updates
    `comps` in place. Returns (status, cases, LPs of the global fallback)."""
    n, P = comps["mi"].shape
    status = np.full((n, P), "optimal", dtype=object)
    cases: list[dict] = []
    lp = 0
    if bad_lps:
        fallback = None
        if infeasible == "global":
            fallback = _global_fallback(X, Y, orientation, rd, sorted(bad_lps), n_jobs)
            lp += fallback.pop("_lp_count")
        for (i, p), lps in sorted(bad_lps.items()):
            cases.append(
                {
                    "dmu": dmus[i],
                    "period_from": periods[p],
                    "period_to": periods[p + 1],
                    "lps": "; ".join(lps),
                }
            )
            if fallback is not None and np.all(
                np.isfinite([fallback[k][(i, p)] for k in COMPONENTS])
            ):
                for k in COMPONENTS:
                    comps[k][i, p] = fallback[k][(i, p)]
                status[i, p] = "global_fallback"
            else:
                status[i, p] = "infeasible"
                comps["mi"][i, p] = np.nan
                for k in ("ec", "tc", "pec", "sec"):
                    if not np.isfinite(comps[k][i, p]):
                        comps[k][i, p] = np.nan
    return status, cases, lp
