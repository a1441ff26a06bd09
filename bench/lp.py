"""Side-by-side LP benchmark: `python -m bench.lp [--runs K]` (issue 18 item 5; METHODS §9).

Prints issue 18's table itself. Workloads (random positive data of bench/dea.py and the
drifting panel of bench/malmquist.py, 3 inputs, 2 outputs):
  CCR-in + slacks n = 1 000 and 3 000, super-efficiency (Andersen–Petersen, CCR input,
  with slacks) n = 1 000, Malmquist FGNZ 200 DMUs × 10 periods.
Columns:
  cbec in-process  `dea_model` / `malmquist` in this process (warm imports);
  game cross-efficiency n = 70 (tol 1e-9, Liang et al. 2008: ~14 evaluations of 4 900 LPs).
  cbec CLI         `cbec dea FILE.csv …` / `cbec malmquist FILE.csv …` / `cbec crosseff
                   --method game` as a subprocess on a CSV written beforehand (whole process:
                   start-up, reading, writing);
  limit            raw highspy on the same LPs: one persistent model per workload holding
                   only the frontier columns our run found (its peers), θ coefficients and
                   right-hand sides changed per DMU, phase 1 + phase 2 for every DMU, no
                   pricing and no Python bookkeeping — the cost of the HiGHS calls alone
                   (not built for Malmquist: "–"); for the game: our per-LP HiGHS path
                   (one persistent model per evaluated DMU, the batched pass switched off);
  Benchmarking / deaR   R via `Rscript`, when Rscript and the package are installed;
                   "absent" otherwise.
Every method is run K times (default 5) interleaved (one round = every method once);
the cells are min / median seconds. Below the table: the machine factor (this machine's
CCR n = 1 000 limit ÷ the 0.25 s of issue 18's machine) and cbec in-process against the
issue's Benchmarking times scaled by it, for when R is absent here."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def _csv(path: str, X: np.ndarray, Y: np.ndarray, period: np.ndarray | None = None) -> None:
    names = [f"d{i}" for i in range(X.shape[0])] if period is None else None
    with open(path, "w") as f:
        f.write("dmu," + ("period," if period is not None else "") + "x1,x2,x3,y1,y2\n")
        for i in range(X.shape[0]):
            dmu = names[i] if names else f"d{i % (X.shape[0] // len(set(period.tolist())))}"
            per = f"{period[i]}," if period is not None else ""
            f.write(f"{dmu},{per}" + ",".join(f"{v:.10g}" for v in (*X[i], *Y[i])) + "\n")


def limit_radial(X, Y, frame: np.ndarray, exclude_self: bool) -> None:
    """Raw highspy: CCR input phase 1 + phase 2 for every DMU over the frontier columns."""
    from measures.dea._highs import INF, add_dense_cols, new_highs, pass_lp, status_name

    sx, sy = X.mean(0), Y.mean(0)
    Xs, Ys = X / sx, Y / sy
    n, m = Xs.shape
    s = Ys.shape[1]
    nfix = 1 + m + s
    A = np.zeros((m + s, nfix))
    A[:m, 1 : 1 + m] = np.eye(m)
    A[m:, 1 + m :] = -np.eye(s)
    c1 = np.zeros(nfix)
    c1[0] = 1.0
    c2 = np.r_[0.0, -sx, -sy]
    lo = np.zeros(nfix)
    lo[0] = -INF
    h = new_highs()
    pass_lp(h, c1, lo, np.full(nfix, INF), np.zeros(m + s), np.zeros(m + s), A)
    add_dense_cols(h, np.hstack([Xs, Ys])[frame])
    pos = {int(j): nfix + k for k, j in enumerate(frame)}
    fix = np.arange(nfix, dtype=np.int32)
    rows = np.arange(m, m + s, dtype=np.int32)
    for o in range(n):
        for i in range(m):
            h.changeCoeff(i, 0, -float(Xs[o, i]))
        h.changeRowsBounds(s, rows, Ys[o], Ys[o])
        if exclude_self and o in pos:
            h.changeColBounds(pos[o], 0.0, 0.0)
        h.run()
        if status_name(h.getModelStatus()) == "optimal":
            val = float(h.getSolution().col_value[0])
            h.changeColsCost(nfix, fix, c2)
            h.changeColBounds(0, val, val)
            h.run()
            h.changeColsCost(nfix, fix, c1)
            h.changeColBounds(0, -INF, INF)
        if exclude_self and o in pos:
            h.changeColBounds(pos[o], 0.0, INF)


R_CODE = {
    "Benchmarking": {
        "ccr": "e <- dea(X, Y, RTS='crs', ORIENTATION='in', SLACK=TRUE)",
        "super": "e <- sdea(X, Y, RTS='crs', ORIENTATION='in')",
        "malm": "m <- malmq(X, Y, ID=id, TIME=tt, RTS='crs', ORIENTATION='in')",
    },
    "deaR": {
        "ccr": "d <- make_deadata(df, ni=3, no=2); e <- model_basic(d, rts='crs',"
        " orientation='io', compute_target=TRUE)",
        "super": "d <- make_deadata(df, ni=3, no=2); e <- model_supereff(d, rts='crs',"
        " orientation='io')",
        "malm": "d <- make_malmquist(df, percol=2, arrangement='vertical', ni=3, no=2);"
        " e <- malmquist_index(d, orientation='io')",
    },
}


def r_available(pkg: str) -> bool:
    if shutil.which("Rscript") is None:
        return False
    p = subprocess.run(["Rscript", "-e", f"library({pkg})"], capture_output=True, check=False)
    return p.returncode == 0


def r_runner(pkg: str, kind: str, csv: str):
    """A callable running one R workload in a fresh Rscript (timed inside R: the LP work)."""
    load = (f"suppressMessages(library({pkg})); df <- read.csv('{csv}'); "
            "X <- as.matrix(df[, c('x1','x2','x3')]); Y <- as.matrix(df[, c('y1','y2')]); ")  # fmt: skip
    if kind == "malm":
        load += "id <- as.integer(factor(df$dmu)); tt <- df$period; "
        if pkg == "deaR":
            load += "df <- df[, c('dmu','period','x1','x2','x3','y1','y2')]; "
    code = load + "t <- system.time({" + R_CODE[pkg][kind] + "})[['elapsed']]; cat(t)"

    def run() -> float:
        p = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=True)
        return float(p.stdout.strip().split()[-1])

    return run


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def workloads(tmp: str) -> list[dict]:
    from bench.dea import data
    from bench.malmquist import panel
    from measures.dea import dea_model
    from measures.malmquist import malmquist

    script = os.path.join(os.path.dirname(sys.executable), "cbec")
    cli = [script] if os.path.exists(script) else [sys.executable, "-c",
           "import sys; from cbec.cli import main; sys.exit(main())"]  # fmt: skip
    out = []
    for label, n, model in (("CCR-in + slacks n = 1 000", 1000, "ccr"),
                            ("CCR-in + slacks n = 3 000", 3000, "ccr"),
                            ("super-efficiency n = 1 000", 1000, "super")):  # fmt: skip
        X, Y = data(n)
        csv = os.path.join(tmp, f"{model}{n}.csv")
        _csv(csv, X, Y)
        r = dea_model(X, Y, model=model)
        frame = np.unique(np.concatenate([np.asarray(p, dtype=np.int64) for p in r.peers]))
        cmd = cli + ["dea", csv, "--dmu", "dmu", "--inputs", "x1,x2,x3", "--outputs",
                     "y1,y2", "--model", model, "--out", os.path.join(tmp, "out.csv")]  # fmt: skip
        out.append(dict(label=label, kind=model, csv=csv,
                        inproc=lambda X=X, Y=Y, md=model: dea_model(X, Y, model=md),
                        cli=lambda cmd=cmd: subprocess.run(cmd, check=True, capture_output=True),
                        limit=lambda X=X, Y=Y, f=frame, md=model: limit_radial(
                            X, Y, f, md == "super")))  # fmt: skip
    X, Y = panel(200, 10)
    per = np.repeat(np.arange(2000, 2010), 200)
    csv = os.path.join(tmp, "malm.csv")
    _csv(csv, X.reshape(-1, 3), Y.reshape(-1, 2), per)
    cmd = cli + ["malmquist", csv, "--dmu", "dmu", "--period", "period", "--inputs",
                 "x1,x2,x3", "--outputs", "y1,y2", "--out", os.path.join(tmp, "mout.csv"),
                 "--summary", os.path.join(tmp, "msum.csv")]  # fmt: skip
    out.append(dict(label="Malmquist FGNZ 200 × 10", kind="malm", csv=csv,
                    inproc=lambda X=X, Y=Y: malmquist(X, Y),
                    cli=lambda cmd=cmd: subprocess.run(cmd, check=True, capture_output=True),
                    limit=None))  # fmt: skip
    out.append(_game_workload(tmp, cli))
    return out


def _game_workload(tmp: str, cli: list[str]) -> dict:
    """Game cross-efficiency n = 70; the limit is the per-LP HiGHS path (batch off)."""
    import measures.dea.game as game_mod
    from bench.dea import data
    from measures.dea.game import game_cross_efficiency

    X, Y = data(70)
    csv = os.path.join(tmp, "game70.csv")
    _csv(csv, X, Y)
    cmd = cli + ["crosseff", csv, "--dmu", "dmu", "--inputs", "x1,x2,x3", "--outputs",
                 "y1,y2", "--method", "game", "--tol", "1e-9",
                 "--out", os.path.join(tmp, "gout.csv")]  # fmt: skip

    def per_lp() -> None:
        batched = game_mod.batch_game_values
        game_mod.batch_game_values = _no_batch
        try:
            game_cross_efficiency(X, Y, tol=1e-9)
        finally:
            game_mod.batch_game_values = batched

    return dict(label="game cross-efficiency n = 70, 1e-9", kind="game", csv=csv,
                inproc=lambda: game_cross_efficiency(X, Y, tol=1e-9),
                cli=lambda: subprocess.run(cmd, check=True, capture_output=True),
                limit=per_lp)  # fmt: skip


def _no_batch(Xs, Ys, rows, Xe, Ye, alpha):
    shape = (Xs.shape[0], Xe.shape[0])
    return np.full(shape, np.nan), np.zeros(shape, dtype=bool)


# issue 18's measurements (its machine): R Benchmarking seconds, and the CCR n = 1 000 limit
ISSUE_BENCHMARKING = {"CCR-in + slacks n = 1 000": 0.81, "CCR-in + slacks n = 3 000": 8.15,
                      "super-efficiency n = 1 000": 2.43, "Malmquist FGNZ 200 × 10": 0.97}  # fmt: skip
ISSUE_CCR_LIMIT = 0.25


def scaled_comparison(times: dict) -> list[str]:
    """Lines: machine factor and in-process / CLI speed-ups over the issue's Benchmarking."""
    lim = times.get(("CCR-in + slacks n = 1 000", "limit")) or []
    if not lim:
        return []
    f = min(lim) / ISSUE_CCR_LIMIT
    lines = [f"machine factor {f:.2f} (CCR n = 1 000 limit {min(lim):.2f} s here, "
             f"{ISSUE_CCR_LIMIT} s on issue 18's machine); the issue's Benchmarking × factor:"]  # fmt: skip
    for lab, bm in ISSUE_BENCHMARKING.items():
        inproc, cli = times.get((lab, "inproc")), times.get((lab, "cli"))
        if inproc and cli:
            lines.append(f"  {lab}: Benchmarking ≈ {bm * f:.2f} s → in-process "
                         f"{bm * f / min(inproc):.1f}×, CLI {bm * f / min(cli):.1f}× faster")  # fmt: skip
    return lines


