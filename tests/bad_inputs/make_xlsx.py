"""Build the .xlsx files of the bad-input corpus (run: python -m tests.bad_inputs.make_xlsx).

Modelled on the yearbook compilation tables in data/cn_prov_macro_1949_2022/prov_*.xlsx:
provinces in rows, a year header row (merged cells: the year appears once per group) above an
indicator row such as ``GDP(亿元)``. Each workbook breaks that layout the way real downloads do.
The generated files are committed; the tests also rebuild them in a temporary folder.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

ROWS = [  # 2019 and 2020 GDP (亿元) and per-capita GDP (元), compilation values
    ("北京市", 35371.3, 164220, 36102.6, 164889),
    ("天津市", 14104.3, 90371, 14083.7, 101614),
    ("河北省", 35104.5, 46348, 36206.9, 48564),
    ("浙江省", 62351.7, 107624, 64613.3, 100620),
]


def _base(ws) -> None:
    ws.append([None, "2019年", None, "2020年", None])
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    ws.append([None, "GDP(亿元)", "人均GDP(元)", "GDP(亿元)", "人均GDP(元)"])


def merged_header_rows(path: Path) -> None:
    """A second, merged header row with the units under the indicator row: the reader takes it
    for a data row without a province."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([None, "2019年", None, "2020年", None])
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    ws.append(["地区", "地区生产总值", "人均地区生产总值", "地区生产总值", "人均地区生产总值"])
    ws.merge_cells("A2:A3")
    ws.append([None, "(亿元)", "(元)", "(亿元)", "(元)"])
    for r in ROWS:
        ws.append(list(r))
    wb.save(path)


def merged_title_no_years(path: Path) -> None:
    """The years are merged into one title cell ('2019—2020年 地区生产总值'): no year header."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["各地区生产总值", "2019—2020年", None, None, None])
    ws.merge_cells("B1:E1")
    ws.append(["地区", "GDP(亿元)", "人均GDP(元)", "GDP(亿元)", "人均GDP(元)"])
    for r in ROWS:
        ws.append(list(r))
    wb.save(path)


def text_in_cell(path: Path) -> None:
    """'n.a.' is not one of the compilation's missing markers (--, —, …)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    _base(ws)
    for r in ROWS:
        ws.append(list(r))
    ws["E5"] = "n.a."  # 河北省 2020 per-capita GDP
    wb.save(path)


def empty_sheet(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.save(path)


def unknown_province(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    _base(ws)
    for r in ROWS:
        ws.append(list(r))
    ws["A6"] = "浙江省（含宁波）"
    wb.save(path)


def csv_renamed(path: Path) -> None:
    """A CSV export saved with an .xlsx name."""
    path.write_text("地区,2019年\n北京市,35371.3\n", encoding="utf-8")


def hidden_stale_sheet(path: Path) -> None:
    """A hidden first sheet holds stale values (x10); the visible second sheet the real ones.
    The reader skips the hidden sheet (and says so) and reads the visible one."""
    import openpyxl

    wb = openpyxl.Workbook()
    stale = wb.active
    stale.title = "old"
    _base(stale)
    for r in ROWS:
        stale.append([r[0], *[v * 10 for v in r[1:]]])
    stale.sheet_state = "hidden"
    ws = wb.create_sheet("data")
    _base(ws)
    for r in ROWS:
        ws.append(list(r))
    wb.save(path)


def two_visible_sheets(path: Path) -> None:
    """Two visible sheets with data: which one is the table is not guessed."""
    import openpyxl

    wb = openpyxl.Workbook()
    for k, ws in enumerate([wb.active, wb.create_sheet("revised")]):
        _base(ws)
        for r in ROWS:
            ws.append([r[0], *[v + k for v in r[1:]]])
    wb.save(path)


def indicator_row_above_years(path: Path) -> None:
    """The indicator row (merged over its years) sits ABOVE the year row."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["地区", "GDP(亿元)", None, "人均GDP(元)", None])
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    ws.append([None, "2019年", "2020年", "2019年", "2020年"])
    for name, g19, p19, g20, p20 in ROWS:
        ws.append([name, g19, g20, p19, p20])
    wb.save(path)


def years_without_indicator(path: Path) -> None:
    """A year row and data rows, no indicator anywhere: the file name is not an indicator."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([None, "2019年", "2020年"])
    for r in ROWS:
        ws.append([r[0], r[1], r[3]])
    wb.save(path)


def huge_declared_dimension(path: Path) -> None:
    """A small table whose sheet declares the whole grid A1:XFD1048576 as its dimension (and a
    formatted cell far away): openpyxl would pad every row to 16,384 cells."""
    import shutil
    import tempfile
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    _base(ws)
    for r in ROWS:
        ws.append(list(r))
    tmp = Path(tempfile.mkdtemp()) / "t.xlsx"
    wb.save(tmp)
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data
                )
                data = data.replace(
                    b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
                )
            zout.writestr(item, data)
    shutil.rmtree(tmp.parent)


BUILDERS = {
    "merged_header_rows.xlsx": merged_header_rows,
    "merged_title_no_years.xlsx": merged_title_no_years,
    "text_in_cell.xlsx": text_in_cell,
    "empty_sheet.xlsx": empty_sheet,
    "unknown_province.xlsx": unknown_province,
    "csv_renamed.xlsx": csv_renamed,
    "hidden_stale_sheet.xlsx": hidden_stale_sheet,
    "two_visible_sheets.xlsx": two_visible_sheets,
    "indicator_row_above_years.xlsx": indicator_row_above_years,
    "years_without_indicator.xlsx": years_without_indicator,
    "huge_declared_dimension.xlsx": huge_declared_dimension,
}


def build(folder: Path = HERE) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, fn in BUILDERS.items():
        fn(folder / name)
        out.append(folder / name)
    return out


if __name__ == "__main__":  # pragma: no cover
    for p in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
