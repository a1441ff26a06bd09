"""Simar & Wilson (1998) smoothed bootstrap of radial DEA scores — METHODS §9.11.

Public API
----------
``bandwidth(theta, orientation) -> float``: the reflected normal-reference bandwidth of
Daraio & Simar (2007, eq. 3.26), as R Benchmarking's ``dea.boot``.
``dea_bootstrap(X, Y, *, orientation="input", rts="vrs", B=2000, alpha=0.05, seed=0,
h=None, n_jobs=1) -> BootstrapResult``: bias, bias-corrected scores, variance and basic
bootstrap confidence intervals.

Algorithm (distances δ = 1/θ ≥ 1 for input, δ = φ ≥ 1 for output orientation):
1. δ̂_j by DEA; h by `bandwidth`.
2. For b = 1..B: draw β_i uniformly from the reflected set {δ̂_j} ∪ {2 − δ̂_j}; ε_i ~ N(0, 1);
   δ̃_i = β_i + hε_i; δ*_i = β̄ + (δ̃_i − β̄)/√(1 + h²/σ̂²) (σ̂² = variance of the reflected
   set); reflect δ*_i < 1 to 2 − δ*_i.
3. Pseudo data: input x*_j = δ*_j x_j/δ̂_j (y unchanged); output y*_j = y_j δ̂_j/δ*_j.
4. δ̂*_b(x_o, y_o): the original points evaluated against the pseudo technology.
bias = mean_b δ̂*_b − δ̂, δ_bc = δ̂ − bias, variance = var_b δ̂*_b, and the basic interval
[δ̂ − q_{1−α/2}(δ̂* − δ̂), δ̂ − q_{α/2}(δ̂* − δ̂)] (quantile type 7). Farrell scores are
reported: θ_bc = 1/δ_bc, interval ends 1/δ (input); output: φ and its interval as is.

Random numbers: numpy default_rng(seed), drawn for all replicates up front (indices (B, n) then
normals (B, n)), so results do not depend on `n_jobs`. LPs: one persistent HiGHS model per
thread with all reference columns; per replicate only the pseudo columns change, per DMU the
θ column and right-hand side (dual simplex, warm-started).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from measures.dea._batch_simplex import radial_batch
from measures.dea._highs import INF, new_highs, pass_lp, status_name
from measures.dea._progress import Counter, ProgressFn
from measures.dea.radial import radial_efficiency


@dataclass
class BootstrapResult:
    """Per DMU: score (θ̂ Farrell input / φ̂ output), score_bc, bias (in the score's
    direction: score − score_bc), ci_low, ci_high (score scale, low ≤ high), variance of the
    bootstrap distances, bias_sd_ratio = |bias_δ|/sd_δ (SW 2000: correct only if > 1/√3),
    n_failed replicate LPs; distances (n, B) the δ̂*_b."""

    score: np.ndarray
    score_bc: np.ndarray
    bias: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    variance: np.ndarray
    bias_sd_ratio: np.ndarray
    n_failed: np.ndarray
    h: float
    B: int
    seed: int
    alpha: float
    orientation: str
    rts: str
    distances: np.ndarray


def bandwidth(theta: ArrayLike, orientation: str = "input") -> float:
    """h = 0.9·min(sd, IQR/1.349)·(2k)^{-1/5} of the reflected inefficient scores {r, 2 − r}
    (r = Farrell θ < 1 for input, φ > 1 for output; k of them), times
    sd(δ̂)/sd(reflected)·(2k/n)^{1/5} (Daraio & Simar 2007, eqs. 3.24–3.26; Benchmarking)."""
    r = np.asarray(theta, dtype=float)
    dist = 1.0 / r if orientation == "input" else r
    ineff = r[dist > 1 + 1e-6]
    n, k = r.size, ineff.size
    if k < 2:
        raise ValueError("the bandwidth needs at least two inefficient DMUs")
    refl = np.concatenate([ineff, 2.0 - ineff])
    sd = float(np.std(refl, ddof=1))
    q75, q25 = np.percentile(refl, [75, 25])
    iqr = float(q75 - q25) / 1.349
    spread = iqr if 1e-6 < iqr < sd else sd
    h0 = 0.9 * spread * (2 * k) ** (-0.2)
    return float(h0 * float(np.std(dist, ddof=1)) / sd * (2 * k / n) ** 0.2)


def _draws(delta: np.ndarray, h: float, B: int, rng) -> np.ndarray:
    """(B, n) smoothed, variance-corrected, reflected δ* (step 2 of the module doc)."""
    n = delta.size
    refl = np.concatenate([delta, 2.0 - delta])
    idx = rng.integers(0, 2 * n, size=(B, n))
    eps = rng.standard_normal((B, n))
    beta = refl[idx]
    mean = beta.mean(axis=1, keepdims=True)
    star = mean + (beta + h * eps - mean) / np.sqrt(1.0 + h * h / np.var(refl, ddof=1))
    return np.where(star < 1.0, 2.0 - star, star)


class _Engine:
    """Envelopment LP over all n reference columns: columns [θ|φ, λ_1..λ_n]."""

    def __init__(self, Xs, Ys, orientation: str, rts: str):
        self.n, self.m = Xs.shape
        self.s = Ys.shape[1]
        self.orientation = orientation
        self.Xs, self.Ys = Xs, Ys
        rows = [Xs.T, Ys.T] + ([np.ones((1, self.n))] if rts != "crs" else [])
        A = np.hstack([np.zeros((self.m + self.s + (rts != "crs"), 1)), np.vstack(rows)])
        nr = A.shape[0]
        rl, ru = np.full(nr, -INF), np.full(nr, INF)
        if orientation == "input":
            ru[: self.m] = 0.0  # Xλ − θx ≤ 0; Yλ ≥ y set per DMU
        else:
            rl[self.m : self.m + self.s] = 0.0  # Yλ − φy ≥ 0; Xλ ≤ x set per DMU
        if rts != "crs":
            rl[-1], ru[-1] = {"vrs": (1.0, 1.0), "nirs": (-INF, 1.0), "ndrs": (1.0, INF)}[rts]
        cost = np.zeros(1 + self.n)
        cost[0] = 1.0 if orientation == "input" else -1.0
        lo = np.zeros(1 + self.n)
        lo[0] = -INF
        self.h = new_highs()
        pass_lp(self.h, cost, lo, np.full(1 + self.n, INF), rl, ru, A)

    def set_reference(self, factor: np.ndarray) -> None:
        """Scale the X part (input) or Y part (output) of every reference column."""
        h = self.h
        if self.orientation == "input":
            for j in range(self.n):
                for i in range(self.m):
                    h.changeCoeff(i, 1 + j, float(self.Xs[j, i] * factor[j]))
        else:
            for j in range(self.n):
                for r in range(self.s):
                    h.changeCoeff(self.m + r, 1 + j, float(self.Ys[j, r] * factor[j]))

    def solve(self, o: int) -> float:
        h, m, s = self.h, self.m, self.s
        if self.orientation == "input":
            for i in range(m):
                h.changeCoeff(i, 0, -float(self.Xs[o, i]))
            for r in range(s):
                h.changeRowBounds(m + r, float(self.Ys[o, r]), INF)
        else:
            for r in range(s):
                h.changeCoeff(m + r, 0, -float(self.Ys[o, r]))
            for i in range(m):
                h.changeRowBounds(i, -INF, float(self.Xs[o, i]))
        h.run()
        if status_name(h.getModelStatus()) != "optimal":
            h.clearSolver()
            h.run()
            if status_name(h.getModelStatus()) != "optimal":
                return np.nan
        val = float(h.getInfo().objective_function_value)
        return 1.0 / val if self.orientation == "input" else -val


def _run(engine: _Engine, factors: np.ndarray, out: np.ndarray, rows: np.ndarray,
         tick: Counter) -> None:  # fmt: skip
    for b in rows:
        engine.set_reference(factors[b])
        for o in range(engine.n):
            out[o, b] = engine.solve(o)
        tick.add()


def dea_bootstrap(
    X: ArrayLike,
    Y: ArrayLike,
    *,
    orientation: str = "input",
    rts: str = "vrs",
    B: int = 2000,
    alpha: float = 0.05,
    seed: int = 0,
    h: float | None = None,
    n_jobs: int = 1,
    backend: str = "batch",
    chunk: int = 20,
    progress: ProgressFn | None = None,
) -> BootstrapResult:
    """Simar–Wilson (1998) bootstrap of radial DEA scores (module docstring). Returns
    distances δ̂*_b (n, B) and the summaries; DMUs whose original LP is not optimal raise.
    backend "batch" (DEFAULT; needs x, y > 0): `_batch_simplex.radial_batch`, `chunk`
    replicates at a time; "highs": one warm-started HiGHS model per thread (any data ≥ 0).
    progress: optional callback progress(done, B) over the replicates (reporting only)."""
    if orientation not in ("input", "output"):
        raise ValueError("orientation must be 'input' or 'output'")
    if B < 2 or not 0 < alpha < 1:
        raise ValueError("need B ≥ 2 replicates and 0 < alpha < 1")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    if backend == "batch" and (np.any(X <= 0) or np.any(Y <= 0)):
        raise ValueError("the batch bootstrap needs x, y > 0; use backend='highs'")
    base = radial_efficiency(X, Y, orientation=orientation, rts=rts)
    if np.any(base.status != "optimal"):
        bad = int(np.flatnonzero(base.status != "optimal")[0])
        raise ValueError(f"DMU {bad}: the DEA LP is {base.status[bad]}; cannot bootstrap")
    score = base.score  # θ (input) or φ (output)
    delta = 1.0 / score if orientation == "input" else score.copy()
    hh = bandwidth(score, orientation) if h is None else float(h)
    rng = np.random.default_rng(seed)
    star = _draws(delta, hh, int(B), rng)
    factors = star / delta if orientation == "input" else delta / star
    sx = np.where(X.mean(0) > 0, X.mean(0), 1.0)
    sy = np.where(Y.mean(0) > 0, Y.mean(0), 1.0)
    n = X.shape[0]
    tick = Counter(progress, int(B), block=1 if backend == "highs" else chunk)
    if backend == "batch":
        parts = []
        for i in range(0, int(B), chunk):
            parts.append(radial_batch(X / sx, Y / sy, factors[i : i + chunk], orientation, rts))
            tick.add(len(parts[-1]))
        D = np.concatenate(parts).T
        return _summarise(score, delta, D, hh, int(B), seed, alpha, orientation, rts)
    if backend != "highs":
        raise ValueError("backend must be 'batch' or 'highs'")
    D = np.full((n, int(B)), np.nan)
    jobs = max(1, min(int(n_jobs), int(B)))
    engines = [_Engine(X / sx, Y / sy, orientation, rts) for _ in range(jobs)]
    chunks = np.array_split(np.arange(int(B)), jobs)
    if jobs == 1:
        _run(engines[0], factors, D, chunks[0], tick)
    else:
        with ThreadPoolExecutor(jobs) as ex:
            for f in [
                ex.submit(_run, e, factors, D, c, tick)
                for e, c in zip(engines, chunks, strict=True)
            ]:
                f.result()
    return _summarise(score, delta, D, hh, int(B), seed, alpha, orientation, rts)


def _summarise(score, delta, D, h, B, seed, alpha, orientation, rts) -> BootstrapResult:
    failed = np.isnan(D).sum(axis=1)
    with np.errstate(invalid="ignore"):
        bias_d = np.nanmean(D, axis=1) - delta
        d_bc = delta - bias_d
        dev = D - delta[:, None]
        lo_q = np.nanquantile(dev, alpha / 2, axis=1)
        hi_q = np.nanquantile(dev, 1 - alpha / 2, axis=1)
        var = np.nanvar(D, axis=1, ddof=1)
        ratio = np.abs(bias_d) / np.sqrt(var)
    d_lo, d_hi = delta - hi_q, delta - lo_q
    if orientation == "input":
        bc, low, high = 1.0 / d_bc, 1.0 / d_hi, 1.0 / d_lo
    else:
        bc, low, high = d_bc, d_lo, d_hi
    return BootstrapResult(score=score, score_bc=bc, bias=score - bc, ci_low=low, ci_high=high,
                           variance=var, bias_sd_ratio=ratio, n_failed=failed, h=h, B=B,
                           seed=seed, alpha=alpha, orientation=orientation, rts=rts,
                           distances=D)  # fmt: skip
