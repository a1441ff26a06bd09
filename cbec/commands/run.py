"""`cbec run`: refresh the warehouse now (ingest → validate → compute → publish).

One writer at a time: a run takes the warehouse's writer lock (`<warehouse>.lock`); a second
run waits for it (`--wait SECONDS` to give up after SECONDS with exit 6). Readers are never
blocked: the run works on a side copy and replaces the warehouse atomically when it publishes.
Files given with --add become configured inputs of every later run (`cbec inputs`).
Nothing new (no new file; the same configuration, parameters and code as a published run): that
run is reused. A plain `cbec run` finds this before Prefect starts (under a second); with
--prefect, --add, --years or PREFECT_API_URL set the flow runs and records the reuse in the
Prefect UI."""

from __future__ import annotations

import argparse
import contextlib
import time

EXAMPLES = """examples:
  cbec run                                   # embedded data → var/cbec.duckdb
  cbec run --db /tmp/w.duckdb                # another warehouse file
  cbec run --add new_export.csv --vintage 2026-03   # include a new yearbook export (kept)
  cbec run --years 2017-2019                 # partial run: LP work of 2017–2019 only (not latest)
  cbec run --wait 0                          # exit 6 at once if another run holds the lock
  cbec run --runner dask                     # LP work on a local Dask cluster (2 workers)
  cbec run --runner dask --address tcp://10.0.0.5:8786   # … on an existing Dask cluster

exit codes: 0 published or reused, 2 usage, 3 bad input file, 4 validation failed,
5 numerical failure, 6 busy (lock held past --wait, or the warehouse changed under the run)
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="refresh the warehouse from the embedded data now",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--db", help="warehouse file (default var/cbec.duckdb or $CBEC_DB)")
    p.add_argument(
        "--add", nargs="+", metavar="FILE", help="extra source files (kept for later runs)"
    )
    p.add_argument(
        "--vintage",
        help="vintage of the --add files: YYYY, YYYY-MM or YYYY-MM-DD (default: this month)",
    )
    p.add_argument(
        "--years", metavar="A-B", help="restrict the LP work to these years (a partial run)"
    )
    p.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        help="wait at most SECONDS for another run's lock, then exit 6 (default: wait until free)",
    )
    p.add_argument(
        "--runner", choices=["local", "dask"], default="local", help="task runner for the LP work"
    )
    p.add_argument("--address", help="Dask scheduler address (tcp://…); default: a LocalCluster")
    p.add_argument(
        "--prefect",
        action="store_true",
        help="run the flow even when nothing is new (the reuse then shows in the Prefect UI; "
        "without it a plain run with nothing new is answered before Prefect starts, unless "
        "PREFECT_API_URL names a server)",
    )
    p.set_defaults(handler=handle)


def parse_years(text: str | None) -> list[int] | None:
    """'2019' → [2019]; '2017-2019' → [2017, 2018, 2019]; '2015,2017' → [2015, 2017]."""
    from cbec.errors import UsageError

    if not text:
        return None
    years: set[int] = set()
    try:
        for part in text.split(","):
            a, _, b = part.strip().partition("-")
            lo, hi = int(a), int(b or a)
            if hi < lo or lo < 1949 or hi > 2100:
                raise ValueError
            years.update(range(lo, hi + 1))
    except ValueError:
        raise UsageError(f"--years {text!r}: expected YYYY, YYYY-YYYY or a comma list") from None
    return sorted(years)


def handle(args: argparse.Namespace) -> int:
    from cbec.errors import UsageError
    from cbec.paths import db_path
    from cbec.settings import load_params

    if args.address and args.runner != "dask":
        raise UsageError("--address needs --runner dask")
    if args.wait is not None and args.wait < 0:
        raise UsageError("--wait must be ≥ 0 seconds")
    load_params()  # a configuration error is exit 2 before Prefect or any data is touched
    vintage = None
    if args.vintage:  # checked before anything is read (flows.refresh imports Prefect)
        from flows.refresh import check_vintage

        vintage = check_vintage(args.vintage)
    years = parse_years(args.years)
    t0 = time.perf_counter()
    db = args.db or str(db_path())
    result = _run_flow(db, args, vintage, years)
    dt = time.perf_counter() - t0
    state = "reused existing run" if result["reused"] else "published run"
    kind = (
        "" if result.get("kind", "full") == "full" else f" (partial: {result['scope']}; not latest)"
    )
    print(f"\n{state}: {result['run_id']}{kind}   ({dt:.1f} s)")
    from warehouse.db import connect_for_reading
    from warehouse.store import run_tables

    con = connect_for_reading(db)
    try:
        rows = sorted(run_tables(con, result["run_id"]).items())
    finally:
        con.close()
    print(f"warehouse: {db}")
    for name, n in rows:
        print(f"  results.{name:<28} {n:>8} rows")
    if result.get("stages"):
        from tasks.monitoring import stage_lines

        rest = (
            ""
            if result.get("prefect") is False
            else (f"; the rest of the {dt:.1f} s is Prefect start-up and flow set-up")
        )
        print(f"stages (seconds{rest}):")
        print("\n".join(stage_lines(result["stages"])))
    if result.get("startup"):
        print("start-up, before the flow (the Prefect API boots meanwhile): "
              + ", ".join(f"{k} {v:.2f} s" for k, v in result["startup"].items()))  # fmt: skip
    print('\nquery it:  cbec sql "SELECT * FROM results.latest_efficiency LIMIT 10"')
    print("           cbec runs            # versions with kind, scope, status, fingerprint")
    return 0


class _NoTracebackForUserErrors:
    """Logging filter: Prefect logs a failed flow run with its traceback; for the errors a
    person acts on (bad input, validation, busy …: CbecError) the one-line message is enough."""

    def filter(self, record) -> bool:
        from cbec.errors import CbecError

        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, CbecError):
            record.exc_info, record.exc_text = None, None
        return True


def _quiet_prefect_tracebacks() -> None:
    import logging

    flt = _NoTracebackForUserErrors()
    for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).addFilter(flt)
        for h in logging.getLogger(name).handlers:
            h.addFilter(flt)
    for h in logging.getLogger().handlers:
        h.addFilter(flt)


def _unchanged_without_prefect(db: str, args: argparse.Namespace, years) -> dict | None:
    """A plain run (no --add/--years/--prefect, no PREFECT_API_URL) with nothing new: the
    reused run's result, found without starting Prefect (warehouse/reuse.py); else None."""
    import os
    import time

    from cbec.settings import load_params
    from warehouse.reuse import plain_refresh_reuse

    if args.add or years or args.prefect or os.environ.get("PREFECT_API_URL"):
        return None
    t0 = time.perf_counter()
    same = plain_refresh_reuse(db, load_params())
    if same is None:
        return None
    print(
        f"nothing new since run {same[0]} (same input files, configuration, parameters and "
        "code): answered without starting Prefect; `cbec run --prefect` runs the flow, which "
        "records the reuse in the Prefect UI"
    )
    lap = round(time.perf_counter() - t0, 3)
    return {"run_id": same[0], "reused": True, "kind": "full", "prefect": False,
            "stages": {"check-unchanged": lap}}  # fmt: skip


