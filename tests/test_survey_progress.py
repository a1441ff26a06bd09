"""`cbec survey` shows its stages on stderr (issue 17: "20 s with nothing"): loading the SEM
libraries, reliability, EFA, SEM estimation, modification indices, validity; --quiet
silences it; stdout is the same with and without it."""

from __future__ import annotations

from pathlib import Path

from cbec.cli import main
from cbec.commands import survey
from cbec.commands._progress import Progress
from transforms.survey import STAGES

DEMO = (
    Path(__file__).resolve().parents[1] / "data" / "survey_demo" / "study_b_simulated_responses.csv"
)


def test_survey_reports_each_stage_and_quiet_silences_it(capsys, monkeypatch):
    assert main(["survey", str(DEMO)]) == 0
    plain = capsys.readouterr()
    assert plain.err == ""  # not a terminal: nothing drawn
    seen: list[str] = []
    stage = Progress.stage

    def spy(self, name):
        seen.append(name)
        stage(self, name)

    monkeypatch.setattr(Progress, "stage", spy)
    monkeypatch.setenv("CBEC_PROGRESS", "1")
    assert main(["survey", str(DEMO)]) == 0
    drawn = capsys.readouterr()
    assert seen == [survey.LOADING, *STAGES]
    assert drawn.out == plain.out
    assert (
        f"survey [##############################] {1 + len(STAGES)}/{1 + len(STAGES)} stages"
        in drawn.err
    )
    seen.clear()
    assert main(["survey", str(DEMO), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
