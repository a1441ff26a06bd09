"""cbec.frame and the output layer without polars (issue 18 item 2): the CSV reader against
polars' reader, the CSV writer against polars' writer byte for byte, file lines in messages,
and frames in and out of polars (tests/test_cli_startup.py checks that `cbec dea` and
`cbec malmquist` import no data-frame library)."""

from __future__ import annotations

import datetime
import io
import math

import numpy as np
import polars as pl
import pytest

from cbec.errors import InputError
from cbec.frame import Frame, as_frame, float_column
from cbec.output.writers import float_text, write_csv

TEXTS = [
    "a,b\n1,2\n3,4\n",
    "a,b\r\n1,2\r\n3,4\r\n",
    "a,b\r1,2\r3,4\r",  # CR-only line ends (old Excel for Mac)
    'a,b\n"x,y",2\n"say ""hi""",3\n',
    'a,b\n1,"two\nlines"\n4,5\n',
    "a,b\n,2\n3,\n",
    "名称,值\n北京,1.5\n上海,2\n",
    "a;b\n1,5;2\n3;4\n",  # R write.csv2: ';' between cells, ',' as the decimal mark
    "a\tb\n1\t2\n",
]


def _read(tmp_path, text: str, encoding: str = "utf-8"):
    from warehouse.readers.user_table import read_frame

    f = tmp_path / "f.csv"
    f.write_bytes(text.encode(encoding))
    return read_frame(str(f))


@pytest.mark.parametrize("text", TEXTS)
def test_the_csv_reader_reads_what_polars_reads(tmp_path, text):
    from warehouse.readers.user_table import _separator

    ours = _read(tmp_path, text)
    flat = text.replace("\r\n", "\n").replace("\r", "\n")
    sep = _separator(flat.split("\n", 1)[0])
    ref = pl.read_csv(io.StringIO(flat), infer_schema_length=0, separator=sep)
    assert ours.columns == ref.columns
    assert [list(r) for r in ours.iter_rows()] == [list(r) for r in ref.iter_rows()]


def test_blank_rows_are_skipped_and_the_encoding_is_sniffed(tmp_path):
    """The source readers' rules (warehouse.readers.text): a blank row is no observation;
    GBK and UTF-16 files (with BOM) are read as text."""
    f = _read(tmp_path, "a,b\n1,2\n\n,,\n3,4\n")
    assert f["a"] == ["1", "3"] and f.lines == [2, 5]
    assert _read(tmp_path, "省份,值\n浙江,1\n", "gb18030")["省份"] == ["浙江"]
    assert _read(tmp_path, "省份,值\n浙江,1\n", "utf-16")["值"] == ["1"]


def test_rows_keep_their_file_line_across_quoted_newlines(tmp_path):
    f = _read(tmp_path, 'dmu,x\nA,1\nB,"two\nlines"\nC,oops\n')
    assert f.lines == [2, 3, 5]
    values, bad = float_column(f, "x")
    assert bad == 1 and values[0] == 1.0
    from cbec.commands._common import numeric_matrix

    f2 = _read(tmp_path, 'dmu,note,x\nA,"a\nb",1\nB,c,oops\n')
    with pytest.raises(InputError) as e:
        numeric_matrix(f2, ["x"], "f.csv", id_col="dmu")
    assert e.value.line == 4 and "'oops'" in str(e.value) and "dmu=B" in str(e.value)


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("a,b\n1,2\n1,2,3\n", 3, "3 fields, the header has 2"),
        ("a,b\n1,2\n7\n", 3, "1 fields, the header has 2"),
        ("a,a\n1,2\n", 1, "twice"),
        ('a,b\n1,"2\n' + "x\n" * 9 + '"\n', 2, "stray quote"),
    ],
)
def test_a_malformed_csv_is_an_error_naming_the_line(tmp_path, text, line, needle):
    with pytest.raises(InputError) as e:
        _read(tmp_path, text)
    assert e.value.line == line and needle in str(e.value)


