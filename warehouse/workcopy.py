"""Write sessions: readers are never blocked, a killed writer leaves nothing behind.

The warehouse file (`cbec.duckdb`) only ever holds a published state and is never opened for
writing while it is in use. A writer (a refresh, `cbec inputs remove`, `cbec runs promote`, a
survey publish) takes the writer lock (warehouse/lock.py), copies the warehouse to a side file
`cbec.duckdb.work-<pid>`, writes there (`warehouse.db.connect` redirects this process's
connections to the side file while the session is active), checkpoints it and atomically
`os.replace`s the warehouse with it. So:

- readers (`cbec sql`, `cbec runs`, `cbec report`, any DuckDB client in read-only mode) see the
  previous published state until the replace, then the new one; an open connection keeps
  reading the state it opened (the old file stays alive until it is closed);
- a run that fails keeps only its run row and validations (copied onto the published state);
  raw/staging/results changes of a failed or killed run are never visible;
- at the next start, side files of killed runs are removed and their run rows recorded as
  `abandoned` with their pid (rows of dead processes still marked `running` too);
- before the replace the session checks that the warehouse is still the file it copied (same
  inode, size, mtime, and the same published state): a warehouse changed by a writer outside
  the lock is never overwritten (`Busy`, exit 6).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cbec.errors import Busy
from warehouse.lock import WriterLock, process_alive

_ACTIVE: dict[str, Session] = {}
_GUARD = threading.RLock()
_CONFIG = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def kill_point(name: str) -> None:
    """Test hook: SIGKILL this process at the named point of a run (CBEC_TEST_KILL_AT=name)."""
    if os.environ.get("CBEC_TEST_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _wal(p: Path) -> Path:
    return p.with_name(p.name + ".wal")


def file_token(p: Path) -> tuple | None:
    try:
        st = p.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, _wal(p).exists())


def _sql_state(con: duckdb.DuckDBPyConnection) -> tuple:
    """What a run's result depends on besides the source files: loaded files, added inputs and
    the published runs (the fingerprint the run started from)."""

    def q(sql: str) -> list:
        try:
            return con.execute(sql).fetchall()
        except duckdb.CatalogException:
            return []

    return (
        tuple(q("SELECT source_sha256 FROM raw.files ORDER BY 1")),
        tuple(q("SELECT source_sha256, removed_at FROM raw.added_inputs ORDER BY 1, 2")),
        tuple(q("SELECT run_id FROM results.runs WHERE status = 'published' ORDER BY 1")),
    )


def published_state(main: Path) -> tuple | None:
    if not main.exists():
        return None
    con = duckdb.connect(str(main), read_only=True, config=_CONFIG)
    try:
        return _sql_state(con)
    finally:
        con.close()


def _checkpoint_main_wal(main: Path) -> None:
    """A WAL next to the warehouse (a writer outside this scheme, or an older version) is folded
    into the file before it is copied, so the copy is complete."""
    if _wal(main).exists():
        from warehouse.retry import retry_locked

        def fold() -> None:
            con = duckdb.connect(str(main), config=_CONFIG)
            con.execute("CHECKPOINT")
            con.close()

        retry_locked(fold, what=str(main))


@dataclass
class Session:
    main: Path
    work: Path
    lock: WriterLock
    token: tuple | None
    state: tuple | None
    finished: bool = False

    def _close_work(self) -> None:
        con = duckdb.connect(str(self.work), config=_CONFIG)
        con.execute("CHECKPOINT")
        con.close()
        if _wal(self.work).exists():  # pragma: no cover - DuckDB folds the WAL on close
            raise RuntimeError(f"{self.work}: WAL left after checkpoint")
        fd = os.open(self.work, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _check_unchanged(self) -> None:
        if file_token(self.main) != self.token or published_state(self.main) != self.state:
            raise Busy(
                f"the warehouse {self.main} was changed by a writer outside the lock while this "
                "run was working; its result is stale and was not published (run it again)"
            )

    def commit(self) -> None:
        """Make the side file the warehouse (atomic rename) after the staleness check."""
        self._close_work()
        kill_point("before-replace")
        self._check_unchanged()
        os.replace(self.work, self.main)
        dfd = os.open(self.main.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
        self.finished = True
        kill_point("replaced")

    def keep_run_records(self) -> None:
        """After a failure: publish only the run rows and validations this session added, on a
        fresh copy of the warehouse (raw/staging/results changes are dropped)."""
        failed = self.work.with_name(self.work.name + ".failed")
        os.replace(self.work, failed)
        try:
            _copy_main(self.main, self.work)
            _carry_run_records(self.work, failed, status="failed", note="")
            self.commit()
        finally:
            failed.unlink(missing_ok=True)

    def discard(self) -> None:
        self.work.unlink(missing_ok=True)
        _wal(self.work).unlink(missing_ok=True)


def _copy_main(main: Path, work: Path) -> None:
    from warehouse.schema import ensure_schema

    if main.exists():
        shutil.copyfile(main, work)
    con = duckdb.connect(str(work), config=_CONFIG)
    try:
        ensure_schema(con)
        ensure_run_columns(con)
    finally:
        con.close()


def ensure_run_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Columns added to results.runs by the versioning of issue 16 (older warehouses gain them),
    and the table of inputs added with `cbec run --add`."""
    for col, typ in (("kind", "VARCHAR"), ("scope", "VARCHAR"), ("pid", "BIGINT"),
                     ("host", "VARCHAR"), ("promoted_at", "TIMESTAMP"), ("inputs_key", "VARCHAR")):  # fmt: skip
        con.execute(f"ALTER TABLE results.runs ADD COLUMN IF NOT EXISTS {col} {typ}")
    con.execute(
        """UPDATE results.runs SET kind = CASE WHEN json_extract(params, '$.years') IS NULL
           THEN 'full' ELSE 'partial' END, scope = coalesce(scope, CASE WHEN json_extract(params,
           '$.years') IS NULL THEN 'all years' ELSE 'years ' || CAST(json_extract(params, '$.years')
           AS VARCHAR) END) WHERE kind IS NULL"""
    )
    con.execute(
        """CREATE TABLE IF NOT EXISTS raw.added_inputs (
            source_sha256 VARCHAR NOT NULL, source_file VARCHAR NOT NULL, path VARCHAR,
            reader VARCHAR, vintage VARCHAR, added_at TIMESTAMP NOT NULL, added_by_run VARCHAR,
            removed_at TIMESTAMP, removed_note VARCHAR)"""
    )


