"""transforms/structure.py (and its task): the five result tables from a long staging panel — on a synthetic panel
(schema, missing-data handling, config-only subsystems, per-subsystem windows) and on the
embedded real data (every subsystem of config/indicators.toml is complete on its window, and
no window could be longer)."""

from __future__ import annotations

import copy
import tomllib

import numpy as np
import polars as pl
import pytest

from cbec.paths import config_dir
from measures.regions import NBS4
from tasks.structure import compute_structure
from transforms.structure import structure_tables

CODES = sorted(NBS4)


def _files():
    with open(config_dir() / "indicators.toml", "rb") as fh:
        ind = tomllib.load(fh)
    with open(config_dir() / "structure.toml", "rb") as fh:
        st = tomllib.load(fh)
    return ind, st


def _cfg(years=(2013, 2019)):
    """The default systems with every window set to `years` (the synthetic panel's range)."""
    ind, st = _files()
    for s in ind["subsystems"].values():
        s["years"] = list(years)
    ind["years"] = list(years)
    return ind, st


SUBS = ("cbec", "trade", "logistics", "industry")


def synthetic_long(years=range(2013, 2020), seed=0) -> pl.DataFrame:
    ind, st = _cfg()
    variables = {"population", "gdp", "trade_total"}
    for s in ind["subsystems"].values():
        for it in s["indicators"]:
            variables.add(it["variable"])
            if it.get("per"):
                variables.add(it["per"])
    rng = np.random.default_rng(seed)
    rows = []
    for v in sorted(variables):
        base = rng.lognormal(5, 1, len(CODES))
        for k, y in enumerate(years):
            vals = base * (1.05 + 0.02 * rng.standard_normal(len(CODES))) ** k
            rows += [(c, y, v, float(x), "u") for c, x in zip(CODES, vals, strict=True)]
    return pl.DataFrame(
        rows,
        schema={"region_code": pl.Utf8, "year": pl.Int64, "variable": pl.Utf8,
                "value": pl.Float64, "unit": pl.Utf8},
        orient="row",
    )  # fmt: skip


@pytest.fixture(scope="module")
def synthetic_out():
    ind, st = _cfg()
    return structure_tables(synthetic_long(), {"indicators": ind, "structure": st})


def test_tables_and_columns(synthetic_out):
    out = synthetic_out
    assert set(out) == {"indicator_weights", "composite_index", "inequality", "coupling",
                        "synergy"}  # fmt: skip
    assert {"region_code", "year", "subsystem", "score", "scope", "normalise"} <= set(
        out["composite_index"].columns
    )
    assert {"year", "variable", "measure", "value", "scheme", "group"} <= set(
        out["inequality"].columns
    )
    need = {"region_code", "year", "c", "c_wang", "t", "d", "grade", "grade_label", "stage", "e",
            "lag_type", "label", "system"}  # fmt: skip
    assert need <= set(out["coupling"].columns)
    assert {"region_code", "year_from", "year_to", "base", "synergy", "grade",
            "order_cbec_to", "order_logistics_from"} <= set(out["synergy"].columns)  # fmt: skip
    for t in out.values():
        assert "run_id" not in t.columns
        for c, dt in t.schema.items():
            assert dt != pl.Float32, c


def test_weights_and_scores(synthetic_out):
    w = synthetic_out["indicator_weights"]
    sums = w.group_by("subsystem").agg(pl.col("weight").sum())
    np.testing.assert_allclose(sums["weight"].to_numpy(), 1.0)
    assert "va_industry_per_gdp" in w["indicator"].to_list()
    assert set(w["subsystem"]) == set(SUBS)
    comp = synthetic_out["composite_index"]
    assert comp.height == 31 * 7 * len(SUBS)
    assert comp["score"].min() >= 1e-4 - 1e-12 and comp["score"].max() <= 1 + 1e-4


