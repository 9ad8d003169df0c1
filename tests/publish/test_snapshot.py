"""The analysts' snapshot (SPEC §5): what `published.duckdb` holds, and that replacing it
neither waits for nor disturbs an analyst who has it open, with real second processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish import snapshot
from dagster_project.publish.snapshot import content_digest, publish_snapshot
from dagster_project.settings import REPO_ROOT
from tests.publish.crafted_warehouse import (
    NEW,
    OLD,
    STATE_QUERY,
    build_warehouse,
    expected_state,
    read_state,
)

# An analyst's session. "held": one connection kept open for the whole test; "fresh": a new
# connection for every query. One JSON line per query into a file (a pipe could fill up and
# stall the reader while the test is busy publishing): "ok" and what the query saw, "open"
# when opening the file failed, "error" when a query on an open connection failed.
READER = """
import json, os, sys, time
import duckdb
path, log, stop, mode = sys.argv[1:5]
held = duckdb.connect(path, read_only=True) if mode == "held" else None
with open(log, "w") as out:
    while True:
        try:
            con = held or duckdb.connect(path, read_only=True)
        except Exception as e:
            con = None
            out.write(json.dumps(["open", repr(e)]) + "\\n")
        try:
            if con is not None:
                state = con.execute(QUERY).fetchone()
                if held is None:
                    con.close()
                out.write(json.dumps(["ok", *state]) + "\\n")
        except Exception as e:
            out.write(json.dumps(["error", repr(e)]) + "\\n")
        out.flush()
        if os.path.exists(stop):
            break
        time.sleep(0.005)
"""


@pytest.fixture
def warehouses(tmp_path) -> tuple[Path, Path]:
    """Two working warehouses, the old run's and the new run's."""
    return (
        build_warehouse(tmp_path / "old" / "warehouse.duckdb", OLD),
        build_warehouse(tmp_path / "new" / "warehouse.duckdb", NEW),
    )


@pytest.fixture
def published(tmp_path) -> Path:
    return tmp_path / "warehouse" / "published.duckdb"


def _start_reader(tmp_path: Path, published: Path, mode: str) -> tuple[subprocess.Popen, Path]:
    log, stop = tmp_path / f"{mode}.jsonl", tmp_path / "stop"
    script = f"QUERY = {STATE_QUERY!r}\n{READER}"
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(published), str(log), str(stop), mode]
    )
    return proc, log


def _lines(log: Path) -> list[list]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.endswith("]")]


def _wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name != "published.duckdb")


def test_snapshot_holds_the_marts_with_their_descriptions_and_bare_names(warehouses, published):
    old, _ = warehouses
    before = datetime.now(UTC)

    info = publish_snapshot(old, published)

    assert info.path == published
    assert before <= info.published_at <= datetime.now(UTC)
    assert info.latest_period_month == OLD.latest_period
    assert info.row_counts == {
        "marts.dim_region": 3,
        "marts.fct_project_monthly": OLD.project_rows,
        "marts.rpt_arena_monthly": OLD.arena_rows,
    }
    assert read_state(published) == expected_state(OLD)
    con = duckdb.connect(str(published), read_only=True)
    try:
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM duckdb_tables()").fetchall()}
        # raw carries the counties' contact details; staging is not an interface.
        assert schemas == {"marts", "meta"}
        views = con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal ORDER BY 2"
        ).fetchall()
        assert views == [
            ("main", "dim_region"),
            ("main", "fct_project_monthly"),
            ("main", "rpt_arena_monthly"),
        ]
        assert con.execute(
            "SELECT comment FROM duckdb_tables() WHERE table_name = 'rpt_arena_monthly'"
        ).fetchone() == ("擂台月度排名 — the monthly arena",)
        assert con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND table_name = 'rpt_arena_monthly' AND column_name = 'rank'"
        ).fetchone() == ("组内名次 — rank within the group",)
        assert con.execute(
            "SELECT region_name FROM dim_region WHERE region_code = '220281'"
        ).fetchall() == [("蛟河市",)]
        assert con.execute("SELECT * FROM meta.snapshot").fetchall() == [
            (info.published_at, OLD.latest_period, 3, content_digest(old))
        ]
        assert con.execute(
            "SELECT table_schema || '.' || table_name, row_count FROM meta.snapshot_tables"
        ).fetchall() == list(info.row_counts.items())
    finally:
        con.close()
    assert _leftovers(published.parent) == []


def test_publishing_the_same_marts_again_leaves_the_snapshot_as_it_was(warehouses, published):
    old, new = warehouses
    first = publish_snapshot(old, published)
    before = (published.read_bytes(), published.stat().st_mtime_ns)

    again = publish_snapshot(old, published)

    assert (published.read_bytes(), published.stat().st_mtime_ns) == before
    assert not again.written
    assert (again.published_at, again.row_counts) == (first.published_at, first.row_counts)
    assert "unchanged since" in again.describe()
    # Different marts are published.
    third = publish_snapshot(new, published)
    assert third.written and read_state(published) == expected_state(NEW)


def test_the_content_digest_sees_one_changed_value(warehouses):
    old, _new = warehouses
    digest = content_digest(old)
    con = duckdb.connect(str(old))
    try:
        con.execute("UPDATE marts.dim_region SET region_name = '蛟河' WHERE region_code = '220281'")
    finally:
        con.close()
    assert content_digest(old) != digest


def test_analyst_session_open_during_publication_neither_blocks_it_nor_sees_a_mix(
    tmp_path, warehouses, published
):
    old, new = warehouses
    publish_snapshot(old, published)
    held, held_log = _start_reader(tmp_path, published, "held")
    fresh, fresh_log = _start_reader(tmp_path, published, "fresh")
    try:
        _wait_until(lambda: _lines(held_log) and _lines(fresh_log))

        # The nightly run writes its working warehouse while the analyst reads the snapshot.
        writer = subprocess.run(
            [sys.executable, "-c",
             "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
             "con.execute(\"INSERT INTO raw.under_construction VALUES ('新项目', '')\"); "
             "con.close()",
             str(old)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert writer.returncode == 0, writer.stderr

        # Publish several times over, so that new sessions open the file before, during and
        # after each replacement.
        publications = (new, old, new, old, new)
        for source in publications:
            started = time.monotonic()
            publish_snapshot(source, published)
            assert time.monotonic() - started < 30
            time.sleep(0.1)
        seen_by_fresh = len(_lines(fresh_log))
        _wait_until(lambda: len(_lines(fresh_log)) > seen_by_fresh + 3)
    finally:
        (tmp_path / "stop").touch()
        for proc in (held, fresh):
            proc.wait(timeout=30)

    old_state, new_state = ["ok", *expected_state(OLD)], ["ok", *expected_state(NEW)]
    held_lines, fresh_lines = _lines(held_log), _lines(fresh_log)
    # The open session keeps the snapshot it opened, complete, without an error.
    assert held_lines and all(line == old_state for line in held_lines), held_lines[-1]
    # DuckDB opens a database file three times while connecting (2.0.1: the first 16 bytes,
    # then the 12 KB of headers, then the blocks, each time by its path), so a session that
    # opens it in the instant of a replacement can read the old file's headers and the new
    # file's blocks. It fails to open, and opening again works; it never reads a mix.
    failed_opens = [line for line in fresh_lines if line[0] == "open"]
    assert len(failed_opens) <= len(publications), failed_opens[:3]
    assert all(
        message.startswith(("IOException('IO Error: Could not read", "SerializationException("))
        for _, message in failed_opens
    ), failed_opens[:3]
    # Every session that opened sees one whole snapshot, and after the last publication the
    # new one; no query on an open session fails.
    read = [line for line in fresh_lines if line[0] != "open"]
    assert all(line in (old_state, new_state) for line in read), [
        line for line in read if line not in (old_state, new_state)
    ][:3]
    assert new_state in read and fresh_lines[-1] == new_state
    assert read_state(published) == expected_state(NEW)
    assert _leftovers(published.parent) == []


def test_failure_between_copy_and_replace_keeps_the_old_snapshot(
    warehouses, published, monkeypatch
):
    old, new = warehouses
    publish_snapshot(old, published)

    def replace_fails(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(snapshot.os, "replace", replace_fails)
    with pytest.raises(OSError, match="disk full"):
        publish_snapshot(new, published)
    monkeypatch.undo()

    assert read_state(published) == expected_state(OLD)
    assert _leftovers(published.parent) == []


def test_publication_killed_mid_copy_keeps_the_old_snapshot_and_the_next_one_cleans_up(
    warehouses, published
):
    old, new = warehouses
    publish_snapshot(old, published)
    # Killed with SIGKILL after the second table is copied: no `finally` runs.
    script = """
