"""The `cbec` command. Each sub-command lives in `cbec/commands/<name>.py` and exposes
`register(subparsers)`; this module discovers them, so commands can be added without
touching this file. Handlers return an int exit code (see cbec.errors)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from cbec import commands
from cbec.errors import CbecError

DESCRIPTION = """cbec-observatory: regional development indicators from official Chinese statistics.

Pipeline:   run, serve, validate, runs, inputs, sql, report
Analyses on any CSV (no warehouse needed): dea, crosseff, malmquist, entropy,
            inequality, coupling, synergy, coevolve, survey

Run `cbec COMMAND --help` for the options and examples of each command."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cbec", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"cbec.commands.{mod.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _dispatch(argv)
    except BrokenPipeError:
        return _closed_pipe()


def _dispatch(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        sys.stdout.flush()
        return 2
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()
        return code
    except CbecError as exc:
        print(f"cbec {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _closed_pipe() -> int:
    """The reader of stdout went away (`cbec … | head`): end quietly with exit 0, as `cat` does
    under SIGPIPE-ignoring shells; point stdout at /dev/null so the interpreter's final flush
    cannot raise again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
