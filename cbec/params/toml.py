"""The one TOML reader of the project: a syntax error or an unreadable file is a ConfigError
(exit 2) naming the file (and the line, for syntax)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from cbec.params.spec import ConfigError


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file; a syntax error is a ConfigError naming the file and line."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
