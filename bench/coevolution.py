"""Co-evolution fits (METHODS §8.2), compiled LSODA vs scipy's odeint with the Python
right-hand sides: `python -m bench.coevolution [N_SERIES]` (issue 18 item 1).

The workload is the refresh's: `fit_lv` with config/coevolution.toml's [fit] parameters, both
models, on N_SERIES (default 62, as 31 provinces × 2 pairs) pairs of 22-point annual series
simulated from predator–prey and competition orbits with 3 % log-normal noise (seeded). The
two paths run interleaved, `REPEAT` times each, in this process; prints min and median
seconds, the ratio, how many fits changed status between the paths, and the largest relative
parameter difference of the fits with status ok on both."""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

REPEAT = 5
N_SERIES = 62


def series(n: int, seed: int = 18) -> list[tuple[np.ndarray, np.ndarray]]:
    """n pairs of 22-point series from predator–prey (even) and competition (odd) orbits."""
    from measures.coevolution.models import simulate_competition, simulate_predator_prey

    rng = np.random.default_rng(seed)
    t = np.arange(22.0)
    out = []
    for i in range(n):
        if i % 2 == 0:
            p = rng.uniform([0.2, 0.1, 0.2, 0.5], [0.6, 0.4, 0.6, 2.0])
            x = simulate_predator_prey(*p, (1.0, 1.0), t)
        else:
            p = rng.uniform([0.1, 2.0, -0.3, 0.1, 2.0, -0.3], [0.5, 6.0, 0.3, 0.5, 6.0, 0.3])
            x = simulate_competition(*p, (1.0, 0.8), t)
        x = np.asarray(x) * np.exp(rng.normal(0.0, 0.03, size=np.shape(x)))
        out.append((x[:, 0], x[:, 1]))
    return out


def _fit_all(data, fp: dict) -> list:
    from measures.coevolution import fit_lv

    fits = []
    for a, b in data:
        for model in ("predator_prey", "competition"):
            try:
                fits.append(fit_lv(a, b, np.arange(22.0), model=model, **fp))
            except ValueError:
                fits.append(None)
    return fits


def _compare(f1: list, f2: list) -> tuple[float, int, int]:
    """The largest relative parameter difference over the fits with status ok on both paths,
    how many those are, and how many fits changed status between the paths."""
    worst, count, changed = 0.0, 0, 0
    for a, b in zip(f1, f2, strict=True):
        if a is None or b is None:
            changed += (a is None) != (b is None)
            continue
        changed += a.status != b.status
        if a.status != "ok" or b.status != "ok":
            continue
        count += 1
        for k, v in a.params.items():
            w = b.params[k]
            worst = max(worst, abs(v - w) / max(abs(v), abs(w), 1e-300))
    return worst, count, changed


def main(argv: list[str]) -> None:
    from cbec.params import section_dict
    from cbec.settings import load_params
    from measures.coevolution import native

    n = int(argv[0]) if argv else N_SERIES
    fp = dict(section_dict("coevolution", load_params()["coevolution"])["fit"])
    fp["n_starts"] = int(fp["n_starts"])
    data = series(n)
    if not native.available():
        print("the compiled solver is not built (make install): nothing to compare")
        return
    times: dict[str, list[float]] = {"compiled": [], "odeint": []}
    fits: dict[str, list] = {}
    _fit_all(data[:2], fp)  # warm-up: imports
    for _ in range(REPEAT):
        for path in ("compiled", "odeint"):
            t = time.perf_counter()
            if path == "compiled":
                fits[path] = _fit_all(data, fp)
            else:
                with native.disabled():
                    fits[path] = _fit_all(data, fp)
            times[path].append(time.perf_counter() - t)
    print(f"co-evolution fits: {len(fits['compiled'])} fits ({n} series × 2 models), "
          f"{REPEAT} interleaved runs each, one process")  # fmt: skip
    print("| path | min s | median s |")
    print("|---|---|---|")
    for path, ts in times.items():
        print(f"| {path} | {min(ts):.2f} | {statistics.median(ts):.2f} |")
    ratio = statistics.median(times["odeint"]) / statistics.median(times["compiled"])
    print(f"odeint ÷ compiled (median): {ratio:.2f}×")
    worst, count, changed = _compare(fits["compiled"], fits["odeint"])
    statuses = sorted({f.status for f in fits["compiled"] if f is not None})
    print(f"statuses: {statuses}; {changed} fits changed status between the paths; largest "
          f"relative parameter difference over the {count} fits ok on both: {worst:.1e}")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
