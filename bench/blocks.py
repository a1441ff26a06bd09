"""DEA blocks on Dask: `python -m bench.blocks [N ...] [--block-size B ...]` (issue 18 item 3;
METHODS §9.1, blocks of DMUs).

One year's core DEA — the `efficiency` rows of the refresh: CCR input with max-slack phase 2,
peers, and scale efficiency (θ_CRS, θ_VRS, θ_NIRS) — on the simulated Cobb–Douglas firm panel
of bench.scale (3 inputs, 1 output, seed 20240901 + n), timed

(a) unsplit in one fresh process (`tasks.lp.dea_block` with block_size ≥ n, i.e. the
    `dea_model` + `scale_efficiency` path of a year below the block size): wall, CPU, peak RSS;
(b) split into blocks of B DMUs on a Dask LocalCluster of 2 single-threaded worker processes
    (`distributed.Client.submit` of `tasks.lp.dea_block.fn`, one task per block — the fan-out
    of the `lp-work` subflow without Prefect's bookkeeping): wall, the blocks' summed CPU
    seconds, the workers' peak RSS; the scores are checked against (a) (rounding only).

Parallel efficiency = unsplit wall / (2 × split wall). From the per-DMU CPU cost of the blocks
at the largest n, the single-threaded workers needed for the core DEA of a 12-year panel of
100,000 firms within an hour: ⌈cost × 100,000 × 12 / 3600 / efficiency⌉. Sizes default to
30,000 and 100,000; block sizes to the configured `dea.block_size` and 2,500.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

YEAR = 2008
FIRMS, YEARS, HOUR = 100_000, 12, 3600.0


def _params(block_size: int) -> dict:
    from bench.scale import INPUTS
    from cbec.settings import load_params

    return {**load_params()["dea"], "inputs": INPUTS, "outputs": ["real_gdp"],
            "block_size": int(block_size)}  # fmt: skip


def _panel(n: int):
    from bench.scale import simulate

    return simulate(n, 1)


def _block(panel, params: dict, block: int):
    """One `dea-YEAR-block-B` unit as a Dask worker runs it: (rows, CPU s, wall s)."""
    from tasks.lp import dea_block

    t, c = time.perf_counter(), time.process_time()
    rows = dea_block.fn(panel, params, YEAR, block)
    return rows, time.process_time() - c, time.perf_counter() - t


def unsplit(n: int) -> dict:
    """(a) in this process; call it in a fresh one so that the peak RSS is its own."""
    panel = _panel(n)
    _block(_panel(50), _params(50), 0)  # warm-up: imports, first HiGHS models
    rows, cpu, wall = _block(panel, _params(n), 0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "wall": wall, "cpu": cpu, "rss_mb": rss, "score": rows["score"].to_list()}


def _worker_rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def split(client, n: int, block_size: int) -> dict:
    """(b) on the cluster of `client`: one task per block, gathered in block order."""
    from transforms.efficiency import concat_blocks, year_blocks

    panel, params = _panel(n), _params(block_size)
    k = year_blocks(panel, params, YEAR)
    remote = client.scatter(panel, broadcast=True)
    t = time.perf_counter()
    futs = [client.submit(_block, remote, params, b, pure=False) for b in range(k)]
    out = client.gather(futs)
    wall = time.perf_counter() - t
    rows = concat_blocks([o[0] for o in out])
    return {"n": n, "block_size": block_size, "blocks": k, "wall": wall,
            "cpu": sum(o[1] for o in out), "block_wall": [o[2] for o in out],
            "score": rows["score"].to_list(),
            "worker_rss_mb": max(client.run(_worker_rss).values())}  # fmt: skip


def _fresh_unsplit(n: int) -> dict:
    cmd = [sys.executable, "-m", "bench.blocks", "--unsplit", str(n)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def workers(u: dict, s: dict) -> tuple[float, int]:
    """(core CPU-s of 12 years × 100,000 firms at the blocks' per-DMU CPU cost, single-threaded
    workers for it within an hour at the measured parallel efficiency, capped at 100 %)."""
    eff = min(1.0, u["wall"] / (2 * s["wall"]))
    core = s["cpu"] / u["n"] * FIRMS * YEARS
    return core, math.ceil(core / HOUR / eff)


def _row(u: dict, s: dict) -> str:
    import numpy as np

    dev = float(np.nanmax(np.abs(np.array(u["score"]) - np.array(s["score"]))))
    eff = u["wall"] / (2 * s["wall"])
    return (f"| {u['n']:,} | {u['wall']:,.1f} s | {u['cpu']:,.1f} s | {u['rss_mb']:,.0f} MB | "
            f"{s['block_size']:,} | {s['blocks']} | {s['wall']:,.1f} s | {s['cpu']:,.1f} s "
            f"({s['cpu'] / u['cpu']:.2f}×) | {max(s['block_wall']):,.1f} s | "
            f"{s['worker_rss_mb']:,.0f} MB | {u['wall'] / s['wall']:.2f}× | {eff:.0%} | "
            f"{s['cpu'] / u['n'] * 1e3:.2f} ms | {workers(u, s)[1]} | {dev:.1e} |")  # fmt: skip


def main(sizes: list[int], block_sizes: list[int]) -> None:
    from distributed import Client, LocalCluster

    results = []
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        client.submit(_block, _panel(50), _params(20), 0, pure=False).result()  # warm-up
        for n in sizes:
            u = _fresh_unsplit(n)
            print(f"  n={n:,} unsplit {u['wall']:.1f} s wall, {u['cpu']:.1f} s CPU", flush=True)
            for b in block_sizes:
                s = split(client, n, b)
                print(f"  n={n:,} {s['blocks']} blocks of ≤{b:,}: {s['wall']:.1f} s", flush=True)
                results.append((u, s))
    print("\n| DMUs | unsplit wall | unsplit CPU | unsplit peak RSS | block size | block tasks | "
          "2 Dask workers wall | blocks' CPU (÷ unsplit) | longest block | worker peak RSS | "
          "speed-up | parallel efficiency | CPU per DMU (blocks) | workers, 12 y × 100k firms "
          "in 1 h | max abs Δθ vs unsplit |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for u, s in results:
        print(_row(u, s))
    u, s = results[-1] if len(results) == 1 else max(results, key=lambda r: r[0]["n"])
    core, need = workers(u, s)
    print(f"\nFrom n = {u['n']:,}, blocks of {s['block_size']:,}: core DEA of {YEARS} years × "
          f"{FIRMS:,} firms = {core:,.0f} CPU-s = {core / HOUR:.2f} CPU-hours → {need} "
          f"single-threaded workers for one hour ({math.ceil(core / HOUR)} at 100 % "
          f"efficiency); {math.ceil(FIRMS / s['block_size']) * YEARS} block tasks.")  # fmt: skip
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{os.cpu_count()} CPU(s), load average {load}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[30_000, 100_000])
    ap.add_argument("--block-size", type=int, action="append", dest="block_sizes")
    ap.add_argument("--unsplit", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.unsplit:
        print(json.dumps(unsplit(a.unsplit)))
    else:
        from cbec.settings import load_params

        main(a.sizes, a.block_sizes or [int(load_params()["dea"]["block_size"]), 2_500])
