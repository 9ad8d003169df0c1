"""`xmk run` that cannot start says so at once, in one line naming the path and the
cause, and exits 2 — called the way cron calls it. A failure no retry mends is not
retried; the executor of every job is the run's own process."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.orchestration.preflight import permanent_line, permanent_reason
from tests.conftest import cron_env

XMK = Path(sys.executable).parent / "xmk"


@contextlib.contextmanager
def read_only_folder(folder: Path):
    """`folder` on a read-only file system (a read-only bind mount, as root) or, for
    another user, without write permission."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"root, and no read-only bind mount here: {mounted.stderr.decode()}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def xmk_run(root: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run(
        [str(XMK), "run", *args],
        cwd=root,
        env=cron_env(root),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, time.monotonic() - started


def test_a_read_only_warehouse_folder_is_said_at_once(tmp_path):
    (tmp_path / "raw").mkdir()
    warehouse = tmp_path / "warehouse"
    with read_only_folder(warehouse):
        done, seconds = xmk_run(tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    reason = os.strerror(errno.EROFS if os.geteuid() == 0 else errno.EACCES)
    assert done.stderr == f"xmk run: cannot write the warehouse folder {warehouse}: {reason}\n"
    assert seconds < 10, seconds


def test_a_missing_landing_folder_names_the_command_that_makes_one(tmp_path):
    done, _seconds = xmk_run(tmp_path, "--raw", "landing")
    assert done.returncode == 2
    assert done.stderr == (
        f"xmk run: no landing folder at {tmp_path / 'landing'} "
        f"(try `{XMK} demo-data` first, or give --raw)\n"
    )
    # Through the checkout's wrapper, the hint names the wrapper as it was typed.
    wrapped = subprocess.run(
        ["./xmk", "run", "--raw", str(tmp_path / "landing")],
        cwd=XMK.parent.parent.parent,
        env=cron_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrapped.returncode == 2
    assert "(try `./xmk demo-data` first, or give --raw)" in wrapped.stderr


def test_a_warehouse_file_that_cannot_be_written_is_said_at_once(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "warehouse").mkdir()
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    duckdb.connect(str(db)).close()
    if os.geteuid() == 0:
        pytest.skip("root writes a file whatever its mode")
    db.chmod(0o444)
    done, _seconds = xmk_run(tmp_path)
    assert done.returncode == 2
    assert f"cannot write {db}" in done.stderr


def test_what_no_retry_mends_is_told_apart_from_what_may_pass(tmp_path):
    folder = tmp_path / "ro"
    with read_only_folder(folder):
        with pytest.raises(OSError) as written:
            (folder / "x.csv").write_text("a")
        with pytest.raises(duckdb.Error) as opened:
            duckdb.connect(str(folder / "w.duckdb"))
    expected = os.strerror(written.value.errno)
    assert permanent_reason(written.value) == f"{folder / 'x.csv'}: {expected}"
    assert expected in permanent_reason(opened.value)
    # A connection refused, a lock held: another try may pass.
    assert permanent_reason(ConnectionRefusedError(errno.ECONNREFUSED, "refused")) is None
    assert permanent_reason(duckdb.IOException('Could not set lock on file "w.duckdb"')) is None
    # dbt's output, as the failed invocation carries it: the line that says why.
    dbt_said = f"Runtime Error\n  {opened.value}\nEncountered an error"
    assert permanent_line(dbt_said) == str(opened.value).splitlines()[0].strip()
    assert permanent_line("Runtime Error\n  Could not set lock on file") is None


def test_every_job_runs_its_steps_in_the_runs_own_process():
    from dagster_project.definitions import defs

    for job in ("nightly", "ingest", "publish", "weekly_unstated"):
        assert defs.resolve_job_def(job).executor_def.name == "in_process"
