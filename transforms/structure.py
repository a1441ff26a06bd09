"""Regional structure: entropy-weighted composite indices, inequality, coupling coordination and
composite-system synergy of the province panel (METHODS §4–7; reference studies A, C, D).

Pure (polars + measures.entropy / inequality / coupling / synergy); the task is
tasks/structure.py. Parameters come from
config/indicators.toml (the indicator systems) and config/structure.toml (method options):
`params = {"indicators": {...}, "structure": {...}}` — `cbec.settings.load_params()` gives
both; a missing part falls back to the file. The undecorated logic is `structure_tables`.
"""

from __future__ import annotations

import warnings

import polars as pl

from cbec.params import section_dict
from cbec.paths import config_dir
from cbec.settings import read_toml
from measures import regions
from measures.coupling import TEN_LEVEL_CUTS, TEN_LEVEL_LABELS, coupling_frame
from measures.entropy import ConstantIndicatorWarning, entropy_index, entropy_weights
from measures.inequality import inequality_rows
from measures.synergy import synergy_frame
from transforms._scalars import as_int
from transforms.structure_panel import (  # noqa: F401 - re-exported helpers
    indicator_frame,
    indicator_name,
    subsystem_specs,
    subsystem_windows,
    wide_panel,
)

TABLES = ("indicator_weights", "composite_index", "inequality", "coupling", "synergy")


def _read(name: str) -> dict:
    return read_toml(config_dir() / f"{name}.toml")


def resolve_params(params: dict | None) -> tuple[dict, dict]:
    """(indicators, structure) configs; missing parts are read from config/."""
    params = params or {}
    ind = params.get("indicators") or _read("indicators")
    st = section_dict("structure", params.get("structure") or _read("structure"))
    return ind, st


# ----------------------------------------------------------------------------- §4
WEIGHT_COLUMNS = ("subsystem", "indicator", "variable", "per", "direction", "year", "weight",
                  "entropy", "divergence", "constant", "n_obs", "scope", "normalise", "shift",
                  "year_from", "year_to", "regions_dropped", "window_limit")  # fmt: skip


def composite_tables(panel: pl.DataFrame, ind: dict, st: dict):
    """indicator_weights, composite_index and the wide indicator frames per subsystem (§4)."""
    e = section_dict("structure", st)["entropy"]
    missing = ind.get("missing", "raise")
    if missing not in ("raise", "drop_region"):
        raise ValueError(f"missing must be 'raise' or 'drop_region', got {missing!r}")
    w_frames, s_frames, frames = [], [], {}
    subs = subsystem_specs(ind)
    windows = subsystem_windows(panel, subs, ind)
    for sub, specs in subs.items():
        y0, y1, limit = windows[sub]
        w, names, dropped = indicator_frame(panel, specs, (y0, y1), missing)
        directions = [s["direction"] for s in specs]
        frames[sub] = (w, names, directions)
        weights, scores = _subsystem_entropy(sub, w, names, directions, e)
        meta = dict(zip(names, specs, strict=True))
        weights = weights.with_columns(
            pl.lit(sub).alias("subsystem"),
            pl.col("indicator").replace_strict({k: v["variable"] for k, v in meta.items()})
            .alias("variable"),
            pl.col("indicator").replace_strict({k: v.get("per") for k, v in meta.items()},
                                               return_dtype=pl.Utf8).alias("per"),
            *_method_columns(e),
            pl.lit(int(y0), dtype=pl.Int64).alias("year_from"),
            pl.lit(int(y1), dtype=pl.Int64).alias("year_to"),
            pl.lit(",".join(dropped)).alias("regions_dropped"),
            pl.lit(limit).alias("window_limit"),
        )  # fmt: skip
        w_frames.append(weights.select(WEIGHT_COLUMNS))
        s_frames.append(
            scores.select(
                "region_code",
                pl.col("year").cast(pl.Int64),
                pl.lit(sub).alias("subsystem"),
                pl.col("score").cast(pl.Float64),
                *_method_columns(e),
            )
        )
    weights = pl.concat(w_frames).with_columns(
        pl.col("weight", "entropy", "divergence").cast(pl.Float64),
        pl.col("n_obs").cast(pl.Int64),
    )
    comp = pl.concat(s_frames).sort("subsystem", "region_code", "year")
    return weights, comp, frames


def _method_columns(e: dict) -> list[pl.Expr]:
    return [pl.lit(e[k]).alias(k) for k in ("scope", "normalise", "shift")]


def _subsystem_entropy(
    sub: str, w: pl.DataFrame, names: list[str], directions: list[str], e: dict
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Entropy weights and scores of one subsystem (§4); constant-indicator warnings name it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConstantIndicatorWarning)
        weights, scores = entropy_index(
            w, list(zip(names, directions, strict=True)), id_cols="region_code", period="year",
            scope=e["scope"], normalise=e["normalise"], shift=e["shift"],
            epsilon=float(e["epsilon"]), rescale=tuple(e["rescale"]), score=e["score"],
            scale=float(e["scale"]),
        )  # fmt: skip
    for c in caught:
        warnings.warn(f"subsystem {sub!r}: {c.message}", c.category, stacklevel=3)
    if "year" not in weights.columns:
        weights = weights.with_columns(pl.lit(None, dtype=pl.Int64).alias("year"))
    return weights, scores


