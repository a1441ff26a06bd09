"""CLI start-up (issue 18 item 2): `cbec --help` and `cbec COMMAND --help` import no heavy
library, `cbec NAME` imports only its own command module, and the static command table that
`cbec --help` prints agrees with the command modules."""

from __future__ import annotations

import argparse
import os
import pkgutil
import subprocess
import sys

import pytest

from cbec import commands
from cbec.cli import build_parser

# never imported by a help text: the orchestration, validation and SEM/optimisation stacks
FORBIDDEN = ("prefect", "great_expectations", "cvxpy", "scipy.stats", "statsmodels", "semopy")
# not imported by `cbec --help` either (the data-frame stack)
FORBIDDEN_TOP = (*FORBIDDEN, "polars", "numpy", "duckdb", "pandas", "scipy")


_RUN = """import sys
from cbec.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("MODULES", *sorted(sys.modules), file=sys.stderr)
sys.exit(code)
"""


def _imported(*argv: str) -> tuple[set[str], str]:
    """Modules imported by `cbec ARGV` run under `python -X importtime`: the importtime report
    (which misses importlib.import_module calls) plus sys.modules at exit."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", _RUN, *argv],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    mods = set()
    for line in r.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                mods.add(name)
        elif line.startswith("MODULES "):
            mods.update(line.split()[1:])
    assert "cbec.cli" in mods and "cbec.errors" in mods, "no module report parsed"
    return mods, r.stdout


def test_the_importtime_report_of_cbec_help_names_no_heavy_library():
    """The check the issue asks for, literally: `python -X importtime -m cbec.cli --help`."""
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cbec.cli", "--help"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0 and "usage: cbec" in r.stdout
    mods = {ln.rsplit("|", 1)[1].strip() for ln in r.stderr.splitlines() if "|" in ln}
    assert "cbec.errors" in mods
    assert _hits(mods, FORBIDDEN_TOP) == []


def _hits(mods: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in mods if any(m == n or m.startswith(n + ".") for n in names))


def test_top_level_help_imports_no_heavy_library_and_no_command_module():
    mods, out = _imported("--help")
    assert _hits(mods, FORBIDDEN_TOP) == []
    assert [m for m in mods if m.startswith("cbec.commands.")] == []
    for name in commands.COMMANDS:
        assert name in out


@pytest.mark.parametrize("name", ["dea", "malmquist", "coevolve", "survey", "run", "report"])
def test_command_help_imports_only_its_module_and_no_heavy_library(name):
    mods, out = _imported(name, "--help")
    assert _hits(mods, FORBIDDEN) == [], f"`cbec {name} --help` imports heavy modules"
    assert _hits(mods, ("polars", "numpy", "scipy", "duckdb")) == []
    loaded = {m for m in mods if m.startswith("cbec.commands.") and not m[14:].startswith("_")}
    assert loaded == {f"cbec.commands.{name}"}
    assert f"usage: cbec {name}" in out


def test_the_static_command_table_matches_the_command_modules():
    """`cbec --help` prints COMMANDS without importing the modules: same names, same help."""
    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if m.name[0] != "_")
    assert names == sorted(commands.COMMANDS)
    full = build_parser()
    action = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in action._choices_actions}
    assert helps == commands.COMMANDS


def test_command_help_is_the_same_through_the_lazy_parser(capsys):
    """`cbec dea --help` via main() (only dea loaded) prints what the full parser prints."""
    from cbec.cli import main

    full = build_parser()
    action = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    for name in ("dea", "entropy", "sql"):
        expected = action.choices[name].format_help()
        with pytest.raises(SystemExit):
            main([name, "--help"])
        assert capsys.readouterr().out == expected


def test_an_analysis_run_imports_no_orchestration_stack(tmp_path):
    """`cbec dea` on a CSV needs numpy/polars/HiGHS, never prefect, GX, cvxpy or scipy.stats."""
    f = tmp_path / "eg1.csv"
    f.write_text("firm,y,x1,x2\nA,1,2,5\nB,2,2,4\nC,3,6,6\nD,1,3,2\nE,2,6,2\n")
    mods, out = _imported("dea", str(f), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y")
    assert _hits(mods, FORBIDDEN) == []
    # the small-LP path builds its CSC arrays with numpy: no scipy at all (~0.1–0.2 s)
    assert _hits(mods, ("scipy",)) == []
    assert "0.833333" in out  # DEAP 2.1 EG1, firm C (Coelli 1996)


EG4 = ("firm,year,y,x\n1,1,1,2\n2,1,2,4\n3,1,3,3\n4,1,4,5\n5,1,5,6\n1,2,1,2\n2,2,3,4\n3,2,4,3\n"
       "4,2,3,5\n5,2,5,5\n1,3,1,2\n2,3,3,4\n3,3,4,3\n4,3,3,5\n5,3,5,5\n")  # fmt: skip
# the data-frame stack a CSV-to-CSV `cbec dea` / `cbec malmquist` does without (~0.12 s)
FRAME_STACK = ("polars", "pandas", "pyarrow", "duckdb", "scipy")


@pytest.mark.parametrize("out", ["terminal", "csv", "xlsx", "json"])
def test_dea_and_malmquist_on_a_csv_file_import_no_data_frame_library(tmp_path, out):
    """CSV in, terminal/CSV/XLSX/JSON out: read, checked and written by cbec.frame."""
    (tmp_path / "eg1.csv").write_text("firm,y,x1,x2\nA,1,2,5\nB,2,2,4\nC,3,6,6\nD,1,3,2\nE,2,6,2\n")
    (tmp_path / "eg4.csv").write_text(EG4)
    tail = {"terminal": [], "csv": ["--out", str(tmp_path / "o.csv")],
            "xlsx": ["--out", str(tmp_path / "o.xlsx")], "json": ["--json"]}[out]  # fmt: skip
    dea = ("dea", str(tmp_path / "eg1.csv"), "--dmu", "firm", "--inputs", "x1,x2", "--outputs", "y")
    malm = ("malmquist", str(tmp_path / "eg4.csv"), "--dmu", "firm", "--period", "year",
            "--inputs", "x", "--outputs", "y", "--orientation", "output",
            "--summary", str(tmp_path / "s.csv"))  # fmt: skip
    for argv, expected in ((dea, "0.833333"), (malm, "1.12475")):  # DEAP EG1 C; EG4 mi 1 → 2
        mods, text = _imported(*argv, *tail)
        assert _hits(mods, FRAME_STACK) == [], argv[0]
        if out == "terminal":
            assert expected in text


def _entry(*argv: str, cwd: str) -> subprocess.CompletedProcess:
    """`cbec ARGV` through the console-script function `cbec.cli:entry`."""
    code = "import sys; from cbec.cli import entry; sys.argv = ['cbec', *sys.argv[1:]]; entry()"
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          timeout=120, cwd=cwd)  # fmt: skip


def test_an_analysis_command_ends_at_once_with_its_output_and_exit_code(tmp_path):
    # QUICK_EXIT commands end with os._exit: stdout, stderr and the --out file must be complete
    # and the exit code kept, for a success and for a bad input (exit 3)
    from cbec.cli import QUICK_EXIT

    assert {"dea", "malmquist"} <= QUICK_EXIT and not {"run", "serve", "sql"} & QUICK_EXIT
    csv = tmp_path / "d.csv"
    rows = [f"d{i},{10 + i},{20 + 2 * i % 7},{30 + i % 5}" for i in range(40)]
    csv.write_text("dmu,x1,x2,y1\n" + "\n".join(rows) + "\n")
    out = tmp_path / "scores.csv"
    r = _entry("dea", str(csv), "--dmu", "dmu", "--inputs", "x1,x2", "--outputs", "y1",
               "--out", str(out), cwd=str(tmp_path))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert f"wrote 40 rows to {out}" in r.stdout and r.stdout.rstrip().endswith("optimal 40")
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("dmu,") and len(lines) == 41
    r = _entry("dea", str(csv), "--dmu", "dmu", "--inputs", "x1,x2", "--outputs", "y1",
               cwd=str(tmp_path))  # fmt: skip
    assert r.returncode == 0 and r.stdout.count("\n") > 40 and "d39" in r.stdout
    r = _entry("dea", str(tmp_path / "missing.csv"), "--dmu", "dmu", "--inputs", "x1",
               "--outputs", "y1", cwd=str(tmp_path))  # fmt: skip
    assert r.returncode == 3 and "file not found" in r.stderr
