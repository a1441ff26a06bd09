"""Radial scores of many technologies in one batch (measures.dea.batch_panel, METHODS §9.7
"Solving", §9.1) against HiGHS (`radial_efficiency`) on the same LPs; the Malmquist path that
uses it (measures.malmquist.frontiers.panel_scores) against a HiGHS-only run."""

from __future__ import annotations

import numpy as np
import pytest

import measures.malmquist.frontiers as frontiers
from measures.dea.batch_panel import panel_radial_scores
from measures.dea.batch_radial import batch_radial_scores
from measures.dea.radial import radial_efficiency
from measures.malmquist import malmquist


def _periods(seed: int, n: int, T: int = 3):
    """T periods of n DMUs, 3 inputs, 2 outputs, drifting (cross-period LPs differ)."""
    rng = np.random.default_rng(seed)
    X = [rng.uniform(10, 100, (n, 3))]
    Y = [rng.uniform(10, 100, (n, 2))]
    for _ in range(T - 1):
        X.append(X[-1] * rng.uniform(0.9, 1.1, (n, 3)))
        Y.append(Y[-1] * rng.uniform(0.95, 1.2, (n, 2)))
    return X, Y


def _groups(seed: int = 7):
    """Technologies of very different sizes (padding), own and cross-period DMUs."""
    X, Y = _periods(seed, 120)
    Xs, Ys = _periods(seed + 1, 25)
    pooled = (np.concatenate(X), np.concatenate(Y))
    return [
        (X[0], Y[0], np.concatenate([X[0], X[1]]), np.concatenate([Y[0], Y[1]])),
        (X[1], Y[1], np.concatenate([X[0], X[2]]), np.concatenate([Y[0], Y[2]])),
        (Xs[0], Ys[0], np.concatenate([Xs[1], X[2][:40]]), np.concatenate([Ys[1], Y[2][:40]])),
        (*pooled, X[2], Y[2]),
    ]


def _highs(group, orientation, rts):
    return radial_efficiency(*group, orientation=orientation, rts=rts, batch=False)


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_every_group_equals_highs(orientation, rts):
    groups = _groups()
    got = panel_radial_scores(groups, orientation=orientation, rts=rts)
    for group, (score, ok) in zip(groups, got, strict=True):
        ref = _highs(group, orientation, rts)
        assert not (ok & (ref.status != "optimal")).any()  # never a score HiGHS does not find
        np.testing.assert_allclose(score[ok], ref.score[ok], rtol=1e-9, atol=1e-12)
        assert np.isnan(score[~ok]).all()
        if rts == "crs":
            assert ok.all()  # CRS always has a single-column start
    if rts == "vrs":  # cross-period VRS LPs without a start (some infeasible) are left out
        assert 0 < sum((~ok).sum() for _, ok in got) < 0.5 * sum(ok.size for _, ok in got)


def test_same_as_one_technology_at_a_time_and_chunks_change_nothing():
    groups = _groups(8)
    seen: list[tuple[int, int]] = []
    fused = panel_radial_scores(groups, chunk=50, progress=lambda d, k: seen.append((d, k)))
    whole = panel_radial_scores(groups, chunk=10_000)
    total = sum(len(g[2]) for g in groups)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1] == (total, total)
    for group, (a, ok_a), (b, ok_b) in zip(groups, fused, whole, strict=True):
        one, ok_one = batch_radial_scores(*group)
        assert ok_a.all() and ok_b.all() and ok_one.all()
        np.testing.assert_allclose(a, one, rtol=1e-12)
        np.testing.assert_allclose(b, one, rtol=1e-12)


def test_round_cap_and_bad_data_are_left_to_highs():
    groups = _groups(9)
    X0, Y0, Xe, Ye = groups[0]
    X0 = X0.copy()
    X0[5, 1] = 0.0  # not strictly positive: the whole group goes to HiGHS
    groups[0] = (X0, Y0, Xe, Ye)
    got = panel_radial_scores(groups, max_rounds=1)
    assert not got[0][1].any() and np.isnan(got[0][0]).all()
    capped = np.concatenate([ok for _, ok in got[1:]])
    assert 0 < capped.sum() < capped.size  # one round: some LPs do not price out yet
    for group, (score, ok) in zip(groups[1:], got[1:], strict=True):
        ref = _highs(group, "input", "crs")
        np.testing.assert_allclose(score[ok], ref.score[ok], rtol=1e-9)
    items = [(*g, "crs") for g in groups] + [(*groups[1], "nirs")]
    for item, (score, status, lps) in zip(items, frontiers.panel_scores(items, "input"),
                                          strict=True):  # fmt: skip
        ref = _highs(item[:4], "input", item[4])
        assert lps == len(item[2]) and (status == ref.status).all()
        np.testing.assert_allclose(score, ref.score, rtol=1e-9)


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_panel_scores_keep_highs_status_of_infeasible_vrs_lps(orientation):
    groups = _groups(10)
    items = [(*g, rts) for g in groups for rts in ("crs", "vrs")]
    got = frontiers.panel_scores(items, orientation)
    infeasible = 0
    for item, (score, status, _) in zip(items, got, strict=True):
        ref = _highs(item[:4], orientation, item[4])
        assert (status == ref.status).all()
        same = ref.status == "optimal"
        np.testing.assert_allclose(score[same], ref.score[same], rtol=1e-9)
        infeasible += int((ref.status == "infeasible").sum())
    assert infeasible > 0


@pytest.mark.parametrize(
    ("frontier", "decomposition", "orientation"),
    [
        ("adjacent", "fgnz", "input"),
        ("adjacent", "rd", "output"),
        ("sequential", "rd", "input"),
        ("global", "fgnz", "output"),
        ("fixed", "fgnz", "input"),
    ],
)
def test_malmquist_equals_a_highs_only_run(monkeypatch, frontier, decomposition, orientation):
    X, Y = (np.stack(a) for a in _periods(11, 60, T=4))
    kw = dict(frontier=frontier, decomposition=decomposition, orientation=orientation)
    fused = malmquist(X, Y, **kw)

    def nothing(groups, **_kw):
        return [(np.full(len(g[2]), np.nan), np.zeros(len(g[2]), dtype=bool)) for g in groups]

    monkeypatch.setattr(frontiers, "panel_radial_scores", nothing)
    highs = malmquist(X, Y, **kw)
    assert fused.lp_count == highs.lp_count
    np.testing.assert_array_equal(fused.status, highs.status)
    for k in ("mi", "ec", "tc", "pec", "sec"):
        np.testing.assert_allclose(getattr(fused, k), getattr(highs, k), rtol=1e-9)
