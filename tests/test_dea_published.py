"""DEA against numbers other people published (METHODS §9.1–9.4, §12).

Sources
- DEAP 2.1 EG1 (Coelli 1996, "A Guide to DEAP Version 2.1", CEPA WP 96/08, eg1-dta.txt /
  eg1-out.txt): 5 firms, 1 output, 2 inputs, CRS input orientation, multi-stage slacks.
  DEAP prints 3 decimals; the exact scores are the rationals 1/2, 1, 5/6, 5/7, 1.
- Färe, Grosskopf & Lovell (1994) textbook data (11 DMUs, 2 inputs, 1 output) with the
  10-digit results of R `Benchmarking` reproduced in DataEnvelopmentAnalysis.jl's
  test/dea.jl (Barbero & Zofío): CRS/VRS × input/output, slacks.
- SBM (Tone 2001) ≡ enhanced Russell graph measure (Pastor, Ruiz & Sirvent 1999): the 8-DMU
  table of DataEnvelopmentAnalysis.jl's test/deaerg.jl (CRS and VRS, with slacks).

Non-unique quantities: λ (peer weights) and, for SBM, the split of slacks between inputs and
outputs are not unique in general. We compare λ only where the published solution is the
unique one (EG1) and SBM slacks only for DMUs whose optimal slacks are unique; where our
optimum differs (SBM CRS DMU 3: published s⁻ = 1.6, s⁺ = 0; ours s⁻ = 0, s⁺ = 2), both give
the same ρ = 0.8 — the test checks that the alternative is optimal too.
"""

from __future__ import annotations

import numpy as np
import pytest

from measures.dea import dea_model, radial_efficiency, sbm, scale_efficiency

# ---------------------------------------------------------------- DEAP 2.1 EG1
EG1_X = np.array([[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]], dtype=float)
EG1_Y = np.array([[1], [2], [3], [1], [2]], dtype=float)


def test_deap_eg1_scores_slacks_targets_peers():
    r = dea_model(EG1_X, EG1_Y, model="ccr", orientation="input")
    np.testing.assert_allclose(r.score, [0.5, 1.0, 5 / 6, 5 / 7, 1.0], atol=1e-9)
    # SUMMARY OF INPUT SLACKS: firm 1 input 2 = 0.500, all others 0; output slacks 0
    exp_sin = np.zeros((5, 2))
    exp_sin[0, 1] = 0.5
    np.testing.assert_allclose(r.slack_in, exp_sin, atol=1e-9)
    np.testing.assert_allclose(r.slack_out, 0.0, atol=1e-9)
    # SUMMARY OF INPUT / OUTPUT TARGETS (DEAP prints firm 4 as 2.143 1.429 = 5/7 · (3, 2))
    exp_ti = [[1, 2], [2, 4], [5, 5], [15 / 7, 10 / 7], [6, 2]]
    np.testing.assert_allclose(r.target_in, exp_ti, atol=1e-9)
    np.testing.assert_allclose(r.target_out.ravel(), [1, 2, 3, 1, 2], atol=1e-9)
    # SUMMARY OF PEERS / PEER WEIGHTS (unique here)
    assert [sorted(int(j) for j in p) for p in r.peers] == [[1], [1], [1, 4], [1, 4], [4]]
    np.testing.assert_allclose(r.lambdas[2, [4, 1]], [0.5, 1.0], atol=1e-9)
    # firm 4 (DEAP 0.286 0.214): 2/7·(6, 2) + 3/14·(2, 4) = (15/7, 10/7), 2/7·2 + 3/14·2 = 1
    np.testing.assert_allclose(r.lambdas[3, [4, 1]], [2 / 7, 3 / 14], atol=1e-9)
    np.testing.assert_allclose(r.lambdas[0, 1], 0.5, atol=1e-9)


# ---------------------------------------------------------------- FGL data, R Benchmarking
FGL_X = np.array(
    [[5, 13], [16, 12], [16, 26], [17, 15], [18, 14], [23, 6], [25, 10], [27, 22], [37, 14],
     [42, 25], [5, 17]],
    dtype=float,
)  # fmt: skip
FGL_Y = np.array([[12], [14], [25], [26], [8], [9], [27], [30], [31], [26], [12]], dtype=float)

FGL = {
    ("input", "crs"): [1.0, 0.6222896791, 0.8198562444, 1.0, 0.3103709311, 0.5555555556, 1.0,
                       0.7576690896, 0.8201058201, 0.4905660377, 1.0],
    ("output", "crs"): [1.0, 1.606968641, 1.219726027, 1.0, 3.221951220, 1.8, 1.0, 1.319837398,
                        1.219354839, 2.038461538, 1.0],
    ("input", "vrs"): [1.0, 0.8699861687, 1.0, 1.0, 0.7116402116, 1.0, 1.0, 1.0, 1.0,
                       0.4931209269, 1.0],
    ("output", "vrs"): [1.0, 1.507518797, 1.0, 1.0, 3.203947368, 1.0, 1.0, 1.0, 1.0, 1.192307692,
                        1.0],
}  # fmt: skip


