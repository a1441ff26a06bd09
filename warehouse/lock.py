"""The single-writer lock of a warehouse: `<warehouse>.lock`, an exclusive `flock` on a file
that also records its owner (pid, host, start time, command) as JSON.

- The kernel releases a `flock` when its process dies (SIGKILL included), so a killed run never
  leaves the warehouse locked; the owner JSON it leaves behind is only informative.
- A second writer waits (`wait=None`: until the lock is free; `wait=S`: at most S seconds, then
  `cbec.errors.Busy`, exit 6), printing who holds the lock once and then every 30 s.
- The lock is re-entrant inside one process (a flow and the tasks it calls share it).
- `flock` is reliable on local file systems; on NFS keep one writer host (docs/OPERATIONS.md).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cbec.errors import Busy

_HELD: dict[str, WriterLock] = {}
_GUARD = threading.RLock()


def lock_path(db: str | Path) -> Path:
    p = Path(db)
    return p.with_name(p.name + ".lock")


def process_start_ticks(pid: int) -> int | None:
    """Start time of `pid` in clock ticks since boot (Linux /proc), None if it does not exist.
    With the pid it identifies a process uniquely (pids are reused, start times are not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[19])


def process_alive(pid: int | None, start_ticks: int | None = None) -> bool:
    """True if `pid` runs and (when given) started at `start_ticks` (not a reused pid)."""
    if not pid:
        return False
    now = process_start_ticks(int(pid))
    if now is None:
        return False
    return start_ticks is None or now == int(start_ticks)


def read_owner(db: str | Path) -> dict:
    """The owner JSON of the lock file ({} if none or unreadable)."""
    try:
        return json.loads(lock_path(db).read_text() or "{}")
    except (OSError, ValueError):
        return {}


def describe(owner: dict) -> str:
    if not owner:
        return "another process"
    return (
        f"pid {owner.get('pid')} on {owner.get('host')} since {owner.get('started_at')} "
        f"({owner.get('command', '?')})"
    )


class WriterLock:
    """Exclusive writer lock of one warehouse (context manager, re-entrant per process)."""

    def __init__(
        self,
        db: str | Path,
        *,
        wait: float | None = None,
        label: str = "",
        on_wait: Callable[[str], None] | None = None,
    ):
        self.db = Path(db).resolve()
        self.path = lock_path(self.db)
        self.wait, self.label = wait, label
        self.on_wait = on_wait or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self._fh = None
        self._depth = 0
        self.owner: dict = {}

    def _try(self) -> bool:
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def acquire(self) -> WriterLock:
        with _GUARD:
            held = _HELD.get(str(self.db))
            if held is not None:
                held._depth += 1
                return held
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held until release()
        t0, told = time.monotonic(), -1e9
        while not self._try():
            waited = time.monotonic() - t0
            who = describe(read_owner(self.db))
            if self.wait is not None and waited >= self.wait:
                self._fh.close()
                raise Busy(
                    f"the warehouse {self.db} is being written by {who}; gave up after "
                    f"{self.wait:g} s (lock file {self.path}); retry later or pass a longer --wait"
                )
            if waited - told >= 30:
                told = waited
                limit = "until it finishes" if self.wait is None else f"up to {self.wait:g} s"
                self.on_wait(
                    f"waiting for the warehouse lock held by {who} ({limit}; lock file {self.path})"
                )
            time.sleep(0.25)
        self.owner = {
            "pid": os.getpid(),
            "pid_start": process_start_ticks(os.getpid()),
            "host": socket.gethostname(),
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": self.label or " ".join(os.path.basename(a) for a in sys.argv[:3]),
        }
        self._write_owner()
        self._depth = 1
        with _GUARD:
            _HELD[str(self.db)] = self
        return self

    def _write_owner(self) -> None:
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(json.dumps(self.owner))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def update(self, **info) -> None:
        """Add facts to the owner record (e.g. the Prefect server pid of this run)."""
        self.owner.update(info)
        self._write_owner()

    def release(self) -> None:
        with _GUARD:
            self._depth -= 1
            if self._depth > 0:
                return
            _HELD.pop(str(self.db), None)
        self._fh.seek(0)
        self._fh.truncate()  # no owner any more (a killed owner's record stays: pid is dead)
        self._fh.flush()
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        self._fh.close()
        self._fh = None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        _HELD.get(str(self.db), self).release()


def held_lock(db: str | Path) -> WriterLock | None:
    """The lock this process holds on `db`, if any."""
    with _GUARD:
        return _HELD.get(str(Path(db).resolve()))
