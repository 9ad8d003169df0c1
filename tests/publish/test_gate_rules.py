"""The publication gate's rules on marts written by hand, without Dagster or dbt: which
failures hold the month back, which month is judged, and what the operator is told."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dagster_project.publish.gate import gate_status, latest_month

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_region as select * from (values "
        "('220221', '永吉县'), ('220281', '蛟河市')) as t(region_code, region_name)"
    )
    con.execute(
        """create table marts.fct_submission_completeness (
            region_code varchar, region_name varchar, period_month date,
            has_monthly_workbook boolean, is_complete boolean, missing_note varchar,
            is_statistics_complete boolean)"""
    )
    con.execute(
        """create table marts.fct_dq_failures (
            region_code varchar, period_month date, severity varchar, rule varchar)"""
    )
    yield con
    con.close()


def _month(con, month, rows, statistics=True):
    for code, name, has_workbook, complete, note in rows:
        con.execute(
            "insert into marts.fct_submission_completeness values (?, ?, ?, ?, ?, ?, ?)",
            [code, name, month, has_workbook, complete, note, statistics],
        )


def _failure(con, code, month, severity="error", rule="not_null"):
    con.execute(
        "insert into marts.fct_dq_failures values (?, ?, ?, ?)", [code, month, severity, rule]
    )


COMPLETE = [("220221", "永吉县", True, True, None), ("220281", "蛟河市", True, True, None)]


def test_a_complete_month_without_errors_is_open(con):
    _month(con, OCT, COMPLETE)
    _failure(con, "220221", OCT, severity="warn")
    status = gate_status(con)
    assert status.period_month == OCT
    assert status.is_open
    assert "open for 2026年10月" in status.describe()


def test_errors_hold_the_month_back_and_are_counted_by_region(con):
    _month(con, OCT, COMPLETE)
    for _ in range(3):
        _failure(con, "220281", OCT)
    _failure(con, "220221", date(2026, 9, 1))  # another month's error does not count
    status = gate_status(con)
    assert not status.is_open
    assert status.errors == {"220281": ("蛟河市", 3)}
    assert "3 error-severity failures in 1 regions — 蛟河市 3 项错误" in status.describe()


def test_a_missing_submission_is_counted_as_missing_not_as_an_error(con):
    _month(con, OCT, [COMPLETE[0], ("220281", "蛟河市", False, False, "未报送月度清单")])
    _failure(con, "220281", OCT, rule="missing_submission")
    status = gate_status(con)
    assert status.errors == {}
    assert status.missing == {"220281": ("蛟河市", "未报送月度清单")}
    assert "1 regions incomplete — 蛟河市（未报送月度清单）" in status.describe()


def test_the_statistics_file_missing_holds_the_month(con):
    _month(con, OCT, COMPLETE, statistics=False)
    status = gate_status(con)
    assert status.statistics_missing and not status.is_open
    assert "统计局 file" in status.describe()


def test_the_judged_month_is_the_latest_with_a_monthly_workbook(con):
    _month(con, OCT, COMPLETE)
    # November so far: rows for the weekly returns, no monthly workbook from anyone.
    _month(con, NOV, [(c, n, False, False, "未报送") for c, n, *_ in COMPLETE])
    assert latest_month(con) == OCT
    assert gate_status(con).is_open
    assert not gate_status(con, NOV).is_open


def test_an_unrecognised_submitter_is_named_so(con):
    _month(con, OCT, COMPLETE)
    _failure(con, None, OCT, rule="unknown_region")
    assert gate_status(con).errors == {None: ("（未识别）", 1)}


def test_nothing_submitted_yet(con):
    status = gate_status(con)
    assert status.period_month is None and not status.is_open
    assert status.describe() == "publication gate: no county monthly submission yet"
