"""What a run shows in the Prefect UI (issue 9, monitoring): one markdown artifact per run
(input files and vintages, validation summary, published run id, headline indicators and the
provinces that moved most), table artifacts for key results, and a progress artifact for the
long LP work. Artifact keys are stable (`refresh-summary`, `efficiency-latest`, …) so the
Artifacts page shows their history across runs.

    report_run(run_id=…, reused=False, inputs=read.inputs(), tables=tables,
               fingerprint=fp, validation=gate_result)
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, cast
from uuid import UUID

import polars as pl

if TYPE_CHECKING:
    from warehouse.ingest import SourceFile

SUMMARY_KEY = "refresh-summary"
TOP_MOVERS = 5


# --------------------------------------------------------------------------- progress
class LpProgress:
    """A progress artifact (0–100 %) updated as LP units finish. Outside a flow/task run (plain
    function calls in tests) it does nothing."""

    def __init__(self, total: int, key: str = "lp-progress", description: str = "LP work"):
        self.total = max(int(total), 1)
        self.done = 0
        self.description = description
        self.id: UUID | None = None
        try:
            from prefect.artifacts import create_progress_artifact

            # async_dispatch types it "UUID | Coroutine"; called from sync code it returns the UUID
            self.id = cast(UUID, create_progress_artifact(0.0, key=key, description=description))
        except Exception:  # no run context: nothing to report to
            self.id = None

    def step(self, n: int = 1) -> float:
        self.done += n
        pct = round(100.0 * min(self.done, self.total) / self.total, 1)
        if self.id is not None:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(
                self.id, pct, description=f"{self.description}: {self.done}/{self.total}"
            )
        return pct


# --------------------------------------------------------------------------- stage times
class StageClock:
    """Seconds per stage of a run: `lap(name)` closes the stage that ran since the previous lap
    (or since the clock started) and logs it at INFO (the run's logs in the UI)."""

    def __init__(self, log: logging.Logger | logging.LoggerAdapter | None = None) -> None:
        self.log = log
        self.stages: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> float:
        now = time.perf_counter()
        dt = now - self._t
        self._t = now
        self.stages[name] = round(self.stages.get(name, 0.0) + dt, 3)
        if self.log is not None:
            self.log.info("stage %s: %.2f s", name, dt)
        return dt


def stage_lines(stages: Mapping[str, float]) -> list[str]:
    """'  read-sources       1.23 s' lines for the run summary, then the total."""
    total = sum(stages.values())
    rows = [f"  {k:<22} {v:7.2f} s" for k, v in stages.items()]
    return [*rows, f"  {'total (in the flow)':<22} {total:7.2f} s"]


# --------------------------------------------------------------------------- flow-run names
def run_label(flow_name: str | None, extra_files=None, years=None) -> str:
    """What kind of run the user started: backfill, customs, add (--add files) or refresh."""
    if flow_name in ("backfill", "customs"):
        return flow_name
    if extra_files:
        return "add"
    return "backfill" if years else "refresh"


def label_flow_run(name: str, tags: Iterable[str] = ()) -> bool:
    """Rename the current Prefect flow run (and add `tags`) so the UI lists it by cbec run id;
    False outside a flow run or when the API refuses (a label never fails a run)."""
    try:
        from prefect.client.orchestration import get_client
        from prefect.context import FlowRunContext

        ctx = FlowRunContext.get()
        if ctx is None or ctx.flow_run is None:
            return False
        fr = ctx.flow_run
        merged = sorted({*(fr.tags or []), *tags})
        with get_client(sync_client=True) as client:
            client.update_flow_run(fr.id, name=name, tags=merged)
        fr.name, fr.tags = name, merged
        return True
    except Exception:  # noqa: BLE001 - cosmetic: the run itself is what matters
        return False


# --------------------------------------------------------------------------- headline numbers
def _year(s: pl.Series) -> int:
    """Newest year of a year column: polars types Series.max() as any literal (str, bytes, date,
    …); the year columns of the result tables are integers."""
    return cast(int, s.max())


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def headline(tables: Mapping[str, pl.DataFrame]) -> list[tuple[str, str]]:
    """(indicator, value) rows for the newest year of the key result tables present."""
    rows: list[tuple[str, str]] = []
    eff = tables.get("efficiency")
    if eff is not None and eff.height:
        y = _year(eff["year"])
        e = eff.filter(pl.col("year") == y)
        rows.append((f"mean CCR efficiency {y}", _fmt(e["score"].mean())))
        rows.append((f"efficient provinces {y}", f"{(e['score'] >= 1 - 1e-6).sum()} / {e.height}"))
    ce = tables.get("cross_efficiency")
    if ce is not None and ce.height:
        y = _year(ce["year"])
        rows.append(
            (f"mean cross-efficiency {y}", _fmt(ce.filter(pl.col("year") == y)["cross_eff"].mean()))
        )
    ms = tables.get("malmquist_summary")
    if ms is not None and ms.height:
        allrow = ms.filter(pl.col("scope") == "all")
        if allrow.height:
            rows.append(("Malmquist index, geometric mean of all pairs", _fmt(allrow["mi"][0])))
        per = ms.filter(pl.col("scope") == "period").sort("year_to")
        if per.height:
            last = per.tail(1)
            rows.append(
                (
                    f"Malmquist index {last['year_from'][0]}→{last['year_to'][0]}",
                    _fmt(last["mi"][0]),
                )
            )
    rg = tables.get("real_gdp")
    if rg is not None and rg.height:
        y = _year(rg["year"])
        g = rg.filter(pl.col("year").is_in([y - 1, y])).pivot(
            on="year", index="region_code", values="real_gdp"
        )
        if str(y - 1) in g.columns and str(y) in g.columns:
            # Series.sum() is typed int | float | Decimal; real_gdp is Float64
            tot0, tot1 = cast(float, g[str(y - 1)].sum()), cast(float, g[str(y)].sum())
            if tot0:
                rows.append((f"real GDP growth {y}, all provinces", f"{100 * (tot1 / tot0 - 1):.2f} %"))  # fmt: skip
    co, ca = tables.get("coevolution"), tables.get("causality")
    if co is not None and ca is not None and co.height:
        from tasks.coevolution import fit_counts  # issue 15: how many fits say something

        n = fit_counts(co, ca)
        rows.append(("co-evolution fits identified (ok/weak)", f"{n['identified']} / {n['fits']}"))
        rows.append(("causality rows too_short", f"{n['too_short']} / {n['causality']}"))
    return rows


def movers(tables: Mapping[str, pl.DataFrame], n: int = TOP_MOVERS) -> pl.DataFrame:
    """Provinces that moved most in the newest period: change of the CCR score between the last
    two years (efficiency) or, without it, the newest Malmquist index (largest |mi − 1|)."""
    eff = tables.get("efficiency")
    if eff is not None and eff.height and eff["year"].n_unique() >= 2:
        y1 = _year(eff["year"])
        y0 = _year(eff.filter(pl.col("year") < y1)["year"])
        w = (
            eff.filter(pl.col("year").is_in([y0, y1]))
            .pivot(on="year", index="region_code", values="score")
            .rename({str(y0): "before", str(y1): "after"})
            .with_columns((pl.col("after") - pl.col("before")).alias("change"))
            .with_columns(pl.lit(f"CCR score {y0}→{y1}").alias("measure"))
        )
        return w.sort(pl.col("change").abs(), descending=True, nulls_last=True).head(n)
    m = tables.get("malmquist")
    if m is not None and m.height:
        last = _year(m["year_to"])
        w = m.filter(pl.col("year_to") == last).select(
            "region_code",
            pl.lit(None, dtype=pl.Float64).alias("before"),
            pl.col("mi").alias("after"),
            (pl.col("mi") - 1).alias("change"),
            pl.lit(f"Malmquist index →{last}").alias("measure"),
        )
        return w.sort(pl.col("change").abs(), descending=True, nulls_last=True).head(n)
    return pl.DataFrame()


def _validation_lines(validation) -> list[str]:
    if validation is None:
        return ["Not run in this flow."]
    items = validation if isinstance(validation, list | tuple) else [validation]
    out = ["| stage | passed | critical failures | warnings |", "|---|---|---|---|"]
    for k, v in enumerate(items):
        if not isinstance(v, Mapping):
            v = getattr(v, "__dict__", {"passed": v})
        out.append(
            f"| {v.get('stage', v.get('table', k))} | {v.get('passed', '–')} | "
            f"{v.get('critical_failures', 0)} | {v.get('warnings', 0)} |"
        )
    return out


def summary_markdown(
    *,
    run_id: str,
    reused: bool,
    inputs: pl.DataFrame | Iterable[SourceFile] | None,
    tables: Mapping[str, pl.DataFrame],
    fingerprint: str,
    validation=None,
    flow: str = "refresh",
    extra: Mapping[str, str] | None = None,
) -> str:
    lines = [f"# cbec {flow} — run `{run_id}`", ""]
    lines.append(
        "Reused an existing published run (same inputs, parameters and code): nothing new published."
        if reused
        else f"Published run `{run_id}`."
    )
    lines += ["", f"Input fingerprint: `{fingerprint}`"]
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v}")
    lines += ["", "## Input files", "", "| file | vintage | sha256 |", "|---|---|---|"]
    if isinstance(inputs, pl.DataFrame):
        for r in inputs.iter_rows(named=True):
            lines.append(f"| {r['source_file']} | {r['vintage']} | `{str(r['source_sha256'])[:12]}` |")  # fmt: skip
    elif inputs is not None:
        for f in inputs:
            lines.append(f"| {f.display} | {f.vintage} | `{f.sha256[:12]}` |")
    lines += ["", "## Validation", "", *_validation_lines(validation)]
    head = headline(tables)
    if head:
        lines += ["", "## Headline indicators", "", "| indicator | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in head]
    mv = movers(tables)
    if mv.height:
        lines += ["", f"## Provinces that moved most ({mv['measure'][0]})", ""]
        lines += ["| region | before | after | change |", "|---|---|---|---|"]
        for r in mv.iter_rows(named=True):
            lines.append(f"| {r['region_code']} | {_fmt(r['before'])} | {_fmt(r['after'])} | {_fmt(r['change'])} |")  # fmt: skip
    if tables:
        lines += ["", "## Result tables", "", "| table | rows |", "|---|---|"]
        lines += [f"| results.{k} | {v.height} |" for k, v in sorted(tables.items())]
    return "\n".join(lines)


# --------------------------------------------------------------------------- table artifacts
def _records(df: pl.DataFrame, limit: int = 200) -> list[dict]:
    df = df.head(limit)
    floats = [c for c, t in df.schema.items() if t in (pl.Float32, pl.Float64)]
    df = df.with_columns([pl.col(c).round(6) for c in floats])
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in df.iter_rows(named=True)
    ]


