"""Test driver: `python -m tests._replay_run ARGS…` runs `cbec ARGS…` in a real process with the
two slowest computations of the refresh (the LP fan-out and the Lotka–Volterra fits, ~70 % of
a run) REPLAYED from the baseline run's tables in $CBEC_TEST_REPLAY_DIR (parquet, written by the
test). Everything this is used to test — the writer lock, the side-file session, staging, the
gates, production/structure maths, publishing, recovery — runs for real; only those two
results are not recomputed, so process tests (concurrency, readers, SIGKILLs) stay within the
test-time budget. Never used outside tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import polars as pl

LP_TABLES = (
    "efficiency",
    "cross_efficiency",
    "game_cross_efficiency",
    "malmquist",
    "malmquist_summary",
)
COEV_TABLES = ("coevolution", "causality")


def _replay(names: tuple[str, ...]):
    folder = Path(os.environ["CBEC_TEST_REPLAY_DIR"])

    def fn(*_args, **_kwargs) -> dict[str, pl.DataFrame]:
        return {
            n: pl.read_parquet(folder / f"{n}.parquet")
            for n in names
            if (folder / f"{n}.parquet").exists()
        }

    return fn


def main() -> int:
    from flows.local_api import LocalApi

    if LocalApi.wanted():  # as `cbec run` does before Prefect is imported (the patch below is)
        LocalApi.launch()
    import flows.refresh as refresh_mod

    refresh_mod.lp_tables = _replay(LP_TABLES)
    refresh_mod.compute_coevolution = _replay(COEV_TABLES)
    from cbec.cli import main as cli

    return cli(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
