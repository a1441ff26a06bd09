"""The temporary Prefect API of one `cbec run`, started before anything heavy is imported.

Without PREFECT_API_URL, Prefect starts a temporary server (uvicorn, a subprocess) at the
flow's first API call. That is late: the flow's modules are imported first (~2 s), then
prefect.server in this process only to launch the child (~4 s), then the child boots (~6 s)
while this process waits, and GX is imported later still, inside the first validation
(~4 s). `LocalApi.launch()` starts the same server at once: Prefect's own uvicorn command
(`prefect.server.api.server:create_app`, UI off, ephemeral services) on a socket this process
binds and hands over (no port race), and sets PREFECT_API_URL for this process. The server
then boots on one core while this process imports the flow and GX on the other.

Like Prefect's temporary server it dies with this process (parent-death signal,
flows/procguard.py, SIGKILL included), its pid is recorded in the run's writer lock, and it
is stopped at exit, after Prefect has flushed its logs and events.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flows.procguard import die_with_parent, record_server_pid

SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
              "PREFECT__SERVER_FINAL": "1"}  # fmt: skip
"""What Prefect's SubprocessASGIServer sets for its temporary server."""


class ServerFailed(RuntimeError):
    """The temporary Prefect API did not start (its exit code or the time waited)."""


class LocalApi:
    """A running temporary Prefect API server: `url`, `wait_ready()`, `stop()`; the one this
    process launched is `LocalApi.current()`."""

    _current: LocalApi | None = None

    def __init__(self, proc: subprocess.Popen, port: int):
        self.proc: subprocess.Popen | None = proc
        self.port = port
        self.url = f"http://127.0.0.1:{port}/api"

    @classmethod
    def wanted(cls) -> bool:
        """True when Prefect would start a temporary server for this process: no
        PREFECT_API_URL in the environment, Prefect not imported yet (a test harness or an
        earlier flow has its own API then), ephemeral mode not switched off, and a POSIX
        system (the server is handed its socket by file descriptor; elsewhere Prefect
        starts its own server as before)."""
        names = ("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "PREFECT_SERVER_EPHEMERAL_ENABLED")
        off = {os.environ.get(n, "").lower() for n in names} & {"0", "false", "no", "off"}
        return (
            os.name == "posix"
            and not os.environ.get("PREFECT_API_URL")
            and "prefect" not in sys.modules
            and not off
        )

    @classmethod
    def current(cls) -> LocalApi | None:
        """The server this process launched and has not stopped, else None."""
        return cls._current

    @classmethod
    def launch(cls) -> LocalApi:
        """Start the server (returns at once) and point this process's Prefect at it."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        fd, port = sock.fileno(), sock.getsockname()[1]
        os.set_inheritable(fd, True)
        cmd = [sys.executable, "-m", "uvicorn", "--app-dir", _site_dir(), "--factory",
               "prefect.server.api.server:create_app", "--fd", str(fd), "--log-level", "error",
               "--lifespan", "on"]  # fmt: skip
        linux = sys.platform.startswith("linux")
        try:
            proc = subprocess.Popen(cmd, env={**os.environ, **SERVER_ENV}, pass_fds=(fd,),
                                    preexec_fn=die_with_parent if linux else None)  # fmt: skip
        finally:
            sock.close()  # the server holds its own copy of the socket
        record_server_pid(proc.pid)
        api = cls(proc, port)
        os.environ["PREFECT_API_URL"] = api.url
        atexit.register(api.stop)
        LocalApi._current = api
        return api

    def wait_ready(self, timeout: float | None = None) -> float:
        """Block until the API answers /health; the seconds waited. ServerFailed if the server
        exits or does not answer within `timeout` (default
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, else 120 s)."""
        limit = timeout or float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 120))  # fmt: skip
        t0 = time.monotonic()
        while True:
            if self.proc is None or self.proc.poll() is not None:
                code = None if self.proc is None else self.proc.returncode
                raise ServerFailed(f"the temporary Prefect API server exited (code {code})")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - t0
            except OSError:
                pass
            if time.monotonic() - t0 > limit:
                raise ServerFailed(
                    f"the temporary Prefect API server did not answer within {limit:g} s "
                    "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Terminate the server (kill after 5 s); idempotent."""
        proc, self.proc = self.proc, None
        if LocalApi._current is self:
            LocalApi._current = None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if os.environ.get("PREFECT_API_URL") == self.url:
            del os.environ["PREFECT_API_URL"]


def _site_dir() -> str:
    """The directory holding the prefect package (uvicorn's --app-dir), without importing it."""
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise ServerFailed("prefect is not installed")
    return str(Path(spec.origin).resolve().parent.parent)


def configured_api() -> tuple[str | None, bool]:
    """(API URL, temporary server allowed) as the Prefect profile, prefect.toml and the
    environment configure them, ignoring this process's temporary server (call after prefect
    is imported): a configured server wins over `LocalApi`, and where Prefect itself would
    not start a temporary server (ephemeral mode off in the profile) neither does cbec."""
    from prefect.settings import Settings

    ours = os.environ.pop("PREFECT_API_URL", None)
    try:
        settings = Settings()
        url, allowed = settings.api.url, bool(settings.server.ephemeral.enabled)
    finally:
        if ours is not None:
            os.environ["PREFECT_API_URL"] = ours
    return (str(url) if url else None), allowed
