"""Where things live. Everything is relative to the project root unless overridden by env vars.

CBEC_HOME     project root (default: the checkout this package was installed from)
CBEC_DB       warehouse file (default: $CBEC_HOME/var/cbec.duckdb)
CBEC_DATA     embedded data folder (default: $CBEC_HOME/data)
CBEC_CONFIG   config folder (default: $CBEC_HOME/config)
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("CBEC_HOME", Path(__file__).resolve().parent.parent))


def data_dir() -> Path:
    return Path(os.environ.get("CBEC_DATA", ROOT / "data"))


def config_dir() -> Path:
    return Path(os.environ.get("CBEC_CONFIG", ROOT / "config"))


def db_path() -> Path:
    return Path(os.environ.get("CBEC_DB", ROOT / "var" / "cbec.duckdb"))


def var_dir() -> Path:
    return db_path().parent
