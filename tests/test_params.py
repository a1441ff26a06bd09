"""The typed parameter model (cbec.params): every method file resolves, the record is complete
and is what a run stores, operational settings stay out of it, each default is declared once —
the library functions' keyword defaults agree with it — and a bad value names file and key."""

from __future__ import annotations

import dataclasses
import inspect
import json

import pytest

from cbec.params import (
    SECTIONS,
    Causality,
    ConfigError,
    Fit,
    Game,
    RunParams,
    described,
    load_run_params,
    resolve_section,
    section_dict,
)
from cbec.settings import load_params


def test_every_method_file_resolves_completely() -> None:
    run, ops = load_run_params()
    record = run.record()
    assert set(record) == {*SECTIONS, "indicators"}
    for name, cls in SECTIONS.items():
        keys = {k for k, *_ in described(cls)}
        flat = _flatten(record[name])
        assert keys == set(flat), name  # every declared key present, nothing else
    assert record["coevolution"]["fit"]["n_starts"] == 3  # the file's value, not the default 20
    assert "workers" not in record["coevolution"] and ops.coevolution_workers == 0


def _flatten(d: dict, prefix: str = "") -> dict:
    out: dict = {}
    for k, v in d.items():
        if isinstance(v, dict) and k not in ("proxies", "region_map", "user_bounds"):
            if k != "weights":
                out.update(_flatten(v, f"{prefix}{k}."))
                continue
        out[f"{prefix}{k}"] = v
    return out


def test_load_params_is_the_record() -> None:
    assert load_params() == load_run_params()[0].record()


def test_refresh_records_the_resolved_parameters(published_db) -> None:
    from warehouse.db import connect

    con = connect(published_db, read_only=True)
    try:
        stored = con.execute("SELECT params FROM results.runs").fetchall()[0][0]
    finally:
        con.close()
    assert json.loads(stored) == json.loads(json.dumps(load_params()))


def test_defaults_fill_a_partial_table_and_are_idempotent() -> None:
    d = section_dict("dea", {"orientation": "output"})
    assert d["orientation"] == "output" and d["game"]["tol"] == 1e-6 and d["window"] == "longest"
    assert section_dict("dea", d) == d
    assert resolve_section("structure", {}).synergy.base_year is None


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("dea", {"orientation": "inptu"}, "orientation = 'inptu' is not allowed; allowed: one of"),
        ("coevolution", {"fit": {"n_strats": 3}}, "unknown key 'fit.n_strats'"),
        ("structure", {"coupling": {"weights": 3}}, "coupling.weights = 3 is not allowed"),
        ("green", {"index": "malmquist"}, "index = 'malmquist' is not allowed"),
    ],
)
def test_a_bad_value_names_file_key_and_allowed(name, data, message) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        resolve_section(name, data, f"config/{name}.toml")


def _kw_defaults(fn) -> dict:
    return {
        k: p.default
        for k, p in inspect.signature(fn).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def test_library_defaults_agree_with_the_model() -> None:
    """One source of every default: the keyword defaults of the measures the pipeline calls
    equal the model's (so the CLI, the API and a run without a config file agree)."""
    from measures.causality import granger_var
    from measures.coevolution import fit_lv
    from measures.dea.game import game_cross_efficiency

    fit = _kw_defaults(fit_lv)
    for f in dataclasses.fields(Fit):
        if f.name in fit:
            assert fit[f.name] == getattr(Fit(), f.name), f"fit_lv {f.name}"
    causality = _kw_defaults(granger_var)
    for f in dataclasses.fields(Causality):
        assert causality[f.name] == getattr(Causality(), f.name), f"granger_var {f.name}"
    game = _kw_defaults(game_cross_efficiency)
    for f in dataclasses.fields(Game):
        assert game[f.name] == getattr(Game(), f.name), f"game_cross_efficiency {f.name}"
    assert RunParams().production.capital.delta == 0.096
