"""`cbec runs diff A B`: what changed between two runs.

Per result table present in either run: rows added and removed, matched by the table's natural
key (its label columns: region_code, year, subsystem, measure …), and the largest changes of
the numbers (which province, year, column, from → to), sorted by absolute relative change.
Also lists input files that differ (new vintage, changed sha256).
"""

from __future__ import annotations

import json
import math

import polars as pl

# string columns that carry results, not identity: compared as values, keys only as a last resort
VALUE_TEXT = {
    "status",
    "flag",
    "init",
    "method",
    "peers",
    "message",
    "note",
    "notes",
    "label",
    "rts_class",
    "lag_type",
    "lagging_type",
    "grade",
    "grade_label",
    "level_label",
    "stage_label",
    "coupling_stage",
    "unit",
    "source",
    "warning",
    "warnings",
    "interpretation",
    "relationship",
}
INT_KEYS = {"year", "period", "year_from", "year_to", "from_year", "to_year", "t0", "t1", "lag"}
REL_TOL = 1e-9
ABS_TOL = 1e-12


def natural_key(a: pl.DataFrame, b: pl.DataFrame) -> list[str]:
    """Label columns that identify a row in both runs (unique on each side)."""
    cols = [c for c in a.columns if c in b.columns]
    schema = a.schema

    def is_text(c):
        return schema[c] in (pl.Utf8, pl.Categorical) or isinstance(schema[c], pl.Enum)

    primary = [
        c
        for c in cols
        if (is_text(c) and c.lower() not in VALUE_TEXT)
        or (schema[c].is_integer() and c.lower() in INT_KEYS)
    ]
    secondary = [c for c in cols if is_text(c) and c not in primary]
    key: list[str] = list(primary)

    def unique(k):
        return bool(k) and all(d.select(k).is_duplicated().sum() == 0 for d in (a, b))

    for extra in secondary:
        if unique(key):
            break
        key.append(extra)
    return key


def _label_value(col: str, v) -> str:
    if col == "region_code" and v is not None:
        from warehouse.provinces import NAME_EN, NAME_ZH

        return f"{NAME_EN.get(v, v)} {NAME_ZH.get(v, '')} ({v})".replace("  ", " ")
    return f"{v}" if col in INT_KEYS or col == "year" else f"{col}={v}"


def _fin(v):
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None


