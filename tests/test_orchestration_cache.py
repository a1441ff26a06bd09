"""Incremental refresh through the task cache (issue 9, check 3 and point 4).

The LP units (`dea-<year>`, `malmquist-<from>-<to>`) cache on INPUTS + TASK_SOURCE + code
version. Counted through the Prefect client, by task run state ("Cached" or not) of the
`lp-work` subflow of each refresh:

1. a refresh of the embedded data into a new warehouse: every LP unit comes from the cache
   that `published_db` filled in this session (same inputs, same code);
2. the same plus one new file that revises one province's total employment in ONE year:
   only that year's DEA and the two Malmquist pairs containing it run again;
3. the same again (nothing new): the published run is reused, nothing new is published.

The test works on a private copy of the session's result storage, so the revised year's cache
entries never exist beforehand (no matter how often the suite ran) and nothing leaks out.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warehouse.db import connect, query_pl

YEAR = 2015  # inside the DEA panel (2012–2019), so both adjacent Malmquist pairs exist
REGION = ("330000", "浙江省")
VARIABLE, HEADER = "emp_total_3sector", "emp_total_sum(万人)"  # config/variables.toml


def _q(db, sql):
    con = connect(db, read_only=True)
    try:
        return query_pl(con, sql)
    finally:
        con.close()


def lp_task_states(flow_run_id) -> dict[str, str]:
    """task run name → state name of the LP units of the `lp-work` subflow(s) of a flow run."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterParentFlowRunId,
    )

    with get_client(sync_client=True) as client:
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id])
            )
        )
        lp_ids = [c.id for c in children if client.read_flow(c.flow_id).name == "lp-work"]
        if not lp_ids:
            return {}
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=lp_ids)), limit=200
        )
    return {r.name: r.state_name for r in runs if r.name.startswith(("dea-", "malmquist-"))}


@pytest.fixture
def private_cache(published_db, tmp_path):
    """A copy of the session's task result storage, active for this test only."""
    from prefect.settings import (
        PREFECT_LOCAL_STORAGE_PATH,
        get_current_settings,
        temporary_settings,
    )

    s = get_current_settings()
    src = Path(s.results.local_storage_path or Path(s.home) / "storage")
    dst = tmp_path / "storage"
    if src.is_dir():
        shutil.copytree(src, dst)
    with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: dst}):
        yield dst


def test_new_file_recomputes_only_the_tasks_that_depend_on_it(private_cache, tmp_path):
    from flows.refresh import refresh

    db = tmp_path / "cbec.duckdb"

    # 1. a full refresh into a new warehouse: all LP units from the session's cache
    s1 = refresh(db=str(db), return_state=True)
    r1 = s1.result()
    assert not r1["reused"]
    st1 = lp_task_states(s1.state_details.flow_run_id)
    years = sorted(int(n.split("-")[1]) for n in st1 if n.startswith("dea-"))
    assert YEAR - 1 in years and YEAR + 1 in years, years
    assert len(st1) == len(years) + len(years) - 1, st1  # one DEA per year, one Malmquist per pair
    assert set(st1.values()) == {"Cached"}, st1

    # 2. one new file revising one province's total employment (the DEA input labour)
    #    in YEAR (no composite indicator uses it)
    old = _q(
        db,
        f"SELECT value FROM staging.panel WHERE variable = '{VARIABLE}' "
        f"AND region_code = '33' AND year = {YEAR}",
    )["value"][0]
    revised = round(old * 1.001, 4)
    new_file = tmp_path / "employment_revision.csv"
    new_file.write_text(
        f"省份编码,省份,年份,{HEADER}\n{REGION[0]},{REGION[1]},{YEAR},{revised}\n",
        encoding="utf-8",
    )
    s2 = refresh(db=str(db), extra_files=[str(new_file)], extra_vintage="2030-01", return_state=True)  # fmt: skip
    r2 = s2.result()
    assert not r2["reused"] and r2["run_id"] != r1["run_id"]
    st2 = lp_task_states(s2.state_details.flow_run_id)
    assert set(st2) == set(st1)
    ran = sorted(n for n, s in st2.items() if s != "Cached")
    expected = sorted([f"dea-{YEAR}", f"malmquist-{YEAR - 1}-{YEAR}", f"malmquist-{YEAR}-{YEAR + 1}"])  # fmt: skip
    assert ran == expected, st2
    assert all(st2[n] == "Completed" for n in expected)

    # the revision reached the published DEA input of that year, and only of that year
    dp = _q(
        db,
        "SELECT run_id, year, labour FROM results.dea_panel WHERE region_code = '33' "
        "ORDER BY run_id, year",
    )
    lab = {(r, y): v for r, y, v in dp.iter_rows()}
    changed = sorted(y for (r, y), v in lab.items() if r == r2["run_id"] and v != lab[(r1["run_id"], y)])  # fmt: skip
    assert changed == [YEAR]
    assert lab[(r2["run_id"], YEAR)] / lab[(r1["run_id"], YEAR)] > 1

    # 3. nothing new: the published run is reused, nothing new is published
    n_runs = _q(db, "SELECT count(*) AS n FROM results.runs")["n"][0]
    s3 = refresh(db=str(db), extra_files=[str(new_file)], extra_vintage="2030-01", return_state=True)  # fmt: skip
    r3 = s3.result()
    assert r3["reused"] and r3["run_id"] == r2["run_id"]
    assert _q(db, "SELECT count(*) AS n FROM results.runs")["n"][0] == n_runs
    assert lp_task_states(s3.state_details.flow_run_id) == {}  # no LP work at all
