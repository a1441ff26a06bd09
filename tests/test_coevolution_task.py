"""tasks.coevolution.coevolution_tables (the undecorated logic of compute_coevolution) on a
long composite frame: one row per region × pair × model and per region × pair × direction."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from measures.coevolution import simulate_predator_prey
from tasks.coevolution import coevolution_tables

ROOT = Path(__file__).resolve().parents[1]


def _composite() -> pl.DataFrame:
    years = np.arange(2005, 2020)
    x = simulate_predator_prey(0.5, 0.02, 0.4, 0.5, (30.0, 15.0), years - years[0])
    rows = []
    for i, y in enumerate(years):  # region 33: 15 years of a predator–prey path
        rows += [("33", int(y), "cbec", x[i, 0]), ("33", int(y), "industry", x[i, 1])]
    for y, a, b in ((2017, 0.2, 0.3), (2018, 0.25, 0.31), (2019, 0.3, 0.33)):  # region 11: 3 years
        rows += [("11", y, "cbec", a), ("11", y, "industry", b)]
    return pl.DataFrame(rows, schema=["region_code", "year", "subsystem", "score"], orient="row")


def test_tables_rows_statuses_and_recovery():
    cfg = tomllib.loads((ROOT / "config" / "coevolution.toml").read_text(encoding="utf-8"))
    ind = tomllib.loads((ROOT / "config" / "indicators.toml").read_text(encoding="utf-8"))
    assert {x for p in cfg["pairs"] for x in p} <= set(ind["subsystems"])  # indicators.toml names
    params = {**cfg, "pairs": [["cbec", "industry"], ["cbec", "logistics"]],
              "models": ["predator_prey"], "fit": {**cfg["fit"], "n_starts": 2}}  # fmt: skip
    out = coevolution_tables(_composite(), params)
    co, ca = out["coevolution"], out["causality"]
    assert co.height == 2 * 2 and ca.height == 2 * 2 * 2
    ok = co.filter((pl.col("region_code") == "33") & (pl.col("pair") == "cbec-industry")).row(
        0, named=True
    )
    assert ok["status"] == "ok" and ok["n_obs"] == 15 and ok["year_start"] == 2005
    for k, v in {"a1": 0.5, "b1": 0.02, "a2": 0.4, "b2": 0.5}.items():
        # the task path integrates with LSODA rtol=1e-6 (config/coevolution.toml): measured
        # recovery error ≤ 2.1e-7, so rel=3e-6 keeps a ×10 margin
        assert ok[k] == pytest.approx(v, rel=3e-6)
    assert ok["stability"] == "centre" and ok["x1_star"] == pytest.approx(40.0, rel=3e-6)
    short = co.filter((pl.col("region_code") == "11") & (pl.col("pair") == "cbec-industry"))
    assert short["status"][0] == "not_identified" and "too_few_points" in short["message"][0]
    assert short["a1"][0] is None and short["interaction"][0] is None  # NULL, not NaN
    miss = co.filter(pl.col("pair") == "cbec-logistics")
    assert set(miss["status"].to_list()) == {"missing_subsystem"}
    c33 = ca.filter((pl.col("region_code") == "33") & (pl.col("pair") == "cbec-industry"))
    assert c33["direction"].to_list() == ["cbec->industry", "industry->cbec"]
    assert c33["p_value"].is_between(0, 1).all() and c33["lags"].min() >= 1
    c11 = ca.filter((pl.col("region_code") == "11") & (pl.col("pair") == "cbec-industry"))
    assert set(c11["status"].to_list()) == {"too_short"}
    assert co.schema["converged"] == pl.Boolean and co.schema["a1"] == pl.Float64


def test_missing_columns_raise():
    with pytest.raises(ValueError, match="lacks column"):
        coevolution_tables(pl.DataFrame({"region_code": ["33"], "year": [2020]}), {})


def test_each_fit_row_names_its_ode_solver():
    """results.coevolution.ode_solver: lsoda_compiled, or lsoda_odeint where the fits fall
    back to scipy (here forced by native.disabled()); empty where no ODE was fitted."""
    from measures.coevolution import native

    params = {"pairs": [["cbec", "industry"], ["cbec", "logistics"]],
              "models": ["predator_prey"], "workers": 1, "fit": {"n_starts": 1}}  # fmt: skip
    co = coevolution_tables(_composite(), params)["coevolution"]
    with native.disabled():
        fallback = coevolution_tables(_composite(), params)["coevolution"]
    fitted = (pl.col("region_code") == "33") & (pl.col("pair") == "cbec-industry")
    assert co.filter(fitted)["ode_solver"].to_list() == ["lsoda_compiled"]
    assert fallback.filter(fitted)["ode_solver"].to_list() == ["lsoda_odeint"]
    assert set(co.filter(pl.col("pair") == "cbec-logistics")["ode_solver"]) == {""}
    assert co.filter(fitted)["status"][0] == fallback.filter(fitted)["status"][0] == "ok"
    assert co.filter(fitted)["a1"][0] == pytest.approx(fallback.filter(fitted)["a1"][0], rel=1e-9)
    discrete = coevolution_tables(_composite(), {**params, "fit": {"method": "discrete"}})
    assert set(discrete["coevolution"]["ode_solver"]) == {""}


def _four_regions() -> pl.DataFrame:
    c = _composite().filter(pl.col("region_code") == "33")
    return pl.concat([c.with_columns(pl.lit(r).alias("region_code")) for r in "ABCD"])


def test_process_pool_gives_the_inline_result_and_falls_back(monkeypatch):
    import tasks.coevolution as tc

    params = {"pairs": [["cbec", "industry"]], "models": ["predator_prey", "competition"],
              "fit": {"n_starts": 1, "max_nfev": 200}}  # fmt: skip
    inline = coevolution_tables(_four_regions(), {**params, "workers": 1})["coevolution"]
    pooled = coevolution_tables(_four_regions(), {**params, "workers": 2})["coevolution"]
    assert inline.height == 8
    assert inline.equals(pooled)  # 8 independent seeded fits: same numbers in 2 processes

    class Broken:
        def __init__(self, *a, **k):
            raise tc.BrokenProcessPool("no children here")

    monkeypatch.setattr(tc, "ProcessPoolExecutor", Broken)
    with pytest.warns(UserWarning, match="run in-process"):
        again = coevolution_tables(_four_regions(), {**params, "workers": 2})["coevolution"]
    assert again.equals(inline)


def test_not_converged_and_not_identified_fits_publish_null_numbers_and_labels():
    """Issue 15: a fit that is not converged or not identified publishes only its keys,
    sample, status and message — parameters, SEs, intervals, equilibrium, stability,
    interaction and fit statistics are NULL (not NaN, not the optimiser's last iterate)."""
    c = _composite().filter(pl.col("region_code") == "33")
    noisy = c.with_columns(
        pl.col("score") * pl.Series(np.random.default_rng(3).lognormal(0, 0.3, c.height))
    )
    params = {"pairs": [["cbec", "industry"]], "models": ["competition", "predator_prey"],
              "workers": 1, "fit": {"n_starts": 1, "max_nfev": 3}}  # fmt: skip
    co = coevolution_tables(noisy, params)["coevolution"]
    assert set(co["status"]) <= {"not_converged", "not_identified"}
    assert "not_converged" in set(co["status"])
    from tasks.coevolution import KEEP_UNIDENTIFIED

    for row in co.iter_rows(named=True):
        assert row["message"], row["status"]
        for k, v in row.items():
            if k not in KEEP_UNIDENTIFIED:
                assert v is None, (row["status"], k, v)
    assert co["n_obs"].to_list() == [15, 15] and not co["converged"].any()
    # the same data with a real budget: identified, numbers published
    params["fit"] = {"n_starts": 2}
    good = coevolution_tables(c, params)["coevolution"]
    pp = good.filter(pl.col("model") == "predator_prey").row(0, named=True)
    assert pp["status"] == "ok" and pp["a1"] == pytest.approx(0.5, rel=1e-4)
    assert pp["interaction"] and pp["se_a1"] is not None


def test_fit_counts_for_the_run_summary():
    from tasks.coevolution import fit_counts

    out = coevolution_tables(_composite(), {"pairs": [["cbec", "industry"]],
                                            "models": ["predator_prey"], "workers": 1,
                                            "fit": {"n_starts": 2}})  # fmt: skip
    n = fit_counts(out["coevolution"], out["causality"])
    # region 33 (15 points) identified; region 11 (3 points) not; its 2 Granger rows too_short
    assert n == {"fits": 2, "identified": 1, "causality": 4, "too_short": 2}
    from tasks.monitoring import headline

    rows = dict(headline(out))  # the run summary artifact shows both counts
    assert rows["co-evolution fits identified (ok/weak)"] == "1 / 2"
    assert rows["causality rows too_short"] == "2 / 4"
