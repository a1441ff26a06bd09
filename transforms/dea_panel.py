"""results.dea_panel: the balanced wide panel that DEA and Malmquist take (METHODS §9;
config/dea.toml). Every input/output is a column; a variable that stands in for a concept
(config/dea.toml `[proxies]`) flags every row `proxy:<variable>`.

Window: the balanced panel (consecutive years × the provinces complete in all of them) with
the most observations, later windows winning ties — with official inputs that is the longest
window in which every input exists (`window = "longest"`, DEFAULT), or `window = [first, last]`.
"""

from __future__ import annotations

import polars as pl

from cbec.params import section_dict
from transforms import quality
from warehouse.staging_quality import flags_of

KEY = ["region_code", "year"]
FROM_TABLES = {"capital_stock": "capital_stock", "labour": "labour", "real_gdp": "real_gdp"}


def balanced_window(complete: pl.DataFrame) -> tuple[int, int, list[str]]:
    """(first, last, provinces) of the balanced sub-panel of `complete` (region_code, year
    rows with every variable) that has the most observations (module docstring)."""
    years = sorted(complete["year"].unique().to_list())
    have: dict[int, set[str]] = {
        y: set(complete.filter(pl.col("year") == y)["region_code"].to_list()) for y in years
    }
    best: tuple[int, int, int, list[str]] = (0, 0, 0, [])
    for i, a in enumerate(years):
        regions = set(have[a])
        for b in years[i:]:
            if b - a != years.index(b) - i:  # a gap in the years ends the window
                break
            regions &= have[b]
            obs = len(regions) * (b - a + 1)
            if (obs, b) > (best[0], best[2]):
                best = (obs, a, b, sorted(regions))
    if not best[0]:
        raise ValueError("no year in which any province has every DEA variable")
    return best[1], best[2], best[3]


def dea_panel(tables: dict[str, pl.DataFrame], panel: pl.DataFrame, spec: dict) -> pl.DataFrame:
    """region_code, year, one column per input/output of `spec` (config/dea.toml), quality."""
    variables = [*spec["inputs"], *spec["outputs"]]
    w = None
    for v in variables:
        if v in FROM_TABLES:
            t = tables[FROM_TABLES[v]]
            part = t.select(*KEY, v, pl.col("quality").alias(f"_q_{v}"))
        else:
            part = panel.filter(pl.col("variable") == v).select(*KEY, pl.col("value").alias(v))
            part = part.join(flags_of(panel, [v]).rename({"quality": f"_q_{v}"}), on=KEY)
        w = part if w is None else w.join(part, on=KEY, how="inner")
    assert w is not None
    w = w.drop_nulls(variables)
    window = spec.get("window", section_dict("dea", {})["window"])  # the model's default
    if window == "longest":
        first, last, regions = balanced_window(w)
    else:
        first, last = int(window[0]), int(window[1])
        sub = w.filter(pl.col("year").is_between(first, last))
        n = last - first + 1
        counts = sub.group_by("region_code").len()
        regions = counts.filter(pl.col("len") == n)["region_code"].to_list()
    w = w.filter(pl.col("year").is_between(first, last) & pl.col("region_code").is_in(regions))
    w = w.with_columns(quality.union(*[pl.col(f"_q_{v}") for v in variables]).alias("quality"))
    for v in spec.get("proxies", {}):
        if v in variables:
            w = quality.with_flag(w, f"proxy:{v}")
    return w.select(*KEY, *variables, "quality").sort(["year", "region_code"])
