"""The warehouse lock between real processes: one writer, readers together, never
held by a dead process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dagster_project.orchestration.warehouse_lock import WarehouseBusy, holder, warehouse_lock

REPO = Path(__file__).resolve().parents[2]

# Takes the lock and says so on stdout, then holds it until killed.
HOLD = """
import sys, time
from pathlib import Path
from dagster_project.orchestration.warehouse_lock import warehouse_lock
with warehouse_lock(Path(sys.argv[1]), "a test holder", write=sys.argv[2] == "write"):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "warehouse" / "warehouse.duckdb"


@pytest.fixture
def hold(db):
    """Start another process holding the lock; it is killed at the end of the test."""
    started = []

    def start(mode: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(db), mode],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        assert proc.stdout.readline().strip() == "held"
        return proc

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def test_a_writer_waits_for_another_process_writing(db, hold):
    hold("write")
    with (
        pytest.raises(WarehouseBusy, match="a test holder"),
        warehouse_lock(db, "second writer", timeout=0.5),
    ):
        pass


def test_a_reader_waits_for_a_writer(db, hold):
    hold("write")
    with pytest.raises(WarehouseBusy), warehouse_lock(db, "reader", write=False, timeout=0.5):
        pass


def test_readers_share_and_a_writer_waits_for_them(db, hold):
    hold("read")
    with warehouse_lock(db, "second reader", write=False, timeout=0.5):
        pass
    with pytest.raises(WarehouseBusy), warehouse_lock(db, "writer", timeout=0.5):
        pass


def test_a_killed_holder_leaves_the_warehouse_free(db, hold):
    proc = hold("write")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    started = time.monotonic()
    with warehouse_lock(db, "next night", timeout=5):
        assert holder(db)["purpose"] == "next night"
    assert time.monotonic() - started < 2


def test_the_holder_is_named_for_whoever_waits(db):
    with warehouse_lock(db, "ingestion (run 42)"):
        note = holder(db)
    assert note["purpose"] == "ingestion (run 42)"
    assert note["pid"] == os.getpid()
    assert note["mode"] == "write"


def test_a_thread_holding_the_lock_may_take_it_again(db):
    with warehouse_lock(db, "step"):
        with warehouse_lock(db, "summary after the step", write=False, timeout=0.5):
            pass
        with warehouse_lock(db, "the step's own write", timeout=0.5):
            pass


def test_a_reader_cannot_become_a_writer_in_place(db):
    with (
        warehouse_lock(db, "reader", write=False),
        pytest.raises(RuntimeError, match="holds it for reading"),
        warehouse_lock(db, "writer"),
    ):
        pass
