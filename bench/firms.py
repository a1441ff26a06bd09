"""Firm-scale DEA benchmark: `python -m bench.firms [N ...]` (issue 18 item 3; METHODS §9.1).

`dea_model(X, Y, model="ccr", orientation="input")` — CCR input-oriented with max-slack
phase 2, scores, slacks, targets and peers (sparse λ above 25 million cells) — on random
positive data as in bench/dea.py (3 inputs, 2 outputs, uniform 10–100, seed 20240601 + n),
each size in a fresh process so that its peak RSS is its own. Default sizes 1 000, 3 000,
30 000, 100 000. Prints wall and CPU seconds, peak RSS, DMUs solved by the batched simplex
(`measures.dea.batch_two_phase`), HiGHS LPs for the rest, DMUs whose phase 2 was
skipped, the pricing pool (non-dominated DMUs) and the microseconds per DMU, and from the
largest size the single-threaded workers needed for a 12-year panel within an hour."""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import time

SIZES = (1_000, 3_000, 30_000, 100_000)
YEARS = 12
HOUR = 3600.0


def one(n: int) -> dict:
    """Run one size in this process; returns the measurements."""
    import numpy as np

    from bench.dea import data
    from measures.dea import dea_model

    X0, Y0 = data(50)
    dea_model(X0, Y0)  # warm-up: imports, first HiGHS model
    X, Y = data(n)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t, c = time.perf_counter(), time.process_time()
    r = dea_model(X, Y, model="ccr", orientation="input")
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    lam = r.lambdas
    return {
        "n": n,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": rss / 1024,
        "rss_before_mb": rss0 / 1024,
        "lambdas": type(lam).__name__,
        "peers_mean": float(np.mean([len(p) for p in r.peers])),
        "efficient": int(np.sum(r.score > 1 - 1e-9)),
        **_counters(X, Y),
    }


def _counters(X, Y) -> dict:
    """Batched DMUs, HiGHS LPs, skipped phase-2 solves and pricing-pool size: the radial LPs
    of `dea_model`, run
    again (after the timing) because DEAModelResult does not carry solver counters."""
    from measures.dea import radial_efficiency

    r = radial_efficiency(X, Y, two_phase=True)
    return {
        "lps": r.lp_count,
        "batched": r.extra["batch_solved"],
        "phase2_skipped": r.extra["phase2_skipped"],
        "pricing_pool": r.extra["pricing_pool"],
        "columns_used": r.columns_used,
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(one(int(argv[1]))))
        return
    sizes = [int(a) for a in argv] or list(SIZES)
    rows = []
    for n in sizes:
        p = subprocess.run(
            [sys.executable, "-m", "bench.firms", "--one", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(p.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"  n = {n:>7,}: {row['wall_s']:.2f} s wall, {row['cpu_s']:.2f} s CPU, "
              f"{row['peak_rss_mb']:.0f} MB peak RSS", flush=True)  # fmt: skip
    print()
    print("| DMUs | wall [s] | CPU [s] | µs per DMU (wall) | peak RSS [MB] | batched DMUs | "
          "HiGHS LPs | phase 2 skipped | pricing pool | λ | peers per DMU |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in rows:
        print(f"| {r['n']:,} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | "
              f"{r['wall_s'] / r['n'] * 1e6:.0f} | {r['peak_rss_mb']:.0f} | "
              f"{r['batched'] / r['n']:.0%} | {r['lps']:,} | "
              f"{r['phase2_skipped'] / r['n']:.0%} | {r['pricing_pool']:,} | {r['lambdas']} | "
              f"{r['peers_mean']:.2f} |")  # fmt: skip
    big = rows[-1]
    total = big["wall_s"] * YEARS  # one CCR+slacks solve per year, one process
    workers = max(1, math.ceil(total / HOUR))
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n12 years × n = {big['n']:,}: {total:,.0f} s of CCR+slacks in one process "
          f"→ {workers} single-threaded worker(s) for 1 hour (CCR+slacks only; see "
          f"docs/OPERATIONS.md for the full core work). {os.cpu_count()} CPU(s), load "
          f"average {load}.")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
