"""Simar–Wilson (1998) bootstrap (METHODS §9.11).

Published numbers: the reflected normal-reference bandwidth of DataEnvelopmentAnalysis.jl's
test/deaboot.jl (X = [2,4,3,5,6], Y = [1,2,3,4,5], VRS: input 0.1341004, output 0.1398634,
printed at 1e-7; the same rule as R Benchmarking's dea.boot). Their bootstrap scores depend on
Julia's StableRNG stream (and their smoothing step omits the noise), so they are not
comparable. Independent computations: the batched simplex against HiGHS on the same pseudo
data (1e-9), and a Monte-Carlo property on a known frontier (y = √x, n = 100, B = 500,
seed 101): coverage of the 95 % basic intervals and the bias-corrected error.
"""

from __future__ import annotations

import numpy as np
import pytest

from measures.dea.bootstrap import bandwidth, dea_bootstrap
from measures.dea.radial import radial_efficiency

JX = np.array([[2.0], [4], [3], [5], [6]])
JY = np.array([[1.0], [2], [3], [4], [5]])


@pytest.mark.parametrize("orientation, h", [("input", 0.1341004), ("output", 0.1398634)])
def test_bandwidth_matches_published(orientation, h):
    r = radial_efficiency(JX, JY, orientation=orientation, rts="vrs")
    assert bandwidth(r.score, orientation) == pytest.approx(h, abs=1e-7)


def _data(seed=1, n=60):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (n, 2))
    Y = np.c_[(X[:, :1] ** 0.4 * X[:, 1:] ** 0.4) * np.exp(-rng.exponential(0.3, (n, 1))),
              rng.uniform(1, 2, (n, 1))]  # fmt: skip
    return X, Y


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs"])
def test_batched_simplex_equals_highs(orientation, rts):
    X, Y = _data()
    a = dea_bootstrap(X, Y, orientation=orientation, rts=rts, B=12, seed=5)
    b = dea_bootstrap(X, Y, orientation=orientation, rts=rts, B=12, seed=5, backend="highs")
    np.testing.assert_allclose(a.distances, b.distances, atol=1e-9, rtol=0)
    assert np.isfinite(a.distances).all()


def test_reproducible_and_thread_independent():
    X, Y = _data(n=40)
    a = dea_bootstrap(X, Y, B=30, seed=7)
    b = dea_bootstrap(X, Y, B=30, seed=7)
    c = dea_bootstrap(X, Y, B=30, seed=7, backend="highs", n_jobs=2)
    np.testing.assert_array_equal(a.distances, b.distances)
    np.testing.assert_allclose(a.ci_low, c.ci_low, atol=1e-9)
    assert not np.array_equal(a.distances, dea_bootstrap(X, Y, B=30, seed=8).distances)


def test_intervals_ordered_and_bias_direction():
    X, Y = _data(n=40)
    r = dea_bootstrap(X, Y, B=200, seed=1)
    assert np.all(r.ci_low <= r.ci_high) and np.all(r.ci_high <= r.score + 1e-12)
    assert np.all(r.score_bc <= r.score + 1e-12)  # DEA is biased upwards (input θ)
    o = dea_bootstrap(X, Y, orientation="output", B=200, seed=1)
    assert np.all(o.ci_low >= o.score - 1e-12) and np.all(o.score_bc >= o.score - 1e-12)


def test_monte_carlo_coverage_on_known_frontier():
    rng = np.random.default_rng(101)
    n = 100
    x = rng.uniform(1, 10, n)
    theta = np.exp(-np.abs(rng.normal(0, 0.3, n)))
    X, Y = (x / theta)[:, None], np.sqrt(x)[:, None]
    b = dea_bootstrap(X, Y, rts="vrs", B=500, seed=101)
    coverage = np.mean((b.ci_low <= theta) & (theta <= b.ci_high))
    assert coverage >= 0.85  # nominal 0.95; Simar & Wilson (2000) report ≈ 0.9 at n = 100
    assert np.mean(np.abs(b.score_bc - theta)) < 0.75 * np.mean(np.abs(b.score - theta))


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="x, y > 0"):
        dea_bootstrap(np.array([[0.0], [1], [2]]), np.array([[1.0], [2], [3]]), B=5)
    with pytest.raises(ValueError, match="B"):
        dea_bootstrap(JX, JY, B=1)
