"""The warehouse lock between real processes: one writer, readers together, never
held by a dead process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
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


def test_a_session_outside_xmk_holding_the_warehouse_is_named_and_waited_for(
    tmp_path, monkeypatch, capfd
):
    from dagster_project.ingest.load import ingest

    db = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(db)).close()
    # An analyst's session on the working file, as the README's read-only example opens it.
    # It connects again while _wait_until_open's own probe holds the file for an instant.
    session = tmp_path / "analyst_session.py"
    session.write_text(_READER, encoding="utf-8")
    reader = subprocess.Popen([sys.executable, str(session), str(db)])
    try:
        _wait_until_open(db)
        monkeypatch.setenv("XMK_WAREHOUSE_WAIT_SECONDS", "2")
        (tmp_path / "raw").mkdir()
        with pytest.raises(WarehouseBusy) as busy:
            ingest(tmp_path / "raw", db, jobs=1)
        said = capfd.readouterr().err
        assert f"is held by pid {reader.pid} (" in said and "waiting up to 2 s" in said
        assert f"held by pid {reader.pid} (" in str(busy.value) and "gave up after" in str(
            busy.value
        )
        assert "analyst_session.py" in str(busy.value)  # the holder's own command line
    finally:
        reader.kill()
        reader.wait()
    # Once it is closed, the run goes on.
    assert ingest(tmp_path / "raw", db, jobs=1).files_seen == 0


_READER = """
import sys, time
import duckdb
while True:
    try:
        c = duckdb.connect(sys.argv[1], read_only=True)
        break
    except duckdb.IOException:
        time.sleep(0.05)
time.sleep(60)
"""


def _wait_until_open(db) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            duckdb.connect(str(db)).close()
        except duckdb.IOException:
            return
        time.sleep(0.1)
    raise AssertionError("the reader never opened the warehouse")
