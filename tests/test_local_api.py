"""flows/local_api.py: the temporary Prefect API `cbec run` starts before importing the flow.

The process tests start the real server (uvicorn, ~6 s): it answers /health on the socket it
was handed, `stop()` ends it, and a SIGKILLed parent takes it down (parent-death signal). The
fast tests cover when it is wanted and that a server configured in a Prefect profile wins.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PYTHONPATH=str(ROOT), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180")  # fmt: skip
    env.update(extra)
    return env


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _python(code: str, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_wanted_only_without_an_api_and_before_prefect_is_imported(tmp_path: Path) -> None:
    code = """
        import json, os, sys
        from flows.local_api import LocalApi
        a = LocalApi.wanted()
        os.environ["PREFECT_API_URL"] = "http://127.0.0.1:9/api"
        b = LocalApi.wanted()
        del os.environ["PREFECT_API_URL"]
        os.environ["PREFECT_SERVER_ALLOW_EPHEMERAL_MODE"] = "false"
        c = LocalApi.wanted()
        del os.environ["PREFECT_SERVER_ALLOW_EPHEMERAL_MODE"]
        import prefect  # noqa: F401
        d = LocalApi.wanted()
        print(json.dumps([a, b, c, d, "prefect.server.api.server" in sys.modules]))
    """
    assert _python(code, _env(tmp_path)) == [True, False, False, False, False]


def test_a_server_configured_in_the_prefect_profile_wins(tmp_path: Path) -> None:
    (tmp_path / "profiles.toml").write_text(
        'active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://ui.example:4200/api"\n'
    )
    code = """
        import json, os
        os.environ["PREFECT_API_URL"] = "http://127.0.0.1:9/api"  # as LocalApi.launch sets it
        from flows.local_api import configured_api
        print(json.dumps([*configured_api(), os.environ["PREFECT_API_URL"]]))
    """
    env = _env(tmp_path, PREFECT_PROFILES_PATH=str(tmp_path / "profiles.toml"))
    assert _python(code, env) == ["http://ui.example:4200/api", False, "http://127.0.0.1:9/api"]
    (tmp_path / "profiles.toml").write_text(
        'active = "eph"\n[profiles.eph]\nPREFECT_SERVER_ALLOW_EPHEMERAL_MODE = "true"\n'
    )
    assert _python(code, env) == [None, True, "http://127.0.0.1:9/api"]
    (tmp_path / "profiles.toml").write_text('active = "bare"\n[profiles.bare]\n')
    assert _python(code, env) == [None, False, "http://127.0.0.1:9/api"]


@pytest.mark.process
def test_the_server_answers_stops_and_dies_with_a_killed_parent(tmp_path: Path) -> None:
    code = """
        import json, os, sys, urllib.request
        from flows.local_api import LocalApi
        api = LocalApi.launch()
        waited = api.wait_ready()
        assert os.environ["PREFECT_API_URL"] == api.url and LocalApi.current() is api
        with urllib.request.urlopen(api.url + "/health", timeout=5) as r:
            health = r.read().decode()
        pid = api.proc.pid
        api.stop()
        print(json.dumps([health, waited, pid, os.environ.get("PREFECT_API_URL"),
                          LocalApi.current() is None]))
    """
    health, waited, pid, url, cleared = _python(code, _env(tmp_path))
    assert health == "true" and waited >= 0 and url is None and cleared
    assert not _alive(pid), "stop() left the server running"

    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys, time
            from flows.local_api import LocalApi
            api = LocalApi.launch()
            api.wait_ready()
            print(api.proc.pid, api.url, flush=True)
            time.sleep(600)
        """)],
        env=_env(tmp_path), cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        pid_text, url = parent.stdout.readline().split()
        server = int(pid_text)
        with urllib.request.urlopen(url + "/health", timeout=5) as r:
            assert r.status == 200
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(server), "the server outlived its SIGKILLed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
