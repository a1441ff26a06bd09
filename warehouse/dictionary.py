"""docs/DATA_DICTIONARY.md, generated from the table contracts (warehouse/contracts).

Regenerate after changing a contract:
    .venv/bin/python -c "from warehouse.dictionary import write; write()"
tests/test_contracts.py fails while the committed file is stale."""

from __future__ import annotations

from pathlib import Path

from warehouse.contracts import BUILTIN, TABLES, Table
from warehouse.contracts.ddl import all_columns

PATH = Path(__file__).resolve().parent.parent / "docs" / "DATA_DICTIONARY.md"
_SCHEMAS = {
    "ref": "reference data loaded by every run",
    "raw": "rows exactly as read, with lineage",
    "staging": "the tidy panel in canonical units",
    "results": "versioned by run_id; `results.latest_<table>` views show the newest published run",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(t: Table) -> list[str]:
    sec = f" · METHODS {t.methods}" if t.methods else ""
    key = f" · key: {', '.join(t.key)}" if t.key else ""
    out = [f"### {t.qualified}", "", f"{_cell(t.description)}{sec}{key}", "",
           "| column | type | unit | description |", "|---|---|---|---|"]  # fmt: skip
    for c in all_columns(t):
        name = f"**{c.name}**" if c.key else c.name
        out.append(f"| {name} | {c.type} | {_cell(c.unit)} | {_cell(c.description)} |")
    for f in t.families:
        desc = f.description.replace("{name}", "<name>")
        out.append(f"| {f.prefix}&lt;name&gt; | {f.type} | {_cell(f.unit)} | {_cell(desc)} |")
    return [*out, ""]


def render() -> str:
    """The data dictionary as markdown."""
    lines = ["# Data dictionary", "",
             "Generated from the table contracts in `warehouse/contracts/` by `warehouse/dictionary.py`;",
             "do not edit by hand. Regenerate with",
             '`.venv/bin/python -c "from warehouse.dictionary import write; write()"`.',
             "The same units and descriptions are DuckDB comments: "
             "`SELECT table_name, column_name, comment FROM duckdb_columns()` in any SQL client.",
             "Key columns are in bold. Join any `region_code` to `ref.regions` for names and the NBS region.",
             ""]  # fmt: skip
    for schema, what in _SCHEMAS.items():
        tables = sorted(
            (TABLES[q] for q in BUILTIN if TABLES[q].schema == schema), key=lambda t: t.name
        )
        lines += [f"## {schema} — {what}", ""]
        for t in tables:
            lines += _table(t)
    return "\n".join(lines).rstrip() + "\n"


def write(path: Path = PATH) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path
