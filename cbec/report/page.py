"""The HTML shell of the report: sections, figures with captions and CSV downloads, inline CSS
and the few lines of JavaScript that turn each embedded CSV into a download link (Blob URL)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

import polars as pl

CSS = """
:root{--fg:#1b1f24;--muted:#5b6470;--line:#d9dde3;--bg:#fff;--accent:#1f5fa8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;color:var(--fg);background:#f5f6f8}
header{background:#15314f;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#cbd6e2}
nav{background:#fff;border-bottom:1px solid var(--line);padding:8px 28px;position:sticky;top:0;z-index:2}
nav a{margin-right:14px;color:var(--accent);text-decoration:none;font-size:13px}
main{max-width:1180px;margin:0 auto;padding:12px 28px 60px}
section{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:6px 22px 18px;margin:18px 0}
section h2{font-size:19px;border-bottom:2px solid var(--accent);padding-bottom:4px}
figure{margin:18px 0;padding:0;overflow-x:auto}
figure h3{font-size:15px;margin:0 0 6px}
figcaption{color:var(--muted);font-size:13px;margin-top:4px;max-width:900px}
a.csv{display:inline-block;margin-top:4px;font-size:12px;padding:2px 8px;border:1px solid var(--accent);border-radius:4px;color:var(--accent);text-decoration:none}
table.data{border-collapse:collapse;font-size:12px;margin:8px 0}
table.data th,table.data td{border:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top}
table.data th{background:#eef1f5}
table.data td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:var(--muted);font-style:italic}
.bad{color:#b3261e;font-weight:600}.good{color:#1b7f3b;font-weight:600}
details pre{background:#f3f4f6;padding:8px;font-size:12px;overflow-x:auto;max-height:420px}
code{font-size:12px}
"""

JS = """
(function(){
  function ready(){
    var links=document.querySelectorAll('a.csv[data-csv]');
    for(var i=0;i<links.length;i++){
      var a=links[i],src=document.getElementById(a.getAttribute('data-csv'));
      if(!src){continue;}
      var blob=new Blob(['\\ufeff'+src.textContent.replace(/^\\n/,'')],{type:'text/csv;charset=utf-8'});
      a.href=URL.createObjectURL(blob);
    }
    document.body.setAttribute('data-csv-links',String(links.length));
  }
  if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',ready);}else{ready();}
})();
"""


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "x"


def _csv_text(df: pl.DataFrame) -> str:
    from cbec.tabular import flat

    text = flat(df).write_csv()
    # keep the embedded block inert: no closing tag can appear inside it
    return text.replace("</", "<\\/")


@dataclass
class Section:
    key: str
    title: str
    parts: list[str] = field(default_factory=list)

    def html(self, text: str) -> None:
        self.parts.append(text)

    def note(self, text: str) -> None:
        self.parts.append(f'<p class="note">{escape(text)}</p>')


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section] = field(default_factory=list)
    _n: int = 0

    def section(self, key: str, title: str) -> Section:
        s = Section(key, title)
        self.sections.append(s)
        return s

    def figure(
        self, sec: Section, title: str, svg: str, caption: str, data: pl.DataFrame, name: str
    ) -> None:
        """A chart with its caption and a "download CSV" link for the table behind it."""
        self._n += 1
        fid = f"fig{self._n}"
        fname = f"{slug(name)}.csv"
        sec.parts.append(
            f'<figure id="{fid}" data-section="{escape(sec.key)}"><h3>{escape(title)}</h3>{svg}'
            f"<figcaption>{escape(caption)}</figcaption>"
            f'<a class="csv" data-csv="{fid}-csv" download="{escape(fname)}" href="#">'
            f"download CSV ({data.height} rows)</a>"
            f'<script type="text/csv" id="{fid}-csv">\n{_csv_text(data)}</script></figure>'
        )

    def table(
        self,
        sec: Section,
        df: pl.DataFrame,
        *,
        max_rows: int = 60,
        name: str | None = None,
        csv: pl.DataFrame | None = None,
    ) -> None:
        """An HTML table (first `max_rows` rows); with `name`, also a CSV download of all rows
        (of `csv` when given, e.g. with full hashes where the page shows short ones)."""
        head = "".join(f"<th>{escape(c)}</th>" for c in df.columns)
        body = []
        for row in df.head(max_rows).iter_rows():
            cells = []
            for v in row:
                if isinstance(v, float):
                    from cbec.report.svg import fmt

                    cells.append(f'<td class="num">{fmt(v, 4)}</td>')
                elif isinstance(v, int) and not isinstance(v, bool):
                    cells.append(f'<td class="num">{v}</td>')
                else:
                    cells.append(f"<td>{escape('' if v is None else str(v))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        more = (
            f'<p class="note">showing {max_rows} of {df.height} rows</p>'
            if df.height > max_rows
            else ""
        )
        link = ""
        if name:
            self._n += 1
            tid = f"tab{self._n}"
            link = (
                f'<a class="csv" data-csv="{tid}-csv" download="{escape(slug(name))}.csv" href="#">'
                f"download CSV ({(csv if csv is not None else df).height} rows)</a>"
                f'<script type="text/csv" id="{tid}-csv">\n'
                f"{_csv_text(csv if csv is not None else df)}</script>"
            )
        sec.parts.append(
            f'<div style="overflow-x:auto"><table class="data"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>{more}{link}"
        )

    def render(self) -> str:
        nav = "".join(f'<a href="#{escape(s.key)}">{escape(s.title)}</a>' for s in self.sections)
        body = "".join(
            f'<section id="{escape(s.key)}"><h2>{escape(s.title)}</h2>{"".join(s.parts)}</section>'
            for s in self.sections
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            # the page may not load anything: no network, only inline styles/scripts and data
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: blob:\">"
            f"<title>{escape(self.title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{escape(self.title)}</h1><p>{escape(self.subtitle)}</p></header>"
            f"<nav>{nav}</nav><main>{body}</main><script>{JS}</script></body></html>"
        )