def test_inequality_rows(synthetic_out):
    q = synthetic_out["inequality"]
    assert set(q["variable"]) == {"gdp_per_capita", "trade_per_capita",
                                  *[f"composite_{s}" for s in SUBS]}  # fmt: skip
    g = q.filter(pl.col("variable") == "gdp_per_capita", pl.col("year") == 2015)
    m = {
        r["measure"]: r["value"] for r in g.filter(pl.col("group").is_null()).iter_rows(named=True)
    }
    assert m["n_units"] == 31
    # the task's per-capita inequality equals PySAL's on the same provinces (gdp / population)
    from inequality.gini import Gini
    from inequality.theil import Theil

    wide = synthetic_long().filter(pl.col("year") == 2015)
    wide = wide.pivot(on="variable", index="region_code", values="value").sort("region_code")
    y = (wide["gdp"] / wide["population"]).to_numpy()
    assert m["gini"] == pytest.approx(Gini(y).g, abs=1e-12)
    assert m["theil_t"] == pytest.approx(float(Theil(y).T), abs=1e-12)
    assert m["theil_t_weighted"] == pytest.approx(
        m["theil_t_weighted_between"] + m["theil_t_weighted_within"], abs=1e-12
    )
    assert m["dagum_g"] == pytest.approx(m["dagum_gw"] + m["dagum_gnb"] + m["dagum_gt"], abs=1e-10)
    assert g.filter(pl.col("measure") == "dagum_gjh").height == 6  # 4 NBS regions → 6 pairs
    comp = q.filter(pl.col("variable") == "composite_cbec")
    assert not comp["measure"].str.contains("weighted").any()  # composites: unweighted only


def test_coupling_and_synergy(synthetic_out):
    cp = synthetic_out["coupling"]
    assert set(cp["system"]) == {"cbec+logistics", "cbec+industry", "trade+logistics",
                                 "logistics+industry", "+".join(SUBS)}  # fmt: skip
    for c in ("c", "c_wang", "t", "d"):
        assert cp[c].min() >= 0 and cp[c].max() <= 1
    pair = cp.filter(pl.col("system") == "cbec+logistics")
    assert pair["lag_type"].null_count() == 0 and (pair["c_wang"] <= pair["c"] + 1e-12).all()
    assert cp.filter(pl.col("n_subsystems") == 4)["lag_type"].null_count() == 31 * 7
    syn = synthetic_out["synergy"]
    assert syn.height == 31 * 6 and set(syn["base"]) == {"previous"}
    assert syn["synergy"].min() >= -1 and syn["synergy"].max() <= 1


def test_missing_cells_raise_or_drop_flagged():
    panel = synthetic_long().filter(
        ~((pl.col("region_code") == "54") & (pl.col("year") == 2013)
          & (pl.col("variable") == "ec_sales"))
    )  # fmt: skip
    ind, st = _cfg()
    with pytest.raises(ValueError, match=r"54/2013/ec_sales"):
        structure_tables(panel, {"indicators": ind, "structure": st})
    ind["missing"] = "drop_region"
    with pytest.warns(UserWarning, match="dropped"):
        out = structure_tables(panel, {"indicators": ind, "structure": st})
    w = out["indicator_weights"]
    assert set(w.filter(pl.col("subsystem") == "cbec")["regions_dropped"]) == {"54"}
    assert set(w.filter(pl.col("subsystem") == "logistics")["regions_dropped"]) == {""}
    comp = out["composite_index"]
    assert comp.filter(pl.col("subsystem") == "cbec", pl.col("region_code") == "54").height == 0


def test_user_adds_a_subsystem_by_config_alone():
    ind, st = _cfg()
    ind = copy.deepcopy(ind)
    ind["subsystems"]["openness"] = {
        "indicators": [
            {"variable": "exports", "per": "gdp", "direction": "+"},
            {"variable": "population", "direction": "-"},
        ]
    }
    out = structure_tables(synthetic_long(), {"indicators": ind, "structure": st})
    assert "openness" in set(out["composite_index"]["subsystem"])
    assert "composite_openness" in set(out["inequality"]["variable"])
    assert "+".join([*SUBS, "openness"]) in set(out["coupling"]["system"])


