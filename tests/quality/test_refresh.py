"""quality.dq_failures is kept up to date at the cost of what changed: a run validates
only new submissions, keeps what it knew, and forgets what a correction superseded."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from dagster_project.demo.generate import generate_demo
from dagster_project.ingest.load import ingest
from dagster_project.quality import refresh
from dagster_project.quality.refresh import refresh_failures
from dagster_project.quality.suites import validate_warehouse
from tests.quality.conftest import DEMO, OCTOBER


@pytest.fixture(scope="module")
def copied(demo, tmp_path_factory):
    """The demo's raw/ and warehouse, copied: the tests below add files and rewrite."""
    summary, db = demo
    root = tmp_path_factory.mktemp("refresh")
    shutil.copytree(summary.out_dir, root / "raw")
    shutil.copy(db, root / "warehouse.duckdb")
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    try:
        con.execute("drop schema if exists quality cascade")  # as before any check ran
    finally:
        con.close()
    return root / "raw", root / "warehouse.duckdb"


def test_the_first_run_validates_everything_and_finds_what_a_full_validation_finds(copied):
    _raw, db = copied
    first = refresh_failures(db)
    assert first.kept == 0 and first.validated > 0
    assert first.failures == validate_warehouse(db)


def test_a_run_with_nothing_new_validates_nothing_and_changes_nothing(copied):
    _raw, db = copied
    before = refresh_failures(db)
    again = refresh_failures(db)
    assert (again.validated, again.kept) == (0, before.validated + before.kept)
    assert again.failures == before.failures


def test_a_changed_suite_validates_everything_again(copied, monkeypatch):
    _raw, db = copied
    known = refresh_failures(db)
    monkeypatch.setattr(refresh, "suites_version", lambda: "another version")
    changed = refresh_failures(db)
    assert (changed.validated, changed.kept) == (known.validated + known.kept, 0)
    assert changed.failures == known.failures


def test_a_corrected_resubmission_replaces_the_failures_of_the_file_it_supersedes(copied):
    raw, db = copied
    before = refresh_failures(db)
    assert any(f.is_error for f in before.failures)
    # The demo's counties send corrected workbooks for the latest month.
    summary = generate_demo(raw, **DEMO, corrected=True)
    assert summary.corrections
    ingest(raw, db, jobs=1)
    after = refresh_failures(db)
    assert 0 < after.validated < before.validated + before.kept
    assert not [f for f in after.failures if f.is_error and f.period_month == OCTOBER]
    assert after.failures == validate_warehouse(db)