def _carry_run_records(work: Path, other: Path, *, status: str, note: str) -> list[str]:
    """Copy into `work` the run rows (and their validations) of `other` that `work` lacks, with
    status `status` where they were 'running' — or 'published' in a side file that never became
    the warehouse (killed after publishing, before the replace): their tables are not carried,
    so such a row must not say published. Returns the run ids carried."""
    con = duckdb.connect(str(work), config=_CONFIG)
    try:
        con.execute(f"ATTACH '{other}' AS other (READ_ONLY)")
        cols = [r[0] for r in con.execute("DESCRIBE other.results.runs").fetchall()]
        mine = {r[0] for r in con.execute("DESCRIBE results.runs").fetchall()}
        common = [c for c in cols if c in mine]
        new = [r[0] for r in con.execute(
            "SELECT run_id FROM other.results.runs WHERE run_id NOT IN (SELECT run_id FROM results.runs)"
        ).fetchall()]  # fmt: skip
        if new:
            sel = ", ".join(f'"{c}"' for c in common)
            con.execute(
                f"INSERT INTO results.runs ({sel}) SELECT {sel} FROM other.results.runs "
                "WHERE run_id NOT IN (SELECT run_id FROM results.runs)"
            )
            con.execute(
                "INSERT INTO results.validations SELECT * FROM other.results.validations v "
                "WHERE v.run_id IN (SELECT unnest(?::VARCHAR[]))",
                [new],
            )
            con.execute(
                "UPDATE results.runs SET status = ?, finished_at = coalesce(finished_at, now()::TIMESTAMP), "
                "message = coalesce(message || ' ', '') || ? WHERE status IN ('running', 'published') AND run_id IN "
                "(SELECT unnest(?::VARCHAR[]))",
                [status, note, new],
            )
        con.execute("DETACH other")
        return new
    finally:
        con.close()