def main(argv: list[str]) -> None:
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 5
    r_pkgs = {p: r_available(p) for p in ("Benchmarking", "deaR")}
    methods = ["inproc", "cli", "limit", "Benchmarking", "deaR"]
    with tempfile.TemporaryDirectory() as tmp:
        wl = workloads(tmp)
        for w in wl:
            for p, ok in r_pkgs.items():
                has = ok and w["kind"] in R_CODE[p]  # no game cross-efficiency in R: "–"
                w[p] = r_runner(p, w["kind"], w["csv"]) if has else None
        times: dict = {(w["label"], m): [] for w in wl for m in methods}
        for w in wl:
            w["inproc"]()  # warm-up
        for _ in range(runs):  # interleaved: one round = every workload × method once
            for w in wl:
                for m in methods:
                    fn = w[m]
                    if fn is None:
                        continue
                    times[(w["label"], m)].append(fn() if m in r_pkgs else _timed(fn))

    def cell(label, m):
        t = times[(label, m)]
        if not t:
            return "absent" if m in r_pkgs and not r_pkgs[m] else "–"
        return f"{min(t):.2f} / {statistics.median(t):.2f} s"

    print(f"min / median of {runs} interleaved runs; {os.cpu_count()} CPU(s), load average "
          + ", ".join(f"{v:.1f}" for v in os.getloadavg()))  # fmt: skip
    print("| workload | cbec in-process | cbec CLI (process) | Benchmarking | deaR | limit |"
          " in-process ÷ limit (min) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for w in wl:
        lab = w["label"]
        lim = times[(lab, "limit")]
        ratio = f"{min(times[(lab, 'inproc')]) / min(lim):.2f}" if lim else "–"
        print(f"| {lab} | {cell(lab, 'inproc')} | {cell(lab, 'cli')} | "
              f"{cell(lab, 'Benchmarking')} | {cell(lab, 'deaR')} | {cell(lab, 'limit')} | "
              f"{ratio} |")  # fmt: skip
    print("\nR: " + ", ".join(f"{p} {'present' if ok else 'absent'}" for p, ok in r_pkgs.items())
          + (" (no Rscript on PATH)" if shutil.which("Rscript") is None else ""))  # fmt: skip
    for line in scaled_comparison(times):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
