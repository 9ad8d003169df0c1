"""二(九) 三早, on a county the test writes as real workbooks: 蛟河市 puts next year's 三早
projects on its 明年拟开工 list in November 2025 and follows them in January and February
2026, when one starts (and the 在建 list no longer marks it 三早) and one misses its month.

    T1  三早, planned start 2026-02, all five 前期手续 已办   Nov, Jan planned → Feb 在建 (started
        2026-02, annual plan 3000万, 500万 done)
    T2  三早, planned start 2026-01, 立项 用地 规划 已办, 环评 在办, 施工许可 未办
                                                           Nov, Jan, Feb planned, never started
    T3  not 三早                                           Nov, Jan, Feb planned
    T4  三早, planned start 2027-03, 立项 已办 only        Feb planned (next year's list)

Worked out by hand (a 三早 project's year is its planned start's year when first flagged):
    Nov 2025  this year's 0 · next year's 2 (T1 T2), ready 1 (T1: five of five)
    Jan 2026  2 (T1 T2): started 0, overdue 0 (T2's planned month is January itself)
    Feb 2026  2: started 1 (T1) → 50 %, overdue 1 (T2, planned January), plan 3000万 and
              500万 done (T1 alone has a plan) → 1/6; next year's 1 (T4), ready 0
"""

from __future__ import annotations

from datetime import date

import pytest

from dagster_project.publish.bulletin import tables
from tests.dbt.city import A, _county, _person, ongoing_project
from tests.dbt.conftest import Warehouse, one_county_warehouse

NOV, JAN, FEB = date(2025, 11, 1), date(2026, 1, 1), date(2026, 2, 1)
T1_CODE = "2025-220281-48-01-000201"
DONE = {f"approval_{k}": "已办" for k in ("project", "land", "planning", "environment")}


def _planned(name: str, i: int, start: date, three_early: bool, **approvals) -> dict:
    return {
        "project_name": name,
        **_person(i),
        "construction_type": "新建",
        "total_investment_wan": 8000,
        "planned_start": start,
        "planned_completion": date(start.year + 2, start.month, 1),
        "is_three_early": three_early,
        **approvals,
    }


def build_three_early_county(raw) -> None:
    t1 = _planned(
        "蛟河市三早项目一",
        201,
        date(2026, 2, 1),
        True,
        project_code=T1_CODE,
        **DONE,
        approval_construction="已办",
    )
    t2 = _planned(
        "蛟河市三早项目二",
        202,
        date(2026, 1, 1),
        True,
        approval_project="已办",
        approval_land="已办",
        approval_planning="已办",
        approval_environment="在办",
        approval_construction="未办",
    )
    t3 = _planned("蛟河市一般项目三", 203, date(2026, 5, 1), False)
    for month in (NOV, JAN):
        _county(
            raw,
            A,
            month,
            {"under_construction": [ongoing_project()], "planned_next_year": [t1, t2, t3]},
        )
    t1_started = {
        **ongoing_project(),
        "project_code": T1_CODE,
        "project_name": "蛟河市三早项目一",
        "construction_type": "新建",
        "total_investment_wan": 8000,
        "annual_plan_wan": 3000,
        "ytd_completed_wan": 500,
        "planned_start": date(2026, 2, 1),
        "actual_start": date(2026, 2, 1),
        "in_stats": False,
    }
    t4 = _planned("蛟河市三早项目四", 204, date(2027, 3, 1), True, approval_project="已办")
    _county(
        raw,
        A,
        FEB,
        {"under_construction": [ongoing_project(), t1_started], "planned_next_year": [t2, t3, t4]},
    )


@pytest.fixture(scope="module")
def three_early(tmp_path_factory, dbt_manifest) -> Warehouse:
    return one_county_warehouse(tmp_path_factory, "three_early", build_three_early_county)


def _region(wh: Warehouse, month: date) -> tuple:
    return tuple(
        wh.one(
            """select three_early_count, started_count, start_rate, overdue_count,
                  annual_plan_wan, planned_ytd_completed_wan, completion_rate,
                  next_year_count, next_year_ready_count
           from marts.rpt_bulletin_three_early_monthly
           where region_code = ? and period_month = ?""",
            A,
            month,
        ).values()
    )


def test_the_list_is_next_years_in_the_month_it_is_drawn_up(three_early):
    assert _region(three_early, NOV) == (0, 0, None, 0, 0, 0, None, 2, 1)


def test_a_project_is_not_overdue_in_its_planned_month(three_early):
    assert _region(three_early, JAN) == (2, 0, 0.0, 0, 0, 0, None, 0, 0)


def test_started_overdue_and_the_plan_in_february(three_early):
    assert _region(three_early, FEB) == (2, 1, 0.5, 1, 3000, 500, pytest.approx(1 / 6), 1, 0)


def test_each_projects_status_and_the_approvals_still_missing(three_early):
    rows = three_early.rows(
        """select project_name, three_early_year, start_status, approvals_done,
                  missing_approvals, is_flagged_this_month
           from marts.fct_three_early_monthly
           where period_month = ? order by project_name""",
        FEB,
    )
    assert [tuple(r.values()) for r in rows] == [
        ("蛟河市三早项目一", 2026, "已开工", None, None, False),
        ("蛟河市三早项目二", 2026, "逾期未开工", 3, "环评、施工许可", True),
        ("蛟河市三早项目四", 2027, "待开工", 1, "用地、规划、环评、施工许可", True),
    ]


def test_the_bulletins_table_has_the_region_and_the_city_total(three_early):
    content = three_early.bulletin_content(FEB)
    table = tables.three_early_table(content)
    assert table.has_total
    by_region = {row[1]: row[2:] for row in table.rows}
    assert by_region["蛟河市"] == (2, 1, 0.5, 1, 3000, 500, pytest.approx(1 / 6), 1, 0)
    assert by_region["全市合计"] == by_region["蛟河市"]