import sys, time
from pathlib import Path
from dagster_project.publish import snapshot
copy, copied = snapshot._copy_table, []
def copy_then_stall(*args):
    copy(*args)
    copied.append(args)
    if len(copied) == 2:
        print("copying", flush=True)
        time.sleep(600)
snapshot._copy_table = copy_then_stall
snapshot.publish_snapshot(Path(sys.argv[1]), Path(sys.argv[2]))
"""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(new), str(published)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout.readline().strip() == "copying"
        assert any(".tmp-" in name for name in _leftovers(published.parent))
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()

    assert read_state(published) == expected_state(OLD)
    assert any(".tmp-" in name for name in _leftovers(published.parent))

    publish_snapshot(new, published)
    assert read_state(published) == expected_state(NEW)
    assert _leftovers(published.parent) == []


def test_a_wal_left_beside_the_old_snapshot_does_not_break_the_new_one(warehouses, published):
    old, new = warehouses
    publish_snapshot(old, published)
    # Someone opened the snapshot read-write, changed it and died before a checkpoint.
    subprocess.run(
        [sys.executable, "-c",
         "import duckdb, os, sys; con = duckdb.connect(sys.argv[1]); "
         "con.execute(\"SET checkpoint_threshold = '1TB'\"); "
         "con.execute('DELETE FROM marts.dim_region'); os._exit(0)",
         str(published)],
        check=True, timeout=60,
    )  # fmt: skip
    assert published.with_name("published.duckdb.wal").exists()

    publish_snapshot(new, published)

    assert read_state(published) == expected_state(NEW)
    assert _leftovers(published.parent) == []


def test_working_warehouse_is_free_for_the_next_writer_after_publication(warehouses, published):
    old, _ = warehouses
    publish_snapshot(old, published)
    con = duckdb.connect(str(old))  # would fail on a lock still held by the publication
    con.execute("INSERT INTO raw.under_construction VALUES ('x', '')")
    con.close()


def test_nothing_is_published_without_a_working_warehouse(tmp_path, published):
    with pytest.raises(FileNotFoundError, match="no working warehouse"):
        publish_snapshot(tmp_path / "missing" / "warehouse.duckdb", published)
    assert not published.exists()


def test_a_schema_missing_from_the_warehouse_is_refused_and_the_old_snapshot_stays(
    warehouses, published
):
    old, new = warehouses
    publish_snapshot(old, published)
    with pytest.raises(ValueError, match="reports"):
        publish_snapshot(new, published, schemas=("marts", "reports"))
    assert read_state(published) == expected_state(OLD)
    assert _leftovers(published.parent) == []
