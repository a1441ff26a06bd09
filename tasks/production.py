"""Production measures of the refresh: real GDP, capital stock, labour (METHODS §1–3), and
the wide DEA panel built from them. Thin: the maths is in measures/."""

from __future__ import annotations

import numpy as np
import polars as pl
from prefect import task

from measures.capital import perpetual_inventory, rebase
from measures.labour import average_schooling, interpolate_linear, labour_input
from measures.real_gdp import real_gdp
from tasks._cache import COMPUTE_CACHE


def _series(panel: pl.DataFrame, variable: str) -> pl.DataFrame:
    return panel.filter(pl.col("variable") == variable).select(
        "region_code", "year", pl.col("value").alias(variable)
    )


def real_gdp_table(panel: pl.DataFrame, params: dict) -> pl.DataFrame:
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
        yr, defl = real_gdp(s["gdp"].to_numpy(), s["gdp_index"].to_numpy(), years, base)
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
    return out.with_columns(
        (pl.col("real_gdp") * 1e8 / (pl.col("population") * 1e4)).alias("real_gdp_per_capita")
    ).select(
        "region_code",
        "year",
        "gdp_nominal",
        "gdp_index",
        "real_gdp",
        "deflator",
        "base_year",
        "population",
        "real_gdp_per_capita",
    )


def capital_stock_table(panel: pl.DataFrame, params: dict, base_year: int) -> pl.DataFrame:
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
    return pl.concat(frames)


def labour_table(panel: pl.DataFrame, params: dict) -> pl.DataFrame:
    emp_vars = list(params["employment"])
    levels = {
        "none": "edu_none",
        "primary": "edu_primary",
        "junior": "edu_junior",
        "senior": "edu_senior",
        "college": "edu_college",
    }
    w = None
    for v in [*emp_vars, *levels.values()]:
        s = _series(panel, v)
        w = s if w is None else w.join(s, on=["region_code", "year"], how="full", coalesce=True)
    w = w.sort(["region_code", "year"])
    edu_ok = pl.all_horizontal([pl.col(c).is_not_null() for c in levels.values()])
    sch = w.filter(edu_ok)
    s_years = average_schooling({k: sch[c].to_numpy() for k, c in levels.items()})
    w = w.join(
        sch.select("region_code", "year").with_columns(pl.Series("schooling_years", s_years)),
        on=["region_code", "year"],
        how="left",
    )
    w = w.with_columns(
        pl.sum_horizontal(emp_vars).alias("employment"),
        pl.all_horizontal([pl.col(c).is_not_null() for c in emp_vars]).alias("_emp_ok"),
    )
    frames = []
    for code in sorted(w["region_code"].unique().to_list()):
        s = w.filter(pl.col("region_code") == code).sort("year")
        years = s["year"].to_numpy()
        vals = s["schooling_years"].to_numpy().astype(float)
        if params.get("interp") == "linear":
            vals, flag = interpolate_linear(years, vals)
        else:
            flag = np.zeros(len(vals), dtype=bool)
        frames.append(
            s.with_columns(
                pl.Series("schooling_years", vals), pl.Series("schooling_interpolated", flag)
            )
        )
    w = pl.concat(frames).filter(
        pl.col("_emp_ok")
        & pl.col("schooling_years").is_not_nan()
        & pl.col("schooling_years").is_not_null()
    )
    lab = labour_input(
        w["employment"].to_numpy(), w["schooling_years"].to_numpy(), params.get("method", "years")
    )
    return w.with_columns(
        pl.Series("labour", lab), pl.lit(params.get("method", "years")).alias("method")
    ).select(
        "region_code",
        "year",
        "employment",
        "schooling_years",
        "schooling_interpolated",
        "labour",
        "method",
    )


@task(name="production-measures", cache_policy=COMPUTE_CACHE)
def compute_production(panel: pl.DataFrame, params: dict) -> dict[str, pl.DataFrame]:
    """real_gdp, capital_stock, labour (METHODS §1–3)."""
    rg = real_gdp_table(panel, params["real_gdp"])
    base = int(params["real_gdp"]["base_year"])
    return {
        "real_gdp": rg,
        "capital_stock": capital_stock_table(panel, params["capital"], base),
        "labour": labour_table(panel, params["labour"]),
    }


def dea_panel(
    tables: dict[str, pl.DataFrame], panel: pl.DataFrame, third_input: str
) -> pl.DataFrame:
    """Wide balanced panel for DEA/Malmquist: capital_stock, labour, <third_input>, real_gdp.
    Years where any province lacks a variable are dropped whole (a balanced panel)."""
    k = tables["capital_stock"].select("region_code", "year", "capital_stock")
    lab = tables["labour"].select("region_code", "year", "labour")
    y = tables["real_gdp"].select("region_code", "year", "real_gdp")
    x3 = _series(panel, third_input)
    w = (
        k.join(lab, on=["region_code", "year"])
        .join(x3, on=["region_code", "year"])
        .join(y, on=["region_code", "year"])
    )
    w = w.drop_nulls()
    n = w["region_code"].n_unique() if w.height else 0
    full = w.group_by("year").agg(pl.len().alias("n")).filter(pl.col("n") == n)["year"]
    return w.filter(pl.col("year").is_in(full.implode())).sort(["year", "region_code"])