def test_numbers_are_read_like_csv_numbers_not_like_python_literals():
    f = Frame({"x": ["1.5", "-2", "1e3", "inf", ".5", "1_000"]}, {"x": "str"})
    values, bad = float_column(f, "x")
    assert bad == 5  # digit separators are text, not 1000
    assert values[:5].tolist() == [1.5, -2.0, 1000.0, math.inf, 0.5]
    assert float_column(Frame({"x": ["1", None]}), "x")[1] == 1
    assert float_column(Frame({"x": ["1", "nan"]}), "x")[1] == 1


def _polars_csv(df: pl.DataFrame) -> str:
    buf = io.BytesIO()
    df.write_csv(buf, include_bom=False, null_value="")
    return buf.getvalue().decode()


def test_float_text_is_polars_csv_notation_for_every_magnitude():
    rng = np.random.default_rng(7)
    values = [0.0, -0.0, 1.0, 0.1, 1e-4, 1e-5, 1.2345e-5, -9.99e-6, 1e-6, 2.5e-7, 5e-324, 1e15,
              9.9e15, 1e16, -1.5e20, 1e300, 123456789012345.6]  # fmt: skip
    values += (rng.standard_normal(400) * 10.0 ** rng.integers(-30, 30, 400)).tolist()
    ref = _polars_csv(pl.DataFrame({"v": values})).split("\n")[1:-1]
    assert [float_text(v) for v in values] == ref


def test_the_csv_writer_writes_what_polars_writes(tmp_path):
    """The one writer of every command, against polars' write_csv on the cleaned frame."""
    df = pl.DataFrame(
        {
            "dmu": ["A", "b,c", 'q"r', "", None, "北京"],
            "n": [1, 2, None, 4, 5, -6],
            "ok": [True, False, None, True, True, False],
            "v": [1 / 3, 1e-7, float("nan"), -0.0, None, 2.5e17],
            "day": [datetime.date(2024, 1, 2)] * 6,
            "at": [datetime.datetime(2024, 1, 2, 3, 4, 5, 6)] * 6,
            "utc": [datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)] * 6,
            "clock": [datetime.time(1, 2, 3, 4)] * 6,
            "text": ["two\nlines", "x", "y", "z", " w ", "v"],
        }
    )
    path = tmp_path / "o.csv"
    write_csv(df, str(path), bom=False)
    from cbec.output.writers import clean

    temporal = [df[c] for c in ("day", "at", "utc", "clock")]  # kept as polars types them
    expected = _polars_csv(as_frame(clean(df)).to_polars().with_columns(temporal))
    assert path.read_text(encoding="utf-8") == expected
    write_csv(df, str(path))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_frames_concatenate_diagonally_and_round_trip_through_polars():
    a = Frame({"dmu": ["A"], "score": [0.5]})
    b = Frame({"dmu": ["B"], "phi": [2.0], "score": [1]})
    c = Frame.concat([a, b])
    assert c.columns == ["dmu", "score", "phi"]
    assert c["phi"] == [None, 2.0] and c.kind("score") == "float"
    back = Frame.from_polars(c.to_polars())
    assert back["score"] == [0.5, 1.0] and back.kind("dmu") == "str"
    with pytest.raises(ValueError, match="unequal"):
        Frame({"a": [1], "b": [1, 2]})


def test_malmquist_names_the_file_line_of_a_bad_cell_after_a_quoted_newline(tmp_path, capsys):
    from cbec.cli import main

    f = tmp_path / "p.csv"
    f.write_text('firm,year,note,y,x\nA,1,"two\nlines",1,2\nB,1,-,2,4\nA,2,-,1,2\nB,2,-,0,4\n')
    assert main(["malmquist", str(f), "--dmu", "firm", "--period", "year", "--inputs", "x",
                 "--outputs", "y"]) == 3  # fmt: skip
    err = capsys.readouterr().err
    assert "p.csv, line 6:" in err and "DMU 'B', period 2: y = 0" in err  # the period is a number
