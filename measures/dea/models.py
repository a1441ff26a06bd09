"""User-level DEA models on one data set (METHODS §9.1, §9.3, §9.4): one call returns scores,
φ, status, slacks, targets and peers for every DMU, in the conventions of DEAP/deaR.

``dea_model(X, Y, model="ccr"|"bcc"|"sbm"|"super"|"super-sbm", orientation, rts) -> DEAModelResult``
``scale_efficiency(X, Y, orientation) -> dict`` — θ_CRS, θ_VRS, θ_NIRS, SE and the RTS class
(Färe–Grosskopf–Lovell test).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from measures.dea._progress import ProgressFn, shifted
from measures.dea._sparse import LambdaMatrix, peers_of
from measures.dea.radial import radial_efficiency
from measures.dea.sbm import sbm, sbm_with_super

MODELS = ("ccr", "bcc", "sbm", "super", "super-sbm")
EFF_TOL = 1e-7  # METHODS §9.1: efficiency/zero-slack tolerance


@dataclass
class DEAModelResult:
    """score: the efficiency reported (θ, Farrell 1/φ for output radial models, ρ, δ);
    phi: φ* for output-oriented radial models (NaN otherwise); status per DMU;
    slack_in (n, m), slack_out (n, s), target_in, target_out (original units);
    lambdas (n, n): dense up to 25 million cells, above that (radial models) a sparse
    `measures.dea._sparse.LambdaMatrix` (``L[k]`` dense row, ``L[k, j]``, ``L.csr``);
    peers: list of peer indices per DMU (λ > 1e-9); kind: for super-sbm, "sbm" or "super"
    per DMU."""

    score: np.ndarray
    phi: np.ndarray
    status: np.ndarray
    slack_in: np.ndarray
    slack_out: np.ndarray
    target_in: np.ndarray
    target_out: np.ndarray
    lambdas: Any
    peers: list[list[int]]
    model: str
    orientation: str
    rts: str
    kind: np.ndarray | None = None


def _peers(L: Any, tol: float = 1e-9) -> list[list[int]]:
    return peers_of(L, tol)


def _no_negative_zero(L: Any) -> Any:
    if isinstance(L, LambdaMatrix):
        L.csr.data += 0.0
        return L
    return cast(np.ndarray, L) + 0.0


def dea_model(
    X: ArrayLike,
    Y: ArrayLike,
    *,
    model: str = "ccr",
    orientation: str = "input",
    rts: str | None = None,
    backend: str = "highs",
    progress: ProgressFn | None = None,
) -> DEAModelResult:
    """Run one DEA model on (X, Y) and return scores, slacks, targets, peers (see class doc).

    model "ccr" (rts crs), "bcc" (rts vrs) — or any rts in crs/vrs/nirs/ndrs with either —
    two-phase radial; "super": Andersen–Petersen radial super-efficiency (θ may exceed 1,
    infeasible → NaN + status); "sbm": Tone (2001); "super-sbm": ρ* for SBM-inefficient and
    Tone (2002) δ* for efficient DMUs. orientation "input" | "output" | "none" (SBM only).
    Targets (radial): input x̂ = θx − s⁻, ŷ = y + s⁺; output x̂ = x − s⁻, ŷ = φy + s⁺.
    SBM: x̂ = x − s⁻, ŷ = y + s⁺ (super-SBM: x̂ = x̄, ŷ = ȳ, the super-efficient projection).
    progress: optional callback progress(done, total) after each block of DMUs' LPs (total
    n; 3n for super-sbm, which solves the SBM and the super-SBM LPs); reporting only.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    if rts is None:
        rts = "vrs" if model == "bcc" else "crs"
    if model in ("ccr", "bcc", "super"):
        if orientation not in ("input", "output"):
            raise ValueError("radial models need orientation 'input' or 'output'")
        return _radial_model(X, Y, model, orientation, rts, backend, progress)
    if rts not in ("crs", "vrs"):
        raise ValueError("SBM models support rts 'crs' or 'vrs'")
    return _sbm_model(X, Y, model, orientation, rts, progress)


def _radial_model(X: np.ndarray, Y: np.ndarray, model: str, orientation: str, rts: str,
                  backend: str, progress: ProgressFn | None) -> DEAModelResult:  # fmt: skip
    """`dea_model` for the two-phase radial models (ccr, bcc, super)."""
    return radial_model(X, Y, model=model, orientation=orientation, rts=rts, backend=backend,
                        progress=progress)  # fmt: skip


