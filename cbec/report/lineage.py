"""Report section: data, validation and lineage of the run."""

from __future__ import annotations

import json

import polars as pl

from cbec.report import svg
from cbec.report.page import Report


def lineage(rep: Report, run: dict, tables: dict[str, int], inputs, validations) -> None:
    sec = rep.section("lineage", "Data and lineage")
    meta = pl.DataFrame(
        {
            "field": [
                "run id",
                "flow",
                "status",
                "started (UTC)",
                "finished (UTC)",
                "code version",
                "input fingerprint",
                "parameters hash",
                "Prefect flow run",
            ],
            "value": [
                str(run.get(k) or "")
                for k in (
                    "run_id",
                    "flow",
                    "status",
                    "started_at",
                    "finished_at",
                    "code_version",
                    "input_fingerprint",
                    "params_hash",
                    "prefect_flow_run_id",
                )
            ],
        }
    )
    rep.table(sec, meta)
    _validations(rep, sec, validations)
    # result tables
    sec.html("<h3>Result tables of this run</h3>")
    rt = pl.DataFrame(
        {
            "table": [f"results.{k}" for k in tables],
            "rows": list(tables.values()),
        },
        schema={"table": pl.Utf8, "rows": pl.Int64},
    )
    rep.table(sec, rt)
    _inputs(rep, sec, inputs)
    _parameters(sec, run)


def _validations(rep: Report, sec, validations) -> None:
    # validation summary
    sec.html("<h3>Validation</h3>")
    if validations is None or validations.is_empty():
        sec.note("No validation results were recorded for this run (results.validations).")
    else:
        v = validations.select("stage", "passed", "critical_failures", "warnings", "created_at")
        ok = bool(v["passed"].all())
        sec.html(
            f'<p class="{"good" if ok else "bad"}">'
            + (
                "All validation stages passed."
                if ok
                else "Some validation stages failed (see critical failures)."
            )
            + "</p>"
        )
        rep.table(sec, v, name="validations")
        failed = []
        for stage, res in validations.select("stage", "result").iter_rows():
            try:
                data = json.loads(res) if res else {}
            except ValueError:
                continue
            for item in (data.get("failures") or data.get("failed") or [])[:20]:
                failed.append({"stage": stage, "detail": json.dumps(item, ensure_ascii=False)})
        if failed:
            sec.html("<h4>Failed or warning expectations</h4>")
            rep.table(sec, pl.DataFrame(failed), name="validation-failures")


def _inputs(rep: Report, sec, inputs) -> None:
    # inputs
    sec.html("<h3>Input files</h3>")
    if inputs is None or inputs.is_empty():
        sec.note("This run recorded no input files (results.run_inputs).")
    else:
        by_v = (
            inputs.with_columns(pl.col("vintage").fill_null("unknown"))
            .group_by("vintage")
            .agg(pl.len().alias("files"))
            .sort("vintage")
        )
        rep.figure(
            sec,
            "Input files by vintage",
            svg.bar_chart(
                [str(v) for v in by_v["vintage"].to_list()],
                {"files": [float(x) for x in by_v["files"].to_list()]},
                label="files per vintage",
                value_label="files",
            ),
            "Number of source files of each vintage (edition or publication date) that fed this "
            "run. A newer vintage of the same series wins in staging.",
            by_v,
            "input-files-by-vintage",
        )
        show = inputs.with_columns(pl.col("source_sha256").str.slice(0, 16).alias("sha256"))
        sec.html(f"<details><summary>{inputs.height} input files with sha256</summary>")
        rep.table(
            sec,
            show.select("source_file", "vintage", "reader", "sha256"),
            max_rows=400,
            name="input-files",
            csv=inputs,
        )
        sec.html("</details>")


def _parameters(sec, run: dict) -> None:
    params = run.get("params")
    if params:
        try:
            pretty = json.dumps(json.loads(params), indent=2, ensure_ascii=False)
        except (TypeError, ValueError):
            pretty = str(params)
        from html import escape

        sec.html(
            "<h3>Parameters</h3><details><summary>parameters of this run (JSON)</summary>"
            f"<pre>{escape(pretty, quote=False)}</pre></details>"
        )
