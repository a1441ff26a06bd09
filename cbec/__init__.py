"""cbec-observatory: regional development indicators from official Chinese statistics."""

import os as _os
from pathlib import Path as _Path

# Offline by default: no telemetry, no analytics, Prefect state kept inside the project.
_os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
_os.environ.setdefault("DO_NOT_TRACK", "1")
_os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
_os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# Prefect logs INFO to the API (each stage shows in the UI); the terminal shows warnings only.
_os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
if "PREFECT_HOME" not in _os.environ:
    _root = _Path(_os.environ.get("CBEC_HOME") or _Path(__file__).resolve().parent.parent)
    _os.environ["PREFECT_HOME"] = str(_root / "var" / "prefect")
# Prefect does not create parent folders of its home: a clean clone has no var/ yet.
try:
    _Path(_os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
except OSError:  # read-only location: Prefect itself reports it when it is used
    pass
