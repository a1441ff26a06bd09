"""Entropy weight method (METHODS §4) against published worked examples and the §11 properties.

Published examples (all in the classical p_ij = x_ij / Σ_i x_ij form, our normalise="sum"):
- Xu, X. (2004), "A note on the subjective and objective integrated approach to determine
  attribute weights", EJOR 156(2): 530–532 — weights 0.4630, 0.3992, 0.1378, 0.0000;
- Zavadskas, E.K. & Podvezko, V. (2016), IJITDM 15(2): 267–283 — 0.1146, 0.1981, 0.4185, 0.2689;
- Elsayed, Dawood & Karthikeyan (2017), Int. J. Eng. Trends Technol. 46(2): 60–66 —
  0.104991, 0.069124, 0.071373, 0.449937, 0.304575.
(The three are also the reference cases of the pymcdm / objective-weights-mcda test suites.)
The min–max form (DEFAULT) is checked against an independent loop implementation of §4.1–4.2.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import polars as pl
import pytest

from measures.entropy import (
    ConstantIndicatorWarning,
    entropy_index,
    entropy_weights,
    parse_indicators,
    standardise,
)

XU2004 = np.array([[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]], float)
ZP2016 = np.array([[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]])
ELSAYED2017 = np.array(
    [
        [7, 312, 1891, 6613, 163],
        [72, 88, 728, 941804, 1078],
        [10, 252, 2594, 3466, 117471],
        [10, 145, 980, 2371, 86329],
        [65, 54, 350, 501, 29897],
        [29, 48, 380, 912, 34051],
        [7, 476, 3300, 78470, 2212],
        [70, 87, 650, 733, 819000],
        [4, 86, 591, 3015, 103],
        [12, 79, 579, 3240, 96098],
        [21, 45, 261, 1253, 453],
        [1, 72, 530, 4333, 0.104800],
    ]
)


@pytest.mark.parametrize(
    "x, published, digits",
    [
        (XU2004, [0.4630, 0.3992, 0.1378, 0.0000], 4),
        (ZP2016, [0.1146, 0.1981, 0.4185, 0.2689], 4),
        (ELSAYED2017, [0.104991, 0.069124, 0.071373, 0.449937, 0.304575], 6),
    ],
)
def test_published_examples_sum_form(x, published, digits):
    r = entropy_weights(x, normalise="sum")
    np.testing.assert_array_equal(np.round(r.weights, digits), published)


def _loop_reference(x, dirs, eps):
    """Literal transcription of METHODS §4.1–4.2 with Python loops (independent check)."""
    n, m = len(x), len(x[0])
    z = [[0.0] * m for _ in range(n)]
    for j in range(m):
        col = [x[i][j] for i in range(n)]
        lo, hi = min(col), max(col)
        for i in range(n):
            v = (x[i][j] - lo) / (hi - lo) if dirs[j] == "+" else (hi - x[i][j]) / (hi - lo)
            z[i][j] = v + eps
    d = []
    for j in range(m):
        s = sum(z[i][j] for i in range(n))
        e = -sum((z[i][j] / s) * math.log(z[i][j] / s) for i in range(n) if z[i][j] > 0)
        d.append(1 - e / math.log(n))
    w = [dj / sum(d) for dj in d]
    scores = [sum(w[j] * z[i][j] for j in range(m)) for i in range(n)]
    return w, scores


@pytest.mark.parametrize("eps", [1e-4, 0.0])
def test_minmax_form_against_loop_reference(eps):
    rng = np.random.default_rng(11)
    x = rng.lognormal(3, 1, (40, 5))
    dirs = ["+", "-", "+", "+", "-"]
    w_ref, s_ref = _loop_reference(x.tolist(), dirs, eps)
    r = entropy_weights(x, dirs, shift="add" if eps else "none", epsilon=eps)
    np.testing.assert_allclose(r.weights, w_ref, rtol=1e-12)
    np.testing.assert_allclose(r.scores, s_ref, rtol=1e-12)


def test_properties_sum_to_one_and_affine_invariance():
    rng = np.random.default_rng(5)
    x = rng.normal(10, 3, (50, 4))
    r = entropy_weights(x, ["+", "+", "-", "+"])
    assert r.weights.sum() == pytest.approx(1.0, abs=1e-15) and (r.weights >= 0).all()
    assert ((r.entropy >= 0) & (r.entropy <= 1)).all()
    x2 = x.copy()
    x2[:, 0] = 1000 + 7.5 * x2[:, 0]  # positive affine rescaling of one raw indicator
    r2 = entropy_weights(x2, ["+", "+", "-", "+"])
    np.testing.assert_allclose(r.weights, r2.weights, rtol=1e-12)
    # rescale shift keeps z' in [a, b]
    z, _ = standardise(x, shift="rescale", rescale=(0.01, 0.99))
    assert z.min() == pytest.approx(0.01) and z.max() == pytest.approx(0.99)


def test_constant_indicator_gets_zero_weight_with_warning():
    x = np.column_stack([np.arange(5.0), np.full(5, 3.0), np.arange(5.0) ** 2])
    with pytest.warns(ConstantIndicatorWarning, match="constant"):
        r = entropy_weights(x, names=["a", "b", "c"])
    assert r.weights[1] == 0 and r.constant.tolist() == [False, True, False]
    assert r.weights.sum() == pytest.approx(1.0)


def test_edge_cases_raise():
    with pytest.raises(ValueError, match="at least 2 observations"):
        entropy_weights(np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match="missing"):
        entropy_weights(np.array([[1.0, np.nan], [2.0, 3.0]]))
    with pytest.raises(ValueError, match="every indicator is constant"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            entropy_weights(np.ones((4, 2)))
    with pytest.raises(ValueError, match="x ≥ 0"):
        entropy_weights(np.array([[1.0, -2.0], [2.0, 3.0]]), normalise="sum")
    with pytest.warns(UserWarning, match="does not reverse"):
        entropy_weights(np.array([[1.0, 2.0], [2.0, 3.0]]), ["+", "-"], normalise="sum")


def test_parse_indicators():
    assert parse_indicators(["a", "-b", "+c"]) == (["a", "b", "c"], ["+", "-", "+"])
    assert parse_indicators({"a": "+", "b": "-"}) == (["a", "b"], ["+", "-"])


def test_pooled_vs_by_year_panel():
    rng = np.random.default_rng(2)
    df = pl.DataFrame(
        {
            "id": [f"p{i}" for i in range(10)] * 3,
            "year": np.repeat([2001, 2002, 2003], 10),
            "a": rng.uniform(1, 10, 30),
            "b": rng.uniform(1, 10, 30),
        }
    )
    w, s = entropy_index(df, ["a", "-b"], id_cols="id", period="year")
    assert w.height == 2 and "year" not in w.columns and s.height == 30
    r = entropy_weights(df.select("a", "b").to_numpy(), ["+", "-"])
    np.testing.assert_allclose(w["weight"].to_numpy(), r.weights)
    np.testing.assert_allclose(s["score"].to_numpy(), r.scores)
    wy, sy = entropy_index(df, ["a", "-b"], id_cols="id", period="year", scope="by_year")
    assert wy.height == 6 and wy["year"].unique().sort().to_list() == [2001, 2002, 2003]
    first = df.filter(pl.col("year") == 2001)
    r1 = entropy_weights(first.select("a", "b").to_numpy(), ["+", "-"])
    np.testing.assert_allclose(wy.filter(pl.col("year") == 2001)["weight"].to_numpy(), r1.weights)
    with pytest.raises(ValueError, match="by_province"):
        entropy_index(df, ["a"], id_cols="id", scope="by_province")
    with pytest.raises(ValueError, match="missing values"):
        entropy_index(
            df.with_columns(pl.lit(None, pl.Float64).alias("a")), ["a", "b"], id_cols="id"
        )
