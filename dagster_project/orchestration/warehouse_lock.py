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
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.settings import BEIJING

# A nightly run at province scale takes minutes; a run still waiting after this long is
# stuck behind something that needs a person.
DEFAULT_TIMEOUT_SECONDS = 2 * 60 * 60
_POLL_FIRST, _POLL_MAX = 0.2, 5.0
# {lock file: held for writing?} of the locks this thread holds.
_held = threading.local()


# How long a run waits for a process outside xmk that has warehouse.duckdb open (an
# analyst's session on the working file); XMK_WAREHOUSE_WAIT_SECONDS changes it.
DEFAULT_FOREIGN_WAIT_SECONDS = 120
_FOREIGN_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


class WarehouseBusy(RuntimeError):
    """The lock was not free within the timeout."""


class WarehouseDamaged(RuntimeError):
    """DuckDB found the working warehouse damaged (a block or the WAL failing its
    checksum, the file cut short). Trying again changes nothing: it is rebuilt from
    raw/, which is the source of truth."""


# What DuckDB says of a damaged file (checked on every block it reads).
_DAMAGE = re.compile(
    r"Corrupt (database|WAL) file|Could not read enough bytes|Failure while replaying WAL"
    r"|is not a valid DuckDB database"
)


def damage(exc: BaseException, db_path: Path) -> WarehouseDamaged | None:
    """A WarehouseDamaged for `exc` when it says the warehouse is damaged, else None."""
    text = str(exc)
    if not _DAMAGE.search(text):
        return None
    first = text.strip().splitlines()[0][:300] if text.strip() else type(exc).__name__
    return WarehouseDamaged(
        f"{db_path} is damaged ({first}). Nothing was published from it. raw/ is the source "
        'of truth: move the file aside and run again to rebuild it (README, "Rebuilding the '
        'warehouse from raw/ alone"); published.duckdb stays as it was'
    )


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
        if waited >= 1:
            _tell(log, f"warehouse lock taken after waiting {waited:.0f} s ({purpose})")
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
        if not told:
            _tell(log, f"waiting for the warehouse, held by {_describe(path)}")
            told = True
        time.sleep(min(pause, timeout - waited))
        pause = min(pause * 2, _POLL_MAX)


def _write_note(fd: int, purpose: str, write: bool) -> None:
    note = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "purpose": purpose,
        "mode": "write" if write else "read",
        "since": datetime.now(BEIJING).isoformat(timespec="seconds"),
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
        f"{note.get('mode')}) since {note.get('since')}"
    )


def connect_warehouse(
    db_path: Path,
    *,
    read_only: bool = False,
    log: Callable[[str], None] | None = None,
    timeout: float | None = None,
) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting for a process outside xmk that holds the file (DuckDB's own
    lock, which warehouse_lock cannot see): said at once with the holder's pid and
    command and how long the run will wait, then WarehouseBusy naming them. A damaged
    file (a WAL failing its checksum) is WarehouseDamaged at once."""
    if timeout is None:
        value = os.environ.get("XMK_WAREHOUSE_WAIT_SECONDS", "").strip()
        timeout = float(value) if value.isdigit() else DEFAULT_FOREIGN_WAIT_SECONDS
    started = time.monotonic()
    pause, told = _POLL_FIRST, False
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.Error as exc:
            if damaged := damage(exc, db_path):
                raise damaged from exc
            found = _FOREIGN_HOLDER.search(str(exc))
            if found is None:
                raise
            who = _process(int(found.group(2)), found.group(1))
            waited = time.monotonic() - started
            if waited >= timeout:
                raise WarehouseBusy(
                    f"{db_path} is held by {who}, a process outside xmk (an analyst's "
                    f"session on the working file?); gave up after {waited:.0f} s. Close it, "
                    "or have it read published.duckdb instead"
                ) from exc
            if not told:
                _tell(
                    log,
                    f"waiting for the warehouse: {db_path} is held by {who}, outside xmk; "
                    f"waiting up to {timeout:.0f} s",
                )
                told = True
            time.sleep(min(pause, max(timeout - waited, 0.05)))
            pause = min(pause * 2, _POLL_MAX)


def _process(pid: int, program: str) -> str:
    """pid, and its command line when this machine can read it."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    except OSError:
        command = program
    return f"pid {pid} ({command[:200]})"


def _tell(log: Callable[[str], None] | None, message: str) -> None:
    """A wait goes to the step's log (or stderr) and to `xmk run`'s terminal."""
    from dagster_project.orchestration import progress

    if log is None:
        import sys

        print(message, file=sys.stderr, flush=True)
    else:
        log(message)
    progress.say(message)