def test_options_by_year_and_fixed_base():
    ind, st = _cfg()
    st = copy.deepcopy(st)
    st["entropy"]["scope"] = "by_year"
    st["synergy"]["bases"] = ["previous", "fixed"]
    st["synergy"]["method"] = "linear"
    st["coupling"]["c_model"] = "wang2021"
    st["inequality"]["extra_schemes"] = ["belt3"]
    out = compute_structure.fn(synthetic_long(), {"indicators": ind, "structure": st})
    w = out["indicator_weights"]
    n_ind = sum(len(s["indicators"]) for s in ind["subsystems"].values())
    assert w["year"].null_count() == 0 and w.height == 7 * n_ind
    syn = out["synergy"]
    assert set(syn["base"]) == {"previous", "fixed"}
    assert (syn.filter(pl.col("base") == "fixed")["year_from"] == 2013).all()
    cp = out["coupling"]
    assert (cp["c"] == cp["c_wang"]).all()
    q = out["inequality"]
    assert set(q["scheme"]) == {"nbs4", "belt3"}
    b3 = q.filter(pl.col("scheme") == "belt3", pl.col("measure") == "dagum_gjh")
    assert (b3.group_by("variable", "year").len()["len"] == 3).all()  # 3 belts → 3 pairs


# ------------------------------------------------------------------ embedded real data
@pytest.fixture(scope="module")
def real_panel(embedded_staged):
    return embedded_staged[0]


def test_default_system_on_embedded_data(real_panel):
    """Every subsystem is complete on its configured window, none could be longer (no
    "could be longer" warning), and what binds each end is named."""
    import warnings

    ind, _ = _files()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = structure_tables(real_panel)
    assert not [str(c.message) for c in caught if "could be longer" in str(c.message)]
    comp = out["composite_index"]
    w = out["indicator_weights"]
    assert set(w["regions_dropped"]) == {""}  # complete: no province dropped
    want = {"cbec": (2014, 2024), "trade": (2000, 2021), "logistics": (2000, 2024),
            "industry": (2000, 2024)}  # fmt: skip
    for sub, (y0, y1) in want.items():
        assert ind["subsystems"][sub]["years"] == [y0, y1]
        c = comp.filter(pl.col("subsystem") == sub)
        assert (c["year"].min(), c["year"].max()) == (y0, y1)
        assert c.height == 31 * (y1 - y0 + 1)
        ws = w.filter(pl.col("subsystem") == sub)
        assert set(ws["year_from"]) == {y0} and set(ws["year_to"]) == {y1}
    limit = dict(w.select("subsystem", "window_limit").unique().iter_rows())
    assert limit["cbec"].startswith("start 2013: cbec_pilot_zones")
    assert "end 2022: exports, imports" in limit["trade"]
    assert "before official_from (2000)" in limit["logistics"]
    assert "no data in the panel after 2024" in limit["industry"]
    # the CBEC composite reaches 2024; Guangdong (44) leads it in the last year
    last = comp.filter(pl.col("subsystem") == "cbec", pl.col("year") == 2024)
    assert last.sort("score", descending=True)["region_code"][0] == "44"
    # per-capita GDP (gdp / population, METHODS §5) has all 31 provinces in every year to 2024
    q = out["inequality"].filter(pl.col("variable") == "gdp_per_capita")
    n = q.filter(pl.col("measure") == "n_units")
    assert set(n["year"]) == set(range(2000, 2025)) and set(n["value"]) == {31.0}
    g = q.filter(pl.col("measure") == "gini_weighted")
    assert g["value"].is_between(0.1, 0.5).all()
    # systems on the years their subsystems share
    cp = out["coupling"]
    span = {k: (a, b) for k, a, b in cp.group_by("system").agg(
        pl.col("year").min().alias("a"), pl.col("year").max().alias("b")).iter_rows()}  # fmt: skip
    assert span["cbec+logistics"] == (2014, 2024) and span["trade+logistics"] == (2000, 2021)
    assert span["cbec+trade+logistics+industry"] == (2014, 2021)
    syn = out["synergy"]
    assert (syn["year_from"].min(), syn["year_to"].max()) == (2014, 2024)


