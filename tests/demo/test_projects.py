"""The simulated lifecycle is plausible: codes, amounts, the order of the lists, YTD."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dagster_project.demo import bureau
from dagster_project.demo.city import regions
from dagster_project.demo.periods import month_index, year_of
from dagster_project.demo.projects import rows_for_month, simulate

LAST = month_index(date(2026, 10, 1))
FIRST = LAST - 13
CODE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$")


@pytest.fixture(scope="module")
def jiaohe():
    region = next(r for r in regions("city") if r["region_code"] == "220281")
    return simulate(region, FIRST, LAST, seed=20231)


def test_project_codes_have_the_national_format(jiaohe):
    for p in jiaohe:
        assert len(p.code) == 24 and CODE.match(p.code), p.code
        assert p.code[5:11] == "220281"
        assert int(p.code[:4]) == year_of(p.code_month)


def test_amounts_are_between_500_wan_and_5_billion_and_mostly_small(jiaohe):
    totals = [p.total_wan for p in jiaohe]
    assert min(totals) >= 500 and max(totals) <= 500_000
    small = sum(t < 5000 for t in totals)
    assert 0.4 < small / len(totals) < 0.8


def test_ytd_grows_within_a_year_and_restarts_in_january(jiaohe):
    restarted = 0
    for p in jiaohe:
        if p.actual_start is None:
            continue
        for m in range(p.actual_start + 1, p.completion + 1):
            if m % 12 == 0:  # January
                restarted += p.ytd(m) < p.ytd(m - 1)
            else:
                assert p.ytd(m) >= p.ytd(m - 1)
    assert restarted > 10


def test_lists_follow_the_lifecycle(jiaohe):
    for p in jiaohe:
        if p.planning_from is not None and p.planned_list_from is not None:
            assert p.planning_until <= p.planned_list_from  # 重大谋划 before 明年拟开工
        if p.planned_list_until is not None and p.actual_start is not None:
            assert p.planned_list_until < p.actual_start  # 明年拟开工 until it starts
        if p.actual_start is not None:
            assert p.stats_entry > p.actual_start  # 入统 after the start
            assert p.completion > p.actual_start


def test_a_submitter_reports_about_250_rows_a_month(jiaohe):
    rows = rows_for_month(jiaohe, LAST)
    total = sum(len(v) for v in rows.values())
    assert 150 < total < 320
    assert all(row["total_investment_wan"] >= 10000 for _, row in rows["major_planning"])


def test_annual_plan_never_exceeds_the_total(jiaohe):
    for p in jiaohe:
        assert all(0 < plan <= p.total_wan for plan in p.annual_plan.values())


def test_bureau_fai_covers_the_listed_ytd_and_restarts_in_january(jiaohe):
    months = range(month_index(date(2024, 1, 1)), LAST + 1)
    listed = {m: sum(p.ytd(m) for p in jiaohe if p.under_construction(m)) for m in months}
    fai, private = bureau.fai_series(listed, 20231, "220281")
    for m in listed:
        assert fai[m] >= listed[m]
        assert private[m] <= fai[m]
        if m % 12:
            assert fai[m] >= fai[m - 1] and private[m] >= private[m - 1]
    assert fai[month_index(date(2026, 1, 1))] < fai[month_index(date(2025, 12, 1))]
