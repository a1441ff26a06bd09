"""The Prefect UI an operator uses (issue 17, item 6), against a real `prefect server` process
started by `cbec serve --port P` (UI on, its own PREFECT_HOME and SQLite database):

- the UI served at P is told to call the API at P (its /ui-settings endpoint), not 4200;
- a `cbec run` with nothing new against that server leaves INFO logs of its stages on the
  run (read back with the Prefect client), named `refresh <run id> (reused)` and tagged
  `reused`; the session's published refresh is named `refresh <run id>`;
- `cbec serve --stop` frees the port at once (a restart is not refused for a minute), and a
  stale var/serve.json (its server gone) does not block `cbec serve`.

The run reuses the session's published warehouse (a copy), so it computes nothing and the
module costs one server start plus one short run. Everything started here is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CBEC = [sys.executable, "-m", "cbec.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        CBEC_DB=str(tmp / "var" / "cbec.duckdb"),  # var/serve.json lives beside it
        CBEC_HOME=str(ROOT),
    )
    return env


def _cbec(args: list[str], env: dict, timeout: float = 240) -> str:
    r = subprocess.run([*CBEC, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)  # fmt: skip
    assert r.returncode == 0, f"cbec {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"  # fmt: skip
    return r.stdout


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`cbec serve --port P --no-worker` (its handler, in this process, over a stale serve.json
    and a fresh PREFECT_HOME) without the work-pool/deploy CLI calls, which
    test_orchestration_server covers; yields (port, env for `cbec` calls, tmp); stops it after."""
    from cbec.commands import serve

    tmp = tmp_path_factory.mktemp("serve")
    env = _env(tmp)
    port = _free_port()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp / "var").mkdir()
    stale = {"server_pid": dead.pid, "server_start": 1, "port": port, "ui_url": "x"}
    (tmp / "var" / "serve.json").write_text(json.dumps(stale))  # a server that died long ago
    args = argparse.Namespace(port=port, stop=False, no_worker=True, timeout=120)
    out = io.StringIO()
    try:
        with _serve_env(env) as mp, contextlib.redirect_stdout(out):
            mp.setattr(serve, "setup_pool_and_deploy", lambda api_url: None)
            assert serve.handle(args) == 0
        text = out.getvalue()
        assert "is stale" in text and f"http://127.0.0.1:{port}" in text, text
        assert json.loads((tmp / "var" / "serve.json").read_text())["port"] == port
        yield port, env, tmp
    finally:
        with _serve_env(env), contextlib.redirect_stdout(io.StringIO()):
            serve.stop()


@contextlib.contextmanager
def _serve_env(env: dict):
    """os.environ as a fresh shell with `env` (no PREFECT_* of the test session)."""
    with pytest.MonkeyPatch.context() as mp:
        for k in [k for k in os.environ if k.startswith("PREFECT_")]:
            mp.delenv(k)
        for k, v in env.items():
            mp.setenv(k, v)
        yield mp


def test_ui_at_the_served_port_calls_the_api_at_that_port(served):
    port, _, _ = served
    ui = _get_json(f"http://127.0.0.1:{port}/ui-settings")
    assert ui["api_url"] == f"http://127.0.0.1:{port}/api", ui
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as r:
        assert r.status == 200


def _runs_named(client, needle: str):
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    return client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(like_=needle)))  # fmt: skip


def test_a_published_run_is_named_after_its_cbec_run_id(published_db):
    """The session's refresh (`published_db`, on the test harness's API) is `refresh <run id>`."""
    from prefect.client.orchestration import get_client

    from warehouse.run_results import open_read_only, resolve_run

    con = open_read_only(published_db)
    try:
        run = resolve_run(con)
    finally:
        con.close()
    with get_client(sync_client=True) as client:
        runs = _runs_named(client, run["run_id"])
        fr = next(r for r in runs if str(r.id) == run["prefect_flow_run_id"])
    assert fr.name == f"refresh {run['run_id']}" and "refresh" in fr.tags
    assert "reused" not in fr.tags


def test_reused_run_logs_and_name_through_the_served_api(served, db_copy):
    """`cbec run` with nothing new against the served API: its INFO stage logs are on the run,
    which is named `refresh <reused run id> (reused)` and tagged `reused`."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    port, env, _ = served
    api = f"http://127.0.0.1:{port}/api"
    out = _cbec(["run", "--db", str(db_copy)], {**env, "PREFECT_API_URL": api})
    run_id = out.split("reused existing run: ")[1].split()[0]
    assert "stages (seconds" in out and "read-sources" in out  # the summary's stage table

    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        runs = _runs_named(client, run_id)
        assert [r.name for r in runs] == [f"refresh {run_id} (reused)"]
        assert {"refresh", "reused"} <= set(runs[0].tags)
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[runs[0].id]))
        )
    text = "\n".join(lg.message for lg in logs)
    assert any(lg.level == 20 for lg in logs), text  # INFO reaches the API
    assert "stage read-sources" in text and "is reused" in text, text[:2000]


def test_customs_run_carries_the_refresh_name_and_artifacts_itself(db_copy, tmp_path):
    """A flow that wraps the refresh (customs, like backfill) runs it in its own flow run: the
    run the schedule triggered is named `customs <run id> (reused)` and holds the summary
    artifact; no `refresh` child flow run is created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
    )

    from flows.customs import customs_refresh

    result = customs_refresh(db=str(db_copy), inbox=str(tmp_path / "empty-inbox"))
    assert result["reused"]
    run_id = result["run_id"]
    with get_client(sync_client=True) as client:
        runs = [r for r in _runs_named(client, run_id) if r.name.startswith("customs ")]
        assert [r.name for r in runs] == [f"customs {run_id} (reused)"], runs
        assert {"customs", "reused"} <= set(runs[0].tags)
        arts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[runs[0].id]))
        )
        assert "refresh-summary" in {a.key for a in arts}
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[runs[0].id])
            )
        )
        assert children == []


def test_stop_frees_the_port_at_once_and_a_stale_state_file_does_not_block(tmp_path):
    """The restart after `--stop` (TIME_WAIT of the old server's connections) and the stale
    state file, without a second server start: a listener that served a request and was closed
    leaves TIME_WAIT sockets, which `port_free` must not count as the port in use."""
    from cbec.commands import serve

    port = _free_port()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen()
    assert not serve.port_free(port)  # a live listener is still "in use"
    cli = socket.create_connection(("127.0.0.1", port))
    conn, _ = srv.accept()
    conn.close()  # the server side closes first: its end stays in TIME_WAIT
    srv.close()
    cli.close()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as plain:  # what was refused before
        with pytest.raises(OSError):
            plain.bind(("127.0.0.1", port))
    assert serve.port_free(port)

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert serve._state_alive({"server_pid": gone.pid, "server_start": 1}) is False
    me = {"server_pid": os.getpid(), "server_start": serve._started(os.getpid())}
    assert serve._state_alive(me) is True
