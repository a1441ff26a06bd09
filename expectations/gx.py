"""The Great Expectations side of the runner: one EPHEMERAL context per process (in memory,
no network, analytics and progress bars off), suites from expectations/suites/<table>.json,
GX suite objects cached by content, and the meta (severity, check, rule) of an expectation."""

from __future__ import annotations

import copy
import functools
import json
import os
import threading
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

SUITES_DIR = Path(__file__).resolve().parent / "suites"
SEVERITIES = ("critical", "warning")
_LOCK = threading.RLock()


@functools.lru_cache(maxsize=1)
def _gx():
    """(great_expectations module, ephemeral context, batch definition) — built once."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import logging

    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    ctx = gx.get_context(mode="ephemeral", project_config=config)
    ds = ctx.data_sources.add_pandas("cbec_frames")
    asset = ds.add_dataframe_asset("frame")
    bd = asset.add_batch_definition_whole_dataframe("whole_frame")
    return gx, ctx, bd


def prepare() -> None:
    """Import GX and build the context now (~4 s), e.g. while a Prefect server boots."""
    _gx()


@functools.lru_cache(maxsize=64)
def _suite_json(name: str, mtime: float) -> dict:
    path = SUITES_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def load_suite(name: str) -> dict:
    """The suite dict stored in expectations/suites/<name>.json."""
    path = SUITES_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"no expectation suite {path}")
    return _suite_json(name, path.stat().st_mtime)


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITES_DIR.glob("*.json"))


_SUITE_CACHE: dict[str, Any] = {}


def _gx_suite(suite: dict, expectations: list[dict]):
    """A GX ExpectationSuite object for these expectation dicts, cached by content."""
    gx, ctx, _ = _gx()
    key = json.dumps(
        {"name": suite.get("name"), "e": expectations}, sort_keys=True, ensure_ascii=False
    )
    with _LOCK:
        s = _SUITE_CACHE.get(key)
        if s is not None:
            return s
        name = f"{suite.get('name', 'suite')}__{len(_SUITE_CACHE)}"
        exps = copy.deepcopy(expectations)
        for i, e in enumerate(exps):  # GX does not keep the order of results: tag each one
            e.setdefault("meta", {})["_i"] = i
        obj = gx.ExpectationSuite(name=name, expectations=exps)
        if len(obj.expectations) != len(expectations):
            raise ValueError(
                f"suite {suite.get('name')!r}: {len(expectations) - len(obj.expectations)} "
                "expectation(s) have an invalid configuration"
            )
        obj = ctx.suites.add(obj)
        _SUITE_CACHE[key] = obj
        return obj


def _columns_of(exp: dict) -> list[str]:
    kw = exp.get("kwargs", {})
    cols = []
    if "column" in kw:
        cols.append(kw["column"])
    for k in ("column_A", "column_B"):
        if k in kw:
            cols.append(kw[k])
    for k in ("column_list",):
        cols.extend(kw.get(k) or [])
    return cols


def _meta(exp: dict) -> tuple[str, str, str]:
    meta = exp.get("meta") or {}
    sev = meta.get("severity", "critical")
    if sev not in SEVERITIES:
        raise ValueError(f"expectation {exp.get('type')}: severity {sev!r} not in {SEVERITIES}")
    check = meta.get("check") or exp.get("type", "").removeprefix("expect_")
    rule = meta.get("rule") or meta.get("notes") or _describe(exp)
    return sev, check, rule


def _describe(exp: dict) -> str:
    kw = {k: v for k, v in exp.get("kwargs", {}).items() if k != "batch_id"}
    return f"{exp.get('type')} {json.dumps(kw, ensure_ascii=False, default=str)}"
