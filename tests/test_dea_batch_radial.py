"""Batched radial scores by column generation (measures.dea.batch_radial, METHODS §9.1, §9.7)
against HiGHS (`radial_efficiency`) on the same LPs, and the Malmquist path that uses them.
The Malmquist reference tests (DEAP EG4, FGL, Benchmarking) run through the batch as well."""

from __future__ import annotations

import numpy as np
import pytest

from measures.dea.batch_radial import batch_radial_scores
from measures.dea.radial import radial_efficiency
from measures.malmquist.frontiers import scores
from tests.charnes1981 import load


def _panel(seed: int, n: int = 150):
    rng = np.random.default_rng(seed)
    X0 = rng.uniform(10, 100, (n, 3))
    Y0 = rng.uniform(10, 100, (n, 2))
    X1 = X0 * rng.uniform(0.9, 1.1, (n, 3))
    Y1 = Y0 * rng.uniform(0.95, 1.2, (n, 2))
    return X0, Y0, X1, Y1


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
@pytest.mark.parametrize("cross", [False, True])
def test_equals_highs_own_and_cross_technology(orientation, rts, cross):
    X0, Y0, X1, Y1 = _panel(3)
    Xe, Ye = (X1, Y1) if cross else (X0, Y0)
    got, ok = batch_radial_scores(X0, Y0, Xe, Ye, orientation=orientation, rts=rts)
    ref = radial_efficiency(X0, Y0, Xe, Ye, orientation=orientation, rts=rts, batch=False)
    optimal = ref.status == "optimal"
    assert not (ok & ~optimal).any()  # never a score where HiGHS finds none
    np.testing.assert_allclose(got[ok], ref.score[ok], rtol=1e-9, atol=1e-12)
    if rts == "crs" or not cross or (rts, orientation) in (("nirs", "output"), ("ndrs", "input")):
        assert ok.all()  # CRS, NIRS-output, NDRS-input and any own technology have a start
    else:
        assert ok.sum() > 0.5 * len(ok)  # the rest go to HiGHS


def test_real_data_charnes1981_every_orientation_and_rts():
    X, Y = load()
    for orientation in ("input", "output"):
        for rts in ("crs", "vrs", "nirs", "ndrs"):
            got, ok = batch_radial_scores(X, Y, X, Y, orientation=orientation, rts=rts)
            ref = radial_efficiency(X, Y, orientation=orientation, rts=rts, batch=False).score
            assert ok.all()
            np.testing.assert_allclose(got, ref, rtol=1e-9)


def test_block_size_and_progress_change_no_result():
    X0, Y0, X1, Y1 = _panel(4, n=300)
    seen: list[int] = []
    a, _ = batch_radial_scores(X0, Y0, X1, Y1, block=64, progress=lambda d, k: seen.append(d))
    b, _ = batch_radial_scores(X0, Y0, X1, Y1, block=1000)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert seen == [64, 128, 192, 256, 300]


def test_not_positive_data_is_left_to_highs():
    X0, Y0, X1, Y1 = _panel(5, n=20)
    X0[3, 1] = 0.0
    got, ok = batch_radial_scores(X0, Y0, X1, Y1)
    assert not ok.any() and np.isnan(got).all()


def test_malmquist_scores_keep_highs_status_for_infeasible_vrs_lps():
    X0, Y0, X1, Y1 = _panel(6)
    score, status, lps = scores(X0, Y0, X1, Y1, "input", "vrs")
    ref = radial_efficiency(X0, Y0, X1, Y1, rts="vrs", batch=False)
    assert lps == len(X1)
    assert (status == ref.status).all() and (ref.status == "infeasible").any()
    same = ref.status == "optimal"
    np.testing.assert_allclose(score[same], ref.score[same], rtol=1e-9)
