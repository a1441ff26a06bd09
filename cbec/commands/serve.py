"""`cbec serve`: a local Prefect server (127.0.0.1, SQLite under var/prefect, analytics off)
with the process work pool, the deployments of prefect.yaml and a worker, so the schedules
fire and every run shows in the Prefect UI. `cbec serve --stop` ends what it started.

The server and the worker run in the background (their own process groups); their pids,
port and log files are in var/serve.json. Logs: var/serve/server.log, var/serve/worker.log.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

POOL = "cbec-process"
EXAMPLES = """examples:
  cbec serve                      # UI at http://127.0.0.1:4200, schedules of prefect.yaml active
  cbec serve --port 4300          # another port
  cbec serve --stop               # stop the server and the worker started here
  prefect deployment run 'refresh/yearbook-annual'     # trigger a run now (with PREFECT_API_URL
                                                       # from `cbec serve`'s output)
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="local Prefect server + worker: scheduled refreshes, runs in the UI",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=int, default=4200, help="server port (default 4200)")
    p.add_argument("--stop", action="store_true", help="stop what `cbec serve` started")
    p.add_argument("--no-worker", action="store_true", help="server and deployments only")
    p.add_argument(
        "--timeout", type=float, default=180, help="seconds to wait for the server (default 180)"
    )
    p.set_defaults(handler=handle)


# --------------------------------------------------------------------------- helpers
def state_file() -> Path:
    from cbec.paths import var_dir

    return var_dir() / "serve.json"


def _prefect() -> list[str]:
    return [sys.executable, "-m", "prefect"]


