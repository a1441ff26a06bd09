"""`cbec dea` runners for --model ddf, --bootstrap B and --scale-efficiency (METHODS §9.1,
§9.9, §9.11): one frontier per period group, tables with one row per DMU."""

from __future__ import annotations

import numpy as np

from cbec.errors import NumericalError, UsageError
from cbec.frame import Frame


def _weights(text: str | None, p: int) -> list[float] | None:
    if not text:
        return None
    try:
        w = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"--weights must be numbers, got {text!r}") from None
    if len(w) != p or min(w) < 0:
        raise UsageError(f"--weights needs {p} values ≥ 0 (inputs, outputs, bad outputs)")
    return w


def ddf_rows(names, X, Y, Bd, G, args, cols, progress=None) -> dict:
    """One period group of `cbec dea --model ddf`."""
    from measures.dea.ddf import ddf

    inputs, outputs, bads = cols
    gx, gy, gb = G
    w = _weights(args.weights, len(inputs) + len(outputs) + len(bads))
    if w is not None and not args.nonradial:
        raise UsageError("--weights applies to --nonradial")
    try:
        r = ddf(X, Y, Bd, gx=gx, gy=gy, gb=gb, rts=args.rts or "crs", nonradial=args.nonradial,
                weights=w, bad=args.bad_disposability, progress=progress)  # fmt: skip
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    out = {"dmu": names, "ddf": r.value, "status": r.status.tolist()}
    for k, v in enumerate([*inputs, *outputs, *bads]):
        out[f"beta_{v}"] = r.beta[:, k]
    return out


def directions(df, X, Y, Bd, args, read) -> tuple:
    """(gx, gy, gb) magnitudes from --direction or the --gx/--gy/--gb columns."""
    preset = {"full": (X, Y, Bd), "output": (0.0 * X, Y, Bd), "input": (X, 0.0 * Y, 0.0 * Bd)}
    g = list(preset[args.direction])
    for k, opt in enumerate(("gx", "gy", "gb")):
        spec = getattr(args, opt)
        if spec:
            cols = [c.strip() for c in spec.split(",") if c.strip()]
            if len(cols) != g[k].shape[1]:
                raise UsageError(f"--{opt} needs {g[k].shape[1]} column(s), got {len(cols)}")
            g[k] = read(cols)
            if np.any(g[k] < 0):
                raise UsageError(f"--{opt}: direction magnitudes must be ≥ 0")
    return tuple(g)


def bootstrap_rows(names, X, Y, args, orientation: str, rts: str, progress=None) -> dict:
    from measures.dea.bootstrap import dea_bootstrap

    try:
        r = dea_bootstrap(X, Y, orientation=orientation, rts=rts, B=args.bootstrap,
                          alpha=args.alpha, seed=args.seed, progress=progress,
                          backend="batch" if (X > 0).all() and (Y > 0).all() else "highs")  # fmt: skip
    except ValueError as exc:
        raise NumericalError(f"bootstrap: {exc}") from exc
    lvl = int(round(100 * (1 - args.alpha)))
    n = len(names)
    if orientation == "output":  # Farrell scale like `cbec dea`: score = 1/φ, φ kept too
        far = {"score": 1 / r.score, "score_bc": 1 / r.score_bc, f"ci{lvl}_low": 1 / r.ci_high,
               f"ci{lvl}_high": 1 / r.ci_low}  # fmt: skip
        phi = {"phi": r.score, "phi_bc": r.score_bc, f"phi_ci{lvl}_low": r.ci_low,
               f"phi_ci{lvl}_high": r.ci_high}  # fmt: skip
    else:
        far = {"score": r.score, "score_bc": r.score_bc, f"ci{lvl}_low": r.ci_low,
               f"ci{lvl}_high": r.ci_high}  # fmt: skip
        phi = {}
    return {"dmu": names, **far, "bias": far["score"] - far["score_bc"], **phi,
            "boot_var": r.variance, "bias_sd_ratio": r.bias_sd_ratio, "bandwidth": [r.h] * n,
            "replicates": [r.B] * n, "seed": [r.seed] * n}  # fmt: skip


def scale_rows(names, X, Y, orientation: str, progress=None) -> dict:
    from measures.dea.models import scale_efficiency

    r = scale_efficiency(X, Y, orientation=orientation, progress=progress)
    return {"dmu": names, "te_crs": r["crs"], "te_vrs": r["vrs"], "te_nirs": r["nirs"],
            "scale": r["scale"], "rts_class": r["rts_class"].tolist(),
            "status": r["status"].tolist()}  # fmt: skip


def frame(cols: dict, period_value) -> Frame:
    n = len(cols["dmu"])
    out = {"dmu": cols["dmu"], "period": [None if period_value is None else str(period_value)] * n}
    out.update({k: v for k, v in cols.items() if k != "dmu"})
    return Frame(out, {"dmu": "str", "period": "str"})