def key_tables(tables: Mapping[str, pl.DataFrame]) -> dict[str, tuple[str, pl.DataFrame]]:
    """artifact key → (description, rows) for the key results present in `tables`."""
    out: dict[str, tuple[str, pl.DataFrame]] = {}
    eff = tables.get("efficiency")
    if eff is not None and eff.height:
        y = _year(eff["year"])
        e = eff.filter(pl.col("year") == y).select("region_code", "year", "score", "te_vrs", "scale_eff", "rts_class", "status")  # fmt: skip
        ce = tables.get("cross_efficiency")
        if ce is not None and ce.height:
            e = e.join(ce.select("region_code", "year", "cross_eff"), on=["region_code", "year"], how="left")  # fmt: skip
        out["efficiency-latest"] = (f"DEA efficiency {y} by province", e.sort("region_code"))
    ms = tables.get("malmquist_summary")
    if ms is not None and ms.height:
        cols = [c for c in ("scope", "region_code", "year_from", "year_to", "mi", "ec", "tc", "pec", "sec", "cc_mi") if c in ms.columns]  # fmt: skip
        out["malmquist-summary"] = ("Malmquist geometric means (DEAP style)", ms.select(cols))
    return out


def report_run(
    *,
    run_id: str,
    reused: bool,
    inputs=None,
    tables: Mapping[str, pl.DataFrame] | None = None,
    fingerprint: str = "",
    validation=None,
    flow: str = "refresh",
    key: str = SUMMARY_KEY,
    extra: Mapping[str, str] | None = None,
) -> str:
    """Create the run's markdown summary artifact and the table artifacts; returns the markdown."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    tables = dict(tables or {})
    md = summary_markdown(
        run_id=run_id, reused=reused, inputs=inputs, tables=tables, fingerprint=fingerprint,
        validation=validation, flow=flow, extra=extra,
    )  # fmt: skip
    create_markdown_artifact(md, key=key, description=f"cbec {flow} summary of run {run_id}")
    for akey, (desc, df) in key_tables(tables).items():
        create_table_artifact(_records(df), key=akey, description=f"{desc} (run {run_id})")
    return md
