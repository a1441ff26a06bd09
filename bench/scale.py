"""Scale-out benchmark: `python -m bench.scale` (issue 9, point 5).

How the LP work of a refresh (DEA per year, Malmquist per adjacent period pair) grows from the
31-province panel to 3,000 counties to 100,000 firms, on simulated panels (Cobb–Douglas
technology with half-normal inefficiency and technical progress; seed 20240901), run
(a) in one local process, the units one after another, and (b) on a Dask LocalCluster of 2
single-threaded worker processes (distributed.Client.map over the same units — the fan-out
that `cbec run --runner dask` does through prefect-dask, without Prefect's bookkeeping).

  provinces  n = 31, 12 years: the FULL LP work of a refresh (tasks/lp.py: CCR/BCC/NIRS with
             slacks, aggressive + benevolent cross-efficiency, game cross-efficiency per year;
             Malmquist + CC-Malmquist per pair) — measured.
  counties   n = 3,000, 4 years: the CORE LP work (CCR with slacks + scale efficiency per year;
             Malmquist FGNZ per pair). Game cross-efficiency and CC-Malmquist are O(n²) LPs per
             game iteration (9 million at n = 3,000) and are switched off at this size —
             measured.
  firms      n = 100,000: the core work is EXTRAPOLATED from whole units measured at 10,000
             and 30,000 DMUs (one year's CCR + scale efficiency, one pair's Malmquist), each
             along the power law n^b fitted on those two sizes. (A sample of DMUs scored
             against the full technology no longer works: the batched LPs have per-call costs
             — the non-dominated filter, the tableaus — that a small sample does not share.)

The last column sizes a Dask cluster: single-threaded workers needed to finish the LP work of a
12-year panel within an hour, at the measured 2-worker parallel efficiency.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
import polars as pl

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

SEED = 20240901
TARGET_S = 3600.0  # cluster size: finish the LP work within an hour
YEARS_FULL = 12  # years of the province DEA panel (2008–2019)


# ------------------------------------------------------------------ simulated panels
def simulate(n: int, years: int, seed: int = SEED) -> pl.DataFrame:
    """Wide DEA panel like results.dea_panel: region_code, year, capital_stock, labour,
    express_volume, real_gdp (strictly positive)."""
    rng = np.random.default_rng(seed + n)
    k0, l0, e0 = rng.lognormal(6, 1, n), rng.lognormal(5, 0.8, n), rng.lognormal(3, 1.2, n)
    frames = []
    for t in range(years):
        k = k0 * 1.08**t * rng.lognormal(0, 0.05, n)
        lab = l0 * 1.01**t * rng.lognormal(0, 0.05, n)
        e = e0 * 1.25**t * rng.lognormal(0, 0.10, n)
        u = np.abs(rng.normal(0, 0.25, n))  # half-normal inefficiency
        y = 1.02**t * k**0.4 * lab**0.45 * e**0.08 * np.exp(-u)
        frames.append(
            pl.DataFrame(
                {
                    "region_code": [f"{i:06d}" for i in range(n)],
                    "year": np.full(n, 2008 + t, dtype=np.int64),
                    "capital_stock": k,
                    "labour": lab,
                    "express_volume": e,
                    "real_gdp": y,
                }
            )
        )
    return pl.concat(frames)


INPUTS = ["capital_stock", "labour", "express_volume"]


def _xy(panel: pl.DataFrame, year: int):
    d = panel.filter(pl.col("year") == year).sort("region_code")
    return d.select(INPUTS).to_numpy(), d.select("real_gdp").to_numpy()


# ------------------------------------------------------------------ units of work
def full_dea_unit(panel: pl.DataFrame, params: dict, year: int):
    from tasks import lp

    return lp.dea_year.fn(lp.year_slice(panel, [year]), params["dea"], year)


def full_pair_unit(panel: pl.DataFrame, params: dict, a: int, b: int):
    from tasks import lp

    mp = {"dea": params["dea"], "malmquist": params["malmquist"]}
    return lp.malmquist_pair.fn(lp.year_slice(panel, [a, b]), mp, a, b)


def core_dea_unit(panel: pl.DataFrame, year: int):
    from measures.dea import dea_model, scale_efficiency

    X, Y = _xy(panel, year)
    r = dea_model(X, Y, model="ccr", orientation="input")
    se = scale_efficiency(X, Y, orientation="input")
    return float(np.nanmean(r.score)), float(np.nanmean(se["scale"]))


def core_pair_unit(panel: pl.DataFrame, a: int, b: int):
    from measures.malmquist import malmquist

    (X0, Y0), (X1, Y1) = _xy(panel, a), _xy(panel, b)
    m = malmquist(np.stack([X0, X1]), np.stack([Y0, Y1]), n_jobs=1)
    return float(np.nanmean(m.mi))


def units(panel: pl.DataFrame, kind: str, params: dict | None = None) -> list[tuple]:
    ys = sorted(panel["year"].unique().to_list())
    if kind == "full":
        out = [(full_dea_unit, panel, params, y) for y in ys]
        return out + [(full_pair_unit, panel, params, a, b) for a, b in zip(ys, ys[1:], strict=False)]  # fmt: skip
    out = [(core_dea_unit, panel, y) for y in ys]
    return out + [(core_pair_unit, panel, a, b) for a, b in zip(ys, ys[1:], strict=False)]


def _call(unit: tuple):
    return unit[0](*unit[1:])


def run_local(work: list[tuple]) -> float:
    t = time.perf_counter()
    for u in work:
        _call(u)
    return time.perf_counter() - t


def run_dask(client, work: list[tuple]) -> float:
    t = time.perf_counter()
    # scatter the panel once per distinct frame, then map the units
    panels = {id(u[1]): u[1] for u in work}
    # hash=False: a panel equal to the previous one (provinces full, then core) would get the
    # key the scheduler is still releasing from the last call ("lost dependencies")
    remote = {k: client.scatter(v, broadcast=True, hash=False) for k, v in panels.items()}
    futs = [client.submit(u[0], remote[id(u[1])], *u[2:], pure=False) for u in work]
    client.gather(futs)
    return time.perf_counter() - t


FIRM_SIZES = (10_000, 30_000)  # measured; 100,000 is extrapolated along their power law


def unit_seconds(n: int) -> tuple[float, float]:
    """(one year's core DEA unit, one adjacent pair's Malmquist unit) at n DMUs, in one local
    process: the whole units, so every per-call cost (filters, tableaus) is in the figure."""
    panel = simulate(n, 2)
    t = time.perf_counter()
    core_dea_unit(panel, 2008)
    year = time.perf_counter() - t
    t = time.perf_counter()
    core_pair_unit(panel, 2008, 2009)
    return year, time.perf_counter() - t


def firm_row(eff2: float) -> dict:
    """100,000 firms × 4 years from whole units measured at FIRM_SIZES: each unit's time grows
    as n^b with b fitted on the two sizes (pricing scans the non-dominated DMUs, a large
    share of a Cobb–Douglas panel, so b is near 2)."""
    (n0, n1) = FIRM_SIZES
    (y0, p0), (y1, p1) = unit_seconds(n0), unit_seconds(n1)
    by, bp = math.log(y1 / y0) / math.log(n1 / n0), math.log(p1 / p0) / math.log(n1 / n0)
    scale = 100_000 / n1
    year, pair = y1 * scale**by, p1 * scale**bp
    print(f"  firms: year unit {n0:,} {y0:.1f} s, {n1:,} {y1:.1f} s (n^{by:.2f}); pair unit "
          f"{p0:.1f} s, {p1:.1f} s (n^{bp:.2f}); 100,000: year ≈ {year:,.0f} s, pair ≈ "
          f"{pair:,.0f} s", flush=True)  # fmt: skip
    local = 4 * year + 3 * pair
    return dict(label="100,000 firms", n=100_000, years=4, kind="core", units=7, local=local,
                dask=local / (2 * eff2), how=f"extrapolated from {n0:,} and {n1:,}")  # fmt: skip


# ------------------------------------------------------------------ main
def main() -> None:
    from distributed import Client, LocalCluster

    from cbec.settings import load_params
    from flows.runners import untrimmed_dask_workers

    untrimmed_dask_workers()  # as `cbec run --runner dask` does
    params = load_params()
    rows = []
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        client.run(lambda: __import__("tasks.lp"))  # warm imports on the workers
        for label, n, years, kind in (
            ("31 provinces", 31, YEARS_FULL, "full"),
            ("31 provinces", 31, YEARS_FULL, "core"),
            ("3,000 counties", 3000, 4, "core"),
        ):
            panel = simulate(n, years)
            work = units(panel, kind, params)
            run_dask(client, work[:2])  # warm-up (imports, first LPs) on the workers
            local = run_local(work)
            dask = run_dask(client, work)
            rows.append(dict(label=label, n=n, years=years, kind=kind, units=len(work),
                             local=local, dask=dask, how="measured"))  # fmt: skip
            print(f"  {label:<15} {kind:<4} local {local:8.2f} s   dask-2 {dask:8.2f} s", flush=True)  # fmt: skip

    # firms: whole units at 10,000 and 30,000 DMUs, extrapolated to 100,000
    c = next(r for r in rows if r["n"] == 3000)
    eff2 = min(1.0, c["local"] / c["dask"] / 2)  # parallel efficiency of 2 workers, counties
    rows.append(firm_row(eff2))

    print()
    print("| panel | DMUs | years | LP work | units | local (1 process) | Dask LocalCluster, 2 workers | speed-up | core-s per DMU-year | workers for 12 years in 1 h | |")  # fmt: skip
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        per = r["local"] / (r["n"] * r["years"])
        eff = min(1.0, r["local"] / r["dask"] / 2)
        total12 = per * r["n"] * YEARS_FULL  # core-seconds of a 12-year panel
        workers = max(1, math.ceil(total12 / TARGET_S / max(eff, 0.5)))
        print(
            f"| {r['label']} | {r['n']:,} | {r['years']} | {r['kind']} | {r['units']} | "
            f"{r['local']:,.1f} s | {r['dask']:,.1f} s | {r['local'] / r['dask']:.2f}× | "
            f"{per * 1e3:.3f} ms | {workers} | {r['how']} |"
        )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n{os.cpu_count()} CPU(s), load average {load}; the 2-worker speed-up is bounded "
          "by the cores left free on this machine.")  # fmt: skip


if __name__ == "__main__":
    main()
