"""Coupling degree C, coordination index T, coupling coordination degree D, grades and the
relative development degree (METHODS §6). Vectorised over observations: U is an
(observations × n subsystems) array of scores in [0, 1]."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

C_MODELS = ("traditional", "wang2021", "liao_k")

#: 10-level D scale (METHODS §6.3, Tian Shenzhen et al. 2021): upper bounds of levels 1..9.
TEN_LEVEL_CUTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
TEN_LEVEL_LABELS = (
    "极度失调",
    "严重失调",
    "中度失调",
    "轻度失调",
    "濒临失调",
    "勉强协调",
    "初级协调",
    "中级协调",
    "良好协调",
    "优质协调",
)
TEN_LEVEL_LABELS_EN = (
    "extreme imbalance",
    "serious imbalance",
    "moderate imbalance",
    "mild imbalance",
    "on the verge of imbalance",
    "barely coordinated",
    "primary coordination",
    "intermediate coordination",
    "good coordination",
    "high-quality coordination",
)
STAGE_CUTS = (0.3, 0.5, 0.8)
STAGE_LABELS = ("低水平耦合", "拮抗", "磨合", "高水平耦合")
STAGE_LABELS_EN = ("low-level coupling", "antagonism", "running-in", "high-level coupling")


def _u(U, tol: float = 0.0) -> np.ndarray:
    """Validate U (raise outside [0, 1]); values in (1, 1 + tol] are clipped to 1 (used for
    composites built with shift="add", whose maximum can be 1 + ε)."""
    U = np.asarray(U, dtype=float)
    if U.ndim == 1:
        U = U[None, :]
    if U.ndim != 2:
        raise ValueError("U must be (observations × subsystems)")
    if U.shape[1] < 2:
        raise ValueError("coupling needs n ≥ 2 subsystems (n = 1 is undefined)")
    if not np.isfinite(U).all():
        raise ValueError("U has missing or infinite values")
    if (U < 0).any() or (U > 1.0 + tol).any():
        bad = U[(U < 0) | (U > 1.0 + tol)][0]
        raise ValueError(f"subsystem scores must lie in [0, 1]; got {float(bad):g}")
    return np.minimum(U, 1.0)


def coupling_traditional(U: ArrayLike, tol: float = 0.0) -> np.ndarray:
    """C = n·[Π U_i / (Σ U_i)^n]^{1/n} = geometric mean / arithmetic mean; all U = 0 → 0."""
    U = _u(U, tol)
    am = U.mean(axis=1)
    with np.errstate(divide="ignore"):
        gm = np.exp(np.log(U).mean(axis=1))
    return np.where(am > 0, gm / np.where(am > 0, am, 1.0), 0.0)


def coupling_liao(U: ArrayLike, k: float = 2.0, tol: float = 0.0) -> np.ndarray:
    """Liao (1999) power form for n = 2: {U1·U2 / [(U1 + U2)/2]²}^k (k = 1/2 = traditional)."""
    U = _u(U, tol)
    if U.shape[1] != 2:
        raise ValueError("the Liao power-k form is defined for n = 2 subsystems")
    s = U.sum(axis=1)
    base = np.where(s > 0, U[:, 0] * U[:, 1] / np.where(s > 0, s / 2.0, 1.0) ** 2, 0.0)
    return base ** float(k)


def coupling_wang(U: ArrayLike, tol: float = 0.0) -> np.ndarray:
    """Wang et al. (2021), 自然资源学报 36(3): C = sqrt{[1 − Σ_{i>j}|U_i − U_j| / Σ_{m<n} m]
    × (Π U_i / max U)^{1/(n−1)}}; max U = 0 → C = 0."""
    U = _u(U, tol)
    n = U.shape[1]
    ii, jj = np.triu_indices(n, 1)
    spread = np.abs(U[:, ii] - U[:, jj]).sum(axis=1) / (n * (n - 1) / 2.0)
    mx = U.max(axis=1)
    safe = np.where(mx > 0, mx, 1.0)
    with np.errstate(divide="ignore"):
        ratio = np.exp(np.log(U / safe[:, None]).sum(axis=1) / (n - 1))
    c = np.sqrt(np.clip(1.0 - spread, 0.0, None) * ratio)
    return np.where(mx > 0, c, 0.0)


def coordination(U: ArrayLike, alpha: ArrayLike | None = None, tol: float = 0.0) -> np.ndarray:
    """T = Σ α_i U_i (DEFAULT α_i = 1/n)."""
    U = _u(U, tol)
    n = U.shape[1]
    a = np.full(n, 1.0 / n) if alpha is None else np.asarray(alpha, dtype=float)
    if a.shape != (n,) or (a < 0).any() or abs(a.sum() - 1.0) > 1e-9:
        raise ValueError(f"coordination weights must be {n} values ≥ 0 summing to 1, got {a}")
    return U @ a


def grade(D: ArrayLike, cuts: Any = TEN_LEVEL_CUTS) -> np.ndarray:
    """Level 1..len(cuts)+1 with intervals (lower, upper]; D = 0 → level 1. D is rounded to
    12 decimals first so that 0.30000000000000004 is level 3."""
    d = np.round(np.asarray(D, dtype=float), 12)
    c = np.asarray(cuts, dtype=float)
    if np.any(np.diff(c) <= 0):
        raise ValueError("grade cut points must increase")
    return np.searchsorted(c, d, side="left") + 1


def stage(C: ArrayLike, cuts: Any = STAGE_CUTS) -> np.ndarray:
    """Coupling stage index 0..3 for (0, 0.3], (0.3, 0.5], (0.5, 0.8], (0.8, 1] (C = 0 → 0)."""
    return grade(C, cuts) - 1


def relative_development(
    u1: ArrayLike, u2: Any, rule: str = "ratio", thresholds: Any = (0.8, 1.2), diff: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """E = U2/U1 and the lag type code: 1 = "U2 lagging", 0 = synchronous, −1 = "U1 lagging"
    (rule="ratio": E ≤ lo → U2 lagging, lo < E ≤ hi synchronous, E > hi → U1 lagging; U1 = 0
    → E = inf; rule="diff": |U1 − U2| ≤ diff synchronous, else the smaller one lags)."""
    u1 = np.asarray(u1, dtype=float)
    u2 = np.asarray(u2, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(u1 > 0, u2 / np.where(u1 > 0, u1, 1.0), np.where(u2 > 0, np.inf, np.inf))
    if rule == "ratio":
        lo, hi = float(thresholds[0]), float(thresholds[1])
        code = np.where(e <= lo, 1, np.where(e <= hi, 0, -1))
    elif rule == "diff":
        gap = u1 - u2
        code = np.where(np.abs(gap) <= diff, 0, np.where(gap > 0, 1, -1))
    else:
        raise ValueError(f"lag_rule must be 'ratio' or 'diff', got {rule!r}")
    return e, code


def coupling_frame(
    df: pl.DataFrame,
    subsystems: list[str],
    *,
    keep: list[str] | None = None,
    weights: ArrayLike | None = None,
    model: str = "traditional",
    k: float = 2.0,
    cuts: Any = TEN_LEVEL_CUTS,
    labels: Any = TEN_LEVEL_LABELS,
    lag_rule: str = "ratio",
    lag_thresholds: Any = (0.8, 1.2),
    lag_diff: float = 0.1,
    tol: float = 0.0,
) -> pl.DataFrame:
    """All §6 quantities for every row of `df` (subsystem score columns in `subsystems`).

    Columns: keep…, c (of `model`), c_traditional, c_wang, t, d (= sqrt(c·t)), grade,
    grade_label, stage, and for n = 2: e (= U2/U1), lag_type ("<U1 name> lagging" |
    "synchronous" | "<U2 name> lagging"), label ("<grade_label>—<name>滞后型" or
    "<grade_label>—同步型", e.g. 初级协调—U_2滞后型); for n > 2 e and lag_type are null and
    label is the grade label. U1 is the first subsystem listed."""
    if model not in C_MODELS:
        raise ValueError(f"model must be one of {C_MODELS}, got {model!r}")
    if len(labels) != len(cuts) + 1:
        raise ValueError("a grade scale needs one label more than cut points")
    missing = [c for c in subsystems if c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the frame")
    U = df.select(pl.col(subsystems).cast(pl.Float64)).to_numpy()
    U = _u(U, tol)
    c_trad = coupling_traditional(U)
    c_wang = coupling_wang(U)
    c = {"traditional": c_trad, "wang2021": c_wang}.get(model)
    if c is None:
        c = coupling_liao(U, k)
    t = coordination(U, weights)
    d = np.sqrt(c * t)
    lv = grade(d, cuts)
    st = stage(c)
    out = {
        **({c_: df[c_] for c_ in keep} if keep else {}),
        "c_model": [model] * df.height,
        "c": c,
        "c_traditional": c_trad,
        "c_wang": c_wang,
        "t": t,
        "d": d,
        "grade": lv.astype(np.int64),
        "grade_label": [labels[i - 1] for i in lv],
        "stage": [STAGE_LABELS[i] for i in st],
    }
    if U.shape[1] == 2:
        e, code = relative_development(U[:, 0], U[:, 1], lag_rule, lag_thresholds, lag_diff)
        names = {1: f"{subsystems[1]} lagging", 0: "synchronous", -1: f"{subsystems[0]} lagging"}
        zh = {1: f"{subsystems[1]}滞后型", 0: "同步型", -1: f"{subsystems[0]}滞后型"}
        out["e"] = e
        out["lag_type"] = [names[int(x)] for x in code]
        out["label"] = [f"{g}—{zh[int(x)]}" for g, x in zip(out["grade_label"], code, strict=True)]
    else:
        out["e"] = pl.Series([None] * df.height, dtype=pl.Float64)
        out["lag_type"] = pl.Series([None] * df.height, dtype=pl.Utf8)
        out["label"] = out["grade_label"]
    return pl.DataFrame(out)
