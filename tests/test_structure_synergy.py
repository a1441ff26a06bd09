"""Composite-system synergy (孟庆松 & 韩文秀 2000; METHODS §7): hand-computed cases and the §11
properties (swapping t0/t1 flips the sign only through θ; any Δ_j = 0 ⇒ C = 0)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from measures.synergy import (
    bounds_of,
    order_degree,
    subsystem_order,
    synergy_degree,
    synergy_frame,
    synergy_grade,
)


def test_order_degree_hand_computed():
    x = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 30.0]])
    u = order_degree(x, ["+", "-"])
    np.testing.assert_allclose(u, [[0, 1], [0.5, 0.5], [1, 0]])
    lo, hi = bounds_of(x, "expand10")
    np.testing.assert_allclose(lo, [0.9, 9.0])
    np.testing.assert_allclose(hi, [5.5, 33.0])
    u10 = order_degree(x, ["+", "-"], bounds="expand10")
    assert ((u10 > 0) & (u10 < 1)).all()
    assert u10[1, 0] == pytest.approx((3 - 0.9) / (5.5 - 0.9))
    assert u10[1, 1] == pytest.approx((33 - 20) / (33 - 9))


def test_user_bounds_clip_and_constant():
    x = np.array([[1.0], [12.0]])
    with pytest.raises(ValueError, match="outside its bounds"):
        order_degree(x, bounds="user", lower=[0.0], upper=[10.0])
    u = order_degree(x, bounds="user", lower=[0.0], upper=[10.0], clip=True)
    np.testing.assert_allclose(u[:, 0], [0.1, 1.0])
    with pytest.raises(ValueError, match="upper bound"):
        order_degree(np.ones((3, 1)))
    with pytest.raises(ValueError, match="missing"):
        order_degree(np.array([[1.0], [np.nan]]))


def test_subsystem_order():
    u = np.array([[0.25, 1.0], [0.0, 0.5]])
    np.testing.assert_allclose(subsystem_order(u), [0.5, 0.0])
    np.testing.assert_allclose(subsystem_order(u, "linear", [0.2, 0.8]), [0.85, 0.4])
    np.testing.assert_allclose(subsystem_order(u, "linear"), [0.625, 0.25])


def test_synergy_degree_hand_computed_and_properties():
    u0 = np.array(
        [
            [0.2, 0.3],
            [0.2, 0.3],
            [0.2, 0.3],
            [
                0.5,
                0.5,
            ],
        ]
    )
    u1 = np.array([[0.6, 0.4], [0.6, 0.2], [0.1, 0.2], [0.5, 0.9]])
    c = synergy_degree(u0, u1)
    assert c[0] == pytest.approx(np.sqrt(0.4 * 0.1))  # both more ordered → θ = +1
    assert c[1] == pytest.approx(-np.sqrt(0.4 * 0.1))  # one less ordered → θ = −1
    assert c[2] == pytest.approx(-np.sqrt(0.1 * 0.1))
    assert c[3] == 0.0  # Δ_1 = 0 ⇒ C = 0
    back = synergy_degree(u1, u0)
    np.testing.assert_allclose(np.abs(back), np.abs(c))  # swap: same magnitude
    assert back[0] == pytest.approx(-c[0]) and back[2] == pytest.approx(-c[2])
    k3 = synergy_degree([[0.1, 0.1, 0.1]], [[0.2, 0.3, 0.5]])
    assert k3[0] == pytest.approx((0.1 * 0.2 * 0.4) ** (1 / 3))
    assert ((c >= -1) & (c <= 1)).all()
    assert synergy_grade([-0.2, 0.0, 0.2, 0.3, 0.31, 0.7, 0.95]) == [
        "non-synergistic", "non-synergistic", "low", "low", "moderate", "high", "very high"
    ]  # fmt: skip


def _panel():
    rng = np.random.default_rng(4)
    rows = []
    for r in ("11", "12", "13"):
        for y in range(2013, 2018):
            rows.append(
                {
                    "region_code": r,
                    "year": y,
                    "a": rng.uniform(1, 9) + y - 2013,
                    "b": rng.uniform(1, 9),
                    "c": rng.uniform(1, 9) + 2 * (y - 2013),
                }
            )
    return pl.DataFrame(rows)  # fmt: skip


def test_synergy_frame_previous_and_fixed():
    df = _panel()
    spec = {"s1": [("a", "+"), ("b", "-")], "s2": [("c", "+")]}
    order, prev = synergy_frame(df, spec, base="previous")
    assert prev.height == 3 * 4 and (prev["year_to"] - prev["year_from"] == 1).all()
    # bounds are common to all provinces (expand10 over the whole panel)
    x = df.sort("region_code", "year").select("a", "b").to_numpy()
    u = order_degree(x, ["+", "-"], bounds="expand10")
    np.testing.assert_allclose(order["order_s1"].to_numpy(), np.sqrt(u[:, 0] * u[:, 1]))
    r = prev.row(0, named=True)
    expect = synergy_degree([[r["order_s1_from"], r["order_s2_from"]]],
                            [[r["order_s1_to"], r["order_s2_to"]]])[0]  # fmt: skip
    assert r["synergy"] == pytest.approx(expect)
    _, fixed = synergy_frame(df, spec, base="fixed")
    assert (fixed["year_from"] == 2013).all() and fixed.height == 12
    _, fixed15 = synergy_frame(df, spec, base="fixed", base_year=2015)
    assert (fixed15["year_from"] == 2015).all() and set(fixed15["year_to"]) == {
        2013,
        2014,
        2016,
        2017,
    }
    with pytest.raises(ValueError, match="base year"):
        synergy_frame(df, spec, base="fixed", base_year=1990)
    with pytest.raises(ValueError, match="duplicate"):
        synergy_frame(pl.concat([df, df.head(1)]), spec)
    with pytest.raises(ValueError, match="missing"):
        synergy_frame(df.with_columns(pl.lit(None, pl.Float64).alias("c")), spec)
