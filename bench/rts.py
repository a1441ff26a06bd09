"""Radial DEA per returns-to-scale assumption, batched vs per-LP HiGHS:
`python -m bench.rts [N ...]` (issue 18; METHODS §9.1 "Solving").

`radial_efficiency(X, Y, rts=…)` input-oriented, scores only (as scale efficiency needs
them) and with max-slack phase 2, for CRS, VRS, NIRS and NDRS, once with the batched
simplex first (`batch=True`, DEFAULT) and once per LP by HiGHS (`batch=False`), on the
random data of bench/dea.py (3 inputs, 2 outputs, uniform 10–100). Default n = 1 000 and
10 000; min of `REPEAT` runs each, interleaved. Prints seconds and the ratio."""

from __future__ import annotations

import sys
import time

REPEAT = 2
SIZES = (1_000, 10_000)


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def table(sizes: tuple[int, ...] = SIZES) -> list[str]:
    """Lines of the table: n, rts, phase, batched s, HiGHS s, ratio, DMUs batched."""
    from bench.dea import data
    from measures.dea import radial_efficiency

    radial_efficiency(*data(50))  # warm-up: imports, first HiGHS model
    lines = ["| n | rts | phase 2 | batched | per-LP HiGHS | HiGHS ÷ batched | batched DMUs |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for n in sizes:
        X, Y = data(n)
        for rts in ("crs", "vrs", "nirs", "ndrs"):
            for two_phase in (False, True):
                kw = dict(rts=rts, two_phase=two_phase)
                got: dict[bool, float] = {True: float("inf"), False: float("inf")}
                done = 0
                for _ in range(REPEAT):
                    for batch in (True, False):
                        t = time.perf_counter()
                        r = radial_efficiency(X, Y, **kw, batch=batch)
                        got[batch] = min(got[batch], time.perf_counter() - t)
                        done = r.extra["batch_solved"] if batch else done
                lines.append(f"| {n} | {rts} | {'yes' if two_phase else 'no'} | "
                             f"{got[True]:.2f} s | {got[False]:.2f} s | "
                             f"{got[False] / got[True]:.1f}× | {done} |")  # fmt: skip
    return lines


def main(argv: list[str]) -> None:
    sizes = tuple(int(a) for a in argv) or SIZES
    print("\n".join(table(sizes)))


if __name__ == "__main__":
    main(sys.argv[1:])
