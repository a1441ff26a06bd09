"""A real Prefect server end to end (issue 9, check 1): `prefect server start` on 127.0.0.1 with
its own PREFECT_HOME and SQLite database (analytics off), the process work pool, `prefect
deploy` of the `yearbook-annual` deployment of prefect.yaml, a worker subprocess that picks
the triggered run up, and the run plus its artifacts read back through the Prefect client.

The worker shares the result storage of the test session (PREFECT_LOCAL_STORAGE_PATH), so the
LP tasks come from the cache that `published_db` filled and the run takes seconds, not a
minute; it still ingests, computes the rest and publishes a new run into its own warehouse.
Everything started here is stopped (by process group) in teardown.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.process  # whole refreshes in real processes: make test-processes

POOL = "cbec-process"
DEPLOYMENT = "refresh/yearbook-annual"
RUN_TIMEOUT = 300


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group `proc` leads (started with start_new_session), then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _tail(path: Path, n: int = 4000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else ""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A `prefect server start` subprocess; yields (api_url, env for CLI calls, home dir)."""
    home = tmp_path_factory.mktemp("prefect_server")
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_UI_ENABLED="false",  # the API is what is tested; skips building the UI bundle
        PREFECT_LOGGING_LEVEL="INFO",
        PREFECT_CLI_PROMPT="false",
    )
    log = home / "server.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=home, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"prefect server exited ({proc.returncode}):\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{api_url}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"prefect server not healthy after 120 s:\n{_tail(log)}")
            time.sleep(0.5)
        cli_env = {**env, "PREFECT_API_URL": api_url}
        cli_env.pop("PREFECT_SERVER_DATABASE_CONNECTION_URL")
        yield api_url, cli_env, home
    finally:
        _stop(proc)


def _cli(args: list[str], env: dict) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "prefect", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert r.returncode == 0, f"prefect {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def test_deploy_trigger_and_worker_complete_the_refresh(server, published_db, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
    )
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    api_url, env, home = server
    storage = get_current_settings().results.local_storage_path  # the session's task cache
    db = tmp_path / "deployed.duckdb"

    _cli(["work-pool", "create", POOL, "--type", "process"], env)
    _cli(["work-pool", "set-concurrency-limit", POOL, "1"], env)
    _cli(
        ["deploy", "--no-prompt", "--prefect-file", str(ROOT / "prefect.yaml"),
         "--name", "yearbook-annual", "--params", json.dumps({"db": str(db)})],
        {**env, "CBEC_HOME": str(ROOT)},
    )  # fmt: skip

    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        dep = client.read_deployment_by_name(DEPLOYMENT)
        assert dep.work_pool_name == POOL
        assert dep.parameters["db"] == str(db)
        assert dep.global_concurrency_limit.limit == 1  # one writer of the warehouse
        assert dep.concurrency_options.collision_strategy == "ENQUEUE"
        sched = dep.schedules[0].schedule
        assert sched.cron == "0 2 1 11 *" and sched.timezone == "Asia/Shanghai"
        assert client.read_work_pool(POOL).concurrency_limit == 1
        run = client.create_flow_run_from_deployment(dep.id)

        worker_log = home / "worker.log"
        worker_env = {
            **env,
            "CBEC_HOME": str(ROOT),
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        if storage:
            worker_env["PREFECT_LOCAL_STORAGE_PATH"] = str(storage)
        with open(worker_log, "wb") as fh:
            worker = subprocess.Popen(
                [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL,
                 "--type", "process", "--limit", "1"],
                stdout=fh, stderr=subprocess.STDOUT, env=worker_env, cwd=home,
                start_new_session=True,
            )  # fmt: skip
        try:
            deadline = time.monotonic() + RUN_TIMEOUT
            while True:
                fr = client.read_flow_run(run.id)
                if fr.state is not None and fr.state.is_final():
                    break
                if worker.poll() is not None:
                    pytest.fail(f"worker exited ({worker.returncode}):\n{_tail(worker_log)}")
                if time.monotonic() > deadline:
                    pytest.fail(f"run still {fr.state_name} after {RUN_TIMEOUT} s:\n{_tail(worker_log)}")  # fmt: skip
                time.sleep(1)
        finally:
            _stop(worker)
        assert fr.state.is_completed(), f"{fr.state_name}: {fr.state.message}\n{_tail(worker_log)}"
        assert fr.deployment_id == dep.id and fr.work_pool_name == POOL

        arts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
        by_key = {a.key: a for a in arts if a.key}
        assert "refresh-summary" in by_key, sorted(by_key)
        summary = by_key["refresh-summary"]
        assert summary.type == "markdown"
        assert "Published run" in summary.data and "## Input files" in summary.data
        assert by_key["efficiency-latest"].type == "table"
        # the LP subflow ran as a child of this run and reported its progress artifact
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id])
            )
        )
        names = {client.read_flow(c.flow_id).name: c.state_name for c in children}
        assert names.get("lp-work") == "Completed", names

    from warehouse.run_results import open_read_only, resolve_run

    con = open_read_only(db)
    try:
        published = resolve_run(con)
    finally:
        con.close()
    assert published is not None and published["prefect_flow_run_id"] == str(run.id)
    assert published["run_id"] in summary.data


def test_cbec_run_uses_a_server_named_only_in_the_prefect_profile(server, published_db, tmp_path):
    # flows/local_api.py starts a temporary API before Prefect is imported, unless a server is
    # configured: one given in the profile (not the environment) must still receive the run
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    api_url, env, _home = server
    home = tmp_path / "prefect_home"
    home.mkdir()
    (home / "profiles.toml").write_text(
        f'active = "team"\n[profiles.team]\nPREFECT_API_URL = "{api_url}"\n'
    )
    run_env = {k: v for k, v in env.items() if k != "PREFECT_API_URL"}
    run_env.update(PREFECT_HOME=str(home), PREFECT_PROFILES_PATH=str(home / "profiles.toml"),
                   CBEC_HOME=str(ROOT), PREFECT_LOGGING_LEVEL="WARNING")  # fmt: skip
    storage = get_current_settings().results.local_storage_path  # the session's task cache
    if storage:
        run_env["PREFECT_LOCAL_STORAGE_PATH"] = str(storage)
    db = tmp_path / "profiled.duckdb"
    r = subprocess.run(
        [sys.executable, "-c", "import sys; from cbec.cli import main; sys.exit(main())",
         "run", "--db", str(db), "--prefect"],
        env=run_env, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert "start-up, before the flow" not in r.stdout  # no temporary server was waited for
    run_id = r.stdout.split("published run: ", 1)[1].split()[0]
    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[f"refresh {run_id}"]))
        )
    assert [fr.state_name for fr in runs] == ["Completed"]
