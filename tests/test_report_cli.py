"""A friendly CLI: every command's --help has an epilog with runnable examples, and exit codes
are the ones documented in cbec/errors.py."""

from __future__ import annotations

import argparse
import re

import pytest

import cbec.errors as errors
from cbec.cli import build_parser, main


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


COMMANDS = sorted(_subparsers())


def test_all_pipeline_commands_are_there():
    for name in ("run", "runs", "sql", "report"):
        assert name in COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_epilog_with_examples(name, capsys):
    sub = _subparsers()[name]
    epilog = sub.epilog or ""
    assert "example" in epilog.lower(), f"`cbec {name} --help` has no examples epilog"
    assert re.search(rf"^\s+(\S+\s*\|\s*)?cbec {name}\b", epilog, re.M), epilog
    assert isinstance(sub.formatter_class, type) and issubclass(
        sub.formatter_class, argparse.RawDescriptionHelpFormatter
    ), "epilog examples need RawDescriptionHelpFormatter to keep their line breaks"
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"cbec {name}" in out and epilog.strip().splitlines()[0] in out


def _documented_codes() -> dict[str, int]:
    """'0 success; 1 unexpected …; 2 usage error …' from the errors module docstring."""
    doc = errors.__doc__.split("Exit codes:")[1]
    return {
        m.group(2).split()[0].lower(): int(m.group(1)) for m in re.finditer(r"(\d) ([a-z]+)", doc)
    }


def test_error_classes_match_documented_exit_codes():
    codes = _documented_codes()
    assert codes["success"] == 0 and codes["unexpected"] == 1
    assert errors.UsageError.exit_code == codes["usage"] == 2
    assert errors.InputError.exit_code == codes["input"] == 3
    assert errors.ValidationFailed.exit_code == codes["validation"] == 4
    assert errors.NumericalError.exit_code == codes["numerical"] == 5


@pytest.mark.parametrize(
    "exc, code",
    [
        (errors.UsageError("x"), 2),
        (errors.InputError("bad row", file="f.csv", line=3), 3),
        (errors.ValidationFailed("blocked"), 4),
        (errors.NumericalError("no convergence"), 5),
    ],
)
def test_main_maps_errors_to_exit_codes(exc, code, capsys, monkeypatch):
    parser = build_parser()

    def handler(args):
        raise exc

    monkeypatch.setattr("cbec.cli.build_parser", lambda load=None: parser)
    parser.set_defaults(handler=handler, command="x")
    assert main([]) == code
    err = capsys.readouterr().err
    assert err.startswith("cbec x: error: ") and str(exc) in err


def test_usage_exit_codes(capsys):
    assert main([]) == 2  # no command: help and usage error
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["report", "--no-such-option"])
    assert exc.value.code == 2
    assert main(["runs", "diff", "onlyone"]) == 2
    capsys.readouterr()


def test_report_and_diff_without_warehouse_is_an_input_error(tmp_path, capsys):
    db = str(tmp_path / "none.duckdb")
    assert main(["report", "--db", db, "--out", str(tmp_path / "r.html")]) == 3
    assert main(["runs", "diff", "a", "b", "--db", db]) == 3
    err = capsys.readouterr().err
    assert "cbec run" in err  # says what to do
