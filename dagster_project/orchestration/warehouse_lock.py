"""One writer for warehouse.duckdb (SPEC §5), enforced at the file.

While one process has the DuckDB file open read-write, no other process can open it at
all, not even read-only (ENGINEERING). Dagster's pool `duckdb` (limit 1 in
dagster_home/dagster.yaml) queues the warehouse steps of the runs of one Dagster
instance; this lock is what makes the rule hold everywhere else too: `xmk run` on an
ephemeral instance, a run started from another DAGSTER_HOME, a step process of the
multiprocess executor. It is an advisory `flock` on `warehouse.duckdb.lock` beside the
database, so the operating system releases it when its holder dies, however it dies —
a killed run never leaves the warehouse locked.

A step that writes takes it exclusively; a step that only reads takes it shared (DuckDB
lets several read-only processes in at once, but none beside a writer). Take it around
the whole of a step's use of the file. A thread that already holds it may take it again
(for reading, or for writing if it holds it for writing): Dagster can abandon a step's
generator without closing it, and the lock it holds is then released only when the
generator is collected, so `xmk run` reading the warehouse after such a step must not
wait for itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

# A nightly run at province scale takes minutes; a run still waiting after this long is
# stuck behind something that needs a person.
DEFAULT_TIMEOUT_SECONDS = 2 * 60 * 60
_POLL_FIRST, _POLL_MAX = 0.2, 5.0
# {lock file: held for writing?} of the locks this thread holds.
_held = threading.local()


class WarehouseBusy(RuntimeError):
    """The lock was not free within the timeout."""


def lock_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".lock")


@contextlib.contextmanager
def warehouse_lock(
    db_path: Path,
    purpose: str,
    *,
    write: bool = True,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    log: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse for `purpose` (shown to whoever waits). `log` hears once that
    the lock is taken and by whom, and how long the wait was."""
    path = lock_path(db_path).resolve()
    held = _held_here()
    if path in held:
        if write and not held[path]:
            raise RuntimeError(
                f"cannot take the warehouse for writing ({purpose}) while this thread "
                "holds it for reading"
            )
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Opened without truncating: the holder's note must survive a waiter's open.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        waited = _acquire(fd, fcntl.LOCK_EX if write else fcntl.LOCK_SH, path, timeout, log)
        _write_note(fd, purpose, write)
        if log and waited >= 1:
            log(f"warehouse lock taken after waiting {waited:.0f} s ({purpose})")
        held[path] = write
        try:
            yield
        finally:
            held.pop(path, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _held_here() -> dict[Path, bool]:
    if not hasattr(_held, "locks"):
        _held.locks = {}
    return _held.locks


def holder(db_path: Path) -> dict | None:
    """Who took the lock last (pid, host, purpose, mode, since): while it is taken, its
    holder (or one of its readers)."""
    return _read_note(lock_path(db_path))


def _read_note(path: Path) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return None


def _acquire(fd: int, mode: int, path: Path, timeout: float, log) -> float:
    started = time.monotonic()
    pause = _POLL_FIRST
    told = False
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return time.monotonic() - started
        except BlockingIOError:
            pass
        waited = time.monotonic() - started
        if waited >= timeout:
            raise WarehouseBusy(
                f"the warehouse is still in use after {waited:.0f} s "
                f"(held by {_describe(path)}); lock file {path}"
            )
        if log and not told:
            log(f"waiting for the warehouse, in use by {_describe(path)}")
            told = True
        time.sleep(min(pause, timeout - waited))
        pause = min(pause * 2, _POLL_MAX)


def _write_note(fd: int, purpose: str, write: bool) -> None:
    note = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "purpose": purpose,
        "mode": "write" if write else "read",
        "since": datetime.now().isoformat(timespec="seconds"),
    }
    data = json.dumps(note, ensure_ascii=False).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _describe(path: Path) -> str:
    note = _read_note(path)
    if not note:
        return "another process"
    return (
        f"{note.get('purpose')} (pid {note.get('pid')} on {note.get('host')}, "
        f"{note.get('mode')} since {note.get('since')})"
    )
