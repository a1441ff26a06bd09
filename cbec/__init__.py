"""cbec-observatory: regional development indicators from official Chinese statistics."""

import os as _os

# Offline by default: no telemetry, no analytics, Prefect state kept inside the project.
_os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
_os.environ.setdefault("DO_NOT_TRACK", "1")
_os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
_os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
_os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
if "PREFECT_HOME" not in _os.environ:
    from pathlib import Path as _Path

    _os.environ["PREFECT_HOME"] = str(_Path(__file__).resolve().parent.parent / "var" / "prefect")
