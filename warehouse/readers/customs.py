"""Reader for China customs statistics exports by province of the trading enterprise
(经营单位所在地 / 收发货人注册地), as produced by the GACC online statistics query platform
(海关统计数据在线查询平台) and yearbook tables derived from it.

Columns are found by their published names (aliases below), so both yearly and monthly
exports, with or without a trade-mode breakdown, load:

- period: 数据年月 (YYYYMM), 年月, 年度/年份 (YYYY), 时间 ('2023年1月', '2023-01');
- province: 注册地名称 / 注册地编码 / 经营单位所在地 / 收发货人注册地 / 地区 / 省份;
- trade mode: 贸易方式编码 + 贸易方式名称, or 贸易方式 / 监管方式 ('9610 跨境电子商务');
- flow: a 进出口 / 流向 / 贸易流向 column (进口, 出口, 进出口) or the ``flow`` option;
- values: 美元 / 人民币 columns, with the unit in the header (美元, 千美元, 万美元, 元, 万元, 亿元).

Every trade-mode code must be in config/customs_trade_modes.toml (unknown code → error).
Months are checked: a monthly export of a past year holds one month or all twelve (a partial
year would silently vanish from the yearly panel); option ``partial_months = true`` accepts a
file that is one part of a year split over several files (warehouse/ingest.py then checks the
year across files). The current year may be year-to-date (noted).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from cbec.errors import InputError
from cbec.paths import config_dir
from cbec.settings import read_toml
from warehouse.readers.common import (
    CUSTOMS_EXTRA,
    DEFAULT_MISSING,
    RawTable,
    check_duplicates,
    check_year,
    decode_text,
    parse_number,
    records_frame,
    region_of,
    sha256_of,
    split_unit,
)

PERIOD = ("数据年月", "年月", "月份", "年度", "年份", "时间", "year", "period")
REGION_NAME = (
    "注册地名称",
    "经营单位所在地",
    "收发货人注册地",
    "收发货人注册地名称",
    "经营单位所在地名称",
    "地区",
    "省份",
    "注册地",
)
REGION_CODE = ("注册地编码", "经营单位所在地编码", "收发货人注册地编码")
MODE_CODE = ("贸易方式编码", "监管方式编码")
MODE_NAME = ("贸易方式名称", "监管方式名称")
MODE_BOTH = ("贸易方式", "监管方式")
FLOW = ("进出口", "流向", "贸易流向", "进出口标志", "flow")
FLOW_VALUES = {
    "进口": "import",
    "出口": "export",
    "进出口": "total",
    "import": "import",
    "export": "export",
    "total": "total",
}
CURRENCIES = (("美元", "USD"), ("人民币", "CNY"))


def trade_modes() -> dict[str, str]:
    return dict(read_toml(config_dir() / "customs_trade_modes.toml")["modes"])


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    norm = [re.sub(r"\s+", "", h) for h in header]
    for n in names:
        for i, h in enumerate(norm):
            if h == n or split_unit(h)[0] == n:
                return i
    return None


def _parse_period(cell: str, *, file: str, line: int) -> tuple[int, int | None]:
    s = cell.strip()
    m = re.fullmatch(r"(\d{4})(\d{2})", s) or re.fullmatch(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", s
    )
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise InputError(f"invalid month in period {cell!r}", file=file, line=line)
        return year, month
    m = re.fullmatch(r"(\d{4})\s*年?", s)
    if m:
        return int(m.group(1)), None
    raise InputError(
        f"cannot read period {cell!r} (expected YYYY, YYYYMM or 'YYYY年M月')", file=file, line=line
    )


@dataclass(frozen=True)
class _Columns:
    """Where each field of a customs export sits in its header (None: absent)."""

    header_line: int  # 0-based index of the header row
    width: int
    period: int
    region_code: int | None
    region_name: int | None
    mode_code: int | None
    mode_name: int | None
    mode_both: int | None
    flow: int | None
    values: tuple[tuple[int, str, str, str], ...]  # (index, currency, unit, header)


def read_customs(path: Path, *, display: str, options: dict | None = None) -> RawTable:
    """A customs statistics export (province × period × trade mode × flow, US$ or RMB)."""
    opts = options or {}
    missing = tuple(opts.get("missing", DEFAULT_MISSING)) + ("-",)
    rows = list(csv.reader(io.StringIO(decode_text(path, display))))
    cols = _columns(rows, display)
    known = trade_modes()
    out: list[dict] = []
    for i in range(cols.header_line + 1, len(rows)):
        r = [c.strip() for c in rows[i]]
        line = i + 1
        if not any(r) or r[0].startswith(("注", "数据来源", "合计", "总计")):
            continue
        if len(r) < cols.width:
            raise InputError(
                f"row has {len(r)} cells but the header has {cols.width} (truncated row?)",
                file=display,
                line=line,
            )
        year, month = _parse_period(r[cols.period], file=display, line=line)
        check_year(year, file=display, line=line)
        region_raw = r[cols.region_name] if cols.region_name is not None else r[cols.region_code]  # type: ignore[index]
        code = region_of(region_raw, file=display, line=line)
        if code is None:
            continue
        mode, mode_name = _trade_mode(r, cols, known, display, line)
        flow = _flow(r, cols, opts.get("flow"), display, line)
        for ci, cur, unit, col in cols.values:
            val = parse_number(r[ci], missing=missing, file=display, line=line, column=col)
            out.append(
                {"source_file": display, "line_no": line, "region_raw": region_raw,
                 "region_code": code, "year": year, "month": month,
                 "indicator": f"customs_{flow}_{cur.lower()}", "unit": unit, "value_raw": r[ci],
                 "value": val, "flow": flow, "trade_mode": mode, "trade_mode_name": mode_name,
                 "currency": cur}
            )  # fmt: skip
    if not out:
        raise InputError("no province rows found", file=display, line=cols.header_line + 2)
    df = records_frame(out, CUSTOMS_EXTRA)
    check_duplicates(df, ["region_code", "year", "month", "trade_mode", "indicator"], display)
    notes = _check_months(df, display, bool(opts.get("partial_months")))
    return RawTable(
        kind="customs", source_file=display, sha256=sha256_of(path), records=df, notes=notes
    )


def _columns(rows: list[list[str]], display: str) -> _Columns:
    """The header (the first of the first 10 rows holding a period column) and its fields."""
    hdr_i = next(
        (i for i, r in enumerate(rows[:10]) if _find([c.strip() for c in r], PERIOD) is not None),
        None,
    )
    if hdr_i is None:
        raise InputError(
            "no header with a period column (数据年月/年度/年份) in the first 10 lines",
            file=display,
            line=1,
        )
    header = [c.strip() for c in rows[hdr_i]]
    rci, rni = _find(header, REGION_CODE), _find(header, REGION_NAME)
    if rci is None and rni is None:
        raise InputError(
            "no province column (注册地名称/经营单位所在地/地区)", file=display, line=hdr_i + 1
        )
    values = []
    for i, h in enumerate(header):
        name, unit = split_unit(h)
        for key, cur in CURRENCIES:
            if key in name or key in unit:
                values.append((i, cur, unit or name, h))
                break
    if not values:
        raise InputError("no value column (美元 or 人民币)", file=display, line=hdr_i + 1)
    return _Columns(
        header_line=hdr_i, width=len(header), period=_find(header, PERIOD),  # type: ignore[arg-type]
        region_code=rci, region_name=rni, mode_code=_find(header, MODE_CODE),
        mode_name=_find(header, MODE_NAME), mode_both=_find(header, MODE_BOTH),
        flow=_find(header, FLOW), values=tuple(values),
    )  # fmt: skip


def _trade_mode(
    r: list[str], cols: _Columns, known: dict[str, str], display: str, line: int
) -> tuple[str | None, str | None]:
    """(4-digit trade-mode code, its name) of a row, None when the file has no mode column."""
    mode = mode_name = None
    if cols.mode_code is not None:
        mode = r[cols.mode_code]
        mode_name = r[cols.mode_name] if cols.mode_name is not None else None
    elif cols.mode_both is not None:
        m = re.match(r"^\s*(\d{4})\s*(.*)$", r[cols.mode_both])
        if not m:
            raise InputError(
                f"trade mode {r[cols.mode_both]!r} has no 4-digit code", file=display, line=line
            )
        mode, mode_name = m.group(1), m.group(2).strip() or None
    if mode is not None:
        if not re.fullmatch(r"\d{4}", mode) or mode not in known:
            raise InputError(
                f"unknown trade-mode code {mode!r}; known codes are listed in "
                "config/customs_trade_modes.toml (add it there if customs introduced it)",
                file=display,
                line=line,
            )
        mode_name = mode_name or known[mode]
    return mode, mode_name


def _flow(r: list[str], cols: _Columns, default: str | None, display: str, line: int) -> str:
    """import / export / total of a row (its flow column, or the source's `flow` option)."""
    cell = r[cols.flow] if cols.flow is not None else default
    if cell is None:
        raise InputError(
            "no flow column (进出口/流向) and no `flow` option for this source",
            file=display,
            line=line,
        )
    flow = FLOW_VALUES.get(str(cell).strip().lower()) or FLOW_VALUES.get(str(cell).strip())
    if flow is None:
        raise InputError(
            f"unknown trade flow {cell!r} (expected 进口, 出口 or 进出口)", file=display, line=line
        )
    return flow


def _check_months(df, display: str, partial_ok: bool) -> list[str]:
    """Months of each year in the file: one month, all 12, or (current year) 1..k; the same
    months for every province, flow and trade mode. Otherwise an InputError naming the gap."""
    import datetime as dt

    import polars as pl

    monthly = df.filter(pl.col("month").is_not_null())
    notes: list[str] = []
    this_year = dt.date.today().year
    for (year,), part in monthly.group_by(["year"], maintain_order=True):
        months = sorted(set(part["month"].to_list()))
        per = part.group_by(["region_code", "indicator", "trade_mode"]).agg(
            pl.col("month").n_unique().alias("n"), pl.col("line_no").min().alias("line")
        )
        short = per.filter(pl.col("n") < len(months)).sort("line")
        if short.height:
            r = short.row(0, named=True)
            raise InputError(
                f"year {year}: province {r['region_code']} ({r['indicator']}) has {r['n']} of the "
                f"file's {len(months)} months (a month missing for some rows)",
                file=display,
                line=r["line"],
            )
        if len(months) in (1, 12) or partial_ok:
            continue
        missing = sorted(set(range(1, 13)) - set(months))
        if year < this_year:
            raise InputError(
                f"year {year} has months {_span(months)} only (missing {_span(missing)}): a past "
                "year needs all 12 months or it never reaches the yearly panel; add the missing "
                "month(s), or set `partial_months = true` if they are in another file",
                file=display,
                line=int(part["line_no"].min()),
            )
        if months != list(range(1, len(months) + 1)):
            raise InputError(
                f"year {year} has months {_span(months)}: a gap (missing {_span(missing)})",
                file=display,
                line=int(part["line_no"].min()),
            )
        notes.append(f"{year} is year-to-date (months {_span(months)}): not in the yearly panel until complete")  # fmt: skip
    return notes


def _span(months: list[int]) -> str:
    from warehouse.readers.common import month_ranges

    return month_ranges(months)
