"""The Dask path (issue 9, check 2): a refresh whose LP work runs on a LocalCluster of 2 worker
processes through prefect-dask publishes results identical to the local (threads) path —
every result table of the run, sorted, equal to the last bit (NaN = NaN).

The LP units really run on the workers: the test uses an empty result storage of its own, so
nothing comes from the cache. They report to the ONE Prefect API of the session (the test
harness' server, handed to the workers by flows.runners.worker_env): the task runs of the
`lp-work` subflow are readable through that API — a worker with a temporary server of its own
would have recorded them there instead.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from tests.test_orchestration_cache import lp_task_states
from warehouse.run_results import open_read_only, read_run_table, resolve_run, run_table_names


def _tables(db) -> dict[str, pl.DataFrame]:
    con = open_read_only(db)
    try:
        run = resolve_run(con)
        return {n: read_run_table(con, n, run["run_id"]) for n in run_table_names(con, run["run_id"])}  # fmt: skip
    finally:
        con.close()


def _same(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    if a.columns != b.columns or a.height != b.height:
        return False
    keys = [c for c, t in a.schema.items() if t not in (pl.Float32, pl.Float64)]
    a, b = a.sort(keys, nulls_last=True), b.sort(keys, nulls_last=True)
    for c in a.columns:
        for x, y in zip(a[c].to_list(), b[c].to_list(), strict=True):
            if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
                continue
            if x != y:
                return False
    return True


def test_worker_env_points_at_the_session_api(prefect_harness):
    from prefect.settings import get_current_settings

    from flows.runners import worker_env

    env = worker_env()
    assert env["PREFECT_API_URL"] == str(get_current_settings().api.url)
    assert env["PREFECT_API_URL"].startswith("http://127.0.0.1:")
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def test_dask_workers_keep_glibc_malloc_defaults():
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers, which made every LP unit ~2×
    slower there (bench.scale); the runner's workers must not have it, and keep 1 BLAS thread."""
    import os

    from distributed import Client, LocalCluster

    from flows.runners import make_task_runner

    make_task_runner("dask")
    keys = ("MALLOC_TRIM_THRESHOLD_", "OPENBLAS_NUM_THREADS")
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        envs = client.run(lambda: {k: os.environ.get(k) for k in keys})
    assert list(envs.values()) == [{"MALLOC_TRIM_THRESHOLD_": None, "OPENBLAS_NUM_THREADS": "1"}]


@pytest.mark.process  # a whole refresh in real processes: make test-processes
def test_dask_local_cluster_publishes_the_same_results(published_db, tmp_path):
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings

    from flows.refresh import refresh

    db = tmp_path / "dask.duckdb"
    with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: tmp_path / "storage"}):
        state = refresh(db=str(db), runner="dask", return_state=True)
    result = state.result()
    assert not result["reused"]

    states = lp_task_states(state.state_details.flow_run_id)
    n_years = sum(n.startswith("dea-") for n in states)
    assert n_years >= 8 and len(states) == 2 * n_years - 1, states
    assert set(states.values()) == {"Completed"}, states  # computed on the workers, not cached

    local, dask = _tables(published_db), _tables(db)
    assert sorted(dask) == sorted(local)
    assert {"efficiency", "cross_efficiency", "game_cross_efficiency", "malmquist"} <= set(dask)
    different = [n for n in local if not _same(local[n], dask[n])]
    assert not different, different