def recover(main: Path, work: Path) -> list[str]:
    """Clean up after killed writers (we hold the lock, so none of them is alive): their side
    files are removed (their raw/staging changes are rolled back) after their run rows are
    recorded as 'abandoned'; `running` rows of dead processes on this host become 'abandoned'.
    Returns one line per thing done."""
    done: list[str] = []
    for left in sorted(main.parent.glob(main.name + ".work-*")):
        if left == work or left.name.endswith(".wal"):
            continue
        pid = left.name.rsplit("-", 1)[-1].split(".")[0]
        note = (
            f"abandoned: the writer process (pid {pid}) died before publishing; found at next start"
        )
        try:
            ids = _carry_run_records(work, left, status="abandoned", note=note)
            done += [f"run {i} of killed pid {pid}: marked abandoned" for i in ids]
        except duckdb.Error as exc:  # a side file cut by the kill: nothing in it was published
            done.append(f"side file {left.name} unreadable ({exc.__class__.__name__}); removed")
        left.unlink(missing_ok=True)
        _wal(left).unlink(missing_ok=True)
        done.append(f"removed leftover side file {left.name} (rolled back)")
    con = duckdb.connect(str(work), config=_CONFIG)
    try:
        host = socket.gethostname()
        rows = con.execute(
            "SELECT run_id, pid, host FROM results.runs WHERE status = 'running'"
        ).fetchall()
        for run_id, pid, rhost in rows:
            if rhost not in (None, host) or (pid and process_alive(pid)):
                continue
            con.execute(
                "UPDATE results.runs SET status = 'abandoned', finished_at = now()::TIMESTAMP, "
                "message = coalesce(message || ' ', '') || ? WHERE run_id = ?",
                [f"abandoned: process pid {pid} is gone (found at next start)", run_id],
            )
            done.append(f"run {run_id} (pid {pid}) marked abandoned")
    finally:
        con.close()
    return done


@contextlib.contextmanager
def session(
    db: str | Path,
    *,
    wait: float | None = None,
    label: str = "",
    on_wait=None,
    log=None,
) -> Iterator[Session]:
    """Write to `db` through a side file (see the module doc). Re-entrant: a nested session of
    the same process and warehouse joins the open one. On an exception the run rows and
    validations written are kept (on a fresh copy), everything else is dropped."""
    main = Path(db).resolve()
    key = str(main)
    with _GUARD:
        active = _ACTIVE.get(key)
    if active is not None:
        yield active
        return
    with WriterLock(main, wait=wait, label=label, on_wait=on_wait) as lock:
        if os.environ.get("CBEC_PREFECT_SERVER_PID"):
            lock.update(prefect_server_pid=int(os.environ["CBEC_PREFECT_SERVER_PID"]))
        kill_point("locked")
        _checkpoint_main_wal(main)
        work = main.with_name(f"{main.name}.work-{os.getpid()}")
        s = Session(main, work, lock, file_token(main), published_state(main))
        _copy_main(main, work)
        for line in recover(main, work):
            (log or (lambda m: None))(line)
        kill_point("copied")
        with _GUARD:
            _ACTIVE[key] = s
        try:
            yield s
        except BaseException:
            with _GUARD:
                _ACTIVE.pop(key, None)
            try:
                s.keep_run_records()
            except Exception:  # noqa: BLE001 - the original error matters more
                s.discard()
            raise
        with _GUARD:
            _ACTIVE.pop(key, None)
        try:
            s.commit()
        finally:
            if not s.finished:
                s.discard()


def redirect(p: Path) -> Path:
    """The side file this process writes while a session on `p` is active, else `p`."""
    if not _ACTIVE:
        return p
    with _GUARD:
        s = _ACTIVE.get(str(p.resolve()))
    return s.work if s is not None else p


def active(db: str | Path) -> Session | None:
    with _GUARD:
        return _ACTIVE.get(str(Path(db).resolve()))