@contextlib.contextmanager
def _flow_api(api, t0: float):
    """The Prefect API of the flow: the temporary server `api` (flows/local_api.py) once it
    answers, with GX imported while it boots; a server configured in a Prefect profile or
    prefect.toml instead, when there is one. Yields the start-up seconds (for the summary)."""
    from cbec.errors import CbecError
    from flows.local_api import ServerFailed, configured_api

    startup: dict[str, float] = {}
    if api is None:
        yield startup
        return
    url, allowed = configured_api()
    if url or not allowed:  # a configured server, or none allowed: as Prefect decides
        api.stop()
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings({PREFECT_API_URL: url}):
            yield startup
        return
    from expectations.gx import prepare

    startup["imports"] = time.perf_counter() - t0
    prepare()
    startup["great-expectations"] = time.perf_counter() - t0 - startup["imports"]
    try:
        startup["waiting for the Prefect API"] = api.wait_ready()
    except ServerFailed as exc:
        raise CbecError(str(exc)) from None
    yield startup


def _run_flow(
    db: str, args: argparse.Namespace, vintage: str | None, years: list[int] | None
) -> dict:
    """The refresh flow, with infrastructure failures turned into messages (never a traceback).
    The writer lock is taken here, before Prefect starts, so a busy warehouse costs nothing
    and says so in one line; the flow's own session joins it."""
    import duckdb

    from cbec.errors import CbecError, InputError
    from warehouse.lock import WriterLock

    lock = WriterLock(db, wait=args.wait, label="cbec run").acquire()
    try:
        if fast := _unchanged_without_prefect(db, args, years):
            return fast
        from flows.local_api import LocalApi

        t0 = time.perf_counter()
        # the temporary Prefect API boots while the flow and GX are imported (flows/local_api.py)
        api = LocalApi.current() or (LocalApi.launch() if LocalApi.wanted() else None)
        from flows.refresh import refresh

        _quiet_prefect_tracebacks()
        with _flow_api(api, t0) as startup:
            result = refresh(
                db=db,
                extra_files=args.add,
                extra_vintage=vintage,
                runner=args.runner,
                address=args.address,
                years=years,
                wait=args.wait,
            )
        return {**result, "startup": startup}
    except CbecError:
        raise
    except duckdb.Error as exc:
        raise InputError(f"warehouse error: {exc}", file=db) from None
    except OSError as exc:
        raise InputError(f"{exc.strerror or exc}", file=exc.filename or db) from None
    finally:
        lock.release()
