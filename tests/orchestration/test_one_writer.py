"""Two real nightly runs started together on one warehouse (SPEC §5: DuckDB has one
writer). Each is its own `xmk run` process; they share a Dagster instance whose pool
`duckdb` has one slot, as `make` sets it up. Both must finish well: the steps that write
the warehouse queue for it instead of failing on DuckDB's file lock.

Then the no-change rule: a nightly run with no new input changes no mart.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.dbt.build_state import STATE_TABLE
from tests.conftest import run_nightly_quietly
from tests.dbt.city import build_city

REPO = Path(__file__).resolve().parents[2]
# The steps in the pool `duckdb` that write the warehouse.
WRITERS = {"ingest_raw_files", "quality__dq_failures", "dbt_warehouse"}


@pytest.fixture(scope="module")
def overlapped(tmp_path_factory, dbt_manifest):
    """The scenario city, loaded by two `xmk run` processes started at the same time."""
    root = tmp_path_factory.mktemp("one_writer")
    build_city(root / "raw")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    # The instance's storage exists before the runs, as dagster_home/ does: two processes
    # creating a fresh SQLite storage at the same moment can lose one run's record.
    instance = dg.DagsterInstance.from_config(str(home))
    instance.get_run_records(limit=1)
    instance.event_log_storage.get_pool_limits()
    instance.dispose()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    args = ["--raw", root / "raw", "--warehouse", root / "warehouse", "--out", root / "out"]
    command = [sys.executable, "-m", "dagster_project.cli", "run", *map(str, args)]
    procs = [
        subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    return root, home, [p.returncode for p in procs], outputs


def marts_digest(db: Path) -> dict[str, tuple]:
    """Every table of the marts schema: row count and an order-free hash of its rows."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            t: con.execute(f"select count(*), sum(hash(m)) from marts.{t} as m").fetchone()
            for t in tables
        }
    finally:
        con.close()


def test_both_overlapping_runs_finish_without_a_lock_error(overlapped):
    _root, _home, codes, outputs = overlapped
    for code, output in zip(codes, outputs, strict=True):
        assert code == 0, output
        assert "Could not set lock" not in output
        assert "warehouse" in output  # the summary, read after the run


def test_the_runs_overlapped_and_their_writing_steps_did_not(overlapped):
    _root, home, _codes, _outputs = overlapped
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        records = instance.get_run_records()
        assert len(records) == 2
        assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in records)
        (a_start, a_end), (b_start, b_end) = [(r.start_time, r.end_time) for r in records]
        assert a_start < b_end and b_start < a_end, "the two runs did not run at the same time"
        writing = sorted(
            (s.start_time, s.end_time, s.step_key, r.dagster_run.run_id)
            for r in records
            for s in instance.get_run_step_stats(r.dagster_run.run_id)
            if s.step_key in WRITERS
        )
    finally:
        instance.dispose()
    assert {step for *_, step, _run in writing} == WRITERS
    for (_s1, end, step1, _), (start, _e2, step2, _) in itertools.pairwise(writing):
        assert end <= start, f"{step1} and {step2} wrote the warehouse at the same time"


def test_the_warehouse_is_consistent_after_both_runs(overlapped):
    root, *_ = overlapped
    con = duckdb.connect(str(root / "warehouse" / "warehouse.duckdb"), read_only=True)
    try:
        raw = root / "raw"
        files = len(
            [
                p
                for p in raw.rglob("*")
                if p.is_file() and p.relative_to(raw).parts[0] != "reference"
            ]
        )
        loaded, distinct = con.execute(
            "select count(*), count(distinct submission_id) from raw.file_manifest"
        ).fetchone()
        assert loaded == distinct == files  # every file loaded once, by one of the runs
        assert con.execute("select count(*) from marts.fct_region_monthly").fetchone()[0] > 0
        built = con.execute(f"select count(*) from {STATE_TABLE}").fetchone()[0]
        assert built == 1  # the second run found the build done and skipped it
    finally:
        con.close()


def test_a_nightly_run_with_no_new_input_changes_no_mart(overlapped):
    root, *_ = overlapped
    db = root / "warehouse" / "warehouse.duckdb"
    before = marts_digest(db)
    assert before  # the marts exist
    assert run_nightly_quietly(root / "raw", root / "warehouse", root / "out") == 0
    assert marts_digest(db) == before


def test_rebuilding_every_mart_from_the_same_input_gives_the_same_marts(overlapped):
    """Not only skipped: built again from the same raw tables, nothing differs (no mart
    depends on the day it is built)."""
    root, *_ = overlapped
    db = root / "warehouse" / "warehouse.duckdb"
    before = marts_digest(db)
    con = duckdb.connect(str(db))
    try:
        con.execute(f"delete from {STATE_TABLE}")
    finally:
        con.close()
    assert run_nightly_quietly(root / "raw", root / "warehouse", root / "out") == 0
    assert marts_digest(db) == before
