"""Cross-efficiency against deaR (METHODS §9.5, §9.5.1): numbers computed by someone else.

Reference: deaR's own ``cross_efficiency()`` / ``model_multiplier()`` (Coll-Serrano, Bolós &
Benítez; CRAN, lpSolve) run by ``bench/reference/dear_cross_efficiency.R`` on the Charnes,
Cooper & Rhodes (1981) Program Follow Through data (70 sites, 5 inputs, 3 outputs; the copy
shipped with R Benchmarking). Provenance: tests/fixtures/charnes1981/PROVENANCE.md.

- CRS, input and output orientation, Doyle–Green method II and III, aggressive and benevolent
  (deaR ``M2_agg``, ``M2_ben``, ``M3_agg``, ``M3_ben``; ours ``dg_method`` 2 / 1): the whole
  70 × 70 matrix. lpSolve's answers agree with HiGHS to 3e-7, so the tolerance is 1e-6.
- VRS arbitrary, input (plain and ``correction = TRUE``, Lim & Zhu 2015) and output
  orientation: arbitrary weights are unique only for inefficient raters (an efficient DMU is
  supported by a cone of hyperplanes and each solver returns a different one), so the rows of
  the 43 inefficient raters are compared (at 1e-9: the two solvers agree to 3e-13), and the
  efficient raters' rows are checked for the properties that hold for any optimal weights.
- deaR's output-oriented score ``e`` is 1 / mean_d(1/E_dj); ours is the arithmetic mean of the
  φ-type entries (METHODS §9.5.1); the test checks deaR's from our matrix.
"""

from __future__ import annotations

import numpy as np
import pytest

from measures.dea.crosseff import cross_efficiency
from tests.charnes1981 import HERE, load

REF = HERE / "dear"
CASES = {"M2_agg": ("aggressive", 2), "M2_ben": ("benevolent", 2),
         "M3_agg": ("aggressive", 1), "M3_ben": ("benevolent", 1)}  # fmt: skip
ORIENT = {"io": "input", "oo": "output"}


def _ref(name: str) -> np.ndarray:
    path = REF / (name + (".csv.gz" if (REF / f"{name}.csv.gz").exists() else ".csv"))
    return np.genfromtxt(path, delimiter=",", comments="#", missing_values="NA",
                         filling_values=np.nan)  # fmt: skip


X, Y = load()


@pytest.mark.parametrize("o", ["io", "oo"])
@pytest.mark.parametrize("case", list(CASES))
def test_crs_secondary_goal_matrix_matches_dear(o, case):
    secondary, dg = CASES[case]
    r = cross_efficiency(X, Y, secondary=secondary, dg_method=dg, orientation=ORIENT[o])
    assert np.all(r.status == "optimal")
    np.testing.assert_allclose(r.theta, _ref(f"crs_{o}_efficiency"), rtol=1e-9)
    np.testing.assert_allclose(r.matrix, _ref(f"crs_{o}_{case}"), rtol=1e-6, atol=1e-6)


def test_crs_scores_match_dear_and_output_score_is_deaR_harmonic_form():
    r = cross_efficiency(X, Y, secondary="aggressive", dg_method=1)
    np.testing.assert_allclose(r.scores, _ref("crs_io_M3_agg_e"), rtol=1e-6)
    ro = cross_efficiency(X, Y, secondary="aggressive", dg_method=1, orientation="output")
    np.testing.assert_allclose(1 / np.mean(1 / ro.matrix, axis=0), _ref("crs_oo_M3_agg_e"),
                               rtol=1e-6)  # fmt: skip


@pytest.mark.parametrize(
    "o, correction, name",
    [
        ("io", "lim-zhu", "vrs_io_lim_zhu"),
        ("io", None, "vrs_io_arbitrary"),
        ("oo", None, "vrs_oo_arbitrary"),
    ],  # fmt: skip
)
def test_vrs_arbitrary_rows_of_inefficient_raters_match_dear(o, correction, name):
    with pytest.warns(UserWarning, match="not unique"):
        r = cross_efficiency(X, Y, secondary="arbitrary", rts="vrs", orientation=ORIENT[o],
                             correction=correction)  # fmt: skip
    theta = _ref(f"vrs_{o}_efficiency")
    np.testing.assert_allclose(r.theta, theta, rtol=1e-9)
    inefficient = theta < 1 - 1e-6 if o == "io" else theta > 1 + 1e-6
    assert inefficient.sum() == 43
    ref = _ref(name)
    np.testing.assert_allclose(r.matrix[inefficient], ref[inefficient], rtol=1e-9, atol=1e-9)
    # any optimal weights: the rater's own entry is its score; corrected / output entries are
    # bounded (Lim–Zhu E ∈ [0, 1]; output E ≥ 1)
    np.testing.assert_allclose(np.diag(r.matrix), theta, rtol=1e-9)
    finite = r.matrix[np.isfinite(r.matrix)]
    if correction:
        assert finite.min() >= -1e-12 and finite.max() <= 1 + 1e-9
    if o == "oo":
        assert finite.min() >= 1 - 1e-9


def test_output_dg_method_is_honoured_not_ignored():
    """Defect found by the deaR comparison: the output path ran method III for dg_method=2."""
    m2 = cross_efficiency(X, Y, secondary="aggressive", dg_method=2, orientation="output")
    m3 = cross_efficiency(X, Y, secondary="aggressive", dg_method=1, orientation="output")
    assert np.abs(m2.matrix - m3.matrix).max() > 0.05
    with pytest.raises(ValueError, match="dg_method"):
        cross_efficiency(X, Y, dg_method=3, orientation="output")


def test_cli_dg_method_ii_output_matches_dear_m2(tmp_path):
    import polars as pl

    from cbec.cli import main

    out = tmp_path / "ce.csv"
    rc = main(["crosseff", str(HERE / "charnes1981.csv"), "--dmu", "firm",
               "--inputs", "x1,x2,x3,x4,x5", "--outputs", "y1,y2,y3", "--orientation", "output",
               "--dg-method", "ii", "--method", "benevolent", "--out", str(out), "--quiet"])  # fmt: skip
    assert rc == 0
    # the file is ';'-separated (as Benchmarking ships it): the reader detects that
    got = pl.read_csv(out)["cross_eff"].to_numpy()
    expect = _ref("crs_oo_M2_ben").mean(axis=0)  # our score: the arithmetic mean over raters
    assert len(got) == 70
    np.testing.assert_allclose(got, expect, rtol=1e-6)