def serve_env(api_url: str | None = None, port: int | None = None) -> dict[str, str]:
    """Environment of the server, CLI calls and worker: analytics off, Prefect state in
    PREFECT_HOME (default var/prefect), the project at CBEC_HOME (pull step of prefect.yaml).
    With `port` (the server's own environment): the server's port and the API URL the UI
    calls, so the UI served at that port talks to it (Prefect's default is 4200)."""
    from cbec.paths import ROOT

    env = dict(os.environ)
    env.update(
        {
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_HOME": os.environ.get("PREFECT_HOME", str(ROOT / "var" / "prefect")),
            "CBEC_HOME": os.environ.get("CBEC_HOME", str(ROOT)),
            "PREFECT_CLI_PROMPT": "false",
        }
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    else:
        env.pop("PREFECT_API_URL", None)
    if port is not None:
        env["PREFECT_SERVER_API_HOST"] = "127.0.0.1"
        env["PREFECT_SERVER_API_PORT"] = str(port)
        env["PREFECT_UI_API_URL"] = f"http://127.0.0.1:{port}/api"
        env["PREFECT_UI_URL"] = f"http://127.0.0.1:{port}"
    return env


def port_free(port: int) -> bool:
    """True if a server could listen on 127.0.0.1:`port` now. SO_REUSEADDR as the server
    (uvicorn) itself binds: connections of a just-stopped server linger in TIME_WAIT for a
    minute and must not make the port look taken; a live listener still does."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_healthy(api_url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"Prefect server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"Prefect server at {api_url} not healthy after {timeout:.0f} s")


def _spawn(cmd: list[str], log: Path, env: dict, cwd: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = open(log, "ab")  # noqa: SIM115 - kept open by the child
    return subprocess.Popen(
        cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
    )


def _run(cmd: list[str], env: dict, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:])} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def start_server(port: int, log_dir: Path, timeout: float = 180) -> tuple[subprocess.Popen, str]:
    from cbec.paths import ROOT

    api_url = f"http://127.0.0.1:{port}/api"
    proc = _spawn(
        [*_prefect(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        log_dir / "server.log",
        serve_env(port=port),
        ROOT,
    )
    try:
        wait_healthy(api_url, timeout, proc)
    except Exception:
        stop_pid(proc.pid)
        raise
    return proc, api_url


def setup_pool_and_deploy(api_url: str) -> None:
    """Create the process work pool (concurrency 1: one warehouse writer) and deploy every
    deployment of prefect.yaml."""
    from cbec.paths import ROOT

    env = serve_env(api_url)
    have = _run([*_prefect(), "work-pool", "inspect", POOL], env, ROOT, check=False)
    if have.returncode != 0:
        _run([*_prefect(), "work-pool", "create", POOL, "--type", "process"], env, ROOT)
    _run([*_prefect(), "work-pool", "set-concurrency-limit", POOL, "1"], env, ROOT)
    _run([*_prefect(), "deploy", "--no-prompt", "--all", "--prefect-file", str(ROOT / "prefect.yaml")], env, ROOT)  # fmt: skip


def start_worker(api_url: str, log_dir: Path) -> subprocess.Popen:
    from cbec.paths import ROOT

    return _spawn(
        [*_prefect(), "worker", "start", "--pool", POOL, "--type", "process"],
        log_dir / "worker.log",
        serve_env(api_url),
        ROOT,
    )


def stop_pid(pid: int, grace: float = 10, start_ticks: int | None = None) -> bool:
    """Terminate the process group `pid` leads (started here with start_new_session). With
    `start_ticks` (recorded at start), a pid now used by another process is left alone."""
    from warehouse.lock import process_alive

    if start_ticks is not None and not process_alive(pid, start_ticks):
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return True


def stop() -> int:
    sf = state_file()
    st = read_state(sf)
    if st is None:
        print("cbec serve: nothing to stop (no var/serve.json)")
        return 0
    for name in ("worker", "server"):
        pid = st.get(f"{name}_pid")
        if not pid:
            continue
        ticks = st.get(f"{name}_start")
        if ticks is None:  # recorded by an older version: only stop it if it is ours by name
            ticks = _ticks_if_prefect(int(pid))
            if ticks is None:
                print(f"{name} not running (pid {pid} is gone or is another program)")
                continue
        stopped = stop_pid(int(pid), start_ticks=int(ticks))
        print(
            f"stopping {name} (pid {pid})" if stopped else f"{name} not running (pid {pid} reused)"
        )
    sf.unlink(missing_ok=True)
    return 0


def read_state(sf: Path | None = None) -> dict | None:
    """The state file's content; None if there is none. An unreadable file is stale ({})."""
    sf = sf or state_file()
    if not sf.exists():
        return None
    try:
        st = json.loads(sf.read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return st if isinstance(st, dict) else {}


def _state_alive(st: dict) -> bool:
    """True if the server recorded in `st` still runs (same pid and start time)."""
    from warehouse.lock import process_alive

    pid, ticks = st.get("server_pid"), st.get("server_start")
    if not pid:
        return False
    if ticks is None:
        return _ticks_if_prefect(int(pid)) is not None
    return process_alive(int(pid), int(ticks))


def _ticks_if_prefect(pid: int) -> int | None:
    """Start time of `pid` if its command line is a Prefect server/worker, else None."""
    from warehouse.lock import process_start_ticks

    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    return process_start_ticks(pid) if "prefect" in cmd else None


def _started(pid: int) -> int | None:
    from warehouse.lock import process_start_ticks

    return process_start_ticks(pid)


# --------------------------------------------------------------------------- handler
def handle(args: argparse.Namespace) -> int:
    from cbec.errors import UsageError

    if args.stop:
        return stop()
    sf = state_file()
    st = read_state(sf)
    if st is not None:
        if _state_alive(st):
            raise UsageError(
                f"already serving at {st.get('ui_url')} (var/serve.json); `cbec serve --stop` first"
            )
        print(f"cbec serve: {sf} is stale (server pid {st.get('server_pid')} gone); recovering")
        stop()  # ends a worker that outlived its server, removes the state file
    if not port_free(args.port):
        raise UsageError(f"port {args.port} on 127.0.0.1 is in use; pass --port")
    log_dir = sf.parent / "serve"
    try:
        server, api_url = start_server(args.port, log_dir, args.timeout)
    except (RuntimeError, TimeoutError, OSError) as exc:
        raise UsageError(
            f"the Prefect server did not start: {exc} (log: {log_dir}/server.log)"
        ) from None
    st = {"server_pid": server.pid, "server_start": _started(server.pid), "port": args.port, "api_url": api_url,
          "ui_url": f"http://127.0.0.1:{args.port}", "log_dir": str(log_dir)}  # fmt: skip
    sf.parent.mkdir(parents=True, exist_ok=True)
    sf.write_text(json.dumps(st, indent=2))
    try:
        setup_pool_and_deploy(api_url)
        if not args.no_worker:
            worker = start_worker(api_url, log_dir)
            st["worker_pid"], st["worker_start"] = worker.pid, _started(worker.pid)
            sf.write_text(json.dumps(st, indent=2))
    except Exception as exc:
        stop()
        if isinstance(exc, RuntimeError | OSError):
            raise UsageError(f"setting up the work pool/deployments failed: {exc}") from None
        raise
    print(f"Prefect UI:   {st['ui_url']}")
    print(f"API:          export PREFECT_API_URL={api_url}")
    print(f"work pool:    {POOL} (process, concurrency limit 1)")
    print("deployments:  refresh/yearbook-annual, customs/customs-monthly, survey/survey, backfill/backfill")  # fmt: skip
    print(f"logs:         {log_dir}/server.log, worker.log")
    print("stop:         cbec serve --stop")
    return 0
