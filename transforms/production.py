"""results.real_gdp and results.capital_stock (METHODS §1–2): pure transforms with the quality
flags of the cells they rest on (chained and cumulated series take every earlier cell's flags).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from cbec.params import section_dict
from measures.capital import investment_growth, perpetual_inventory, rebase
from measures.real_gdp import real_gdp as chain_real_gdp
from transforms import quality
from transforms._scalars import as_float, as_int
from transforms.labour import labour
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
    if section_dict("production", {"real_gdp": params})["real_gdp"]["population"] == "mean":
        out = out.sort(["region_code", "year"]).with_columns(
            ((pl.col("population") + pl.col("population").shift(1).over("region_code")) / 2).alias(
                "population"
            )
        )
    out = out.with_columns(
        (pl.col("real_gdp") * 1e8 / (pl.col("population") * 1e4)).alias("real_gdp_per_capita")
    )
    first = as_int(idx["year"].min()) if idx.height else 0  # the chain starts with the index
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


def production_tables(panel: pl.DataFrame, params: dict | None) -> dict[str, pl.DataFrame]:
    """results.real_gdp, results.capital_stock and results.labour (METHODS §1–3) from the
    production parameters (config/production.toml's tables, completed by cbec.params)."""
    p = section_dict("production", params)
    base = int(p["real_gdp"]["base_year"])
    return {
        "real_gdp": real_gdp(panel, p["real_gdp"]),
        "capital_stock": capital_stock(panel, p["capital"], base),
        "labour": labour(panel, p["labour"]),
    }


def national_investment_growth(real: pl.DataFrame, t0: int, n: int) -> float | None:
    """g of METHODS §1.3's fallback: growth of the provinces' summed real investment over
    [t0, t0 + n], over the provinces with both years (None when there are none)."""
    both = real.filter(pl.col("year").is_in([t0, t0 + n]))
    both = both.filter(pl.col("region_code").count().over("region_code") == 2)
    if both.height == 0:
        return None
    first = as_float(both.filter(pl.col("year") == t0)["real"].sum())
    last = as_float(both.filter(pl.col("year") == t0 + n)["real"].sum())
    return investment_growth(first, last, n) if first > 0 and last > 0 else None


def capital_stock(panel: pl.DataFrame, params: dict, base_year: int) -> pl.DataFrame:
    """results.capital_stock: perpetual inventory at base-year prices (METHODS §1); `params` is
    config/production.toml's [capital] table (completed by cbec.params)."""
    params = section_dict("production", {"capital": params})["capital"]
    inv = _series(panel, params["investment"])
    price = _series(panel, params["deflator"])
    df = inv.join(price, on=["region_code", "year"], how="inner").filter(
        pl.col("year") >= int(params["first_year"])
    )
    invcol, pcol = inv.columns[2], price.columns[2]
    real_all = df.drop_nulls().with_columns(
        (pl.col(invcol) / pl.col(pcol)).alias("real")
    )  # a common price base is not needed for growth rates within one province's deflator
    frames = []
    for code in sorted(df["region_code"].unique().to_list()):
        s = df.filter(pl.col("region_code") == code).sort("year").drop_nulls()
        years = s["year"].to_numpy()
        if len(years) < 2 or base_year not in years:
            continue
        p = rebase(s[pcol].to_numpy(), years, base_year)
        fallback = None
        if params["g_fallback"] == "national" and params["init"] == "steady_state":
            n = min(int(params["n_growth"]), len(years) - 1)  # the window initial_stock uses
            fallback = national_investment_growth(real_all, int(years[0]), n)
        k, meta = perpetual_inventory(
            s[invcol].to_numpy(),
            p,
            float(params["delta"]),
            init=params["init"],
            n_growth=int(params["n_growth"]),
            g_fallback=fallback,
            allow_negative=bool(params["allow_negative"]),
        )
        flag = np.full(len(years), "", dtype=object)
        for i in meta["negative_investment"]:
            flag[i] = "negative_investment"
        if meta.get("g_fallback_used"):
            flag[0] = (flag[0] + ";" if flag[0] else "") + "g_fallback_national"
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
    inputs = [params["investment"], params["deflator"]]
    return quality.attach(pl.concat(frames), quality.cumulative(flags_of(panel, inputs)))
