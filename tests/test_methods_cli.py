"""`cbec methods` opens docs/METHODS.md (whole, one section, the headings), and every analysis
command's --help cites the METHODS section it implements."""

from __future__ import annotations

import pytest

from cbec.cli import main

ANALYSES = ("dea", "crosseff", "malmquist", "entropy", "inequality", "coupling", "synergy",
            "coevolve", "survey")  # fmt: skip


def test_one_section_and_the_headings(capsys) -> None:
    assert main(["methods", "9.6"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### 9.6 Game cross-efficiency (Liang, Wu, Cook & Zhu 2008")
    assert "### 9.7" not in out  # the section only
    assert main(["methods", "--list"]) == 0
    heads = capsys.readouterr().out.splitlines()
    assert "## 9. Data envelopment analysis" in heads and len(heads) > 40


def test_an_unknown_section_is_a_usage_error(capsys) -> None:
    assert main(["methods", "77"]) == 2
    assert "no section 77" in capsys.readouterr().err


@pytest.mark.parametrize("command", ANALYSES)
def test_every_analysis_help_cites_methods(command, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "METHODS §" in capsys.readouterr().out, f"cbec {command} --help cites no METHODS §"
