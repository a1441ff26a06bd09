"""Child processes that must not outlive this process.

Prefect starts a temporary API server (uvicorn, a subprocess) for a flow run without
PREFECT_API_URL. If the run is SIGKILLed, Prefect's cleanup never runs and the server would be
orphaned. `guard_prefect_server()` makes Prefect start that server with the Linux parent-death
signal set (prctl PR_SET_PDEATHSIG = SIGKILL), so the kernel kills it when this process dies,
whatever the cause. It also records the server's pid in the writer lock file of the run (the
lock's `update`), so an operator can see it. No effect on other platforms."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import types

_PR_SET_PDEATHSIG = 1
_PARENT = os.getpid()


def die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """preexec_fn: SIGKILL this child when its parent dies; exit if the parent is already gone."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:
        return
    if os.getppid() == 1:
        os._exit(1)


class _GuardedSubprocess(types.ModuleType):
    """`subprocess` as seen by Prefect's server module: Popen children die with the parent."""

    def __init__(self) -> None:
        super().__init__("subprocess")

    def __getattr__(self, name: str):
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args, **kwargs):  # noqa: N802 - mirrors subprocess.Popen
        if sys.platform.startswith("linux") and kwargs.get("preexec_fn") is None:
            kwargs["preexec_fn"] = die_with_parent
        proc = subprocess.Popen(*args, **kwargs)
        record_server_pid(proc.pid)
        return proc


def record_server_pid(pid: int) -> None:
    """The Prefect server's pid in the writer lock of the run (and CBEC_PREFECT_SERVER_PID)."""
    try:
        from warehouse.lock import _HELD

        for lock in list(_HELD.values()):
            lock.update(prefect_server_pid=pid)
    except Exception:  # noqa: BLE001 - informative only
        pass
    os.environ["CBEC_PREFECT_SERVER_PID"] = str(pid)


def guard_prefect_server() -> None:
    """Install the guard on Prefect's temporary-server module (idempotent)."""
    try:
        import prefect.server.api.server as server_mod
    except ImportError:  # pragma: no cover
        return
    if not isinstance(server_mod.subprocess, _GuardedSubprocess):
        server_mod.subprocess = _GuardedSubprocess()
