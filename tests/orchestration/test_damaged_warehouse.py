"""A damaged working warehouse stops the run at once, says so, points to the rebuild from
raw/, and leaves the published snapshot as it was; DuckDB checks every block it reads,
and the publication reads every row it publishes."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.orchestration.warehouse_lock import WarehouseDamaged, connect_warehouse
from dagster_project.publish.snapshot import publish_snapshot
from tests.conftest import run_nightly_quietly
from tests.publish.crafted_warehouse import OLD, build_warehouse
from tests.workbooks import write_official

HOLD_OPEN = """
import duckdb, shutil, sys
con = duckdb.connect(sys.argv[1])
con.execute("set checkpoint_threshold = '1TB'")
con.execute("create table raw.pending as select range as i from range(200000)")
shutil.copy(sys.argv[1], sys.argv[2]); shutil.copy(sys.argv[1] + ".wal", sys.argv[2] + ".wal")
"""


def _with_damaged_wal(warehouse: Path) -> Path:
    """A copy of `warehouse` taken while a writer had changes in its WAL only, with bytes
    of that WAL flipped."""
    damaged = warehouse.with_name("damaged.duckdb")
    subprocess.run([sys.executable, "-c", HOLD_OPEN, str(warehouse), str(damaged)], check=True)
    wal = damaged.with_name(damaged.name + ".wal")
    data = bytearray(wal.read_bytes())
    for position in range(100, len(data), 997):
        data[position] ^= 0x55
    wal.write_bytes(bytes(data))
    return damaged


def _flip_marts_bytes(db: Path) -> None:
    data = bytearray(db.read_bytes())
    rng = random.Random(11)
    for _ in range(64):  # past the headers, where the tables' blocks are
        data[rng.randrange(3 * 4096, len(data))] ^= 0xFF
    db.write_bytes(bytes(data))


def test_a_damaged_wal_is_said_at_once_not_retried(tmp_path):
    warehouse = build_warehouse(tmp_path / "w" / "warehouse.duckdb", OLD)
    damaged = _with_damaged_wal(warehouse)
    with pytest.raises(WarehouseDamaged) as refused:
        connect_warehouse(damaged)
    assert "is damaged (" in str(
        refused.value
    ) and "Rebuilding the warehouse from raw/ alone" in str(refused.value)


def test_flipped_bytes_stop_the_publication_and_the_snapshot_stays(tmp_path):
    warehouse = build_warehouse(tmp_path / "w" / "warehouse.duckdb", OLD)
    published = tmp_path / "w" / "published.duckdb"
    publish_snapshot(warehouse, published)
    before = published.read_bytes()
    _flip_marts_bytes(warehouse)
    with pytest.raises(WarehouseDamaged, match="is damaged"):
        publish_snapshot(warehouse, published)
    assert published.read_bytes() == before


def test_the_nightly_run_on_a_damaged_warehouse_fails_at_once_and_says_what_to_do(
    tmp_path, capsys, dbt_manifest
):
    raw = tmp_path / "raw"
    write_official(
        raw / "2026-10" / "220281_蛟河市.xlsx", "蛟河市", None, {"under_construction": []}
    )
    folder = tmp_path / "warehouse"
    source = build_warehouse(tmp_path / "source" / "warehouse.duckdb", OLD)
    damaged = _with_damaged_wal(source)
    folder.mkdir()
    shutil.copy(damaged, folder / "warehouse.duckdb")
    shutil.copy(damaged.with_name(damaged.name + ".wal"), folder / "warehouse.duckdb.wal")
    code = run_nightly_quietly(raw, folder, tmp_path / "out")
    out = capsys.readouterr().out
    assert code == 1
    assert "step failed: ingest_raw_files: " in out
    assert "warehouse.duckdb is damaged (" in out and "move the file aside and run again" in out
    (log,) = (tmp_path / "out" / "logs").glob("xmk-run-*.log")
    assert "STEP_UP_FOR_RETRY" not in log.read_text(encoding="utf-8")
