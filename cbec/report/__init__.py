"""Self-contained offline HTML report of one published run (presentation only).

`build_report(db, run_id)` returns the HTML text; `write_report(db, run_id, out)` writes it.
The page loads nothing: charts and province maps are server-side SVG (maps on the shipped
outlines, data/geo_cn_provinces), CSS and the CSV-download script are inline.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from cbec.report import sections as S
from cbec.report.page import Report
from cbec.report.quality import specification

# tables with a dedicated section; anything else a run has is shown in "Other results"
KNOWN = {
    "real_gdp",
    "capital_stock",
    "labour",
    "dea_panel",
    "efficiency",
    "cross_efficiency",
    "game_cross_efficiency",
    "malmquist",
    "malmquist_summary",
    "indicator_weights",
    "composite_index",
    "inequality",
    "coupling",
    "synergy",
    "coevolution",
    "causality",
    "efficiency_sensitivity",
}


class RunNotFound(LookupError):
    pass


def build_report(db: str | Path | None, run_id: str | None = None) -> tuple[str, str]:
    """(html, run_id) for `run_id` (unique prefix accepted) or the newest published refresh run.
    Raises FileNotFoundError (no warehouse), RunNotFound, ValueError (ambiguous prefix)."""
    from warehouse import run_results as R

    con = R.open_read_only(db)
    try:
        run = R.resolve_run(con, run_id, flow="refresh" if run_id is None else None)
        if run is None and run_id is None:
            run = R.resolve_run(con, None, flow=None)
        if run is None:
            raise RunNotFound(
                f"no run {run_id!r} in the warehouse"
                if run_id
                else "the warehouse has no published run yet"
            )
        rid = run["run_id"]
        tables = R.run_table_names(con, rid)
        cache: dict[str, pl.DataFrame | None] = {}

        def load(name: str) -> pl.DataFrame | None:
            if name not in cache:
                cache[name] = R.read_run_table(con, name, rid) if name in tables else None
            return cache[name]

        rep = Report(
            title="cbec-observatory report",
            subtitle=(
                f"run {rid} · {run.get('flow')} · {run.get('status')} · finished "
                f"{run.get('finished_at') or '—'} UTC · generated "
                f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M')} UTC"
            ),
        )
        S.lineage(rep, run, tables, R.read_run_inputs(con, rid), R.read_validations(con, rid))
        specification(rep, load, run, list(tables))
        S.production(rep, load)
        S.efficiency(rep, load)
        S.productivity(rep, load)
        S.inequality(rep, load)
        S.composite(rep, load)
        S.coupling(rep, load)
        S.synergy(rep, load)
        S.coevolution(rep, load)
        if "causality" in tables:
            S.causality(rep, load)
        survey = sorted(t for t in tables if t.startswith("survey"))
        s_load, s_title = load, "Survey"
        if not survey:
            # surveys are published by their own flow: show the newest published survey run
            srun = R.resolve_run(con, None, flow="survey")
            if srun is not None:
                sid = srun["run_id"]
                s_tables = R.run_table_names(con, sid)
                survey = sorted(t for t in s_tables if t.startswith("survey"))
                s_cache: dict[str, pl.DataFrame | None] = {}

                def s_load(name: str) -> pl.DataFrame | None:
                    if name not in s_cache:
                        s_cache[name] = (
                            R.read_run_table(con, name, sid) if name in s_tables else None
                        )
                    return s_cache[name]

                s_title = f"Survey (newest survey run {sid})"
        S.others(rep, s_load, survey or ["survey_*"], "survey", s_title, "survey")
        rest = sorted(t for t in tables if t not in KNOWN and not t.startswith("survey"))
        if rest:
            S.others(rep, load, rest, "other", "Other results", "other")
    finally:
        con.close()
    return rep.render(), rid


def write_report(db: str | Path | None, run_id: str | None, out: str | Path) -> tuple[Path, str]:
    html, rid = build_report(db, run_id)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out, rid
