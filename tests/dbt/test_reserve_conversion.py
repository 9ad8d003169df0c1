"""二(七) reserve and conversion, on a county the test writes as real workbooks: 蛟河市 sends
August, September and October 2026 with a 重大谋划 list, and its projects move on to the
明年拟开工 list, start, or leave the lists — with a 状态说明 or without one (去向不明).

    R1  2亿  国家 (written 纳入国家“十四五”规划)  谋划 Aug → 明年拟开工 Sep → 在建 Oct
    R2  1.5亿 省                                谋划 Aug, Sep; gone in Oct, no reason
    R3  3亿  not stated                         谋划 Aug, Sep, Oct
    R4  8000万 市 (below the reserve's 1亿)     谋划 Aug, Sep (暂缓实施); gone in Oct

Worked out by hand (the reserve is ≥ 10000万 on the month's 谋划 list):
    reserve   Aug R1 R2 R3 = 3 (65000万) · Sep R2 R3 = 2 (45000万) · Oct R3 = 1 (30000万)
    cohort    every month 3 (R1 R2 R3 reached the reserve in August)
    前期      Aug 0 · Sep 1 (R1) · Oct 1            → rate Sep 1/3
    在建      Aug 0 · Sep 0 · Oct 1 (R1, started 2026-10) → rate Oct 1/3, 2 months from 谋划
    exits     R2 in Oct, unexplained; R4 in Oct, 暂缓实施 (not of the cohort)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.dbt.city import A, _county, _person, ongoing_project
from tests.dbt.conftest import Warehouse, one_county_warehouse

AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)
R1_CODE = "2026-220281-48-01-000101"


def _planning(name: str, i: int, total: int, plan: str | None, **extra) -> dict:
    return {
        "project_name": name,
        **_person(i),
        "total_investment_wan": total,
        "construction_period": "2027-2029",
        "planning_stage": "谋划",
        "plan_inclusion": plan,
        **extra,
    }


def build_reserve_county(raw: Path) -> None:
    r1 = _planning("蛟河市储备项目一", 101, 20000, "纳入国家“十四五”规划")
    r2 = _planning("蛟河市储备项目二", 102, 15000, "省")
    r3 = _planning("蛟河市储备项目三", 103, 30000, None)
    r4 = _planning("蛟河市储备项目四", 104, 8000, "市级")
    _county(
        raw, A, AUG, {"under_construction": [ongoing_project()], "major_planning": [r1, r2, r3, r4]}
    )
    r1_planned = {
        "project_code": R1_CODE,
        "project_name": "蛟河市储备项目一",
        **_person(101),
        "construction_type": "新建",
        "total_investment_wan": 20000,
        "planned_start": date(2026, 10, 1),
        "planned_completion": date(2028, 10, 1),
        "plan_inclusion": "国家",
    }
    r4_paused = {**r4, "status_note": "暂缓实施，待资金落实"}
    _county(
        raw,
        A,
        SEP,
        {
            "under_construction": [ongoing_project()],
            "planned_next_year": [r1_planned],
            "major_planning": [r2, r3, r4_paused],
        },
    )
    r1_started = {
        **ongoing_project(),
        "project_code": R1_CODE,
        "project_name": "蛟河市储备项目一",
        "construction_type": "新建",
        "total_investment_wan": 20000,
        "annual_plan_wan": 2000,
        "ytd_completed_wan": 300,
        "planned_start": date(2026, 10, 1),
        "actual_start": date(2026, 10, 1),
        "in_stats": False,
    }
    _county(
        raw,
        A,
        OCT,
        {"under_construction": [ongoing_project(), r1_started], "major_planning": [r3]},
    )


@pytest.fixture(scope="module")
def reserve(tmp_path_factory, dbt_manifest) -> Warehouse:
    return one_county_warehouse(tmp_path_factory, "reserve", build_reserve_county)


def _month(wh: Warehouse, month: date) -> dict:
    return wh.one(
        """select * exclude (region_code, period_month) from marts.fct_reserve_conversion_monthly
           where region_code = ? and period_month = ?""",
        A,
        month,
    )


def test_the_reserve_and_its_plans_month_by_month(reserve):
    aug, sep, octo = (_month(reserve, m) for m in (AUG, SEP, OCT))
    assert (aug["reserve_count"], aug["reserve_investment_wan"]) == (3, 65000)
    assert (sep["reserve_count"], sep["reserve_investment_wan"]) == (2, 45000)
    assert (octo["reserve_count"], octo["reserve_investment_wan"]) == (1, 30000)
    # August: R1 国家 (as 纳入国家“十四五”规划), R2 省, R3 not stated; R4 is below 1亿.
    keys = [
        "reserve_national_plan_count",
        "reserve_provincial_plan_count",
        "reserve_city_plan_count",
        "reserve_not_in_plan_count",
        "reserve_plan_unstated_count",
    ]
    assert [aug[k] for k in keys] == [1, 1, 0, 0, 1]
    assert [sep[k] for k in keys] == [0, 1, 0, 0, 1]


def test_conversion_to_preparation_and_to_construction(reserve):
    aug, sep, octo = (_month(reserve, m) for m in (AUG, SEP, OCT))
    assert [m["cohort_count"] for m in (aug, sep, octo)] == [3, 3, 3]
    assert [m["converted_to_preparation_count"] for m in (aug, sep, octo)] == [0, 1, 1]
    assert [m["converted_to_construction_count"] for m in (aug, sep, octo)] == [0, 0, 1]
    assert sep["preparation_conversion_rate"] == pytest.approx(1 / 3)
    assert sep["construction_conversion_rate"] == 0
    assert octo["construction_conversion_rate"] == pytest.approx(1 / 3)
    assert sep["median_months_to_start"] is None
    assert octo["median_months_to_start"] == 2  # 谋划 since August, started in October
    assert (octo["exited_count"], octo["unexplained_exit_count"]) == (1, 1)  # R2
    assert (sep["exited_count"], sep["unexplained_exit_count"]) == (0, 0)


def test_projects_that_leave_without_starting_say_why_or_are_asked(reserve):
    exits = reserve.rows(
        """select project_name, last_list, last_listed_month, exit_month, status_note,
                  is_unexplained, sheet_name, excel_row
           from marts.fct_project_exits order by project_name"""
    )
    assert exits == [
        {
            "project_name": "蛟河市储备项目二",
            "last_list": "major_planning",
            "last_listed_month": SEP,
            "exit_month": OCT,
            "status_note": None,
            "is_unexplained": True,
            "sheet_name": "重大谋划项目",
            "excel_row": 4,  # the template's first data row: R2 came first in September
        },
        {
            "project_name": "蛟河市储备项目四",
            "last_list": "major_planning",
            "last_listed_month": SEP,
            "exit_month": OCT,
            "status_note": "暂缓实施，待资金落实",
            "is_unexplained": False,
            "sheet_name": "重大谋划项目",
            "excel_row": 6,
        },
    ]
    # The county report of October asks about R2 at its September row, in the 状态说明 cell.
    asked = reserve.rows(
        """select source_file, sheet, excel_row, column_letter, header, value, severity,
                  rule_name_zh, hint
           from marts.fct_dq_failures
           where rule = 'project_left_unexplained' and period_month = ?""",
        OCT,
    )
    assert len(asked) == 1
    (failure,) = asked
    assert failure["source_file"] == "2026-09/220281_蛟河市.xlsx"
    assert (failure["sheet"], failure["excel_row"]) == ("重大谋划项目", 4)
    assert failure["header"] == "状态说明"
    assert failure["column_letter"] is not None
    assert (failure["value"], failure["severity"]) == ("蛟河市储备项目二", "warn")
    assert "最后列入2026年9月" in failure["hint"]
    assert failure["rule_name_zh"].startswith("项目去向不明")


def test_the_started_project_is_one_library_entry(reserve):
    found = reserve.rows(
        "select project_key from marts.dim_project where project_name = '蛟河市储备项目一'"
    )
    assert found == [{"project_key": R1_CODE}]
