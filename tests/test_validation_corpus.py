"""Bad-input corpus (tests/bad_inputs, described by its MANIFEST.toml): every file is rejected by
`cbec validate FILE` with a message naming the problem and its location, at the expected stage.

No warehouse is touched here (the flow-level gate is tests/test_validation_gate.py). The embedded
sources read as staging context are cached per process, so each file costs ~0.5 s at most.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cbec.errors import InputError

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))
NOT_DATA = {"__init__.py", "make_xlsx.py", "MANIFEST.toml"}
STAGES = ("input", "raw", "staging", "accepted")  # accepted: tests/test_hardening_readers.py
REJECTED = sorted(n for n, s in MANIFEST.items() if s["stage"] != "accepted")


def _corpus_files() -> set[str]:
    return {p.name for p in CORPUS.iterdir() if p.is_file() and p.name not in NOT_DATA}


def test_manifest_lists_every_corpus_file():
    files = _corpus_files()
    assert files - MANIFEST.keys() == set(), "corpus files missing from MANIFEST.toml"
    assert MANIFEST.keys() - files == set(), "MANIFEST.toml lists files that do not exist"
    assert len(files) >= 25
    for name, spec in MANIFEST.items():
        assert spec["stage"] in STAGES, name
        assert spec["problem"] and spec["models"], name


def _rejection(path: Path) -> tuple[str, str]:
    """(stage, message) of the rejection of one file by `validate_files`."""
    from tasks.validate import failure_message, validate_files

    try:
        check = validate_files([path])
    except InputError as exc:
        return "input", str(exc)
    assert not check.passed, f"{path.name} passed validation"
    failed = [s for s in ("raw", "staging") if not all(r.passed for r in check.results[s])]
    stage = failed[0]
    message = failure_message(stage, check.results[stage]) + "\n" + check.summary_markdown()
    return stage, message


@pytest.mark.parametrize("name", REJECTED)
def test_corpus_file_is_rejected_with_problem_and_location(name):
    spec = MANIFEST[name]
    path = CORPUS / name
    stage, message = _rejection(path)
    assert stage == spec["stage"], (
        f"{name}: rejected at {stage!r}, expected {spec['stage']!r}\n{message}"
    )
    assert name in message, f"{name}: message does not name the file:\n{message}"
    assert spec["problem"] in message, f"{name}: problem {spec['problem']!r} not in:\n{message}"
    for loc in spec["location"]:
        assert loc in message, f"{name}: location {loc!r} not in:\n{message}"
    if stage != "input":
        # the readable summary names file, variable, province, year, observed value and rule
        assert "rule:" in message and "observed" in message, message


@pytest.mark.parametrize(
    "name, code",
    [
        ("truncated_mid_row.csv", 3),  # reader error
        ("missing_province_export.csv", 4),  # raw suite
        ("unit_switch_values_wan.csv", 4),  # staging suite (against the embedded data)
    ],
)
def test_cli_validate_exit_code_and_message(name, code, capsys):
    from cbec.cli import main

    spec = MANIFEST[name]
    rc = main(["validate", str(CORPUS / name)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert rc == code, text
    assert name in text and spec["problem"] in text, text
    for loc in spec["location"]:
        assert loc in text, text
    if code == 4:
        assert "FAILED" in out.out


def test_cli_validate_several_files_fails_on_any(capsys):
    from cbec.cli import main

    rc = main(
        [
            "validate",
            str(CORPUS / "negative_gdp_long.csv"),
            str(CORPUS / "share_above_100_long.csv"),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 4
    assert "青海 (63)" in out and "湖南 (43)" in out


def test_xlsx_corpus_rebuilds_with_same_rejection(tmp_path):
    """The committed .xlsx files are what make_xlsx.py builds (rejected with the same message)."""
    import openpyxl  # noqa: F401  (a hard dependency: fail, don't skip, if it is missing)

    from tests.bad_inputs.make_xlsx import build

    built = build(tmp_path)
    assert {p.name for p in built} == {n for n in MANIFEST if n.endswith(".xlsx")}
    for p in [b for b in built if b.name in REJECTED]:
        stage, message = _rejection(p)
        ref_stage, ref_message = _rejection(CORPUS / p.name)
        assert stage == ref_stage
        assert message.replace(str(p), "X") == ref_message.replace(str(CORPUS / p.name), "X")
