"""A small column table for the command line's checking and writing, so that `cbec dea` and
`cbec malmquist` run from a CSV file to the terminal or a CSV/XLSX file without importing
polars (~0.12 s of every command's start-up, issue 18; the file is read by
`warehouse.readers.user_table.read_frame`). Other commands pass polars frames; the output layer
(cbec.output) turns them into a `Frame` with `as_frame`, so there is one terminal table, one CSV
writer and one XLSX writer."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

# column kinds: numbers (right-aligned, rounded when written), text, lists ('a; b'), other
KINDS = ("float", "int", "bool", "decimal", "str", "list", "null", "other")
NUMERIC = ("float", "int", "bool", "decimal")
LIST_SEPARATOR = "; "  # list cells (quality flags, peers of the pipeline's tables) as text


class Frame:
    """Named columns of equal length (Python lists; None = missing) and each column's kind."""

    __slots__ = ("_cols", "_kinds", "lines")

    def __init__(
        self, columns: Mapping[str, Sequence[Any]], kinds: Mapping[str, str] | None = None
    ):
        cols: dict[str, list[Any]] = {}
        for name, values in columns.items():
            cols[name] = values.tolist() if hasattr(values, "tolist") else list(values)
        heights = {len(v) for v in cols.values()}
        if len(heights) > 1:
            raise ValueError(f"columns of unequal length: { {k: len(v) for k, v in cols.items()} }")
        given = dict(kinds or {})
        self._cols = cols
        self._kinds = {name: given.get(name) or _infer(v) for name, v in cols.items()}
        self.lines: list[int] | None = None  # file line of each row (a CSV read by read_frame)

    def line(self, row: int) -> int:
        """The file line of data row `row` (0-based): recorded when read, else row + 2."""
        return self.lines[row] if self.lines is not None else row + 2

    @property
    def columns(self) -> list[str]:
        return list(self._cols)

    @property
    def height(self) -> int:
        return len(next(iter(self._cols.values()))) if self._cols else 0

    def __getitem__(self, name: str) -> list[Any]:
        return self._cols[name]

    def __contains__(self, name: object) -> bool:
        return name in self._cols

    def kind(self, name: str) -> str:
        return self._kinds[name]

    def numeric(self, name: str) -> bool:
        """Numbers (right-aligned on the terminal, rounded in files)."""
        return self._kinds[name] in NUMERIC

    def select(self, names: Sequence[str]) -> Frame:
        """These columns (the rows and their file lines unchanged)."""
        out = Frame({n: self._cols[n] for n in names}, {n: self._kinds[n] for n in names})
        out.lines = self.lines
        return out

    def with_column(self, name: str, values: Sequence[Any], kind: str | None = None) -> Frame:
        """A copy with `name` replaced (in place) or appended (the file lines kept)."""
        cols, kinds = dict(self._cols), dict(self._kinds)
        cols[name] = values.tolist() if hasattr(values, "tolist") else list(values)
        kinds[name] = kind or _infer(cols[name])
        out = Frame(cols, kinds)
        out.lines = self.lines
        return out

    def iter_rows(self, named: bool = False) -> Iterator[Any]:
        names = self.columns
        for row in zip(*self._cols.values(), strict=True):
            yield dict(zip(names, row, strict=True)) if named else row

    def row(self, index: int, named: bool = False) -> Any:
        values = tuple(col[index] for col in self._cols.values())
        return dict(zip(self._cols, values, strict=True)) if named else values

    def to_polars(self) -> pl.DataFrame:
        """The same table as polars (Parquet files, callers that want polars)."""
        import polars as pl

        dtype = {"float": pl.Float64, "int": pl.Int64, "bool": pl.Boolean, "str": pl.Utf8,
                 "null": pl.Null}  # fmt: skip
        series = [pl.Series(n, v, dtype=dtype.get(self._kinds[n]), strict=False)
                  for n, v in self._cols.items()]  # fmt: skip
        return pl.DataFrame(series)

    @classmethod
    def from_polars(cls, df: pl.DataFrame) -> Frame:
        return cls({n: df[n].to_list() for n in df.columns},
                   {n: _polars_kind(t) for n, t in df.schema.items()})  # fmt: skip

    @classmethod
    def concat(cls, frames: Sequence[Frame]) -> Frame:
        """Rows of every frame; a column some frames lack is missing (None) there."""
        names = list(dict.fromkeys(n for f in frames for n in f.columns))
        cols: dict[str, list[Any]] = {n: [] for n in names}
        kinds: dict[str, str] = {}
        for f in frames:
            for n in names:
                cols[n] += f[n] if n in f else [None] * f.height
                if n in f and f.kind(n) != "null":
                    kinds[n] = _wider(kinds.get(n), f.kind(n))
        return cls(cols, kinds)


