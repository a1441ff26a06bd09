"""Issue 20 CLI additions: `cbec synergy`, `cbec coupling` (both C forms, labels, Liao k),
`cbec entropy --shift`. Expected values are computed here from the METHODS formulas."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from cbec.cli import main


def test_synergy_cli_matches_the_formula(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("prov,year,a1,a2,b1\nA,2019,1,5,3\nA,2020,2,4,4\nA,2021,3,3,6\n"
                 "B,2019,2,6,2\nB,2020,2.5,5,3\nB,2021,2,7,1\n")  # fmt: skip
    out = tmp_path / "syn.csv"
    rc = main(["synergy", str(p), "--id", "prov", "--subsystem", "a=a1,-a2", "--subsystem",
               "b=b1", "--bounds", "expand10", "--out", str(out)])  # fmt: skip
    assert rc == 0
    df = pl.read_csv(out)
    assert (tmp_path / "syn_order.csv").exists()
    # METHODS §7: expand10 bounds, geometric order degree, C = θ·sqrt(|Δa|·|Δb|)
    a1, a2, b1 = np.array([1, 2, 3, 2, 2.5, 2.0]), np.array([5, 4, 3, 6, 5, 7.0]), np.array(
        [3, 4, 6, 2, 3, 1.0])  # fmt: skip

    def bnd(v):
        return v.min() - 0.1 * abs(v.min()), v.max() + 0.1 * abs(v.max())

    (l1, h1), (l2, h2), (l3, h3) = bnd(a1), bnd(a2), bnd(b1)
    ua = np.sqrt((a1 - l1) / (h1 - l1) * (h2 - a2) / (h2 - l2))
    ub = (b1 - l3) / (h3 - l3)
    da, db = ua[1] - ua[0], ub[1] - ub[0]  # A 2019 → 2020
    c = (1 if min(da, db) > 0 else -1) * np.sqrt(abs(da) * abs(db))
    row = df.filter((pl.col("id") == "A") & (pl.col("year_to") == 2020))
    assert row["synergy"][0] == pytest.approx(c, rel=1e-12)
    assert df.filter(pl.col("id") == "B")["synergy"][1] < 0  # both subsystems worsened
    assert main(["synergy", str(p), "--id", "prov", "--subsystem", "a=a1"]) == 2


def test_coupling_cli_both_c_forms_labels_and_liao(tmp_path):
    p = tmp_path / "u.csv"
    p.write_text("province,cbec,logistics\nA,0.6,0.6\nB,0.8,0.2\nC,0.1,0.5\n")
    out = tmp_path / "c.csv"
    assert main(["coupling", str(p), "--id", "province", "--subsystems", "cbec,logistics",
                 "--model", "liao", "--k", "2", "--out", str(out)]) == 0  # fmt: skip
    df = pl.read_csv(out)
    assert df.columns[:6] == ["id", "c", "t", "d", "grade", "lag_type"]
    assert {"c_traditional", "c_wang", "grade_label", "stage", "e", "label"} <= set(df.columns)
    b = df.row(1, named=True)
    assert b["c"] == pytest.approx((0.16 / 0.25) ** 2)  # Liao: {U1U2/[(U1+U2)/2]²}^k
    assert b["c_traditional"] == pytest.approx(2 * np.sqrt(0.16) / 1.0)
    assert b["c_wang"] == pytest.approx(np.sqrt((1 - 0.6) * 0.2 / 0.8))
    assert b["label"] == "濒临失调—logistics滞后型" and b["stage"] == "拮抗"
    assert main(["coupling", str(p), "--id", "province", "--subsystems", "cbec,logistics",
                 "--model", "liao", "--k", "0"]) == 2  # fmt: skip


def test_entropy_cli_shift_options(tmp_path):
    from measures.entropy import entropy_weights

    p = tmp_path / "i.csv"
    p.write_text("city,gdp,trade\nA,10,5\nB,20,8\nC,15,2\nD,30,9\n")
    x = np.array([[10, 5], [20, 8], [15, 2], [30, 9.0]])
    for shift, extra in (
        ("rescale", ["--rescale", "0.1,0.9"]),
        ("none", []),
        ("add", ["--epsilon", "0.01"]),
    ):
        out = tmp_path / f"{shift}.csv"
        assert main(["entropy", str(p), "--id", "city", "--indicators", "gdp,trade",
                     "--shift", shift, *extra, "--out", str(out)]) == 0  # fmt: skip
        kw = {"rescale": {"rescale": (0.1, 0.9)}, "none": {}, "add": {"epsilon": 0.01}}[shift]
        ref = entropy_weights(x, shift=shift, **kw)
        w = pl.read_csv(tmp_path / f"{shift}_weights.csv")["weight"].to_numpy()
        np.testing.assert_allclose(w, ref.weights, rtol=1e-12)
    assert main(["entropy", str(p), "--id", "city", "--indicators", "gdp,trade", "--shift",
                 "rescale", "--rescale", "0.9,0.1"]) == 2  # fmt: skip
