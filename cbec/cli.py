"""The `cbec` command. Each sub-command lives in `cbec/commands/<name>.py` and exposes
`register(subparsers)`; `cbec.commands.COMMANDS` lists them with their one-line help, so
`cbec --help` needs no command module and `cbec NAME …` imports only `cbec.commands.NAME`
(start-up: see tests/test_cli_startup.py). Handlers return an int exit code (see cbec.errors)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable

from cbec.commands import COMMANDS
from cbec.errors import CbecError

DESCRIPTION = """cbec-observatory: regional development indicators from official Chinese statistics.

Pipeline:   run, serve, validate, runs, inputs, sql, report    Formulas: methods
Analyses on any CSV (no warehouse needed): dea, crosseff, malmquist, entropy,
            inequality, coupling, synergy, coevolve, survey

Run `cbec COMMAND --help` for the options and examples of each command."""


def build_parser(load: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The full parser (every command module imported and registered), or with `load` only
    those commands: the others get a placeholder parser carrying their help line."""
    parser = argparse.ArgumentParser(
        prog="cbec", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = set(COMMANDS if load is None else load)
    for name, help_line in COMMANDS.items():
        if name in wanted:
            importlib.import_module(f"cbec.commands.{name}").register(sub)
        else:
            sub.add_parser(name, help=help_line, add_help=False)
    return parser


def chosen_command(argv: list[str]) -> str | None:
    """The sub-command named in argv (the top-level parser has no option but -h)."""
    for arg in argv:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


# Analysis commands: files closed, no thread, server, warehouse or atexit work left when they
# return, so `entry` ends their process at once instead of tearing the interpreter down.
QUICK_EXIT = frozenset({"dea", "crosseff", "malmquist", "entropy", "inequality", "coupling",
                        "synergy"})  # fmt: skip


def entry() -> None:
    """The `cbec` console script: `main()`; an analysis command (QUICK_EXIT) then ends with
    os._exit after flushing logs and output, skipping the teardown of numpy and polars
    (~0.05–0.07 s of every such command); every other command exits normally."""
    code = main()
    if chosen_command(sys.argv[1:]) in QUICK_EXIT:
        import logging
        import os

        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    try:
        return _dispatch(argv)
    except BrokenPipeError:
        return _closed_pipe()


def _dispatch(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    name = chosen_command(argv)
    parser = build_parser([name] if name else [])
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