@pytest.mark.parametrize("key", list(FGL))
def test_fgl_radial_scores(key):
    orientation, rts = key
    for backend in ("highs", "cvxpy"):
        r = radial_efficiency(FGL_X, FGL_Y, orientation=orientation, rts=rts, backend=backend)
        # published to 9–10 significant digits
        np.testing.assert_allclose(r.score, FGL[key], atol=1e-8)


def test_fgl_slacks():
    io = dea_model(FGL_X, FGL_Y, model="ccr", orientation="input")
    exp = np.zeros((11, 2))
    exp[5, 0], exp[8, 0], exp[10, 1] = 4.444444444, 1.640211640, 4.0
    np.testing.assert_allclose(io.slack_in, exp, atol=1e-8)
    np.testing.assert_allclose(io.slack_out, 0.0, atol=1e-8)
    oo = dea_model(FGL_X, FGL_Y, model="ccr", orientation="output")
    exp = np.zeros((11, 2))
    exp[5, 0], exp[8, 0], exp[10, 1] = 8.0, 2.0, 4.0
    np.testing.assert_allclose(oo.slack_in, exp, atol=1e-8)
    np.testing.assert_allclose(oo.phi, FGL[("output", "crs")], atol=1e-8)
    np.testing.assert_allclose(oo.score, 1 / np.asarray(FGL[("output", "crs")]), atol=1e-8)
    iv = dea_model(FGL_X, FGL_Y, model="bcc", orientation="input")
    exp = np.zeros((11, 2))
    exp[10, 1] = 4.0
    np.testing.assert_allclose(iv.slack_in, exp, atol=1e-8)
    np.testing.assert_allclose(iv.slack_out.ravel()[4], 2.698412698, atol=1e-8)
    ov = dea_model(FGL_X, FGL_Y, model="bcc", orientation="output")
    exp = np.zeros((11, 2))
    exp[9] = [5.0, 11.0]
    exp[10, 1] = 4.0
    np.testing.assert_allclose(ov.slack_in, exp, atol=1e-8)


def test_fgl_scale_efficiency_consistent():
    se = scale_efficiency(FGL_X, FGL_Y)
    np.testing.assert_allclose(se["crs"], FGL[("input", "crs")], atol=1e-8)
    np.testing.assert_allclose(se["vrs"], FGL[("input", "vrs")], atol=1e-8)
    np.testing.assert_allclose(se["scale"], se["crs"] / se["vrs"], rtol=1e-12)
    assert set(se["rts_class"]) <= {"crs", "irs", "drs"}
    assert se["rts_class"][0] == "crs"  # DMU 1 is CRS- and VRS-efficient


# ---------------------------------------------------------------- SBM (= ERG) published table
ERG_X = np.array([2, 4, 8, 12, 6, 14, 14, 9.412])[:, None]
ERG_Y = np.array([1, 5, 8, 9, 3, 7, 9, 2.353])[:, None]


def test_sbm_crs_published():
    r = sbm(ERG_X, ERG_Y, orientation="none", rts="crs")
    exp = [0.4, 1.0, 0.8, 0.6, 0.4, 0.4, 0.514285714285650175, 0.2]
    np.testing.assert_allclose(r.score, exp, atol=1e-9)
    # unique slacks (all DMUs but 3, see module doc)
    keep = [0, 1, 3, 4, 5, 6, 7]
    np.testing.assert_allclose(
        r.slack_out.ravel()[keep],
        np.array([1.5, 0, 2.0, 6.0, 4.5, 10.5, 8.5, 9.412])[keep],
        atol=1e-8,
    )
    # DMU 3: both slack splits give rho = 0.8
    s_in, s_out = r.slack_in[2, 0], r.slack_out[2, 0]
    assert (1 - s_in / 8) / (1 + s_out / 8) == pytest.approx(0.8, abs=1e-9)


def test_sbm_vrs_published():
    r = sbm(ERG_X, ERG_Y, orientation="none", rts="vrs")
    exp = [1.0, 1.0, 1.0, 1.0, 0.4, 0.4761904761904763, 0.8571428571428572, 0.2]
    np.testing.assert_allclose(r.score, exp, atol=1e-9)
    np.testing.assert_allclose(r.slack_in.ravel(), [0, 0, 0, 0, 2.0, 22 / 3, 2, 5.412], atol=1e-8)
    np.testing.assert_allclose(r.slack_out.ravel(), [0, 0, 0, 0, 2.0, 0, 0, 2.647], atol=1e-8)
