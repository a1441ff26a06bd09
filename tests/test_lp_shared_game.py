"""Game cross-efficiency solved once per year and shared by the Malmquist pairs (METHODS
§9.6, §9.8; issue 18): the pair tables are identical to the pairs solving the games again."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cbec.settings import load_params
from tasks import lp
from transforms.productivity import _game_own, game_shareable


@pytest.fixture(scope="module")
def setup():
    params = load_params()
    mparams = {"dea": params["dea"], "malmquist": params["malmquist"]}
    cols = [*params["dea"]["inputs"], *params["dea"]["outputs"]]
    rng = np.random.default_rng(18)
    rows = []
    for i in range(9):
        base = rng.uniform(1, 10, len(cols))
        for year in (2015, 2016, 2017):
            v = base * rng.uniform(0.8, 1.25, len(cols))
            rows.append({"region_code": f"{11 + i}", "year": year, **dict(zip(cols, v, strict=True))})  # fmt: skip
    panel = pl.DataFrame(rows)
    dea = {y: lp.dea_year.fn(lp.year_slice(panel, [y]), params["dea"], y) for y in (2015, 2016, 2017)}  # fmt: skip
    return panel, mparams, dea


def test_default_settings_share(setup):
    _, mparams, _ = setup
    assert lp.game_shareable(mparams)
    other = {**mparams, "dea": {**mparams["dea"], "game": {**mparams["dea"]["game"], "tol": 1e-9}}}
    assert not lp.game_shareable(other)
    plain = {**mparams["dea"], "game": {**mparams["dea"]["game"], "accelerate": "none"}}
    assert not game_shareable(plain, mparams)


@pytest.mark.parametrize("pair", [(2015, 2016), (2016, 2017)])
def test_pair_with_shared_game_is_identical(setup, pair):
    panel, mparams, dea = setup
    a, b = pair
    sl = lp.year_slice(panel, [a, b])
    again = lp.malmquist_pair.fn(sl, mparams, a, b)
    shared = lp.malmquist_pair.fn(sl, mparams, a, b, [dea[a], dea[b]])
    assert shared["malmquist"]["cc_mi"].is_not_nan().all()
    for name in ("malmquist", "malmquist_summary"):
        assert_frame_equal(shared[name], again[name], check_exact=True)


def test_unconverged_or_incomplete_game_is_not_used(setup):
    panel, _, dea = setup
    sl = lp.year_slice(panel, [2015, 2016])
    game = pl.concat([dea[2015]["game_cross_efficiency"], dea[2016]["game_cross_efficiency"]])
    assert _game_own(game, sl).shape == (2, 9)
    assert _game_own(game.with_columns(converged=pl.lit(False)), sl) is None
    assert _game_own(game.filter(pl.col("region_code") != "11"), sl) is None
    assert _game_own(None, sl) is None


def test_the_pair_cache_key_does_not_hash_the_shared_dea_results(setup):
    """The reused DEA results follow from the pair's panel, params and code (in the key);
    keyed on their pickle, a cached copy missed the key of the fresh one, so every refresh after
    a fresh DEA recomputed all pairs."""
    panel, mparams, dea = setup
    sl = lp.year_slice(panel, [2015, 2016])
    ctx = SimpleNamespace(task=lp.malmquist_pair)

    def key(part, years_dea):
        inputs = {"panel": part, "params": mparams, "year_from": 2015, "year_to": 2016,
                  "years_dea": years_dea}  # fmt: skip
        return lp.malmquist_pair.cache_policy.compute_key(
            task_ctx=ctx, inputs=inputs, flow_parameters={}
        )

    shared = [dea[2015], dea[2016]]
    loaded = pickle.loads(pickle.dumps(shared))
    assert key(sl, shared) == key(sl, loaded) == key(sl, None)
    revised = sl.with_columns(pl.col(sl.columns[2]) * 1.001)
    assert key(revised, shared) != key(sl, shared)  # the data still decide