def test_per_subsystem_windows_and_shared_years():
    ind, st = _cfg((2000, 2024))
    ind["subsystems"]["cbec"]["years"] = [2014, 2024]
    ind["subsystems"]["trade"]["years"] = [2000, 2021]
    st = copy.deepcopy(st)
    st["synergy"]["subsystems"] = ["trade", "logistics"]
    st["synergy"]["bases"] = ["previous", "fixed"]
    panel = synthetic_long(range(2000, 2025))
    with pytest.warns(UserWarning, match="could be longer"):
        out = structure_tables(panel, {"indicators": ind, "structure": st})
    comp = out["composite_index"]
    yrs = {k: (a, b) for k, a, b in comp.group_by("subsystem").agg(
        pl.col("year").min().alias("a"), pl.col("year").max().alias("b")).iter_rows()}  # fmt: skip
    assert yrs == {"cbec": (2014, 2024), "trade": (2000, 2021), "logistics": (2000, 2024),
                   "industry": (2000, 2024)}  # fmt: skip
    cp = out["coupling"]
    assert set(cp.filter(pl.col("system") == "cbec+logistics")["year"]) == set(range(2014, 2025))
    assert set(cp.filter(pl.col("system") == "+".join(SUBS))["year"]) == set(range(2014, 2022))
    syn = out["synergy"]
    fixed = syn.filter(pl.col("base") == "fixed")
    assert set(fixed["year_from"]) == {2000} and fixed["year_to"].max() == 2021  # shared years
    q = out["inequality"]
    assert set(q.filter(pl.col("variable") == "composite_trade")["year"]) == set(range(2000, 2022))


def test_auto_window_is_the_longest_complete_run():
    ind, st = _cfg((2000, 2024))
    ind["subsystems"]["trade"]["years"] = "auto"
    panel = synthetic_long(range(2000, 2025)).filter(  # exports missing for one province in 2009
        ~((pl.col("variable") == "exports") & (pl.col("year") == 2009)
          & (pl.col("region_code") == "46"))
    )  # fmt: skip
    out = structure_tables(panel, {"indicators": ind, "structure": st})
    t = out["composite_index"].filter(pl.col("subsystem") == "trade")
    assert (t["year"].min(), t["year"].max()) == (2010, 2024)  # 15 years beat 2000–2008's 9
    lim = out["indicator_weights"].filter(pl.col("subsystem") == "trade")["window_limit"][0]
    assert lim.startswith("start 2009: exports")


def test_coupling_accepts_a_composite_at_its_maximum_plus_rounding():
    """A province-year at the maximum of every indicator scores Σ w·(1 + ε) = 1 + ε, which
    the float sum can exceed by an ulp (seen with the NBS-first trade composite)."""
    from transforms.structure import coupling_table

    _, st = _files()
    top = float(np.nextafter(1.0 + 1e-4, 2.0))
    comp = pl.DataFrame(
        {"region_code": ["44", "44", "11", "11"], "year": [2020] * 4,
         "subsystem": ["trade", "logistics"] * 2, "score": [top, 0.8, 0.2, 0.3]}
    )  # fmt: skip
    st = copy.deepcopy(st)
    st["coupling"]["pairs"] = [["trade", "logistics"]]
    cp = coupling_table(comp, st, ["trade", "logistics"])
    row = cp.filter(pl.col("region_code") == "44").row(0, named=True)
    assert row["u1"] == top and 0 < row["c"] <= 1 and 0 < row["d"] <= 1
