"""The month-grained models are incremental (dbt_project/macros/rebuild_window.sql): a
nightly run rebuilds the months whose inputs changed and keeps the others. Whatever way a
warehouse got to its files — month by month, a county's re-submission after a run, or
one build from empty — every table dbt writes holds the same rows."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_nightly_quietly
from tests.dbt.city import A, P, _county, _uc

# What differs by nature between two warehouses: the digests the last build read.
NOT_COMPARED = {("intermediate", "int_build_window")}


def tables(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            """select schema_name, table_name from duckdb_tables()
               where schema_name in ('intermediate', 'marts') order by all"""
        ).fetchall()
    finally:
        con.close()


def differences(built: Path, rebuilt: Path) -> dict[str, tuple[int, int, int]]:
    """{table: (rows, rows only in `built`, rows only in `rebuilt`)} for every table dbt
    writes, compared with EXCEPT ALL both ways (every column, duplicates counted)."""
    names = tables(built)
    assert names == tables(rebuilt)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{built}' as built (read_only)")
        con.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
        found = {}
        for schema, table in names:
            if (schema, table) in NOT_COMPARED:
                continue
            a, b = f'built."{schema}"."{table}"', f'rebuilt."{schema}"."{table}"'
            counts = [
                con.execute(sql).fetchone()[0]
                for sql in (
                    f"select count(*) from {a}",
                    f"select count(*) from (from {a} except all from {b})",
                    f"select count(*) from (from {b} except all from {a})",
                )
            ]
            found[f"{schema}.{table}"] = tuple(counts)
        return found
    finally:
        con.close()


def assert_same(built: Path, rebuilt: Path) -> None:
    found = differences(built, rebuilt)
    assert {t: d for t, d in found.items() if d[1] or d[2]} == {}
    # the comparison compared something: the project library and its indicators
    assert found["marts.fct_project_monthly"][0] > 20
    assert found["marts.fct_region_monthly"][0] > 20


def rebuild_window(db: Path) -> date:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select distinct rebuild_from from intermediate.int_build_window"
        ).fetchone()[0]
    finally:
        con.close()


def month_rows(db: Path, month: date) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select count(*) from marts.fct_project_monthly where period_month = ?", [month]
        ).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def month_by_month(scenario, tmp_path_factory) -> Path:
    """The scenario city's files without October 2026, run; then October lands, run."""
    root = tmp_path_factory.mktemp("month_by_month")
    month = f"{P:%Y-%m}"
    shutil.copytree(scenario / "raw", root / "raw", ignore=shutil.ignore_patterns(month))
    # 3: September, the latest month then, misses four submitters and is held back
    assert run_nightly_quietly(root / "raw", root / "warehouse", root / "out") == 3
    db = root / "warehouse" / "warehouse.duckdb"
    assert month_rows(db, P) == 0
    shutil.copytree(scenario / "raw" / month, root / "raw" / month)
    assert run_nightly_quietly(root / "raw", root / "warehouse", root / "out") == 0
    return db


def test_a_new_month_rebuilds_that_month_only(month_by_month):
    assert rebuild_window(month_by_month) == P


def test_month_by_month_equals_one_build_from_empty(month_by_month, scenario):
    assert month_rows(month_by_month, P) > 10
    assert_same(month_by_month, scenario / "warehouse" / "warehouse.duckdb")


@pytest.fixture(scope="module")
def resubmitted(scenario, tmp_path_factory) -> Path:
    """After the scenario's run, 蛟河市 re-sends August 2026 with one project revised: the
    run rebuilds August and the months after it."""
    root = tmp_path_factory.mktemp("resubmitted")
    shutil.copytree(scenario / "raw", root / "raw")
    shutil.copytree(scenario / "warehouse", root / "warehouse")
    august = date(2026, 8, 1)
    a1 = _uc("A1", 7, 12000, 3000, 900, "续建", date(2025, 3, 1), date(2025, 3, 1), True)
    _county(root / "raw", A, august, {"under_construction": [a1]}, "_更正", "2026-11-21 09:00")
    assert run_nightly_quietly(root / "raw", root / "warehouse", root / "out") == 0
    return root


def test_a_resubmission_rebuilds_from_its_month(resubmitted):
    db = resubmitted / "warehouse" / "warehouse.duckdb"
    assert rebuild_window(db) == date(2026, 8, 1)


def test_a_resubmission_equals_a_full_refresh(resubmitted, tmp_path):
    rebuilt = tmp_path / "warehouse"
    assert run_nightly_quietly(resubmitted / "raw", rebuilt, tmp_path / "out") == 0
    assert_same(resubmitted / "warehouse" / "warehouse.duckdb", rebuilt / "warehouse.duckdb")
