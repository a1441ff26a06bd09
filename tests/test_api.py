"""The notebook API (cbec.api, docs/API.md) on published examples: DEAP 2.1 EG1 (Coelli 1996)
for DEA, DEAP EG4 for Malmquist, PySAL's Mexico example for inequality, CHNCapitalStock's own
output for the perpetual inventory — labelled frames with the caller's column names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cbec import api
from tests.test_malmquist_published import EG4_X, EG4_Y, EG4_YEAR2, HALF_UNIT
from tests.test_structure_inequality import PYSAL_GINI_1940, PYSAL_T

DATA = Path(__file__).resolve().parent.parent / "data" / "chn_capital_stock"


def test_dea_on_deap_eg1_keeps_the_callers_names() -> None:
    df = pl.DataFrame({"firm": list("ABCDE"), "x1": [2, 2, 6, 3, 6], "x2": [5, 4, 6, 2, 2],
                       "y": [1, 2, 3, 1, 2]})  # fmt: skip
    out = api.dea(df, dmu="firm", inputs=["x1", "x2"], outputs=["y"])
    assert out["firm"].to_list() == list("ABCDE") and "year" not in out.columns
    np.testing.assert_allclose(out["score"], [0.5, 1.0, 5 / 6, 5 / 7, 1.0], atol=1e-9)
    assert out["slack_x2"][0] == pytest.approx(0.5, abs=1e-9)  # DEAP: firm 1 input-2 slack
    assert out["peers"][2] == "B:1;E:0.5"  # DEAP's peers of firm 3: firms 2 and 5
    with pytest.raises(ValueError, match="pass period=COLUMN"):
        api.dea(pl.concat([df, df]), dmu="firm", inputs=["x1", "x2"], outputs=["y"])


def test_malmquist_on_deap_eg4() -> None:
    rows = [{"firm": f"f{i + 1}", "year": t + 1, "x": EG4_X[t, i], "y": EG4_Y[t, i]}
            for t in range(3) for i in range(5)]  # fmt: skip
    out = api.malmquist(pl.DataFrame(rows), dmu="firm", period="year", inputs=["x"],
                        outputs=["y"], orientation="output")  # fmt: skip
    first = out["index"].filter(pl.col("year_from") == 1).sort("firm")
    np.testing.assert_allclose(first["mi"], [r[4] for r in EG4_YEAR2], atol=HALF_UNIT, rtol=0)
    np.testing.assert_allclose(first["ec"], [r[0] for r in EG4_YEAR2], atol=HALF_UNIT, rtol=0)
    assert {"firm", "year_from", "year_to", "mi", "ec", "tc"} <= set(out["index"].columns)


def test_inequality_on_pysal_mexico() -> None:
    libpysal = pytest.importorskip("libpysal")
    f = libpysal.io.open(libpysal.examples.get_path("mexico.csv"))
    df = pl.DataFrame({"y": f.by_col["pcgdp1940"], "region": f.by_col("hanson98")})
    out = api.inequality(df, value="y", group="region")
    m = {
        r["measure"]: r["value"]
        for r in out.filter(pl.col("group").is_null()).iter_rows(named=True)
    }
    assert m["gini"] == pytest.approx(PYSAL_GINI_1940, abs=1e-12)
    assert m["theil_t"] == pytest.approx(PYSAL_T[0], abs=1e-8)


def test_capital_stock_reproduces_chncapitalstock() -> None:
    a = pl.read_csv(DATA / "asset.csv").filter(pl.col("prv") == "beijing").sort("yr")
    ref = pl.read_csv(DATA / "DERIVED_capital_stock_ZJ_delta0.096.csv")
    ref = ref.filter(pl.col("prv") == "beijing").sort("yr")
    out = api.capital_stock(a["invest"], a["InvestPrice"], init="zhang", allow_negative=True)
    np.testing.assert_allclose(out["capital_stock"], ref["K_bt1952"], rtol=1e-6)
