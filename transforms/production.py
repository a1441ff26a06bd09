"""results.real_gdp and results.capital_stock (METHODS §1–2): pure transforms with the quality
flags of the cells they rest on (chained and cumulated series take every earlier cell's flags).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from measures.capital import perpetual_inventory, rebase
from measures.real_gdp import real_gdp as chain_real_gdp
from transforms import quality
from warehouse.staging_quality import flags_of


def _series(panel: pl.DataFrame, variable: str) -> pl.DataFrame:
    return panel.filter(pl.col("variable") == variable).select(
        "region_code", "year", pl.col("value").alias(variable)
    )


def real_gdp(panel: pl.DataFrame, params: dict) -> pl.DataFrame:
    """results.real_gdp: GDP at constant base-year prices and per resident (METHODS §2)."""
    base = int(params["base_year"])
    gdp = _series(panel, "gdp")
    idx = _series(panel, "gdp_index")
    pop = _series(panel, "population")
    frames = []
    for code in sorted(idx["region_code"].unique().to_list()):
        s = idx.filter(pl.col("region_code") == code).sort("year")
        s = s.join(gdp, on=["region_code", "year"], how="left")
        years = s["year"].to_numpy()
        if base not in years:
            continue
        yr, defl = chain_real_gdp(s["gdp"].to_numpy(), s["gdp_index"].to_numpy(), years, base)
        frames.append(
            s.rename({"gdp": "gdp_nominal"}).with_columns(
                pl.Series("real_gdp", yr),
                pl.Series("deflator", defl),
                pl.lit(base).alias("base_year"),
            )
        )
    out = pl.concat(frames).join(pop, on=["region_code", "year"], how="left")
    if params.get("population") == "mean":
        out = out.sort(["region_code", "year"]).with_columns(
            ((pl.col("population") + pl.col("population").shift(1).over("region_code")) / 2).alias(
                "population"
            )
        )
    out = out.with_columns(
        (pl.col("real_gdp") * 1e8 / (pl.col("population") * 1e4)).alias("real_gdp_per_capita")
    )
    first = int(idx["year"].min()) if idx.height else 0  # the chain starts with the index
    chain = quality.cumulative(
        flags_of(panel.filter(pl.col("year") >= first), ["gdp", "gdp_index"])
    )
    out = quality.attach(out, chain)
    out = quality.attach(out, flags_of(panel, ["population"]))
    return out.select(
        "region_code",
        "year",
        "gdp_nominal",
        "gdp_index",
        "real_gdp",
        "deflator",
        "base_year",
        "population",
        "real_gdp_per_capita",
        "quality",
    )


def capital_stock(panel: pl.DataFrame, params: dict, base_year: int) -> pl.DataFrame:
    """results.capital_stock: perpetual inventory at base-year prices (METHODS §1)."""
    inv = _series(panel, params.get("investment", "gfcf"))
    price = _series(panel, params.get("deflator", "invest_price_1952"))
    df = inv.join(price, on=["region_code", "year"], how="inner").filter(
        pl.col("year") >= int(params.get("first_year", 1952))
    )
    invcol, pcol = inv.columns[2], price.columns[2]
    frames = []
    for code in sorted(df["region_code"].unique().to_list()):
        s = df.filter(pl.col("region_code") == code).sort("year").drop_nulls()
        years = s["year"].to_numpy()
        if len(years) < 2 or base_year not in years:
            continue
        p = rebase(s[pcol].to_numpy(), years, base_year)
        k, meta = perpetual_inventory(
            s[invcol].to_numpy(),
            p,
            float(params["delta"]),
            init=params.get("init", "steady_state"),
            n_growth=int(params.get("n_growth", 5)),
            allow_negative=bool(params.get("allow_negative", False)),
        )
        flag = np.full(len(years), "", dtype=object)
        for i in meta["negative_investment"]:
            flag[i] = "negative_investment"
        frames.append(
            pl.DataFrame(
                {
                    "region_code": code,
                    "year": years,
                    "investment": s[invcol].to_numpy(),
                    "deflator": p,
                    "investment_real": s[invcol].to_numpy() / p,
                    "capital_stock": k,
                    "base_year": base_year,
                    "delta": float(params["delta"]),
                    "init": meta["init"],
                    "flag": flag.astype(str),
                }
            )
        )
    inputs = [params.get("investment", "gfcf"), params.get("deflator", "invest_price_1952")]
    return quality.attach(pl.concat(frames), quality.cumulative(flags_of(panel, inputs)))