# ----------------------------------------------------------------------------- §5
def _inequality_series(panel: pl.DataFrame, st_ineq: dict) -> list[tuple[str, pl.DataFrame]]:
    out = []
    weight = st_ineq.get("weight")
    for v in st_ineq.get("variables") or []:
        name = v["name"]
        num, den = v.get("numerator", name), v.get("denominator")
        cols = sorted({num, *([den] if den else []), *([weight] if weight else [])})
        w = wide_panel(panel, cols)
        val = pl.col(num) if not den else pl.col(num) / pl.col(den) * float(v.get("factor", 1.0))
        if not den and v.get("factor"):
            val = val * float(v["factor"])
        w = w.select(
            "region_code", "year", val.alias("value"),
            (pl.col(weight) if weight and v.get("weighted", True) else pl.lit(None, pl.Float64))
            .alias("weight"),
        )  # fmt: skip
        out.append((name, w))
    return out


def inequality_table(
    panel: pl.DataFrame, st: dict, composites: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Long rows: year, variable, scheme, measure, group, value (METHODS §5). A year is used
    only when every province of the scheme has the value (and weight); `n_units` rows record
    the cross-section size."""
    q = section_dict("structure", st)["inequality"]
    series = _inequality_series(panel, q)
    if composites is not None and q["composites"]:
        for sub in composites["subsystem"].unique(maintain_order=True).to_list():
            c = composites.filter(pl.col("subsystem") == sub).select(
                "region_code", "year", pl.col("score").alias("value"),
                pl.lit(None, pl.Float64).alias("weight"),
            )  # fmt: skip
            series.append((f"composite_{sub}", c))
    schemes = [q["region_scheme"], *[s for s in q["extra_schemes"] if s != q["region_scheme"]]]
    custom = q.get("region_map")  # {code: group} for non-province units (e.g. prefectures)
    if custom:
        schemes = ["custom"]
    rows = []
    for scheme in schemes:
        mapping = dict(custom) if custom else regions.region_mapping(scheme)
        codes = set(mapping)
        for name, w in series:
            w = w.filter(pl.col("region_code").is_in(codes))
            weighted = w["weight"].is_not_null().any()
            ok = pl.col("value").is_not_null() & pl.col("value").is_not_nan()
            if weighted:
                ok = ok & pl.col("weight").is_not_null()
            full = w.filter(ok).group_by("year").agg(pl.len().alias("n"))
            full_years = set(full.filter(pl.col("n") == len(codes))["year"].to_list())
            complete_all = name.startswith("composite_")
            if complete_all:  # composites may have dropped provinces by config: use what exists
                full_years = set(w.filter(ok)["year"].unique().to_list())
            for (year,), g in w.filter(pl.col("year").is_in(full_years) & ok).group_by(
                "year", maintain_order=True
            ):
                g = g.sort("region_code")
                y = g["value"].to_numpy()
                pw = g["weight"].to_numpy() if weighted else None
                grp = g["region_code"].replace_strict(mapping, return_dtype=pl.Utf8).to_numpy()
                res = inequality_rows(
                    y, pw, grp, ddof=int(q["ddof"]), small_sample=bool(q["small_sample"]),
                    dagum_decomp=bool(q["dagum"]),
                )  # fmt: skip
                res.append(("n_units", None, float(len(y))))
                rows += [(int(year), name, scheme, m, gl, v) for m, gl, v in res]
    return pl.DataFrame(
        rows,
        schema={"year": pl.Int64, "variable": pl.Utf8, "scheme": pl.Utf8, "measure": pl.Utf8,
                "group": pl.Utf8, "value": pl.Float64},
        orient="row",
    ).sort("variable", "scheme", "year", maintain_order=True)  # fmt: skip


# ----------------------------------------------------------------------------- §6
def coupling_table(
    composites: pl.DataFrame, st: dict, subsystems: list[str] | None = None
) -> pl.DataFrame:
    """Coupling for each configured pair (U1 first) and, with include_all, all subsystems
    (in the order of `subsystems`, DEFAULT the order of indicators.toml)."""
    st = section_dict("structure", st)
    cfg, e = st["coupling"], st["entropy"]
    if e["normalise"] != "minmax" or e["score"] != "z":
        raise ValueError("coupling needs composites in [0, 1]: normalise='minmax', score='z'")
    scale = float(e["scale"])
    # shift="add" composites reach 1 + ε; the float sum Σ w·(z + ε) can exceed it by an ulp
    tol = (float(e["epsilon"]) if e["shift"] == "add" else 0.0) + 1e-12
    if cfg["d_scale"] == "ten_level":
        cuts, labels = TEN_LEVEL_CUTS, TEN_LEVEL_LABELS
    else:
        cuts, labels = tuple(cfg["cuts"]), tuple(cfg["labels"])
    wide = composites.pivot(on="subsystem", index=["region_code", "year"], values="score")
    subs = subsystems or composites["subsystem"].unique(maintain_order=True).to_list()
    systems = [list(p) for p in cfg["pairs"]]
    if cfg["include_all"] and len(subs) > 2:
        systems.append(subs)
    frames = []
    for sysm in systems:
        unknown = [s for s in sysm if s not in subs]
        if unknown:
            raise ValueError(f"coupling system {sysm}: unknown subsystem(s) {unknown}")
        d = wide.select("region_code", "year", *[pl.col(s) / scale for s in sysm]).drop_nulls()
        alpha = None
        if isinstance(cfg["weights"], dict):
            alpha = [float(cfg["weights"][s]) for s in sysm]
            tot = sum(alpha)
            alpha = [a / tot for a in alpha]
        f = coupling_frame(
            d, sysm, keep=["region_code", "year"], weights=alpha, model=cfg["c_model"],
            k=float(cfg["liao_k"]), cuts=cuts, labels=labels, lag_rule=cfg["lag_rule"],
            lag_thresholds=tuple(cfg["lag_thresholds"]), lag_diff=float(cfg["lag_diff"]),
            tol=tol,
        )  # fmt: skip
        frames.append(
            f.with_columns(
                pl.lit("+".join(sysm)).alias("system"),
                pl.lit(len(sysm), dtype=pl.Int64).alias("n_subsystems"),
                # U1, U2 of a pair (E = U2/U1); null for an n > 2 system
                pl.Series(
                    "u1", d[sysm[0]] if len(sysm) == 2 else [None] * d.height, dtype=pl.Float64
                ),
                pl.Series(
                    "u2", d[sysm[1]] if len(sysm) == 2 else [None] * d.height, dtype=pl.Float64
                ),
            )
        )
    cols = ["region_code", "year", "system", "n_subsystems", "u1", "u2", "c_model", "c",
            "c_traditional", "c_wang", "t", "d", "grade", "grade_label", "stage", "e",
            "lag_type", "label"]  # fmt: skip
    if not frames:
        return pl.DataFrame(schema={c: pl.Utf8 for c in cols})
    # systems in config order (the first pair, study A's cbec+logistics, is the headline one)
    return pl.concat([f.select(cols).sort("region_code", "year") for f in frames])


# ----------------------------------------------------------------------------- §7
def synergy_table(frames: dict, weights: pl.DataFrame, ind: dict, st: dict) -> pl.DataFrame:
    cfg = section_dict("structure", st)["synergy"]
    subs = list(cfg["subsystems"]) or list(frames)[:2]
    unknown = [s for s in subs if s not in frames]
    if unknown:
        raise ValueError(f"synergy: unknown subsystem(s) {unknown}")
    if len(subs) < 2:
        raise ValueError("synergy needs at least 2 subsystems")
    merged: pl.DataFrame | None = None
    spec, lin = {}, {}
    for s in subs:
        w, names, dirs = frames[s]
        ren = {n: f"{s}__{n}" for n in names}
        part = w.rename(ren)
        merged = part if merged is None else merged.join(part, on=["region_code", "year"])
        spec[s] = [(ren[n], d) for n, d in zip(names, dirs, strict=True)]
        if cfg["method"] == "linear":
            x = w.select(names).to_numpy()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConstantIndicatorWarning)
                lin[s] = entropy_weights(x, dirs).weights.tolist()
    assert merged is not None  # at least 2 subsystems (checked above)
    # the years all subsystems share (each runs on its own window, indicators.toml)
    years = [as_int(merged["year"].min()), as_int(merged["year"].max())]
    out = []
    for base in cfg["bases"]:
        _, syn = synergy_frame(
            merged, spec, bounds=cfg["bounds"], user_bounds=cfg["user_bounds"] or None,
            clip=bool(cfg["clip"]), method=cfg["method"], linear_weights=lin or None,
            base=base, base_year=int(cfg["base_year"] or years[0]),
        )  # fmt: skip
        out.append(syn)
    syn = pl.concat(out)
    return syn.with_columns(
        pl.col("year_from").cast(pl.Int64),
        pl.col("year_to").cast(pl.Int64),
        pl.col("year_to").cast(pl.Int64).alias("year"),
        pl.lit("+".join(subs)).alias("system"),
        pl.lit(cfg["bounds"]).alias("bounds"),
        pl.lit(cfg["method"]).alias("method"),
    )


# ----------------------------------------------------------------------------- all
def structure_tables(panel: pl.DataFrame, params: dict | None = None) -> dict[str, pl.DataFrame]:
    """The five result tables (METHODS §4–7): weights, composites, inequality, coupling, synergy."""
    ind, st = resolve_params(params)
    weights, comp, frames = composite_tables(panel, ind, st)
    return {
        "indicator_weights": weights,
        "composite_index": comp,
        "inequality": inequality_table(panel, st, comp),
        "coupling": coupling_table(comp, st, list(subsystem_specs(ind))),
        "synergy": synergy_table(frames, weights, ind, st),
    }
