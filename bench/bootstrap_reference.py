"""Monte-Carlo calibration of tests/test_dea_bootstrap_reference.py: `python -m bench.bootstrap_reference`.

For each case (VRS input, VRS output, CRS input) on the Charnes et al. (1981) data, runs our
Simar–Wilson bootstrap (B = 1000) with seeds 1, 2, 3, 7 at the correct bandwidth and with seed 7
at 1.3·h and h/1.3, and prints, against R Benchmarking's dea.boot (NREP = 5000; fixtures), the
max over DMUs / mean of z = (ours − theirs)/sd_boot for the bias-corrected score and both
interval ends. The test's tolerances sit between the correct-h rows and the 1.3·h rows."""

from __future__ import annotations

import csv

import numpy as np

from measures.dea.bootstrap import bandwidth, dea_bootstrap
from measures.dea.radial import radial_efficiency
from tests.charnes1981 import HERE as FIX
from tests.charnes1981 import load

CASES = (("vrs", "input", "vrs_in"), ("vrs", "output", "vrs_out"), ("crs", "input", "crs_in"))


def _ref(case: str) -> dict[str, np.ndarray]:
    with open(FIX / f"benchmarking_boot_{case}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) if r[k] != "NA" else np.nan for r in rows])
            for k in rows[0] if k != "firm"}  # fmt: skip


def main() -> None:
    X, Y = load()
    print("case     h      seed  bias-corrected   ci_low           ci_high   (max |z| / mean z)")
    for rts, orientation, case in CASES:
        ref = _ref(case)
        keep = np.isfinite(ref["sd_boot"])
        h0 = bandwidth(radial_efficiency(X, Y, orientation=orientation, rts=rts).score, orientation)
        runs = [("h", s, h0) for s in (1, 2, 3, 7)] + [
            ("1.3h", 7, 1.3 * h0),
            ("h/1.3", 7, h0 / 1.3),
        ]
        for label, seed, h in runs:
            r = dea_bootstrap(X, Y, orientation=orientation, rts=rts, B=1000, seed=seed, h=h)
            cells = []
            for ours, key in ((r.score_bc, "eff_bc"), (r.ci_low, "ci_low"), (r.ci_high, "ci_high")):
                z = ((ours - ref[key]) / ref["sd_boot"])[keep]
                cells.append(f"{np.abs(z).max():.3f} / {z.mean():+.3f}")
            print(f"{case:8} {label:6} {seed:4}  " + "   ".join(cells), flush=True)


if __name__ == "__main__":
    main()
