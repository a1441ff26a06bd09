"""CFA/SEM (METHODS §10.4) against lavaan's published Holzinger & Swineford (1939) three-factor
CFA, and the §11 SEM consistency checks.

lavaan reference numbers: the lavaan tutorial (https://lavaan.ugent.be/tutorial/cfa.html,
lavaan 0.6, `cfa(HS.model, data = HolzingerSwineford1939)`, estimator ML, likelihood normal,
i.e. χ² = N·F): χ² = 85.306, df = 24, baseline χ² = 918.852 (df 36), CFI = 0.931, TLI = 0.896,
RMSEA = 0.092 (90 % CI 0.071–0.114), SRMR = 0.065; estimates visual =~ x2 0.554 (S.E. 0.100),
x3 0.729 (0.109), textual =~ x5 1.113 (0.065), x6 0.926 (0.055), speed =~ x8 1.180 (0.165),
x9 1.082 (0.151); `modindices()`: x7 ~~ x8 34.145, x8 ~~ x9 14.946, x2 ~~ x7 8.918,
x2 ~~ x3 8.532, x3 ~~ x5 7.858. `fitMeasures()`: GFI 0.943, AGFI 0.894, PGFI 0.503,
NFI 0.907, IFI 0.931.
The dataset is semopy.examples.holzinger39 (same 301 pupils as lavaan's)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from semopy.examples import holzinger39

from measures.survey.sem import (
    fit_indices,
    fit_sem,
    modification_indices,
    parse_model,
    validity_tables,
)

HS_MODEL = """
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"""


@pytest.fixture(scope="module")
def hs_data():
    return holzinger39.get_data()


@pytest.fixture(scope="module")
def hs_fit_n(hs_data):
    return fit_sem(hs_data, HS_MODEL, chi2_n="N")


def test_holzinger_swineford_fit_equals_lavaan(hs_fit_n):
    f = hs_fit_n.indices
    assert hs_fit_n.status == "ok"
    assert f["chi2"] == pytest.approx(85.306, abs=5e-4)
    assert f["df"] == 24
    assert f["chi2_baseline"] == pytest.approx(918.852, abs=5e-4)
    assert f["df_baseline"] == 36
    assert round(f["cfi"], 3) == 0.931
    assert round(f["tli"], 3) == 0.896
    assert round(f["rmsea"], 3) == 0.092
    assert round(f["rmsea_ci_lower"], 3) == 0.071
    assert round(f["rmsea_ci_upper"], 3) == 0.114
    assert round(f["srmr"], 3) == 0.065
    assert round(f["gfi"], 3) == 0.943
    assert round(f["agfi"], 3) == 0.894
    assert round(f["pgfi"], 3) == 0.503
    assert round(f["nfi"], 3) == 0.907
    assert round(f["ifi"], 3) == 0.931


def test_holzinger_swineford_estimates_equal_lavaan(hs_fit_n):
    e = {
        (r["lhs"], r["rhs"]): r
        for r in hs_fit_n.estimates.filter(pl.col("op") == "=~").iter_rows(named=True)
    }
    ref = {
        ("visual", "x2"): (0.554, 0.100),
        ("visual", "x3"): (0.729, 0.109),
        ("textual", "x5"): (1.113, 0.065),
        ("textual", "x6"): (0.926, 0.055),
        ("speed", "x8"): (1.180, 0.165),
        ("speed", "x9"): (1.082, 0.151),
    }
    for key, (est, se) in ref.items():
        assert round(e[key]["est"], 3) == est, key  # lavaan prints 3 decimals
        assert round(e[key]["se"], 3) == se, key
        assert e[key]["z"] == pytest.approx(e[key]["est"] / e[key]["se"], rel=1e-9)
    assert e[("visual", "x1")]["est"] == 1.0 and not e[("visual", "x1")]["free"]


def test_holzinger_swineford_modification_indices_equal_lavaan(hs_fit_n):
    mi = modification_indices(hs_fit_n)
    got = {frozenset((r["lhs"], r["rhs"])): r["mi"] for r in mi.iter_rows(named=True)}
    for a, b, ref in [("x7", "x8", 34.145), ("x8", "x9", 14.946), ("x2", "x7", 8.918),
                      ("x2", "x3", 8.532), ("x3", "x5", 7.858)]:  # fmt: skip
        assert got[frozenset((a, b))] == pytest.approx(ref, abs=5e-4), (a, b)
    assert mi["mi"][0] == pytest.approx(34.145, abs=5e-4)  # sorted, largest first
    assert mi.height == 36 - 0  # 9·8/2 pairs, none already free


def test_mi_predicts_chi2_drop_when_freed(hs_data, hs_fit_n):
    """The score statistic approximates the likelihood-ratio drop of freeing the parameter."""
    freed = fit_sem(hs_data, HS_MODEL + "x7 ~~ x8\n", chi2_n="N")
    drop = hs_fit_n.indices["chi2"] - freed.indices["chi2"]
    assert drop == pytest.approx(34.145, rel=0.1)  # measured 32.033 (−6.2 %)
    assert freed.indices["df"] == 23
    mi = modification_indices(freed)
    assert frozenset(("x7", "x8")) not in {
        frozenset((r["lhs"], r["rhs"])) for r in mi.iter_rows(named=True)
    }


def test_chi2_conventions(hs_data, hs_fit_n):
    """(N − 1)·F (DEFAULT, AMOS / lavaan likelihood='wishart') vs N·F: same F_ML, same
    standardised solution; variances scale by N/(N − 1)."""
    w = fit_sem(hs_data, HS_MODEL)  # DEFAULT "N-1"
    assert w.indices["f_ml"] == pytest.approx(hs_fit_n.indices["f_ml"], rel=1e-6)
    assert w.indices["chi2"] == pytest.approx(hs_fit_n.indices["chi2"] * 300 / 301, rel=1e-9)
    np.testing.assert_allclose(w.estimates["std_all"], hs_fit_n.estimates["std_all"], atol=1e-6)
    v_w = w.estimates.filter(pl.col("kind") == "variance")["est"].to_numpy()
    v_n = hs_fit_n.estimates.filter(pl.col("kind") == "variance")["est"].to_numpy()
    np.testing.assert_allclose(v_w / v_n, 301 / 300, rtol=1e-3)
    with pytest.raises(ValueError):
        fit_sem(hs_data, HS_MODEL, chi2_n="n")


def test_saturated_model_has_perfect_fit(hs_data):
    """METHODS §11: saturated ⇒ χ² = 0, df = 0, GFI = 1 (one factor, three indicators)."""
    f = fit_sem(hs_data, "visual =~ x1 + x2 + x3").indices
    assert f["df"] == 0
    assert f["chi2"] == pytest.approx(0.0, abs=1e-6)
    assert f["gfi"] == pytest.approx(1.0, abs=1e-9)
    assert f["cfi"] == pytest.approx(1.0)
    assert f["srmr"] == pytest.approx(0.0, abs=1e-5)
    assert np.isnan(f["rmsea"]) and np.isnan(f["agfi"])


def test_index_properties_on_random_pairs():
    """CFI ∈ [0, 1] for arbitrary S, Σ̂; NFI ≤ IFI whenever the model fits no worse than the
    baseline (χ² ≤ χ²_b, always true at an ML optimum that nests the baseline) (§11)."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        p = rng.integers(3, 8)
        a = rng.normal(size=(p, p))
        s = a @ a.T + p * np.eye(p)
        lam = rng.normal(size=(p, 1))
        sigma = lam @ lam.T + np.diag(np.diag(s))
        q = int(rng.integers(1, p * (p + 1) // 2))
        f = fit_indices(s, sigma, n_obs=int(rng.integers(50, 1000)), n_free=q)
        if f["chi2"] <= f["chi2_baseline"]:
            assert f["nfi"] <= f["ifi"] + 1e-12
        assert 0.0 <= f["cfi"] <= 1.0


def test_nfi_le_ifi_on_fitted_models(hs_data, hs_fit_n):
    for f in (hs_fit_n.indices, fit_sem(hs_data, HS_MODEL).indices):
        assert f["nfi"] <= f["ifi"]
        assert 0.0 <= f["cfi"] <= 1.0


def test_fit_indices_by_formula():
    s = np.array([[2.0, 0.8, 0.5], [0.8, 1.5, 0.3], [0.5, 0.3, 1.0]])
    sigma = np.array([[2.0, 0.7, 0.6], [0.7, 1.5, 0.35], [0.6, 0.35, 1.0]])
    f = fit_indices(s, sigma, n_obs=200, n_free=5)
    fml = (
        np.log(np.linalg.det(sigma))
        - np.log(np.linalg.det(s))
        + np.trace(s @ np.linalg.inv(sigma))
        - 3
    )
    assert f["chi2"] == pytest.approx(199 * fml)
    m = np.linalg.inv(sigma) @ s
    gfi = 1 - np.trace((m - np.eye(3)) @ (m - np.eye(3))) / np.trace(m @ m)
    assert f["gfi"] == pytest.approx(gfi)
    assert f["agfi"] == pytest.approx(1 - 6 / 1 * (1 - gfi))
    assert f["pgfi"] == pytest.approx(1 / 6 * gfi)
    assert f["rmsea"] == pytest.approx(np.sqrt(max(199 * fml - 1, 0) / 199))


def test_validity_and_labels(hs_data):
    spec = parse_model(HS_MODEL + "visual ~~ H1*textual  # a labelled covariance\n")
    fit = fit_sem(hs_data, spec, chi2_n="N")
    lab = fit.estimates.filter(pl.col("label") == "H1")
    assert lab.height == 1 and set(lab.row(0)[:3:2]) == {"visual", "textual"}
    per, pairs = validity_tables(fit)
    assert per["latent"].to_list() == ["visual", "textual", "speed"]
    lam = fit.estimates.filter((pl.col("op") == "=~") & (pl.col("lhs") == "textual"))[
        "std_all"
    ].to_numpy()
    cr = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    row = per.filter(pl.col("latent") == "textual").row(0, named=True)
    assert row["cr"] == pytest.approx(cr) and row["ave"] == pytest.approx(np.mean(lam**2))
    r = pairs.filter((pl.col("latent_1") == "visual") & (pl.col("latent_2") == "textual"))["r"][0]
    assert r == pytest.approx(lab["std_all"][0], abs=1e-9)
    assert r == pytest.approx(0.459, abs=5e-4)  # lavaan std.all visual ~~ textual


def test_parse_model_directives_and_errors():
    spec = parse_model("#! efa part: C1-C3 C7\nF =~ C1 + 1*C2 + C3 ; F ~~ F\nY ~ b1*F\n")
    assert spec.efa_blocks == {"part": ["C1", "C2", "C3", "C7"]}
    assert spec.measurement == {"F": ["C1", "C2", "C3"]}
    assert spec.observed == ["C1", "C2", "C3", "Y"]
    assert spec.labels == {("Y", "~", "F"): "b1"}
    with pytest.raises(ValueError):
        parse_model("F => C1")
    with pytest.raises(ValueError):
        parse_model("# nothing\n")


def test_semopy_chatter_is_silenced_without_touching_other_logging(caplog):
    """semopy logs through the root logger; only records from semopy's own files are dropped,
    only during the fit (no process-wide disabling of the root logger)."""
    import logging

    import semopy

    from measures.survey.sem.estimation import _semopy_quiet

    root = logging.getLogger()
    semopy_file = semopy.model.__file__
    with caplog.at_level(logging.INFO):
        with _semopy_quiet(semopy):
            root.handle(root.makeRecord("root", logging.WARNING, semopy_file, 1, "from semopy",
                                        None, None))  # fmt: skip
            logging.warning("from elsewhere")
        root.handle(root.makeRecord("root", logging.WARNING, semopy_file, 1, "semopy after",
                                    None, None))  # fmt: skip
    msgs = [r.getMessage() for r in caplog.records]
    assert msgs == ["from elsewhere", "semopy after"]
    assert not root.disabled and not root.filters