def radial_model(X: np.ndarray, Y: np.ndarray, X_eval: np.ndarray | None = None,
                 Y_eval: np.ndarray | None = None, *, model: str, orientation: str, rts: str,
                 backend: str = "highs",
                 progress: ProgressFn | None = None) -> DEAModelResult:  # fmt: skip
    """The two-phase radial `DEAModelResult` (METHODS §9.1, §9.4) of the evaluated DMUs
    (DEFAULT all; a block of rows of X, Y for `measures.dea_blocks`) against all of (X, Y):
    round-off slacks clipped, targets, λ without "-0.0", peers indexing all DMUs."""
    r = radial_efficiency(
        X,
        Y,
        X_eval,
        Y_eval,
        orientation=orientation,
        rts=rts,
        exclude_self=model == "super",
        two_phase=True,
        return_lambdas=True,
        backend=backend,
        progress=progress,
    )
    Xe = X if X_eval is None else np.atleast_2d(np.asarray(X_eval, dtype=float))
    Ye = Y if Y_eval is None else np.atleast_2d(np.asarray(Y_eval, dtype=float))
    phi = r.score if orientation == "output" else np.full(Xe.shape[0], np.nan)
    sin: Any = r.slack_in
    sout: Any = r.slack_out
    # round-off in the slacks (HiGHS tolerance 1e-10): clip tiny negatives
    sin = np.where(np.abs(sin) < 1e-9 * (1 + np.abs(Xe)), 0.0, sin)
    sout = np.where(np.abs(sout) < 1e-9 * (1 + np.abs(Ye)), 0.0, sout)
    ti, to = r.targets(Xe, Ye)
    sin, sout = sin + 0.0, sout + 0.0  # no "-0.0" in user tables
    ti = np.where(np.isfinite(sin), ti, np.nan)
    to = np.where(np.isfinite(sout), to, np.nan)
    return DEAModelResult(
        score=r.farrell,
        phi=phi,
        status=r.status,
        slack_in=sin,
        slack_out=sout,
        target_in=ti,
        target_out=to,
        lambdas=_no_negative_zero(r.lambdas),
        peers=_peers(r.lambdas),
        model=model,
        orientation=orientation,
        rts=rts,
    )


def _sbm_model(X: np.ndarray, Y: np.ndarray, model: str, orientation: str | None, rts: str,
               progress: ProgressFn | None) -> DEAModelResult:  # fmt: skip
    """`dea_model` for sbm and super-sbm."""
    n = X.shape[0]
    orient = "none" if orientation in ("none", None) else orientation
    if model == "sbm":
        res = sbm(X, Y, orientation=orient, rts=rts, progress=progress)
        score, kind, status = res.score, None, res.status
        sin, sout, L = res.slack_in, res.slack_out, res.lambdas
        ti, to = X - sin, Y + sout
    else:
        from measures.dea.sbm import super_sbm

        score, kind, status, base = sbm_with_super(X, Y, orientation=orient, rts=rts,
                                                   progress=shifted(progress, 0, 3 * n))  # fmt: skip
        sin, sout, L = base.slack_in.copy(), base.slack_out.copy(), base.lambdas.copy()
        eff = kind == "super"
        ti, to = X - sin, Y + sout
        if eff.any():
            sup = super_sbm(X, Y, orientation=orient, rts=rts,
                            progress=shifted(progress, 2 * n, 3 * n))  # fmt: skip
            # super-efficient projection: x̄ = x + excess, ȳ = y − shortfall
            ti[eff] = X[eff] + sup.slack_in[eff]
            to[eff] = Y[eff] - sup.slack_out[eff]
            sin[eff] = -sup.slack_in[eff]
            sout[eff] = -sup.slack_out[eff]
            L[eff] = sup.lambdas[eff]
    sin, sout = sin + 0.0, sout + 0.0  # no "-0.0" in user tables
    return DEAModelResult(
        score=score,
        phi=np.full(n, np.nan),
        status=status,
        slack_in=sin,
        slack_out=sout,
        target_in=ti,
        target_out=to,
        lambdas=L,
        peers=_peers(L),
        model=model,
        orientation=orient,
        rts=rts,
        kind=kind,
    )


def scale_efficiency(
    X: ArrayLike,
    Y: ArrayLike,
    *,
    orientation: str = "input",
    tol: float = 1e-9,
    progress: ProgressFn | None = None,
    X_eval: ArrayLike | None = None,
    Y_eval: ArrayLike | None = None,
) -> dict:
    """θ_CRS, θ_VRS, θ_NIRS (Farrell, in (0, 1]), SE = θ_CRS/θ_VRS and the returns-to-scale
    class of each DMU: "crs" if θ_CRS = θ_VRS, else "drs" if θ_NIRS = θ_VRS, else "irs"
    (METHODS §9.1, Färe–Grosskopf–Lovell; the DEAP convention). `progress`: as in
    `dea_model`, over the 3n LPs. X_eval/Y_eval: evaluate those DMUs (DEFAULT all) against
    all of (X, Y)."""
    out = {}
    n = np.atleast_2d(np.asarray(X if X_eval is None else X_eval)).shape[0]
    for k, rts in enumerate(("crs", "vrs", "nirs")):
        out[rts] = radial_efficiency(X, Y, X_eval, Y_eval, orientation=orientation, rts=rts,
                                     progress=shifted(progress, k * n, 3 * n))  # fmt: skip
    te = {k: v.farrell for k, v in out.items()}
    se = te["crs"] / te["vrs"]
    cls = np.where(
        np.abs(te["crs"] - te["vrs"]) <= tol,
        "crs",
        np.where(np.abs(te["nirs"] - te["vrs"]) <= tol, "drs", "irs"),
    )
    ok = np.all([v.status == "optimal" for v in out.values()], axis=0)
    cls = np.where(ok, cls, "")
    status = np.where(ok, "optimal", out["vrs"].status)
    return {
        "crs": te["crs"],
        "vrs": te["vrs"],
        "nirs": te["nirs"],
        "scale": se,
        "rts_class": cls.astype(str),
        "status": status.astype(str),
    }
