"""Every analysis table the report knows, with the real provinces and years of a DEA panel and
made-up numbers in the schemas the compute tasks publish (for tests/test_report_html.py)."""

from __future__ import annotations

import numpy as np
import polars as pl


def synthetic_tables(dea_panel: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Every analysis table the report knows, with the real provinces and years of the DEA
    panel and made-up numbers (the schemas the compute tasks publish)."""
    rng = np.random.default_rng(7)
    keys = dea_panel.select("region_code", "year").sort("region_code", "year")
    n = keys.height
    score = rng.uniform(0.4, 1.0, n)
    years = sorted(keys["year"].unique().to_list())
    eff = keys.with_columns(
        pl.lit("input").alias("orientation"),
        pl.lit("crs").alias("rts"),
        pl.Series("score", score),
        pl.Series("te_crs", score),
        pl.Series("te_vrs", np.minimum(score * 1.1, 1.0)),
        pl.Series("scale_eff", score / np.minimum(score * 1.1, 1.0)),
        pl.lit("optimal").alias("status"),
    )
    ce = keys.with_columns(
        pl.Series("ccr", score),
        pl.Series("cross_eff", score * 0.8),
        pl.Series("maverick", rng.uniform(0, 0.3, n)),
        pl.lit("aggressive").alias("secondary"),
        pl.lit("optimal").alias("status"),
    )
    gce = keys.with_columns(
        pl.Series("game_cross_eff", score * 0.9),
        pl.lit(12).alias("iterations"),
        pl.lit(True).alias("converged"),
        pl.lit("optimal").alias("status"),
    )
    pairs = keys.filter(pl.col("year") > years[0])
    m_ec = rng.uniform(0.9, 1.1, pairs.height)
    m_tc = rng.uniform(0.95, 1.15, pairs.height)
    malm = pairs.select(
        "region_code",
        (pl.col("year") - 1).alias("year_from"),
        pl.col("year").alias("year_to"),
        pl.Series("mi", m_ec * m_tc),
        pl.Series("ec", m_ec),
        pl.Series("tc", m_tc),
        pl.lit(float("nan")).alias("cc_mi"),  # not computed: no empty series in the charts
        pl.lit("optimal").alias("status"),
    )
    ineq = pl.DataFrame(
        [
            {"year": y, "variable": "real_gdp_per_capita", "measure": m, "value": v}
            for y in years
            for m, v in (
                ("gini", 0.3 + 0.01 * rng.random()),
                ("theil_t", 0.15 + 0.01 * rng.random()),
                ("cv", 0.5 + 0.01 * rng.random()),
                ("theil_t_between", 0.09),
                ("theil_t_within", 0.06 + 0.01 * rng.random()),
            )
        ]
    )
    d = rng.uniform(0.05, 0.95, n)
    coup = keys.with_columns(
        pl.Series("c", rng.uniform(0.5, 1, n)),
        pl.Series("t", rng.uniform(0.1, 0.9, n)),
        pl.Series("d", d),
        pl.Series("level", np.clip(np.ceil(d * 10), 1, 10).astype(np.int64)),
        pl.Series("lag_type", rng.choice(["U1 lagging", "synchronous", "U2 lagging"], n)),
    )
    syn = keys.with_columns(pl.Series("synergy", rng.uniform(-0.5, 0.6, n)))
    weights = pl.DataFrame(
        {
            "subsystem": ["cbec"] * 3 + ["economy"] * 2,
            "indicator": ["ec_sales", "express_volume", "broadband", "gdp_pc", "tertiary_share"],
            "weight": [0.5, 0.3, 0.2, 0.6, 0.4],
        }
    )
    comp = pl.concat(
        [
            keys.with_columns(pl.lit(s).alias("subsystem"), pl.Series("score", rng.random(n)))
            for s in ("cbec", "economy")
        ]  # fmt: skip
    )
    codes = sorted(keys["region_code"].unique().to_list())
    coevo = pl.DataFrame(
        {
            "region_code": codes[:6],
            "pair": ["trade-logistics"] * 6,
            "model": ["predator_prey", "competition"] * 3,
            "stability": ["centre", "stable node", None, None, "stable focus", None],
            "interaction": ["predator-prey", "mutualism", None, None, "competition", None],
            "r2_x1": [0.9, 0.8, None, None, 0.7, None],
            "status": ["ok", "weak", "not_identified", "not_identified", "ok", "too_short"],
            "message": [None, "95% interval spans two orders", "sign violation(s) a2 ≤ 0",
                        "sign violation(s) a2 ≤ 0", None, "only 6 years (need ≥ 8)"],
        }
    )  # fmt: skip
    rel = pl.DataFrame(
        {
            "construct": ["trust", "logistics", "intention"],
            "item": ["C1", "C2", "C3"],
            "alpha": [0.86, 0.79, 0.91],
        }  # fmt: skip
    )
    return {
        "efficiency": eff,
        "cross_efficiency": ce,
        "game_cross_efficiency": gce,
        "malmquist": malm,
        "inequality": ineq,
        "coupling": coup,
        "synergy": syn,
        "indicator_weights": weights,
        "composite_index": comp,
        "coevolution": coevo,
        "survey_reliability": rel,
    }
