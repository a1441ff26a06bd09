"""The simulated study-B demo file (data/survey_demo) and the simulator: the file is exactly
what the seeded generator writes, and fitting study B's model recovers the generating
(published) standardised loadings and paths within sampling error
(Sustainability 2022, 14, 3576; ../shared/REFERENCE_STUDIES.md §B)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from measures.survey import study_b
from measures.survey.sem import fit_sem, parse_model
from measures.survey.simulate import (
    StandardisedSolution,
    attenuation_factor,
    latent_covariance,
    simulate_likert,
)

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "survey_demo" / "study_b_simulated_responses.csv"
MODEL = (ROOT / "config" / "survey" / "study_b.lav").read_text()


def _generating() -> dict[tuple[str, str, str], float]:
    gen = {(lat, "=~", item): lam for item, (lat, lam) in study_b.LOADINGS.items()}
    gen.update({(o, "~", p): b for (o, p), (_, b) in study_b.PATHS.items()})
    gen.update({(a, "~~", b): r for (a, b), (_, r) in study_b.COVARIANCES.items()})
    return gen


def _lookup(est: pl.DataFrame) -> dict[tuple[str, str, str], dict]:
    out = {}
    for r in est.iter_rows(named=True):
        out[(r["lhs"], r["op"], r["rhs"])] = r
        if r["op"] == "~~":
            out[(r["rhs"], "~~", r["lhs"])] = r
    return out


def test_demo_file_is_the_seeded_simulation():
    df = pl.read_csv(DEMO)
    assert df.height == 481 and df.columns == ["id"] + [f"C{i}" for i in range(1, 30)]
    items, y = simulate_likert(study_b.solution(), 481, study_b.DEMO_SEED)
    assert items == df.columns[1:]
    np.testing.assert_array_equal(df.drop("id").to_numpy(), y)
    assert df["id"].is_unique().all() and y.min() >= 1 and y.max() <= 5


def test_demo_recovers_generating_solution_within_sampling_error():
    """Every published loading, path and H7–H16 covariance lies within 3 approximate standard
    errors of the estimate from the 481 simulated respondents (S.E. of a standardised estimate
    taken as S.E.·|std/est|; 26 loadings + 16 structural parameters)."""
    fit = fit_sem(pd.read_csv(DEMO), MODEL)
    assert fit.status == "ok"
    got = _lookup(fit.estimates)
    zs = {}
    for key, g in _generating().items():
        r = got[key]
        if not r["free"]:  # first loading fixed at 1: use the mean S.E. of the free loadings
            se = 0.03
        else:
            se = r["se"] * abs(r["std_all"] / r["est"])
        zs[key] = (r["std_all"] - g) / se
    worst = max(zs, key=lambda k: abs(zs[k]))
    assert abs(zs[worst]) < 3.0, (worst, zs[worst])
    # loadings: mean absolute deviation of the order of the sampling error
    lo = [abs(got[k]["std_all"] - g) for k, g in _generating().items() if k[1] == "=~"]
    assert np.mean(lo) < 0.04


def test_large_sample_recovers_generating_solution_closely():
    """Consistency of generator + estimator: with 40,000 simulated respondents the Pearson-
    based standardised estimates are within 0.025 of the published values (the remaining gap
    is the second-order error of the categorisation correction)."""
    items, y = simulate_likert(study_b.solution(with_dropped_items=False), 40_000, 11)
    fit = fit_sem(pd.DataFrame(y, columns=items), MODEL)
    got = _lookup(fit.estimates)
    dev = {k: got[k]["std_all"] - g for k, g in _generating().items()}
    worst = max(dev, key=lambda k: abs(dev[k]))
    assert abs(dev[worst]) < 0.025, (worst, dev[worst])


def test_latent_covariance_is_standardised_and_matches_inputs():
    lat, cov = latent_covariance(study_b.solution())
    np.testing.assert_allclose(np.diag(cov), 1.0, atol=1e-12)
    pos = {v: i for i, v in enumerate(lat)}
    assert cov[pos["B1"], pos["B4"]] == pytest.approx(0.581)
    # the published paths are the regression weights of A1 on B1..B3 in this matrix
    b = ["B1", "B2", "B3"]
    beta = np.linalg.solve(cov[np.ix_([pos[v] for v in b], [pos[v] for v in b])],
                           cov[[pos[v] for v in b], pos["A1"]])  # fmt: skip
    np.testing.assert_allclose(beta, [0.239, 0.153, 0.478], atol=1e-12)


def test_simulator_guards():
    with pytest.raises(ValueError, match="positive definite"):
        latent_covariance(
            StandardisedSolution(
                loadings={"a": ("F", 0.7), "b": ("G", 0.7), "c": ("H", 0.7)},
                latent_corr={("F", "G"): 0.9, ("F", "H"): 0.9, ("G", "H"): -0.9},
            )
        )
    with pytest.raises(ValueError, match="≥ 1"):
        simulate_likert(StandardisedSolution({"a": ("F", 0.99), "b": ("F", 0.5)}), 10, 1)
    assert 0.9 < attenuation_factor() < 1.0
    _, y1 = simulate_likert(StandardisedSolution({"a": ("F", 0.6), "b": ("F", 0.5)}), 50, 5)
    _, y2 = simulate_likert(StandardisedSolution({"a": ("F", 0.6), "b": ("F", 0.5)}), 50, 5)
    np.testing.assert_array_equal(y1, y2)


def test_revised_model_fits(tmp_path):
    text = (ROOT / "config" / "survey" / "study_b_revised.lav").read_text()
    spec = parse_model(text)
    assert len(spec.observed) == 26
    fit = fit_sem(pd.read_csv(DEMO), spec)
    assert fit.indices["df"] == 277 - 5
