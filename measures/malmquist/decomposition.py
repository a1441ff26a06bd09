"""The index and its components from the efficiencies (METHODS §9.7): FGNZ and Ray–Desli
decompositions, and the global-technology fallback for infeasible DMU-pairs."""

from __future__ import annotations

import numpy as np

from measures.dea.radial import radial_efficiency
from measures.malmquist.results import COMPONENTS


def _geo(a1, a0, b1, b0):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt((a1 / a0) * (b1 / b0))


def _compose(eff: dict[str, np.ndarray], rd: bool) -> dict[str, np.ndarray]:
    """The index and its components from the efficiencies (module docstring formulas).
    Arrays are returned DMU-major (n, T−1)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        c_own, v_own = eff["crs:own"], eff["vrs:own"]
        mi = _geo(eff["crs:A1"], eff["crs:A0"], eff["crs:B1"], eff["crs:B0"])
        ec = c_own[1:] / c_own[:-1]
        pec = v_own[1:] / v_own[:-1]
        if rd:
            mv = _geo(eff["vrs:A1"], eff["vrs:A0"], eff["vrs:B1"], eff["vrs:B0"])
            tc = mv / pec
            sec = mi / mv
            ec = pec * sec
        else:
            tc = mi / ec
            sec = ec / pec
    return {"mi": mi.T.copy(), "ec": ec.T.copy(), "tc": tc.T.copy(), "pec": pec.T.copy(),
            "sec": sec.T.copy()}  # fmt: skip


def _global_fallback(X, Y, orientation, rd, cells, n_jobs) -> dict:
    """Components of the DMU-pairs in ``cells`` [(i, p)] against the global technology
    (infeasible="global"): M = e^G(p+1)/e^G(p), own-period EC/PEC as usual."""
    T, n = X.shape[:2]
    Xg, Yg = X.reshape(-1, X.shape[2]), Y.reshape(-1, Y.shape[2])
    pts = sorted({(i, t) for i, p in cells for t in (p, p + 1)})
    Xe = np.array([X[t, i] for i, t in pts])
    Ye = np.array([Y[t, i] for i, t in pts])
    out: dict = {k: {} for k in COMPONENTS}
    lp = 0
    val = {}
    for rts in ("crs", "vrs"):
        rg = radial_efficiency(Xg, Yg, Xe, Ye, orientation=orientation, rts=rts, n_jobs=n_jobs)
        ro = {}
        lp += rg.lp_count
        for t in sorted({t for _, t in pts}):
            idx = [k for k, (_, tt) in enumerate(pts) if tt == t]
            r = radial_efficiency(
                X[t], Y[t], Xe[idx], Ye[idx], orientation=orientation, rts=rts, n_jobs=1
            )
            lp += r.lp_count
            for k, v in zip(idx, r.score, strict=True):
                ro[pts[k]] = v if orientation == "input" else 1.0 / v
        for k, pt in enumerate(pts):
            g = rg.score[k] if orientation == "input" else 1.0 / rg.score[k]
            val[(rts, "G", pt)] = g
            val[(rts, "own", pt)] = ro[pt]
    for i, p in cells:
        a, b = (i, p), (i, p + 1)
        mi = val[("crs", "G", b)] / val[("crs", "G", a)]
        ec = val[("crs", "own", b)] / val[("crs", "own", a)]
        pec = val[("vrs", "own", b)] / val[("vrs", "own", a)]
        if rd:
            mv = val[("vrs", "G", b)] / val[("vrs", "G", a)]
            tc, sec = mv / pec, mi / mv
            ec = pec * sec
        else:
            tc, sec = mi / ec, ec / pec
        for comp, v in zip(COMPONENTS, (mi, ec, tc, pec, sec), strict=True):
            out[comp][(i, p)] = float(v)
    out["_lp_count"] = lp
    return out
