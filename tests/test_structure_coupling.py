"""Coupling coordination (METHODS §6) on hand-computed cases with known answers, and the §11
properties. Wang et al. (2021) formula: 自然资源学报 36(3): 793–810."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from measures.coupling import (
    coordination,
    coupling_frame,
    coupling_liao,
    coupling_traditional,
    coupling_wang,
    grade,
    relative_development,
    stage,
)


def test_equal_scores_give_c_one():
    U = np.array([[0.6, 0.6], [0.01, 0.01], [1.0, 1.0]])
    np.testing.assert_allclose(coupling_traditional(U), 1.0)
    np.testing.assert_allclose(coupling_wang(U), 1.0)
    U3 = np.full((2, 3), 0.4)
    np.testing.assert_allclose(coupling_traditional(U3), 1.0)
    np.testing.assert_allclose(coupling_wang(U3), 1.0)


def test_hand_computed_two_subsystems():
    # U = (0.8, 0.2): traditional 2·sqrt(0.16)/1.0 = 0.8; Wang sqrt((1 − 0.6)·0.2/0.8) = sqrt(0.1)
    U = np.array([[0.8, 0.2]])
    assert coupling_traditional(U)[0] == pytest.approx(0.8)
    assert coupling_wang(U)[0] == pytest.approx(np.sqrt(0.1))
    T = coordination(U)
    assert T[0] == pytest.approx(0.5)
    f = coupling_frame(pl.DataFrame({"u1": [0.8], "u2": [0.2]}), ["u1", "u2"])
    # D = sqrt(C·T) = sqrt(0.8 · 0.5) = 0.632455532… → level 7 初级协调
    assert f["d"][0] == pytest.approx(0.632455532, abs=5e-10) and f["grade"][0] == 7
    assert f["grade_label"][0] == "初级协调" and f["stage"][0] == "磨合"  # C = 0.8 ∈ (0.5, 0.8]
    assert f["e"][0] == pytest.approx(0.25) and f["lag_type"][0] == "u2 lagging"
    assert f["label"][0] == "初级协调—u2滞后型"
    # Liao power form: k = 1/2 is the traditional C; k = 2 gives 0.8⁴
    assert coupling_liao(U, 0.5)[0] == pytest.approx(0.8)
    assert coupling_liao(U, 2)[0] == pytest.approx(0.8**4)


def test_hand_computed_three_subsystems():
    U = np.array([[0.9, 0.6, 0.3]])
    gm = (0.9 * 0.6 * 0.3) ** (1 / 3)
    assert coupling_traditional(U)[0] == pytest.approx(gm / 0.6)
    spread = (0.3 + 0.6 + 0.3) / 3
    ratio = (1.0 * (0.6 / 0.9) * (0.3 / 0.9)) ** 0.5
    assert coupling_wang(U)[0] == pytest.approx(np.sqrt((1 - spread) * ratio))
    assert coordination(U, [0.5, 0.3, 0.2])[0] == pytest.approx(0.45 + 0.18 + 0.06)


def test_wang_not_above_traditional_and_ranges():
    rng = np.random.default_rng(0)
    U = rng.uniform(0, 1, (5000, 2))
    ct, cw = coupling_traditional(U), coupling_wang(U)
    assert (cw <= ct + 1e-12).all()
    for v in (ct, cw, coordination(U), np.sqrt(ct * coordination(U))):
        assert ((v >= 0) & (v <= 1)).all()
    U3 = rng.uniform(0, 1, (2000, 3))
    assert (coupling_wang(U3) <= coupling_traditional(U3) + 1e-12).mean() > 0.95  # soft, n > 2


def test_d_monotone_in_t_at_fixed_c():
    # scaling U by s keeps C (homogeneous of degree 0) and raises T, so D rises
    base = np.array([0.2, 0.5])
    rows = np.array([base * s for s in np.linspace(0.1, 2.0, 20)])
    c = coupling_traditional(rows)
    np.testing.assert_allclose(c, c[0])
    d = np.sqrt(c * coordination(rows))
    assert (np.diff(d) > 0).all()


def test_grade_boundaries_and_stage():
    d = np.array([0.0, 0.1, 0.1 + 1e-9, 0.1 + 0.2, 0.5, 0.50001, 0.9, 0.95, 1.0])
    assert grade(d).tolist() == [1, 1, 2, 3, 5, 6, 9, 10, 10]
    assert stage(np.array([0.0, 0.3, 0.31, 0.5, 0.8, 0.81, 1.0])).tolist() == [0, 0, 1, 1, 2, 3, 3]
    assert grade([0.25], cuts=[0.2, 0.4]).tolist() == [2]


def test_relative_development_thresholds():
    u1 = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5])
    u2 = np.array([0.8, 0.81, 1.2, 1.21, 0.5, 0.3, 0.45])
    e, code = relative_development(u1, u2)
    assert code.tolist() == [1, 0, 0, -1, 1, -1, 0]
    assert np.isinf(e[5])
    _, code_d = relative_development(u1, u2, rule="diff", diff=0.1)
    assert code_d.tolist() == [1, 1, -1, -1, 1, -1, 0]


def test_edge_cases():
    with pytest.raises(ValueError, match="n ≥ 2"):
        coupling_traditional(np.array([[0.5]]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        coupling_wang(np.array([[0.5, 1.2]]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        coupling_traditional(np.array([[-0.1, 0.2]]))
    assert coupling_traditional(np.array([[0.0, 0.0]]))[0] == 0
    assert coupling_wang(np.array([[0.0, 0.0]]))[0] == 0
    assert coupling_traditional(np.array([[0.0, 0.5]]))[0] == 0
    # composites built with shift="add" can reach 1 + ε: tolerated (clipped) only when asked
    assert coupling_traditional(np.array([[1.00005, 1.0]]), tol=1e-4)[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="weights"):
        coordination(np.array([[0.2, 0.3]]), [0.7, 0.7])


def test_n3_frame_has_no_lag_type():
    df = pl.DataFrame({"a": [0.2, 0.9], "b": [0.3, 0.9], "c": [0.4, 0.9]})
    f = coupling_frame(df, ["a", "b", "c"], model="wang2021")
    assert f["lag_type"].null_count() == 2 and f["c"].to_list() == f["c_wang"].to_list()
    assert f["grade"][1] == 10
