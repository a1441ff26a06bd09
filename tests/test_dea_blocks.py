"""One year's DEA in blocks of DMUs (METHODS §9.1, blocks of DMUs; issue 18 item 3): each
block evaluated against the whole year's technology gives the rows of the year's table.

- The whole range as one block is `dea_model` / `scale_efficiency` to the last bit.
- Blocks agree with the one-shot run to rounding only (the solver path depends on the DMUs
  solved with them: HiGHS warm starts, the batch's start pool and candidate columns): the
  same peers and statuses, θ to 1e-12, slacks to 1e-8.
- The blocked `efficiency` table is defined by its block bounds: block rows computed one by one
  (as the Dask workers do) are the in-process blocked table bit for bit, and the real `lp-work`
  subflow with a small block size runs one `dea-YEAR-block-B` task per block and returns the
  tables of the in-process run exactly.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from measures.dea import dea_model, scale_efficiency
from measures.dea_blocks import block_bounds, dea_model_block, scale_efficiency_block
from transforms.efficiency import concat_blocks, efficiency_block, efficiency_tables, year_blocks

INPUTS = ["capital_stock", "labour", "express_volume"]
FIELDS = ("score", "phi", "slack_in", "slack_out", "target_in", "target_out")


def simulate(n: int, years: int, seed: int) -> pl.DataFrame:
    """Cobb–Douglas DMUs with half-normal inefficiency (as bench.scale), `years` years."""
    rng = np.random.default_rng(seed)
    x0 = rng.lognormal([6, 5, 3], [1, 0.8, 1.2], (n, 3))
    frames = []
    for t in range(years):
        x = x0 * rng.lognormal(0, 0.05, (n, 3)) * 1.05**t
        y = x[:, 0] ** 0.4 * x[:, 1] ** 0.45 * x[:, 2] ** 0.08 * np.exp(-abs(rng.normal(0, 0.25, n)))  # fmt: skip
        frames.append(pl.DataFrame({"region_code": [f"{i:04d}" for i in range(n)],
                                    "year": 2008 + t, **dict(zip(INPUTS, x.T, strict=True)),
                                    "real_gdp": y}))  # fmt: skip
    return pl.concat(frames)


def _xy(n: int, seed: int = 3):
    p = simulate(n, 1, seed)
    return p.select(INPUTS).to_numpy(), p.select("real_gdp").to_numpy()


def _dense(L):
    return L if isinstance(L, np.ndarray) else L.toarray()


def test_block_bounds_cover_the_rows_evenly():
    assert block_bounds(31, 10_000) == [(0, 31)]
    assert block_bounds(10, 5) == [(0, 5), (5, 10)]
    b = block_bounds(10_001, 5_000)
    assert [s for s, _ in b][1:] == [e for _, e in b][:-1] and b[0][0] == 0 and b[-1][1] == 10_001
    assert {e - s for s, e in b} <= {3333, 3334}
    with pytest.raises(ValueError):
        block_bounds(10, 0)


@pytest.mark.parametrize(
    "model,rts,orientation",
    [("ccr", "crs", "input"), ("bcc", "vrs", "output"), ("ccr", "nirs", "input")],
)
def test_whole_range_block_is_the_one_shot_model_bit_for_bit(model, rts, orientation):
    X, Y = _xy(200)
    a = dea_model(X, Y, model=model, rts=rts, orientation=orientation)
    b = dea_model_block(X, Y, 0, 200, model=model, rts=rts, orientation=orientation)
    for k in FIELDS:
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k))
    np.testing.assert_array_equal(_dense(a.lambdas), _dense(b.lambdas))
    assert a.peers == b.peers and list(a.status) == list(b.status)
    s, t = scale_efficiency(X, Y, orientation=orientation), scale_efficiency_block(X, Y, 0, 200, orientation=orientation)  # fmt: skip
    for k in s:
        np.testing.assert_array_equal(s[k], t[k])


@pytest.mark.parametrize("model,rts,orientation", [("ccr", "crs", "input"), ("bcc", "vrs", "output")])  # fmt: skip
def test_blocks_give_the_one_shot_scores_slacks_and_peers(model, rts, orientation):
    n = 600
    X, Y = _xy(n)
    one = dea_model(X, Y, model=model, rts=rts, orientation=orientation)
    parts = [dea_model_block(X, Y, a, b, model=model, rts=rts, orientation=orientation)
             for a, b in block_bounds(n, 150)]  # fmt: skip
    for k in FIELDS:  # to rounding: the solver path depends on the DMUs solved with them
        got = np.concatenate([getattr(p, k) for p in parts])
        want = getattr(one, k)
        tol = 1e-12 if k in ("score", "phi") else 1e-8
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    assert [q for p in parts for q in p.peers] == one.peers  # indices into all n DMUs
    assert [s for p in parts for s in p.status] == list(one.status)
    lam = np.vstack([_dense(p.lambdas) for p in parts])
    np.testing.assert_allclose(lam, _dense(one.lambdas), rtol=1e-8, atol=1e-9)  # round-off λ < 1e-9
    se = scale_efficiency(X, Y, orientation=orientation)
    bl = [scale_efficiency_block(X, Y, a, b, orientation=orientation) for a, b in block_bounds(n, 150)]  # fmt: skip
    for k in ("crs", "vrs", "nirs", "scale"):
        np.testing.assert_allclose(np.concatenate([p[k] for p in bl]), se[k], rtol=1e-12)
    for k in ("rts_class", "status"):
        assert list(np.concatenate([p[k] for p in bl])) == list(se[k])


def _panel(n: int, years: int) -> pl.DataFrame:
    return simulate(n, years, seed=5)


def _params(block_size: int) -> dict:
    return {"inputs": INPUTS, "outputs": ["real_gdp"], "block_size": block_size}


def test_block_rows_one_by_one_are_the_blocked_table_and_below_the_size_nothing_changes():
    panel = _panel(240, 1)
    blocked = efficiency_tables(panel, _params(100), ("efficiency",))["efficiency"]
    assert year_blocks(panel, _params(100), 2008) == 3
    rows = concat_blocks([efficiency_block(panel, _params(100), 2008, b) for b in range(3)])
    assert_frame_equal(rows, blocked, check_exact=True)
    whole = efficiency_tables(panel, _params(10_000), ("efficiency",))["efficiency"]
    assert year_blocks(panel, _params(10_000), 2008) == 1
    assert_frame_equal(efficiency_block(panel, _params(10_000), 2008, 0), whole, check_exact=True)
    # blocked vs one-shot: same rows, peers and statuses; numbers to rounding
    assert blocked["region_code"].to_list() == whole["region_code"].to_list()
    for c in ("peers", "status", "rts_class"):
        assert blocked[c].to_list() == whole[c].to_list(), c
    assert_frame_equal(blocked, whole, check_exact=False, rtol=1e-8, atol=1e-8)
    with pytest.raises(ValueError, match="block"):
        efficiency_block(panel, _params(100), 2008, 3)


def test_block_size_is_a_typed_dea_parameter():
    from cbec.params import section_dict

    assert section_dict("dea", {})["block_size"] == 10_000
    from cbec.params import ConfigError

    with pytest.raises(ConfigError, match="block_size"):
        section_dict("dea", {"block_size": 1})


def test_lp_work_runs_one_task_per_block_and_returns_the_in_process_tables(prefect_harness):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.lp import lp_work
    from tasks import lp

    panel = _panel(60, 2)
    dea = {**_params(20), "crosseff": {"secondary": "none"}, "game": {"max_iter": 3}}
    state = lp_work(panel, dea, {"cross_efficiency": False}, return_state=True)
    tables = state.result()
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[state.state_details.flow_run_id])
            ),  # fmt: skip
            limit=200,
        )
    names = {r.name for r in runs}
    blocks = {f"dea-{y}-block-{b}" for y in (2008, 2009) for b in range(3)}
    assert blocks <= names and {"dea-2008", "dea-2009", "malmquist-2008-2009"} <= names, names
    want = {y: lp.dea_year.fn(lp.year_slice(panel, [y]), dea, y) for y in (2008, 2009)}
    eff = lp.concat_efficiency([want[2008], want[2009]])
    for name in ("efficiency", "cross_efficiency", "game_cross_efficiency"):
        assert_frame_equal(tables[name], eff[name], check_exact=True)
    assert tables["efficiency"]["region_code"].to_list()[:60] == sorted(panel["region_code"].unique().to_list())  # fmt: skip