def diff_table(a: pl.DataFrame | None, b: pl.DataFrame | None, top: int = 10) -> dict:
    """Compare one result table between run A and run B."""
    out: dict = {
        "rows_a": None if a is None else a.height,
        "rows_b": None if b is None else b.height,
    }
    if a is None or b is None:
        only = b if a is None else a
        out.update(
            {
                "only_in": "B" if a is None else "A",
                "added": only.height if a is None else 0,
                "removed": only.height if b is None else 0,
                "changed_rows": 0,
                "changed_values": 0,
                "key": [],
                "largest_changes": [],
                "added_rows": [],
                "removed_rows": [],
                "text_changes": [],
            }
        )
        return out
    key = natural_key(a, b)
    if not key:
        a = a.with_row_index("row")
        b = b.with_row_index("row")
        key = ["row"]
    a = a.with_columns(pl.int_range(pl.len()).over(key).alias("_dup"))
    b = b.with_columns(pl.int_range(pl.len()).over(key).alias("_dup"))
    jk = [*key, "_dup"]
    added = b.join(a.select(jk), on=jk, how="anti", nulls_equal=True)
    removed = a.join(b.select(jk), on=jk, how="anti", nulls_equal=True)
    common_cols = [c for c in a.columns if c in b.columns and c not in jk]
    both = a.select(*jk, *common_cols).join(
        b.select(*jk, *common_cols), on=jk, how="inner", suffix="__b", nulls_equal=True
    )
    num = [c for c in common_cols if a.schema[c].is_numeric() and b.schema[c].is_numeric()]
    txt = [c for c in common_cols if c not in num]
    changes = []
    for c in num:
        f, t = pl.col(c).cast(pl.Float64), pl.col(f"{c}__b").cast(pl.Float64)
        f_miss = f.is_null() | f.is_nan()
        t_miss = t.is_null() | t.is_nan()
        differs = (f_miss != t_miss) | (
            ~f_miss & ~t_miss & ((t - f).abs() > pl.max_horizontal(f.abs() * REL_TOL, ABS_TOL))
        )
        ch = both.filter(differs).select(
            *key,
            pl.lit(c).alias("column"),
            f.alias("from"),
            t.alias("to"),
        )
        changes.append(ch)
    ch = (
        pl.concat(changes, how="vertical_relaxed")
        if changes
        else pl.DataFrame(
            schema={
                **{k: a.schema[k] for k in key},
                "column": pl.Utf8,
                "from": pl.Float64,
                "to": pl.Float64,
            }
        )  # fmt: skip
    )
    ch = ch.with_columns(
        (pl.col("to") - pl.col("from")).alias("abs_change"),
        pl.when(pl.col("from").is_null() | pl.col("from").is_nan() | (pl.col("from") == 0))
        .then(float("inf"))
        .otherwise((pl.col("to") - pl.col("from")) / pl.col("from").abs())
        .alias("rel_change"),
    )
    ch = ch.with_columns(
        pl.col("rel_change").abs().fill_nan(float("inf")).round(9).alias("_r"),  # ties: by size
        pl.col("abs_change").abs().fill_nan(float("inf")).fill_null(float("inf")).alias("_a"),
    ).sort(["_r", "_a"], descending=True, nulls_last=True)
    text_changes = []
    for c in txt:
        d = both.filter(_as_text(c, both.schema) != _as_text(f"{c}__b", both.schema))
        for r in d.head(top).iter_rows(named=True):
            text_changes.append(
                {**{k: r[k] for k in key}, "column": c, "from": r[c], "to": r[f"{c}__b"]}
            )
    n_changed_rows = ch.select(key).unique().height if ch.height else 0
    out.update(
        {
            "key": key,
            "added": added.height,
            "removed": removed.height,
            "changed_rows": n_changed_rows,
            "changed_values": ch.height,
            "largest_changes": [
                {
                    **{k: r[k] for k in key},
                    "column": r["column"],
                    "from": _fin(r["from"]),
                    "to": _fin(r["to"]),
                    "abs_change": _fin(r["abs_change"]),
                    "rel_change": _fin(r["rel_change"]),
                }
                for r in ch.head(top).iter_rows(named=True)
            ],
            "added_rows": [{k: r[k] for k in key} for r in added.head(top).iter_rows(named=True)],
            "removed_rows": [
                {k: r[k] for k in key} for r in removed.head(top).iter_rows(named=True)
            ],
            "text_changes": text_changes,
        }
    )
    if key == ["row"]:
        out["key"] = []
    return out


def diff_inputs(ia: pl.DataFrame, ib: pl.DataFrame) -> dict:
    a = {r["source_file"]: r for r in ia.iter_rows(named=True)}
    b = {r["source_file"]: r for r in ib.iter_rows(named=True)}

    def brief(r):
        return {"file": r["source_file"], "vintage": r["vintage"], "sha256": r["source_sha256"]}

    return {
        "added": [brief(b[f]) for f in sorted(set(b) - set(a))],
        "removed": [brief(a[f]) for f in sorted(set(a) - set(b))],
        "changed": [
            {
                "file": f,
                "vintage": [a[f]["vintage"], b[f]["vintage"]],
                "sha256": [a[f]["source_sha256"], b[f]["source_sha256"]],
            }
            for f in sorted(set(a) & set(b))
            if (a[f]["source_sha256"], a[f]["vintage"]) != (b[f]["source_sha256"], b[f]["vintage"])
        ],
    }


def diff_runs(db, run_a: str, run_b: str, top: int = 10) -> dict:
    """The whole comparison as a JSON-able dict. Raises cbec errors for unknown runs."""
    from cbec.errors import InputError, UsageError
    from warehouse import run_results as R

    try:
        con = R.open_read_only(db)
    except FileNotFoundError as exc:
        raise InputError(
            "no warehouse here: `cbec run --db FILE` creates one", file=str(exc)
        ) from exc
    try:
        runs = []
        for rid in (run_a, run_b):
            try:
                run = R.resolve_run(con, rid, flow=None)
            except ValueError as exc:
                raise UsageError(str(exc)) from exc
            if run is None:
                raise UsageError(f"no run {rid!r} in the warehouse; `cbec runs` lists the run ids")
            runs.append(run)
        ida, idb = runs[0]["run_id"], runs[1]["run_id"]
        ta, tb = R.run_table_names(con, ida), R.run_table_names(con, idb)
        tables = {}
        for name in sorted(set(ta) | set(tb)):
            a = R.read_run_table(con, name, ida) if name in ta else None
            b = R.read_run_table(con, name, idb) if name in tb else None
            tables[name] = diff_table(a, b, top=top)
        inputs = diff_inputs(R.read_run_inputs(con, ida), R.read_run_inputs(con, idb))
    finally:
        con.close()

    def meta(r):
        return {
            k: (str(r[k]) if r[k] is not None else None)
            for k in (
                "run_id",
                "flow",
                "status",
                "finished_at",
                "input_fingerprint",
                "code_version",
            )
        }

    return {"run_a": meta(runs[0]), "run_b": meta(runs[1]), "inputs": inputs, "tables": tables}


