"""Helpers shared by the CSV-analysis commands (read a user's CSV, write results)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cbec.commands._progress import Progress
from cbec.errors import InputError, UsageError
from cbec.frame import Frame, as_frame, float_column, row_line

__all__ = ["Progress", "add_out", "emit", "numeric_matrix", "read_frame", "read_table",
           "require_columns", "split_list", "write_output"]  # fmt: skip

if TYPE_CHECKING:  # polars is imported by the functions that use it: `--help` stays light
    import polars as pl


def read_table(path: str) -> pl.DataFrame:
    """A user's CSV/XLSX/Parquet file (warehouse.readers.user_table, imported on first use)."""
    from warehouse.readers.user_table import read_table as read

    return read(path)


def read_frame(path: str) -> Frame:
    """A user's file as a Frame: a CSV file is read without importing polars (`cbec dea`)."""
    from warehouse.readers.user_table import read_frame as read

    return read(path)


def split_list(value: str | None) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(",") if v.strip()]


def require_columns(df: pl.DataFrame | Frame, cols: list[str], file: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise UsageError(
            f"{file}: column(s) {', '.join(missing)} not found; the file has: {', '.join(df.columns)}"
        )


def numeric_matrix(df: pl.DataFrame | Frame, cols: list[str], file: str,
                   id_col: str | None = None):  # fmt: skip
    """Columns as a float64 numpy matrix (rows = observations); a non-numeric or missing
    cell raises InputError naming the row (its file line) and column."""
    import numpy as np

    out = np.empty((df.height, len(cols)), dtype=float)
    if isinstance(df, Frame):
        for k, c in enumerate(cols):
            out[:, k], bad = float_column(df, c)
            if bad is not None:
                who = f" ({id_col}={df[id_col][bad]})" if id_col else ""
                raise InputError(
                    f"column {c!r} has a missing or non-numeric value {df[c][bad]!r}{who}",
                    file=file, line=df.line(bad),
                )  # fmt: skip
        return out
    import polars as pl

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
                line=row_line(df, i),
            )
        out[:, k] = cast.to_numpy()
    return out


def write_output(
    df: pl.DataFrame | Frame, out: str | None, args: argparse.Namespace | None = None
) -> None:
    """Write one table to --out (by suffix) or print it for people; `args` carries --no-bom,
    --digits, --quiet and --json (see `emit` for several tables and a summary)."""
    emit(args, {"results": df}, out=out)


def emit(
    args: argparse.Namespace | None,
    tables: dict[str, pl.DataFrame | Frame],
    *,
    out: str | None = None,
    method: str = "",
    units: str = "",
    summary: list[tuple[str, object]] | None = None,
    sheets: dict[str, pl.DataFrame | Frame] | None = None,
    formats: dict[str, str] | None = None,
) -> None:
    """The results of an analysis command. `tables`: the first is the main table (the CSV and
    Parquet file, printed on the terminal), the others are printed too; `sheets` (DEFAULT
    `tables`) are the sheets of an .xlsx file, with a "summary" sheet from `summary`.
    --json prints {"method", "summary", "tables"} instead; --quiet prints nothing but the
    "wrote" line."""
    from cbec.output import terminal

    out = out if out is not None else getattr(args, "out", None)
    bom = not getattr(args, "no_bom", False)
    digits = getattr(args, "digits", None)
    quiet, as_json = getattr(args, "quiet", False), getattr(args, "json", False)
    summary = summary or []
    main = next(iter(tables.values()))
    if out:
        _write_file(args, out, main, sheets or tables, method, units, summary, bom, digits,
                    formats)  # fmt: skip
    if as_json:
        print(terminal.json_text(tables, dict(summary), method))
        return
    if quiet:
        return
    if not out:
        for k, (name, table) in enumerate(tables.items()):
            df = as_frame(table)
            shown = df.select([c for c in df.columns if not _all_missing(df, c)])
            print(("" if k == 0 else f"\n{name}\n") + terminal.table_text(shown, keep=_keep(shown)))
    if summary:
        print("\n" + terminal.summary_text(f"Summary — {method}" if method else "Summary",
                                           summary))  # fmt: skip


def _all_missing(df: Frame, col: str) -> bool:
    """A column with no value at all (phi of input-oriented DEA, period without --period):
    not printed on the terminal (files keep it: the columns are a contract)."""
    values = df[col]
    if not values:
        return False
    if df.kind(col) == "float":
        return all(v is None or v != v for v in values)
    return all(v is None for v in values)


def _keep(df: Frame) -> int:
    """Identifying columns repeated in every column block of a wide table."""
    ids = ("dmu", "id", "period", "rater", "period_from", "period_to", "measure", "indicator")
    k = 0
    while k < len(df.columns) and df.columns[k] in ids:
        k += 1
    return max(k, 1)


def _write_file(args, out, main, sheets, method, units, summary, bom, digits, formats) -> None:
    from cbec.output import writers

    suffix = writers.check_suffix(out)
    if suffix == ".parquet":
        (main.to_polars() if isinstance(main, Frame) else main).write_parquet(out)
    elif suffix == ".csv":
        writers.write_csv(main, out, bom=bom, digits=digits)
    else:
        cmd = getattr(args, "command", None) or "analysis"
        src = getattr(args, "file", None)
        header = [f"cbec {cmd}: {method}" if method else f"cbec {cmd}",
                  f"units: {units}" if units else "units: as in the input file",
                  *([f"source: {src}"] if src else []),
                  "missing values are empty cells; numbers keep 14 significant digits"]  # fmt: skip
        book = dict(sheets)
        if summary:
            book["summary"] = Frame(
                {"item": [k for k, _ in summary], "value": [terminal_value(v) for _, v in summary]},
                {"item": "str", "value": "str"},
            )
        writers.write_xlsx(book, out, header=header, digits=digits, number_format=formats)
    print(f"wrote {main.height} rows to {out}")


def terminal_value(v) -> str:
    from cbec.output.terminal import cell

    return v if isinstance(v, str) else cell(v)


def _out_path(value: str) -> str:
    from cbec.errors import UsageError
    from cbec.output.writers import check_suffix

    try:
        check_suffix(value)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--out ")) from None
    return value


def add_out(parser: argparse.ArgumentParser, *, digits_note: str = "") -> None:
    """--out, --no-bom, --digits, --quiet, --json of the analysis commands."""
    g = parser.add_argument_group("output")
    g.add_argument(
        "--out", metavar="FILE", type=_out_path,
        help="write results here: .csv (UTF-8 with BOM, empty cells for missing), .xlsx (one "
        "sheet per table with units and method, and a summary sheet) or .parquet (full "
        "precision); another suffix is a usage error",
    )  # fmt: skip
    g.add_argument("--no-bom", action="store_true", help="CSV without the UTF-8 byte-order mark")
    g.add_argument(
        "--digits", type=int, metavar="N",
        help="round CSV/XLSX numbers to N decimals (DEFAULT: 14 significant digits, which drops "
        "float noise such as 1.0000000000000004; relative precision 1e-14"
        + (f"; {digits_note}" if digits_note else "") + ")",
    )  # fmt: skip
    g.add_argument(
        "--quiet", action="store_true", help="print no table, no summary and no progress"
    )
    g.add_argument("--json", action="store_true", help="print tables and summary as JSON")