def as_frame(table: Any) -> Frame:
    """A `Frame` as it is; a polars DataFrame converted (cbec.output's one entry point)."""
    return table if isinstance(table, Frame) else Frame.from_polars(table)


_INTEGER = re.compile(r"[+-]?\d+")


def typed_values(values: Sequence[Any]) -> list[Any]:
    """Text cells as polars' CSV reader types a column: integers if every cell is one, else
    numbers if every cell is one, else the text (a period column: 2019 stays a number)."""
    cells = [v for v in values if v is not None]
    if not cells or not all(isinstance(v, str) for v in cells):
        return list(values)
    if all(_INTEGER.fullmatch(v) for v in cells):
        return [None if v is None else int(v) for v in values]
    if all(v == v.strip() and number_of(v) is not None for v in cells):
        return [None if v is None else number_of(v) for v in values]
    return list(values)


def row_line(table: Any, row: int) -> int:
    """The file line of data row `row` of a Frame or a polars frame (header + 1-based row)."""
    return table.line(row) if isinstance(table, Frame) else row + 2


def _infer(values: list[Any]) -> str:
    kinds = {_value_kind(v) for v in {type(v): v for v in values if v is not None}.values()}
    if not kinds:
        return "null"
    if len(kinds) == 1:
        return kinds.pop()
    if kinds <= {"float", "int"}:
        return "float"
    return "other"


def _value_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if isinstance(v, list | tuple):
        return "list"
    return "float" if hasattr(v, "dtype") and v.dtype.kind == "f" else "other"


def _wider(a: str | None, b: str) -> str:
    if a is None or a == b:
        return b
    return "float" if {a, b} <= {"float", "int"} else "other"


def _polars_kind(dtype: Any) -> str:
    import polars as pl

    if dtype in (pl.Float32, pl.Float64):
        return "float"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_numeric():
        return "decimal"
    if dtype in (pl.Utf8, pl.Categorical) or isinstance(dtype, pl.Enum):
        return "str"
    if isinstance(dtype, pl.List | pl.Array):
        return "list"
    return "null" if dtype == pl.Null else "other"


def float_column(frame: Frame, name: str) -> tuple[np.ndarray, int | None]:
    """A column as float64 and the index of its first missing or non-numeric cell (None if
    every cell is a number). Text cells are read as CSV numbers ('1.5', '-2', '1e3', 'inf',
    'nan'); '1_000' and other digit-separated text are not numbers."""
    import numpy as np

    values = frame[name]
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        x = number_of(v)
        if x is None or math.isnan(x):
            return out, i
        out[i] = x
    return out, None


def number_of(v: Any) -> float | None:
    """A cell as a number, or None: numbers as they are, text read as a CSV number ('1.5',
    '-2', '1e3', 'inf', 'nan'); digit-separated text ('1_000', which Python's float() reads)
    and anything else is not a number."""
    if v is None:
        return None
    if isinstance(v, bool | int | float):
        return float(v)
    if isinstance(v, str) and "_" not in v:
        try:
            return float(v)
        except ValueError:
            return None
    return None
