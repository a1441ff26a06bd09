"""Helpers shared by the CSV-analysis commands (read a user's CSV, write results)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cbec.errors import InputError, UsageError

if TYPE_CHECKING:  # polars is imported by the functions that use it: `--help` stays light
    import polars as pl


def read_table(path: str) -> pl.DataFrame:
    """A user's CSV/XLSX/Parquet file (warehouse.readers.user_table, imported on first use)."""
    from warehouse.readers.user_table import read_table as read

    return read(path)


def split_list(value: str | None) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(",") if v.strip()]


def require_columns(df: pl.DataFrame, cols: list[str], file: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise UsageError(
            f"{file}: column(s) {', '.join(missing)} not found; the file has: {', '.join(df.columns)}"
        )


def numeric_matrix(df: pl.DataFrame, cols: list[str], file: str, id_col: str | None = None):
    """Columns as a float64 numpy matrix (rows = observations); a non-numeric or missing
    cell raises InputError naming the row (1-based data row + header = file line) and column."""
    import numpy as np
    import polars as pl

    out = np.empty((df.height, len(cols)), dtype=float)
    for k, c in enumerate(cols):
        s = df.get_column(c)
        cast = s.cast(pl.Float64, strict=False)
        bad = (cast.is_null() | cast.is_nan()).arg_true() if cast.dtype == pl.Float64 else None
        if bad is not None and len(bad):
            i = int(bad[0])
            who = f" ({id_col}={df[id_col][i]})" if id_col else ""
            raise InputError(
                f"column {c!r} has a missing or non-numeric value {s[i]!r}{who}",
                file=file,
                line=i + 2,
            )
        out[:, k] = cast.to_numpy()
    return out


def write_output(df: pl.DataFrame, out: str | None) -> None:
    """Write to --out (CSV, or Parquet by suffix) or print a table to stdout."""
    import polars as pl

    if out:
        if out.endswith(".parquet"):
            df.write_parquet(out)
        else:
            from cbec.tabular import flat

            flat(df).write_csv(out)
        print(f"wrote {df.height} rows to {out}")
    else:
        with pl.Config(tbl_rows=200, tbl_cols=50, tbl_width_chars=200):
            print(df)


def add_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", metavar="FILE.csv", help="write results here (CSV; .parquet also works)"
    )


class Progress:
    """Progress on stderr for long LP work: `step()` after each of `total` units draws a bar;
    with total=None it is a ticker showing the elapsed time (one monolithic call). Drawn only
    when stderr is a terminal (or CBEC_PROGRESS=1), so scripts and pipes see no control codes.

        with Progress("DEA", total=len(periods)) as p:
            for ...: ...; p.step()
    """

    def __init__(self, label: str, total: int | None = None, *, every: float = 0.5):
        import os
        import sys

        self.label, self.total, self.every = label, total, every
        self.done = 0
        self.enabled = sys.stderr.isatty() or os.environ.get("CBEC_PROGRESS") == "1"
        self._stop = None
        self._t0 = 0.0

    def _draw(self, final: bool = False) -> None:
        import sys
        import time

        dt = time.perf_counter() - self._t0
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
            msg = f"\r{self.label} [{bar}] {self.done}/{self.total}  {dt:5.1f} s"
        else:
            msg = f"\r{self.label} … {dt:5.1f} s"
        sys.stderr.write(msg + ("\n" if final else ""))
        sys.stderr.flush()

    def __enter__(self) -> Progress:
        import threading
        import time

        self._t0 = time.perf_counter()
        if self.enabled:
            self._stop = threading.Event()

            def tick() -> None:
                while not self._stop.wait(self.every):
                    self._draw()

            threading.Thread(target=tick, daemon=True).start()
        return self

    def step(self, n: int = 1) -> None:
        self.done += n

    def __exit__(self, *exc) -> None:
        if self._stop is not None:
            self._stop.set()
            self._draw(final=True)
