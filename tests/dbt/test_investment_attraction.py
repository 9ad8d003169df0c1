"""二(八) 招商引资, on a county the test writes as real workbooks: 蛟河市 sends August,
September and October 2026 with a 招商引资 sheet — in the official template in August and
October, and in September in a style of its own (附表 招商引资项目台账; 签约日期, 投资方,
协议投资额 and 实际到位资金 in 亿元, 推进状态 in words, 包保领导, a 合计 row).

    S1 新能源电池  signed 2026-03-18, 50000万
         Aug  已签约, 5000 in place, no 项目代码
         Sep  5亿, 1.2亿 in place, 已供地; also on 明年拟开工, with its code
         Oct  已开工, 20000 in place; also on 在建 (started October)
    S2 冷链物流园  signed 2025-11-02, 20000万, 已注册; in place 8000 → 0.9亿 → 9000;
                 September's sheet says 开工建设, but no 在建 row carries it: warned at
                 that cell (附表 row 4, column H), and October says 已注册 again
    S3 智能装备    signed 2026-10-09, 10000万, 签约, nothing in place; October only

Worked out by hand:
    on the list  Aug 2 (70000万 signed, 13000 in place) · Sep 2 (70000, 21000)
                 Oct 3 (80000, 29000)
    this year    Aug 1 (S1, 50000) · Sep 1 (50000) · Oct 2 (S1 S3, 60000)
    落地状态      Aug 已签约 1 已注册 1 · Sep 已落地 1 已开工 1 (开工建设)
                 Oct 已签约 1 已注册 1 已开工 1
    followed     cohort 2, 2, 3 · 前期 0, 1 (S1), 1 · started 0, 0, 1 (S1) → Oct 1/3
S1 is one library entry from signing to construction: its code, given first in September,
is taken by its August row (same region, same name).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.dbt.city import A, _county, _person, _received, ongoing_project
from tests.dbt.conftest import Warehouse, one_county_warehouse

AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)
S1_CODE = "2026-220281-38-01-000201"
S1, S2, S3 = "蛟河市新能源电池项目", "蛟河市冷链物流园项目", "蛟河市智能装备产业园项目"


def _signed(name: str, i: int, on: date, amount, in_place, status: str, **extra) -> dict:
    return {
        "project_name": name,
        "investor": f"投资企业{i}有限公司",
        **_person(i),
        "signed_on": on,
        "signed_amount_wan": amount,
        "funds_in_place_wan": in_place,
        "landing_status": status,
        **extra,
    }


# September's own sheet: headers and units the template does not use.
_SEP_HEADER = ["序号", "项目名称", "投资方", "建设地点", "签约日期", "协议投资额（亿元）",
               "实际到位资金（亿元）", "推进状态", "包保领导", "联系电话", "备注"]  # fmt: skip
_PHONE = "13912345678"
_SEP_ROWS = [
    [1, S1, "投资企业201有限公司", "某镇", "2026.3.18", 5, 1.2, "已供地", "责任人201", _PHONE],
    [2, S2, "投资企业202有限公司", "某镇", "2025.11.2", 2, 0.9, "开工建设", "责任人202", _PHONE],
    [None, "合计", None, None, None, 7, 2.1],
]


def build_attraction_county(raw: Path) -> None:
    s1 = _signed(S1, 201, date(2026, 3, 18), 50000, 5000, "已签约", total_investment_wan=60000)
    s2 = _signed(S2, 202, date(2025, 11, 2), 20000, 8000, "已注册")
    _county(
        raw, A, AUG, {"under_construction": [ongoing_project()], "investment_attraction": [s1, s2]}
    )

    s1_planned = {
        "project_code": S1_CODE,
        "project_name": S1,
        **_person(201),
        "construction_type": "新建",
        "total_investment_wan": 60000,
        "planned_start": OCT,
        "planned_completion": date(2028, 6, 1),
    }
    sep = _county(
        raw, A, SEP, {"under_construction": [ongoing_project()], "planned_next_year": [s1_planned]}
    )
    wb = load_workbook(sep)
    ws = wb.create_sheet("附表 招商引资项目台账")
    ws.append(["2026年9月招商引资签约项目推进情况"])
    ws.append(_SEP_HEADER)
    for row in _SEP_ROWS:
        ws.append(row)
    wb.save(sep)
    _received(sep, "2026-10-05 09:00")

    s1_started = {
        **ongoing_project(),
        "project_code": S1_CODE,
        "project_name": S1,
        **_person(201),
        "construction_type": "新建",
        "total_investment_wan": 60000,
        "annual_plan_wan": 8000,
        "ytd_completed_wan": 1500,
        "planned_start": OCT,
        "actual_start": OCT,
        "in_stats": False,
    }
    s1_oct = _signed(S1, 201, date(2026, 3, 18), 50000, 20000, "已开工", project_code=S1_CODE)
    s2_oct = _signed(S2, 202, date(2025, 11, 2), 20000, 9000, "已注册")
    s3 = _signed(S3, 203, date(2026, 10, 9), 10000, 0, "签约")
    _county(
        raw,
        A,
        OCT,
        {
            "under_construction": [ongoing_project(), s1_started],
            "investment_attraction": [s1_oct, s2_oct, s3],
        },
    )


@pytest.fixture(scope="module")
def attraction(tmp_path_factory, dbt_manifest) -> Warehouse:
    return one_county_warehouse(tmp_path_factory, "attraction", build_attraction_county)


def _month(wh: Warehouse, month: date) -> dict:
    return wh.one(
        """select * exclude (region_code, period_month) from marts.fct_attraction_monthly
           where region_code = ? and period_month = ?""",
        A,
        month,
    )


def test_signed_projects_their_amounts_and_funds_in_place(attraction):
    aug, sep, octo = (_month(attraction, m) for m in (AUG, SEP, OCT))
    assert [m["has_attraction_list"] for m in (aug, sep, octo)] == [True, True, True]
    assert [m["signed_project_count"] for m in (aug, sep, octo)] == [2, 2, 3]
    # September's 亿元 columns are read as 万元: 5亿 + 2亿, 1.2亿 + 0.9亿.
    assert [m["signed_amount_wan"] for m in (aug, sep, octo)] == [70000, 70000, 80000]
    assert [m["funds_in_place_wan"] for m in (aug, sep, octo)] == [13000, 21000, 29000]
    assert sep["funds_in_place_rate"] == pytest.approx(21000 / 70000)
    # S2 was signed in November 2025: not this year's.
    assert [m["signed_this_year_count"] for m in (aug, sep, octo)] == [1, 1, 2]
    assert [m["signed_this_year_amount_wan"] for m in (aug, sep, octo)] == [50000, 50000, 60000]


def test_landing_status_as_written(attraction):
    keys = [
        "status_signed_count",
        "status_registered_count",
        "status_landed_count",
        "status_started_count",
        "status_unstated_count",
    ]
    aug, sep, octo = (_month(attraction, m) for m in (AUG, SEP, OCT))
    assert [aug[k] for k in keys] == [1, 1, 0, 0, 0]
    assert [sep[k] for k in keys] == [0, 0, 1, 1, 0]  # 已供地 → 已落地, 开工建设 → 已开工
    assert [octo[k] for k in keys] == [1, 1, 0, 1, 0]  # 签约 → 已签约


def test_a_start_only_the_attraction_list_reports_is_warned_at_its_cell(attraction):
    warned = attraction.rows(
        """select period_month, sheet, excel_row, column_letter, header, value, severity,
                  rule_name_zh, failure_source, list_key
           from marts.fct_dq_failures where rule = 'attraction_started_unlisted'"""
    )
    # S2 in September, in the county's own sheet; S1's 已开工 in October has its 在建 row.
    assert warned == [
        {
            "period_month": SEP,
            "sheet": "附表 招商引资项目台账",
            "excel_row": 4,
            "column_letter": "H",
            "header": "推进状态",
            "value": S2,
            "severity": "warn",
            "rule_name_zh": "招商项目已开工但未列入在建清单",
            "failure_source": "cross_list",
            "list_key": "investment_attraction",
        }
    ]
    # The library still counts no start for S2: a start comes from the 在建 lists.
    stage = attraction.one(
        """select stages.lifecycle_stage
           from intermediate.int_project_stages_monthly as stages
           where stages.period_month = ? and stages.project_key = (
               select project_key from marts.dim_project where project_name = ?)""",
        SEP,
        S2,
    )
    assert stage == {"lifecycle_stage": "招商落地"}


def test_signed_projects_followed_into_construction(attraction):
    aug, sep, octo = (_month(attraction, m) for m in (AUG, SEP, OCT))
    assert [m["cohort_count"] for m in (aug, sep, octo)] == [2, 2, 3]
    assert [m["cohort_in_preparation_count"] for m in (aug, sep, octo)] == [0, 1, 1]
    assert [m["cohort_started_count"] for m in (aug, sep, octo)] == [0, 0, 1]
    assert octo["start_conversion_rate"] == pytest.approx(1 / 3)


def test_the_signed_project_is_one_library_entry_through_the_funnel(attraction):
    found = attraction.rows(
        "select project_key, first_period_month from marts.dim_project where project_name = ?",
        S1,
    )
    assert found == [{"project_key": S1_CODE, "first_period_month": AUG}]
    stages = attraction.rows(
        """select period_month, lifecycle_stage from intermediate.int_project_stages_monthly
           where project_key = ? order by period_month""",
        S1_CODE,
    )
    assert stages == [
        {"period_month": AUG, "lifecycle_stage": "招商落地"},
        {"period_month": SEP, "lifecycle_stage": "前期审批"},
        {"period_month": OCT, "lifecycle_stage": "开工建设"},
    ]
    funnel = attraction.rows(
        """select period_month, project_count, total_investment_wan from marts.fct_lifecycle_funnel
           where region_code = ? and lifecycle_stage = '招商落地' order by period_month""",
        A,
    )
    # August S1 (总投资 60000) and S2 (no 总投资: its 签约金额 20000); September S2 (S1 is in
    # 前期); October S2 and S3 (S1 has started).
    assert [(r["period_month"], r["project_count"], r["total_investment_wan"]) for r in funnel] == [
        (AUG, 2, 80000),
        (SEP, 1, 20000),
        (OCT, 2, 30000),
    ]


def test_the_total_row_is_recognised_and_the_sheet_reported_in_full(attraction):
    sheets = attraction.rows(
        """select sheet_name, rows_loaded, rows_structural from raw.sheet_manifest
           where list_key = 'investment_attraction' order by sheet_name, rows_loaded"""
    )
    # Three workbooks, one 招商 sheet each; September's own sheet: two projects, its 合计.
    assert [(s["sheet_name"], s["rows_loaded"], s["rows_structural"]) for s in sheets] == [
        ("招商引资签约项目", 2, 0),
        ("招商引资签约项目", 3, 0),
        ("附表 招商引资项目台账", 2, 1),
    ]
    structural = attraction.rows(
        """select kind from raw.structural_rows where sheet_name = '附表 招商引资项目台账'"""
    )
    assert structural == [{"kind": "total"}]
