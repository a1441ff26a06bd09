"""tasks/structure.py: the five result tables from a long staging panel — on a synthetic panel
(schema, missing-data handling, config-only subsystems) and on the embedded real data (the
default indicator system of config/indicators.toml is complete for its documented years)."""

from __future__ import annotations

import copy
import tomllib

import numpy as np
import polars as pl
import pytest

from cbec.paths import config_dir
from measures.regions import NBS4
from tasks.structure import compute_structure, structure_tables

CODES = sorted(NBS4)


def _cfg():
    with open(config_dir() / "indicators.toml", "rb") as fh:
        ind = tomllib.load(fh)
    with open(config_dir() / "structure.toml", "rb") as fh:
        st = tomllib.load(fh)
    return ind, st


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
    return structure_tables(synthetic_long())


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
    assert "va_industry_per_population" in w["indicator"].to_list()
    comp = synthetic_out["composite_index"]
    assert comp.height == 31 * 7 * 3
    assert comp["score"].min() >= 1e-4 - 1e-12 and comp["score"].max() <= 1 + 1e-4


def test_inequality_rows(synthetic_out):
    q = synthetic_out["inequality"]
    assert set(q["variable"]) == {"gdp_per_capita", "trade_per_capita", "composite_cbec",
                                  "composite_logistics", "composite_industry"}  # fmt: skip
    g = q.filter(pl.col("variable") == "gdp_per_capita", pl.col("year") == 2015)
    m = {
        r["measure"]: r["value"] for r in g.filter(pl.col("group").is_null()).iter_rows(named=True)
    }
    assert m["n_units"] == 31
    assert m["theil_t_weighted"] == pytest.approx(
        m["theil_t_weighted_between"] + m["theil_t_weighted_within"], abs=1e-12
    )
    assert m["dagum_g"] == pytest.approx(m["dagum_gw"] + m["dagum_gnb"] + m["dagum_gt"], abs=1e-10)
    assert g.filter(pl.col("measure") == "dagum_gjh").height == 6  # 4 NBS regions → 6 pairs
    comp = q.filter(pl.col("variable") == "composite_cbec")
    assert not comp["measure"].str.contains("weighted").any()  # composites: unweighted only


def test_coupling_and_synergy(synthetic_out):
    cp = synthetic_out["coupling"]
    assert set(cp["system"]) == {"cbec+logistics", "cbec+industry", "logistics+industry",
                                 "cbec+logistics+industry"}  # fmt: skip
    for c in ("c", "c_wang", "t", "d"):
        assert cp[c].min() >= 0 and cp[c].max() <= 1
    pair = cp.filter(pl.col("system") == "cbec+logistics")
    assert pair["lag_type"].null_count() == 0 and (pair["c_wang"] <= pair["c"] + 1e-12).all()
    assert cp.filter(pl.col("n_subsystems") == 3)["lag_type"].null_count() == 31 * 7
    syn = synthetic_out["synergy"]
    assert syn.height == 31 * 6 and set(syn["base"]) == {"previous"}
    assert syn["synergy"].min() >= -1 and syn["synergy"].max() <= 1


def test_missing_cells_raise_or_drop_flagged():
    panel = synthetic_long().filter(
        ~((pl.col("region_code") == "54") & (pl.col("year") == 2013)
          & (pl.col("variable") == "ec_sales"))
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"54/2013/ec_sales"):
        structure_tables(panel)
    ind, st = _cfg()
    ind = copy.deepcopy(ind)
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
    assert "cbec+logistics+industry+openness" in set(out["coupling"]["system"])


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
    assert w["year"].null_count() == 0 and w.height == 7 * 20
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
def real_panel():
    from warehouse import ingest, staging
    from warehouse.readers import read_source

    recs = []
    for sf in ingest.discover():
        t = read_source(sf.path, reader=sf.reader, options=sf.options, display=sf.display)
        r = t.records.with_columns(
            pl.lit(sf.source_name).alias("source_name"),
            pl.lit(sf.vintage).alias("vintage"),
            pl.lit(sf.display).alias("source_file"),
        )
        recs.append(r.drop([c for c in ("region_raw", "value_raw", "line_no") if c in r.columns]))
    panel, _ = staging.build_panel(pl.concat(recs, how="diagonal_relaxed"))
    return panel


def test_default_system_on_embedded_data(real_panel):
    out = structure_tables(real_panel)
    ind, _ = _cfg()
    y0, y1 = ind["years"]
    comp = out["composite_index"]
    assert comp.height == 31 * (y1 - y0 + 1) * len(ind["subsystems"])  # complete: none dropped
    assert set(out["indicator_weights"]["regions_dropped"]) == {""}
    q = out["inequality"].filter(pl.col("variable") == "gdp_per_capita",
                                 pl.col("measure") == "gini_weighted")  # fmt: skip
    assert set(range(2000, 2020)) <= set(q["year"])
    assert q["value"].is_between(0.1, 0.5).all()
    # Guangdong (44) leads the CBEC composite in the last year
    last = comp.filter(pl.col("subsystem") == "cbec", pl.col("year") == y1)
    assert last.sort("score", descending=True)["region_code"][0] == "44"