def _num(v) -> str:
    if v is None:
        return "n/a"
    a = abs(v)
    if a >= 1e6 or (0 < a < 1e-3):
        return f"{v:.6g}"
    if a >= 1000:
        return f"{v:,.2f}"
    return f"{v:.6g}"


def _rel(v) -> str:
    return "new value" if v is None else f"{v * 100:+.3g}%"


def format_diff(d: dict) -> str:
    lines = []
    for tag in ("a", "b"):
        r = d[f"run_{tag}"]
        fp = (r["input_fingerprint"] or "")[:12]
        lines.append(
            f"{tag.upper()}  {r['run_id']}  {r['flow']}  {r['status']}  finished {r['finished_at']}"
            f"  inputs {fp}  code {r['code_version']}"
        )
    inp = d["inputs"]
    lines.append("")
    lines.append(
        f"input files: {len(inp['added'])} added, {len(inp['removed'])} removed, "
        f"{len(inp['changed'])} changed"
    )
    for f in inp["added"]:
        lines.append(f"  + {f['file']}  (vintage {f['vintage']}, sha256 {f['sha256'][:12]})")
    for f in inp["removed"]:
        lines.append(f"  - {f['file']}  (vintage {f['vintage']}, sha256 {f['sha256'][:12]})")
    for f in inp["changed"]:
        lines.append(
            f"  ~ {f['file']}  vintage {f['vintage'][0]} → {f['vintage'][1]}, "
            f"sha256 {f['sha256'][0][:12]} → {f['sha256'][1][:12]}"
        )
    for name, t in d["tables"].items():
        lines.append("")
        ra = "—" if t["rows_a"] is None else t["rows_a"]
        rb = "—" if t["rows_b"] is None else t["rows_b"]
        head = f"results.{name}: {ra} → {rb} rows"
        if t.get("only_in"):
            lines.append(f"{head}; only in run {t['only_in']}")
            continue
        if not (t["added"] or t["removed"] or t["changed_values"] or t["text_changes"]):
            lines.append(f"{head}; no changes")
            continue
        lines.append(
            f"{head}; +{t['added']} added, -{t['removed']} removed, {t['changed_rows']} rows "
            f"changed ({t['changed_values']} values)   key: {', '.join(t['key']) or 'row order'}"
        )
        key = t["key"]

        def who(r, key=key):
            return "  ".join(_label_value(k, r[k]) for k in key)

        for r in t["added_rows"]:
            lines.append(f"    + {who(r)}")
        for r in t["removed_rows"]:
            lines.append(f"    - {who(r)}")
        if t["largest_changes"]:
            lines.append("  largest changes (by |relative change|):")
            rows = [
                (who(r), r["column"], _num(r["from"]), _num(r["to"]), _rel(r["rel_change"]))
                for r in t["largest_changes"]
            ]
            w = [max(len(x[i]) for x in rows) for i in range(4)]
            for x in rows:
                lines.append(
                    f"    {x[0]:<{w[0]}}  {x[1]:<{w[1]}}  {x[2]:>{w[2]}} → {x[3]:>{w[3]}}  {x[4]}"
                )
        for r in t["text_changes"]:
            lines.append(f"    {who(r)}  {r['column']}: {r['from']!r} → {r['to']!r}")
    return "\n".join(lines)


def print_diff(db, run_a: str, run_b: str, top: int = 10, as_json: bool = False) -> int:
    d = diff_runs(db, run_a, run_b, top=top)
    if as_json:
        print(json.dumps(d, ensure_ascii=False, default=str))
    else:
        print(format_diff(d))
    return 0


def _as_text(col: str, schema: pl.Schema) -> pl.Expr:
    """A column as comparable text (list columns such as `quality` joined)."""
    e = pl.col(col)
    if isinstance(schema[col], pl.List):
        e = e.cast(pl.List(pl.Utf8)).list.join("; ")
    return e.cast(pl.Utf8).fill_null("")
