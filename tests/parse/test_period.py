"""The month a workbook names as its period, for a file that lies in no month folder."""

from __future__ import annotations

from datetime import date

from dagster_project.parse.period import period_named

TODAY = date(2026, 11, 3)


def test_the_title_rows_month_is_the_period():
    found = period_named(["吉林市在建项目清单（2026年10月）", "填报单位：蛟河市"], [], TODAY)
    assert found == (date(2026, 10, 1), "标题行注明2026年10月")


def test_a_reporting_month_line_is_the_period_and_a_filling_date_is_not():
    lines = ["报送月份：2026年9月", "填报日期：2026年10月3日"]
    assert period_named(lines, [10], TODAY)[0] == date(2026, 9, 1)


def test_a_year_to_date_title_names_its_last_month():
    assert period_named(["2026年1-8月在建项目进展"], [], TODAY)[0] == date(2026, 8, 1)


def test_the_ytd_header_alone_gives_the_month_in_the_latest_year_not_after_today():
    assert period_named(["在建项目清单"], [10], TODAY) == (
        date(2026, 10, 1),
        "表头“1-10月累计完成投资”，按2026年计",
    )
    assert period_named([], [12], TODAY)[0] == date(2025, 12, 1)  # December, sent in 2026


def test_no_month_or_two_months_is_no_period():
    assert period_named(["吉林市在建项目清单", "填报单位：蛟河市"], [], TODAY) is None
    assert period_named(["2026年9月", "2026年10月"], [], TODAY) is None
    assert period_named([], [9, 10], TODAY) is None
