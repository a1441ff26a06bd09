"""Plausibility warnings of the results gate (transforms/plausibility.py): thin task."""

from __future__ import annotations

from typing import cast

import polars as pl
from prefect import task

from cbec.paths import config_dir
from cbec.settings import read_toml
from transforms.plausibility import plausibility


@task(name="plausibility")
def plausibility_frame(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per plausibility check and subject; bounds from config/expectations.toml."""
    path = config_dir() / "expectations.toml"
    bounds = read_toml(path).get("plausibility", {}) if path.exists() else {}
    return plausibility(tables, bounds)


def summary_lines(frame: pl.DataFrame) -> str:
    """Markdown list of the implausible findings for the run summary."""
    bad = frame.filter(~pl.col("ok"))
    if bad.is_empty():
        return "all plausibility checks passed"
    lines = []
    for r in bad.iter_rows(named=True):
        where = ", ".join(str(x) for x in (r["region_code"], r["year"]) if x is not None)
        lines.append(f"- `{r['check']}` {where}: {r['message']}")
    return f"{bad.height} warning(s):\n" + "\n".join(lines)


def spec_line(params: dict, tables: dict[str, pl.DataFrame]) -> str:
    """The DEA/Malmquist specification as run: inputs → outputs, window, provinces."""
    dea, dp = params["dea"], tables["dea_panel"]
    lab = params["production"]["labour"]
    window = "empty"
    if dp.height:  # polars types Series.min()/max() as any literal (bytes, …); years are ints
        window = f"{cast(int, dp['year'].min())}–{cast(int, dp['year'].max())}"
    return (
        f"{', '.join(dea['inputs'])} → {', '.join(dea['outputs'])}; labour {lab['series']} "
        f"(splice {lab['splice']}, {lab['method']}); window {window}, "
        f"{dp['region_code'].n_unique()} provinces"
    )
