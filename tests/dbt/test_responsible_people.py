"""三(一) 包保责任人 as people, on a county the test writes as real workbooks: 蛟河市's
October 2026 在建 list and issue ledger.

    P1  责任人 "于东、郭秀振", 8000万, annual plan 1000, 100 done: 10 % against 序时 83.3 %
        → progress_lag 红
    P2  责任人 "郭秀振（副县长）", 6000万, plan 1200, 1000 done (on schedule); an issue of
        市财政局 raised 2026-09-10 with 办结时限 2026-10-15, still 办理中 → overdue

Worked out by hand: 于东 1 project (P1), 8000万, 1 red; 郭秀振 2 projects (P1, P2),
14000万, 1 red, 1 open issue, 1 overdue — the title in brackets is not part of the name.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.dbt.city import A, _county, _person, ongoing_project
from tests.dbt.conftest import Warehouse, one_county_warehouse

OCT = date(2026, 10, 1)
P2_CODE = "2025-220281-48-01-000502"


def build_people_county(raw) -> None:
    p1 = {
        **ongoing_project(),
        "project_code": "2025-220281-48-01-000501",
        "project_name": "蛟河市包保项目一",
        "total_investment_wan": 8000,
        "annual_plan_wan": 1000,
        "ytd_completed_wan": 100,
        "responsible_person": "于东、郭秀振",
    }
    p2 = {
        **ongoing_project(),
        "project_code": P2_CODE,
        "project_name": "蛟河市包保项目二",
        "total_investment_wan": 6000,
        "annual_plan_wan": 1200,
        "ytd_completed_wan": 1000,
        "responsible_person": "郭秀振（副县长）",
    }
    issue = {
        "project_code": P2_CODE,
        "project_name": "蛟河市包保项目二",
        **_person(502),
        "issue_type": "资金",
        "issue_description": "配套资金未到位",
        "issue_raised_on": date(2026, 9, 10),
        "issue_department": "市财政局",
        "issue_deadline": date(2026, 10, 15),
        "issue_status": "办理中",
    }
    _county(raw, A, OCT, {"under_construction": [p1, p2], "issue_ledger": [issue]})


@pytest.fixture(scope="module")
def people(tmp_path_factory, dbt_manifest) -> Warehouse:
    return one_county_warehouse(tmp_path_factory, "people", build_people_county)


def test_a_cell_of_two_leaders_gives_two_people_each_with_their_projects(people):
    rows = people.rows(
        """select person_name, project_count, total_investment_wan, red_warning_count,
                  open_issue_count, overdue_issue_count, project_names
           from marts.fct_responsible_people_monthly
           where region_code = ? and period_month = ? order by person_name""",
        A,
        OCT,
    )
    assert [tuple(r.values()) for r in rows] == [
        ("于东", 1, 8000, 1, 0, 0, "蛟河市包保项目一"),
        ("郭秀振", 2, 14000, 1, 1, 1, "蛟河市包保项目一、蛟河市包保项目二"),
    ]
