"""Firm-scale radial DEA (METHODS §9.1; issue 18 item 3): pricing over the non-dominated
DMUs only, phase 2 skipped where the phase-1 duals prove zero max-slacks, sparse λ.

Each shortcut is checked against the path without it: the published reference data (DEAP EG1,
Färe–Grosskopf–Lovell) give identical slacks, targets and peers with phase 2 forced for every
DMU; scores with the pricing pool equal those priced over all columns; the sparse λ equals the
dense one entry for entry."""

from __future__ import annotations

import numpy as np
import pytest

import measures.dea.radial as radial_mod
from measures.dea import dea_model, radial_efficiency
from measures.dea._sparse import LambdaMatrix, nondominated, pricing_pool
from tests.test_dea_published import EG1_X, EG1_Y, FGL_X, FGL_Y


def _data(n, seed=11):
    rng = np.random.default_rng(seed)
    return rng.uniform(10, 100, (n, 3)), rng.uniform(10, 100, (n, 2))


CASES = [(EG1_X, EG1_Y), (FGL_X, FGL_Y), _data(150)]


@pytest.fixture
def highs_only(monkeypatch):
    """The per-LP HiGHS engine for every DMU (no batched first pass): the shortcuts below
    are the engine's."""
    monkeypatch.setattr(
        radial_mod, "solve_batched", lambda Xs, Ys, Xe, Ye, *a, **k: np.arange(len(Xe))
    )


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("model,orientation", [("ccr", "input"), ("ccr", "output"),
                                               ("bcc", "input"), ("super", "input")])  # fmt: skip
def test_phase2_skip_gives_identical_slacks(monkeypatch, highs_only, case, model, orientation):
    X, Y = CASES[case]
    fast = dea_model(X, Y, model=model, orientation=orientation)
    monkeypatch.setattr(radial_mod, "PHASE2_SKIP_TOL", np.inf)  # phase 2 for every DMU
    full = dea_model(X, Y, model=model, orientation=orientation)
    # the same slacks: zero exactly where they are zero with phase 2 everywhere, the rest to
    # rounding (the LPs are warm-started along another path), θ and targets likewise
    for a, b in ((fast.slack_in, full.slack_in), (fast.slack_out, full.slack_out)):
        np.testing.assert_array_equal(a == 0, b == 0)
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(fast.score, full.score, rtol=1e-13, atol=0)
    np.testing.assert_allclose(fast.target_in, full.target_in, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.target_out, full.target_out, rtol=1e-12, atol=1e-12)
    assert fast.peers == full.peers or model == "super"
    assert list(fast.status) == list(full.status)


def test_phase2_is_really_skipped_and_still_runs_where_slack_is_left(highs_only):
    # EG1 firm 1 (θ = 0.5) has an input slack of 0.5 that phase 2 must find
    r = radial_efficiency(EG1_X, EG1_Y, two_phase=True)
    assert 0 < r.extra["phase2_skipped"] < 5
    np.testing.assert_allclose(r.slack_in[0], [0.0, 0.5], atol=1e-9)
    X, Y = _data(400)
    r = radial_efficiency(X, Y, two_phase=True)
    assert r.extra["phase2_skipped"] > 50  # 99 of 400 on this draw


def _brute_nondominated(Z):
    ge = (Z[None, :, :] >= Z[:, None, :]).all(2)
    gt = (Z[None, :, :] > Z[:, None, :]).any(2)
    return np.flatnonzero(~(ge & gt).any(1))


def test_nondominated_matches_brute_force():
    rng = np.random.default_rng(5)
    for n, d in ((700, 5), (1500, 3), (300, 2)):
        Z = rng.uniform(0, 1, (n, d))
        Z[n // 2] = Z[0]  # a duplicate: neither dominates the other
        Z[1] = np.round(Z[1], 1)  # ties in a coordinate
        np.testing.assert_array_equal(nondominated(Z, block=64), _brute_nondominated(Z))


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
@pytest.mark.parametrize("exclude", [False, True])
@pytest.mark.parametrize("batch", [False, True])
def test_pricing_pool_agrees_with_pricing_all_columns(monkeypatch, orientation, rts, exclude,
                                                      batch):  # fmt: skip
    X, Y = _data(300, seed=3)
    kw = dict(orientation=orientation, rts=rts, exclude_self=exclude, two_phase=True,
              batch=batch)  # fmt: skip
    pooled = radial_efficiency(X, Y, **kw)
    assert pooled.extra["pricing_pool"] < 300
    monkeypatch.setattr(radial_mod, "pricing_pool", lambda Xs, Ys, ex: np.arange(Xs.shape[0]))
    every = radial_efficiency(X, Y, **kw)
    np.testing.assert_allclose(pooled.score, every.score, rtol=0, atol=1e-9)
    np.testing.assert_allclose(pooled.slack_in, every.slack_in, rtol=0, atol=1e-7)
    np.testing.assert_allclose(pooled.slack_out, every.slack_out, rtol=0, atol=1e-7)
    assert list(pooled.status) == list(every.status)


def test_pool_covers_second_layer_when_self_is_excluded():
    X, Y = _data(200, seed=9)
    Xs, Ys = X / X.mean(0), Y / Y.mean(0)
    assert set(pricing_pool(Xs, Ys, False)) < set(pricing_pool(Xs, Ys, True))


def test_sparse_lambdas_equal_dense_and_keep_callers_working(monkeypatch):
    X, Y = _data(120)
    dense = dea_model(X, Y)
    assert isinstance(dense.lambdas, np.ndarray)
    monkeypatch.setattr(radial_mod, "DENSE_LAMBDA_MAX", 100)
    sparse = dea_model(X, Y)
    L = sparse.lambdas
    assert isinstance(L, LambdaMatrix) and L.shape == (120, 120)
    np.testing.assert_array_equal(L.toarray(), dense.lambdas)
    np.testing.assert_array_equal(L[7], dense.lambdas[7])  # dense row (cbec dea peers)
    j = sparse.peers[7][0]
    assert L[7, j] == dense.lambdas[7, j]  # one entry (transforms.efficiency)
    assert [list(map(int, p)) for p in dense.peers] == sparse.peers
    assert L.nnz <= 120 * 6


def test_eg1_lambdas_forced_sparse():
    r = radial_efficiency(EG1_X, EG1_Y, two_phase=True, return_lambdas="sparse")
    np.testing.assert_allclose(r.lambdas[2, [4, 1]], [0.5, 1.0], atol=1e-9)
    np.testing.assert_allclose(r.lambdas[3, [4, 1]], [2 / 7, 3 / 14], atol=1e-9)


def test_dense_to_csc_equals_scipy_csc_matrix():
    """The numpy CSC builder of the small-LP path (no scipy import in a CLI command) gives the
    arrays scipy.sparse.csc_matrix gives: zeros dropped, rows sorted within each column."""
    import scipy.sparse as sp

    from measures.dea._highs import dense_to_csc

    rng = np.random.default_rng(3)
    for shape in ((3, 5), (7, 2), (1, 1), (4, 0), (0, 3), (12, 40)):
        A = rng.normal(size=shape) * (rng.random(shape) > 0.4)
        start, index, value = dense_to_csc(A)
        C = sp.csc_matrix(A)
        assert start.tolist() == C.indptr.tolist() and index.tolist() == C.indices.tolist()
        assert value.tolist() == C.data.tolist()
