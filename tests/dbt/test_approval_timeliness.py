"""二(十三) approval timeliness, on a county the test writes as real workbooks: 蛟河市's
明年拟开工 list in December 2025 and January 2026.

    P1  立项 applied 2025-12-20 (Dec: 在办), done 2026-01-10 (Jan: 已办), online
        用地 applied 2025-11-01, done 2025-12-15, offline
    P2  (January only) 立项 applied 2025-10-01, done 2026-01-31, online;
        环评 applied 2026-01-05, 在办

Worked out by hand:
    days   P1 立项 21 (across the year's end: 11 days of December + 10 of January)
           P1 用地 44 · P2 立项 122 · P2 环评 none (not done)
    Dec 2025, city  用地 done 1, median 44, online 0 of 1 → 0 %; 立项 none done
    Jan 2026, city  立项 done 2 (21, 122) → median 71.5, longest 122, online 2 of 2;
                    用地 none done in 2026 (December's is last year's)
    slowest in 2026  P2 立项 122, then P1 立项 21
"""

from __future__ import annotations

from datetime import date

import pytest

from dagster_project.publish.bulletin import tables
from tests.dbt.city import A, _county, _person, ongoing_project
from tests.dbt.conftest import Warehouse, one_county_warehouse

DEC, JAN = date(2025, 12, 1), date(2026, 1, 1)


def _planned(name: str, i: int, **approvals) -> dict:
    return {
        "project_name": name,
        **_person(i),
        "construction_type": "新建",
        "total_investment_wan": 9000,
        "planned_start": date(2026, 5, 1),
        "planned_completion": date(2028, 5, 1),
        **approvals,
    }


def build_approvals_county(raw) -> None:
    p1_land = {
        "approval_land": "已办",
        "approval_land_applied_on": date(2025, 11, 1),
        "approval_land_done_on": date(2025, 12, 15),
        "approval_land_online": False,
    }
    p1_dec = _planned(
        "蛟河市审批项目一",
        401,
        approval_project="在办",
        approval_project_applied_on=date(2025, 12, 20),
        approval_project_online=True,
        **p1_land,
    )
    _county(raw, A, DEC, {"under_construction": [ongoing_project()], "planned_next_year": [p1_dec]})
    p1_jan = {**p1_dec, "approval_project": "已办", "approval_project_done_on": date(2026, 1, 10)}
    p2 = _planned(
        "蛟河市审批项目二",
        402,
        approval_project="已办",
        approval_project_applied_on=date(2025, 10, 1),
        approval_project_done_on=date(2026, 1, 31),
        approval_project_online=True,
        approval_environment="在办",
        approval_environment_applied_on=date(2026, 1, 5),
    )
    _county(
        raw, A, JAN, {"under_construction": [ongoing_project()], "planned_next_year": [p1_jan, p2]}
    )


@pytest.fixture(scope="module")
def approvals(tmp_path_factory, dbt_manifest) -> Warehouse:
    return one_county_warehouse(tmp_path_factory, "approvals", build_approvals_county)


def test_days_per_approval_across_the_years_end(approvals):
    rows = approvals.rows(
        """select project_name, approval_name, state, days_taken, is_online
           from marts.fct_approvals where applied_on is not null
           order by project_name, approval"""
    )
    assert [tuple(r.values()) for r in rows] == [
        ("蛟河市审批项目一", "用地", "已办", 44, False),
        ("蛟河市审批项目一", "立项", "已办", 21, True),
        ("蛟河市审批项目二", "环评", "在办", None, None),
        ("蛟河市审批项目二", "立项", "已办", 122, True),
    ]


def _city(wh: Warehouse, month: date) -> dict:
    rows = wh.rows(
        """select approval_name, done_count, median_days, max_days, online_count, online_share
           from marts.rpt_bulletin_approval_timeliness_monthly
           where period_month = ? and is_total""",
        month,
    )
    return {r.pop("approval_name"): tuple(r.values()) for r in rows}


def test_the_citys_medians_count_the_years_approvals_only(approvals):
    assert _city(approvals, DEC) == {"用地": (1, 44, 44, 0, 0.0)}
    assert _city(approvals, JAN) == {"立项": (2, 71.5, 122, 2, 1.0)}


def test_the_bulletin_lists_the_slowest_and_the_medians(approvals):
    content = approvals.bulletin_content(JAN)
    slowest = tables.slowest_approvals_table(content)
    assert [(r[1], r[2], r[5]) for r in slowest.rows] == [
        ("蛟河市审批项目二", "立项", 122),
        ("蛟河市审批项目一", "立项", 21),
    ]
    assert tables.approval_timeliness_table(content).rows == (("立项", 2, 71.5, 122, 2, 1.0),)
