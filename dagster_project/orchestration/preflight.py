"""Before `xmk run` starts: what would make every step fail, retries included, said at
once in one line that names the path and the cause. Imports nothing heavy, so that the
answer comes in a second, before Dagster is loaded."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile

from dagster_project.settings import Paths, command_name

# Below this much free space in the warehouse's or the output's folder a run would fail
# half-way (DuckDB needs room for its WAL and the marts' rebuild); it does not start.
MIN_FREE_MB = 200


def cannot_start(paths: Paths) -> str | None:
    """What would make the run fail whatever it tried, retries included, said at once:
    the landing folder missing, a folder it must write that it cannot create or write
    (permissions, a read-only disk), or a disk without room."""
    if not paths.raw_dir.is_dir():
        return (
            f"no landing folder at {paths.raw_dir} "
            f"(try `{command_name()} demo-data` first, or give --raw)"
        )
    for what, folder in (("warehouse", paths.warehouse_dir), ("output", paths.out_dir)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            return f"cannot write the {what} folder {folder}: {_os_reason(exc)}"
        free_mb = shutil.disk_usage(folder).free // 2**20
        if free_mb < MIN_FREE_MB:
            return (
                f"the {what} folder {folder} has {free_mb} MB free, less than the "
                f"{MIN_FREE_MB} MB a run needs: free some space first"
            )
    for db in (paths.warehouse_db, paths.warehouse_db.with_name(paths.warehouse_db.name + ".wal")):
        if db.exists() and not os.access(db, os.R_OK | os.W_OK):
            return f"cannot write {db}: {os.strerror(errno.EACCES)} (its owner or mode)"
    return None


def _os_reason(exc: OSError) -> str:
    return os.strerror(exc.errno) if exc.errno else str(exc)


# What no retry mends: the same call fails the same way until someone acts.
_PERMANENT_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.ENOENT,
    errno.ENOTDIR,
}
_PERMANENT_WORDS = tuple(
    os.strerror(code) for code in sorted(_PERMANENT_ERRNOS) if code != errno.ENOENT
)


def permanent_reason(exc: BaseException) -> str | None:
    """One line naming the path and the cause when `exc` is a failure no retry mends (a
    permission, a read-only or full disk, a missing folder), else None. DuckDB reports
    the same causes in its own exceptions' text."""
    if isinstance(exc, OSError) and exc.errno in _PERMANENT_ERRNOS:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{_os_reason(exc)}"
    if type(exc).__module__.startswith(("duckdb", "_duckdb")):
        return permanent_line(str(exc))
    return None


def permanent_line(text: str) -> str | None:
    """The first line of another program's output (DuckDB's, dbt's) that names a cause no
    retry mends, else None."""
    for line in text.splitlines():
        if any(word in line for word in _PERMANENT_WORDS):
            return line.strip()
    return None
