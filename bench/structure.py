"""Benchmark of the regional-structure step (METHODS §4–7): `python -m bench.structure`.

The whole set — entropy weights and composites of 3 subsystems, inequality (CV, Gini, Theil
with decomposition, Dagum) of 2 per-capita variables and the 3 composites, coupling of 3 pairs
and the 3-subsystem system, synergy (previous-year and fixed base) — timed end to end through
`transforms.structure.structure_tables` on
  * an embedded-size panel: 31 provinces × 20 years × 30 indicators (goal < 2 s);
  * a synthetic panel: 3,000 regions × 20 years × 30 indicators (goal < 10 s);
plus PySAL's `inequality` (Theil, TheilD, Gini) against ours on the same cross-sections.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from measures import inequality as I  # noqa: E402
from measures.regions import NBS4  # noqa: E402
from transforms.structure import structure_tables  # noqa: E402

YEARS = list(range(2000, 2020))
GOALS = {31: 2.0, 3000: 10.0}


def make_panel(n_regions: int, n_ind: int = 30, seed: int = 0) -> tuple[pl.DataFrame, dict]:
    """Long staging-like panel and params with 3 subsystems of n_ind/3 indicators each."""
    rng = np.random.default_rng(seed)
    if n_regions == 31:
        codes = sorted(NBS4)
        region_map = None
    else:
        codes = [f"R{i:05d}" for i in range(n_regions)]
        region_map = {
            c: ("East", "Central", "West", "Northeast")[i % 4] for i, c in enumerate(codes)
        }
    variables = [f"x{j:02d}" for j in range(n_ind)] + ["gdp", "population", "trade_total"]
    T, N = len(YEARS), len(codes)
    base = rng.lognormal(5, 1, (len(variables), N))
    growth = 1.05 + 0.03 * rng.standard_normal((len(variables), T, N))
    vals = base[:, None, :] * np.cumprod(growth, axis=1)  # variable × year × region
    panel = pl.DataFrame(
        {
            "region_code": np.tile(codes, len(variables) * T),
            "year": np.tile(np.repeat(YEARS, N), len(variables)),
            "variable": np.repeat(variables, T * N),
            "value": vals.ravel(),
            "unit": "u",
        },
        schema_overrides={"year": pl.Int64},
    )
    k = n_ind // 3
    subs = {}
    for s, name in enumerate(("cbec", "logistics", "industry")):
        subs[name] = {
            "indicators": [
                {"variable": f"x{j:02d}", "direction": "-" if j % 7 == 3 else "+"}
                for j in range(s * k, (s + 1) * k)
            ]
        }
    ind = {"years": [YEARS[0], YEARS[-1]], "missing": "raise", "subsystems": subs}
    from transforms.structure import _read

    st = _read("structure")
    st["synergy"] = {**st["synergy"], "bases": ["previous", "fixed"]}
    pairs = [p for p in st["coupling"]["pairs"] if set(p) <= set(subs)]  # this bench's systems
    st["coupling"] = {**st["coupling"], "pairs": pairs}
    if region_map:
        st["inequality"] = {**st["inequality"], "region_map": region_map}
    return panel, {"indicators": ind, "structure": st}


def time_it(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def peer_inequality(n_regions: int) -> tuple[float, float]:
    """Theil T + between-group Theil + Gini for 20 cross-sections: PySAL vs ours."""
    from inequality.gini import Gini
    from inequality.theil import Theil, TheilD

    rng = np.random.default_rng(1)
    y = rng.lognormal(9, 0.7, (n_regions, len(YEARS)))
    g = np.arange(n_regions) % 4

    def pysal():
        for t in range(y.shape[1]):
            Theil(y[:, t])
            TheilD(y[:, t], g)
            Gini(y[:, t])

    def ours():
        for t in range(y.shape[1]):
            I.theil_decomposition(y[:, t], g)
            I.gini(y[:, t])

    return time_it(pysal), time_it(ours)


def main() -> None:
    rows = []
    for n in (31, 3000):
        panel, params = make_panel(n)
        out = structure_tables(panel, params)  # warm-up (imports, polars pools)
        secs = time_it(lambda panel=panel, params=params: structure_tables(panel, params))
        sizes = ", ".join(f"{k} {v.height}" for k, v in out.items())
        rows.append((f"whole set {n} × 20 × 30", secs, GOALS[n], sizes))
    print(f"{'case':<28}{'seconds':>9}{'goal':>7}{'ratio':>8}  rows")
    for case, secs, goal, sizes in rows:
        print(f"{case:<28}{secs:>9.3f}{goal:>7.1f}{secs / goal:>8.3f}  {sizes}")
    print()
    print(f"{'inequality, 20 years':<28}{'PySAL s':>9}{'ours s':>9}{'PySAL/ours':>12}")
    for n in (31, 3000):
        p, o = peer_inequality(n)
        print(f"{f'{n} units (T, T_B, Gini)':<28}{p:>9.4f}{o:>9.4f}{p / o:>12.2f}")


if __name__ == "__main__":
    main()
