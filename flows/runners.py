"""Task runners for the LP fan-out: threads on this machine, or Dask (prefect-dask).

One Prefect API for every worker: Dask worker processes report their task runs to the SAME
API as the flow (PREFECT_API_URL of the flow, or the flow's ephemeral server), never to a
temporary server of their own. For a LocalCluster the URL is handed to the worker processes
through their environment; workers of an existing cluster (`address`) must be started with
PREFECT_API_URL (and a shared result storage) set — see docs/OPERATIONS.md.
"""

from __future__ import annotations

import os

from prefect.task_runners import ThreadPoolTaskRunner

RUNNERS = ("local", "dask")
# Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in every worker it spawns. Setting it turns off
# glibc's dynamic mmap threshold, so each large numpy temporary is mmapped and faulted in afresh:
# the LP units ran 2× slower on a worker than in one process (python -m bench.scale). None
# unsets it (distributed's documented override); OMP/MKL/OPENBLAS_NUM_THREADS=1 stay.
DASK_WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def untrimmed_dask_workers() -> None:
    """Dask workers spawned by this process keep glibc's malloc defaults (DASK_WORKER_CONFIG)."""
    import dask

    dask.config.set(DASK_WORKER_CONFIG)


def prefect_api_url() -> str | None:
    """The API this process talks to: the configured PREFECT_API_URL, else the URL of the
    ephemeral server Prefect started (or now starts) for this process."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if url:
        return str(url)
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the process-wide ephemeral server (singleton)
    if server.server_process is None:
        server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 120)))  # fmt: skip
    return server.api_url


def worker_env() -> dict[str, str]:
    """Environment of LocalCluster worker processes: the flow's API and Prefect home, analytics
    off. Task results (the cache) land in the same PREFECT_HOME storage as the flow's."""
    from prefect.settings import get_current_settings

    s = get_current_settings()
    env = {
        "PREFECT_API_URL": prefect_api_url() or "",
        "PREFECT_HOME": str(s.home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "INFO"),
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": os.environ.get(
            "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING"
        ),
    }
    if s.results.local_storage_path:
        env["PREFECT_LOCAL_STORAGE_PATH"] = str(s.results.local_storage_path)
    if os.environ.get("PREFECT_TASKS_REFRESH_CACHE"):
        env["PREFECT_TASKS_REFRESH_CACHE"] = os.environ["PREFECT_TASKS_REFRESH_CACHE"]
    return env


def make_task_runner(kind: str = "local", address: str | None = None, n_workers: int = 2):
    """`local`: ThreadPoolTaskRunner (this process). `dask`: prefect_dask.DaskTaskRunner on the
    cluster at `address` (tcp://host:8786), or on a new LocalCluster of `n_workers` single-
    threaded worker processes when no address is given."""
    if kind == "local":
        if address:
            raise ValueError("--address is only used with --runner dask")
        return ThreadPoolTaskRunner(max_workers=max(1, min(4, os.cpu_count() or 1)))
    if kind != "dask":
        raise ValueError(f"unknown task runner {kind!r}; expected one of {RUNNERS}")
    from prefect_dask import DaskTaskRunner

    untrimmed_dask_workers()
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": n_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",  # a free port: clusters never collide
            "env": worker_env(),
        }
    )
