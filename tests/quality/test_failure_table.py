"""quality.dq_failures is replaced whole by each run, in one transaction."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dagster_project.quality.failure_table import (
    ListFailure,
    read_failures,
    read_validated,
    write_failures,
)

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


def failure(month: date, row: int, severity: str = "error") -> ListFailure:
    return ListFailure(
        period_month=month,
        region_code="220281",
        source_file=f"{month:%Y-%m}/220281_蛟河市.xlsx",
        sheet="在建项目",
        excel_row=row,
        column_letter="D",
        field="project_owner",
        header="项目法人",
        value=None,
        rule="required_project_owner",
        severity=severity,
        hint="请填写项目法人单位全称（与立项批复一致）",
        list_key="under_construction",
        submission_id="abc",
    )


@pytest.fixture
def con():
    con = duckdb.connect()
    yield con
    con.close()


def test_failures_round_trip_with_list_and_submission(con):
    written = [failure(OCTOBER, 5), failure(OCTOBER, 6, "warn")]
    write_failures(con, written)
    assert sorted(read_failures(con), key=lambda f: f.excel_row) == written
    columns = [r[0] for r in con.execute("describe quality.dq_failures").fetchall()]
    assert columns[-2:] == ["list_key", "submission_id"]


def test_a_run_replaces_the_previous_runs_failures(con):
    write_failures(con, [failure(SEPTEMBER, 5), failure(OCTOBER, 5)])
    write_failures(con, [failure(OCTOBER, 7)])
    assert [(f.period_month, f.excel_row) for f in read_failures(con)] == [(OCTOBER, 7)]


def test_the_ledger_of_validated_submissions_is_replaced_with_the_failures(con):
    write_failures(con, [failure(OCTOBER, 5)], [("abc", "under_construction", "v1")])
    assert read_validated(con) == {("abc", "under_construction", "v1")}
    write_failures(con, [])  # failures written without a ledger: nothing counts as done
    assert read_validated(con) == set()
    assert read_failures(con) == []


def test_before_the_first_run_there_is_nothing_to_read(con):
    assert read_failures(con) == [] and read_validated(con) == set()


class _InsertFails:
    """A connection whose insert fails, as a full disk would, after the delete ran."""

    def __init__(self, con):
        self._con = con

    def execute(self, sql, *args):
        if sql.lstrip().startswith("insert"):
            raise duckdb.IOException("disk full")
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_a_failed_write_leaves_the_tables_as_they_were(con):
    write_failures(con, [failure(OCTOBER, 5)], [("abc", "under_construction", "v1")])
    with pytest.raises(duckdb.IOException):
        write_failures(_InsertFails(con), [failure(OCTOBER, 6)])
    assert [f.excel_row for f in read_failures(con)] == [5]
    assert read_validated(con) == {("abc", "under_construction", "v1")}
