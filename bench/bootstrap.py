"""Timing of the Simar–Wilson bootstrap (METHODS §9.11): B = 2000 replicates at n = 100
(2 inputs, 1 output, VRS, input orientation), batched simplex vs one warm-started HiGHS model
(the HiGHS path is timed on B = 100 and scaled: its cost is linear in B).

    .venv/bin/python -m bench.bootstrap
"""

from __future__ import annotations

import time

import numpy as np

from measures.dea.bootstrap import dea_bootstrap


def main() -> None:
    rng = np.random.default_rng(1)
    n = 100
    X = rng.uniform(1, 10, (n, 2))
    Y = (X[:, :1] ** 0.4 * X[:, 1:] ** 0.4) * np.exp(-rng.exponential(0.3, (n, 1)))
    t = time.perf_counter()
    r = dea_bootstrap(X, Y, B=2000, seed=1)
    tb = time.perf_counter() - t
    t = time.perf_counter()
    dea_bootstrap(X, Y, B=100, seed=1, backend="highs")
    th = (time.perf_counter() - t) * 20
    print(
        f"n={n}, B=2000: batch {tb:.1f} s ({2000 * n / tb:,.0f} LPs/s); "
        f"HiGHS (scaled from B=100) {th:.1f} s; ratio {th / tb:.1f}x; h={r.h:.4f}"
    )


if __name__ == "__main__":
    main()
