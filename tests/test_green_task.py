"""transforms/green.py + tasks/green.py: the pipeline's green-TFP table (issue 20). The task assembles the panel
from computed tables and staging variables; on the gtfpch example data it must reproduce
Stata gtfpch's published global ML (ex3.log, 4 decimals)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cbec.settings import load_green_params
from tasks.green import compute_green
from transforms.green import SCHEMA, green_tables

FIX = Path(__file__).parent / "fixtures" / "gtfpch_example"


def _inputs():
    d = pl.read_csv(FIX / "example.csv").rename({"Province": "region_code"})
    tables = {
        "capital_stock": d.select("region_code", "year", pl.col("K").alias("capital_stock")),
        "labour": d.select("region_code", "year", pl.col("L").alias("labour")),
        "real_gdp": d.select("region_code", "year", pl.col("Y").alias("real_gdp")),
    }
    panel = d.select("region_code", "year", pl.lit("co2_emissions").alias("variable"),
                     pl.col("CO2").alias("value"))  # fmt: skip
    return tables, panel


def test_green_task_reproduces_gtfpch_global_ml():
    tables, panel = _inputs()
    p = {"inputs": ["capital_stock", "labour"], "outputs": ["real_gdp"],
         "bad_outputs": ["co2_emissions"], "index": "ml", "technology": "global",
         "bad_output_note": "test"}  # fmt: skip
    t = green_tables(tables, panel, p)["green_tfp"]
    assert t.columns == list(SCHEMA) and t.height == 60
    row = t.filter((pl.col("region_code") == "Tianjin") & (pl.col("year_from") == 2014))
    # gtfpch ex3: Tianjin 2014~2015 TFPCH 1.0697 TECH 0.9701 TECCH 1.1027
    np.testing.assert_allclose(row.select("tfpch", "ec", "tc").row(0), [1.0697, 0.9701, 1.1027],
                               atol=5e-5 + 1e-6)  # fmt: skip
    assert (t["bad_output_note"] == "test").all()


def test_green_task_balances_the_panel_and_is_off_without_bad_outputs():
    tables, panel = _inputs()
    p = {"inputs": ["capital_stock", "labour"], "outputs": ["real_gdp"],
         "bad_outputs": ["co2_emissions"]}  # fmt: skip
    # a province without the bad output at all is left out (like Xizang in the real data)
    t = green_tables(tables, panel.filter(pl.col("region_code") != "Anhui"), p)["green_tfp"]
    assert "Anhui" not in t["region_code"].to_list() and t.height == 29 * 2
    # a province missing in the last year: the widest-coverage run of years is 2013–2014
    t = green_tables(tables, panel.filter(~((pl.col("region_code") == "Anhui")
                                            & (pl.col("year") == 2015))), p)["green_tfp"]  # fmt: skip
    assert t.height == 30 and set(t["year_to"]) == {2014}
    assert compute_green.fn(tables, panel, {**p, "bad_outputs": []}) == {}


def test_shipped_config_names_a_bad_output():
    p = load_green_params()
    assert p["bad_outputs"] == ["co2_emissions"] and p["index"] in ("ml", "luenberger")
    assert p["bad_output_note"]


@pytest.mark.parametrize("index", ["ml", "luenberger"])
def test_green_task_on_the_shipped_carbon_data(index):
    """The real file through the configured reader: the years and provinces it covers."""
    import tomllib

    from warehouse.readers.tidy_csv import read_tidy_csv

    root = Path(__file__).parents[1]
    with open(root / "config" / "sources.toml", "rb") as fh:
        opts = tomllib.load(fh)["sources"]["cn_prov_carbon_logistics"]
    f = root / "data" / "cn_prov_carbon_logistics_1998_2019" / "carbonemission-china.csv"
    rec = read_tidy_csv(f, display=f.name, options=opts).records
    assert rec["region_code"].n_unique() == 30 and rec["year"].min() == 1998
    long = rec.select("region_code", "year",
                      pl.col("indicator").replace({"Carbon_Emission": "co2_emissions",
                                                   "Energy_Consumption": "energy_consumption"})
                      .alias("variable"), "value")  # fmt: skip
    # synthetic K, L, Y for the same provinces and years (the real ones come from the pipeline)
    keys = long.select("region_code", "year").unique()
    rng = np.random.default_rng(0)
    tables = {v: keys.with_columns(pl.Series(v, rng.uniform(1, 10, keys.height)))
              for v in ("capital_stock", "labour", "real_gdp")}  # fmt: skip
    p = {**load_green_params(), "index": index, "years": [2015, 2019]}
    t = green_tables(tables, long, p)["green_tfp"]
    assert t.height == 30 * 4 and (t["status"] == "optimal").all()
