"""A small city for the scenario test, written as real workbooks into raw/.

Three counties (蛟河市 A, 桦甸市 B, 舒兰市 C) and two development zones (高新区 Z1, 经开区
Z2) report for October 2026 (P) and October 2025 (P−12); 蛟河市 also for July–September
2026, so that a stalled project can be seen. The other eight submitters of the demo city
send nothing, and the project centre has exempted them for October. Every number is chosen
so that the expected indicators, ranks and warnings can be worked out by hand in
test_scenario.py.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from tests.workbooks import write_official

P = date(2026, 10, 1)
P12 = date(2025, 10, 1)

A, B, C, Z1, Z2 = "220281", "220282", "220283", "220271", "220272"
NAMES = {A: "蛟河市", B: "桦甸市", C: "舒兰市", Z1: "吉林高新区", Z2: "吉林经开区"}
FILE_NAMES = {A: "蛟河市", B: "桦甸市", C: "舒兰市", Z1: "高新区", Z2: "经开区"}

CODE = {
    "A1": "2025-220281-48-01-000001",
    "A2": "2026-220281-48-01-000002",
    "A3": "2024-220281-48-01-000003",
    "A4": "2025-220281-48-01-000004",
    "A6": "2026-220281-48-01-000006",
    "A8": "2026-220281-48-01-000008",
    "B1": "2025-220282-48-01-000011",
    "B2": "2026-220282-48-01-000012",
    "B3": "2026-220282-48-01-000013",
    "C1": "2025-220283-48-01-000021",
    "Z1a": "2025-220271-48-01-000031",
    "Z2a": "2025-220272-48-01-000041",
    "Z2b": "2025-220272-48-01-000042",
}
A5_NAME = "蛟河市冰雪小镇项目"


def _person(i: int) -> dict:
    return {
        "project_owner": f"项目公司{i}",
        "location": "某镇",
        "responsible_unit": "某局",
        "responsible_person": f"责任人{i}",
        "contact_phone": "13912345678",
        "sector": "工业",
        "library_level": "县级",
    }


def ongoing_project() -> dict:
    """An ordinary 续建 project on the 在建 list, for a month whose list must be sent."""
    return {
        "project_code": "2025-220281-48-01-000100",
        "project_name": "X1项目",
        **_person(100),
        "construction_type": "续建",
        "total_investment_wan": 6000,
        "annual_plan_wan": 1200,
        "ytd_completed_wan": 600,
        "planned_start": date(2025, 4, 1),
        "actual_start": date(2025, 4, 1),
        "in_stats": True,
        "target_task": "完成年度计划投资",
    }


def _uc(key: str, i: int, total, plan, ytd, kind, planned, actual, in_stats, **extra) -> dict:
    """A 在建 row."""
    return {
        "project_code": CODE[key],
        "project_name": f"{key}项目",
        **_person(i),
        "construction_type": kind,
        "total_investment_wan": total,
        "annual_plan_wan": plan,
        "ytd_completed_wan": ytd,
        "planned_start": planned,
        "actual_start": actual,
        "in_stats": in_stats,
        "target_task": "完成年度计划投资",
        "funding_sources": ("自筹",),
        **extra,
    }


def _received(path: Path, when: str) -> None:
    ts = datetime.fromisoformat(when).timestamp()
    os.utime(path, (ts, ts))


def _next_month(month: date, day: int) -> str:
    """A day of the month after `month`, when a county sends or the bureau publishes."""
    return f"{month.year + (month.month == 12)}-{month.month % 12 + 1:02d}-{day:02d} 09:00"


def _county(raw: Path, region: str, month: date, lists: dict, suffix: str = "", when=None):
    path = raw / f"{month:%Y-%m}" / f"{region}_{FILE_NAMES[region]}{suffix}.xlsx"
    write_official(path, NAMES[region], month, lists)
    _received(path, when or _next_month(month, 5))
    return path


def _statistics(raw: Path, month: date, rows: list[tuple]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "固定资产投资"
    ws.append([f"吉林市{month.year}年1-{month.month}月分地区固定资产投资情况"])
    ws.append(
        [
            "地区",
            "固定资产投资本年累计(万元)",
            "上年同期(万元)",
            "增速(%)",
            "民间投资本年累计(万元)",
            "民间投资占比(%)",
        ]
    )
    for row in rows:
        ws.append(list(row))
    path = raw / f"{month:%Y-%m}" / "统计局_固定资产投资.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _received(path, _next_month(month, 10))
    return path


def build_city(raw: Path) -> Path:
    d = date
    # ---------------------------------------------------------------- 蛟河市 (A), P
    a2_funding = {"funding_sources": ("中央预算内", "自筹"), "central_budget_wan": 1000}
    a_uc = [
        _uc("A1", 1, 8000, 1000, 800, "续建", d(2025, 3, 1), d(2025, 4, 1), True),
        _uc("A2", 2, 6000, 2000, 400, "新建", d(2026, 4, 1), d(2026, 5, 1), False, **a2_funding),
        _uc("A3", 3, 3000, 500, 300, "续建", d(2024, 5, 1), d(2024, 6, 1), True),
        _uc("A4", 4, 12000, 3000, 2400, "续建", d(2025, 5, 1), d(2025, 5, 1), True),
    ]
    a_unstated = [
        {
            "project_code": CODE["A2"],
            "project_name": "A2项目",
            **_person(2),
            "total_investment_wan": 6000,
            "actual_start": d(2026, 5, 1),
            "ytd_completed_wan": 400,
            "expected_stats_month": d(2026, 7, 1),
            "unstated_reason": "入库资料正在准备",
            "in_stats": False,
        }
    ]
    approvals_done = {
        "approval_project": "已办",
        "approval_land": "已办",
        "approval_planning": "已办",
        "approval_environment": "已办",
        "approval_construction": "已办",
    }
    a_planned = [
        {
            "project_name": A5_NAME,  # no code yet: identity is region + name
            **_person(5),
            "construction_type": "新建",
            "total_investment_wan": 20000,
            "planned_start": d(2026, 12, 1),
            "planned_completion": d(2028, 12, 1),
            "approval_project": "已办",
            "approval_land": "在办",
            "approval_planning": "未办",
            "approval_environment": "已办",
            "approval_construction": "未办",
            "funding_sources": ("自筹",),
        },
        {
            "project_code": CODE["A6"],
            "project_name": "A6项目",
            **_person(6),
            "construction_type": "新建",
            "total_investment_wan": 5000,
            "planned_start": d(2026, 8, 1),
            "planned_completion": d(2027, 10, 1),
            **approvals_done,
            "funding_sources": ("中央预算内", "自筹"),
        },
    ]
    a_planning = [
        {
            "project_name": "蛟河市 冰雪小镇项目",  # the same project, spelt with a space
            **_person(5),
            "total_investment_wan": 20000,
            "construction_period": "2026.12-2028.12",
            "planning_stage": "待开工",
            "funding_sources": ("自筹",),
        },
        {
            "project_name": "蛟河市新能源产业园",
            **_person(7),
            "total_investment_wan": 50000,
            "construction_period": "2028-2030",
            "planning_stage": "谋划",
            "funding_sources": ("自筹",),
        },
    ]
    a_bonds = [
        {
            "project_code": CODE["A8"],
            "project_name": "A8项目",
            **_person(8),
            "total_investment_wan": 10000,
            "bond_amount_wan": 4000,
            "bond_issued_wan": 3000,
            "expected_revenue_wan": 5000,
            "cost_wan": 4000,
            "coverage_ratio": 1.25,
            "planned_start": d(2026, 9, 1),
        }
    ]
    a_issues = [
        {
            "project_code": CODE["A2"],
            "project_name": "A2项目",
            "issue_type": "用地",
            "issue_description": "项目用地指标尚未落实",
            "issue_raised_on": d(2026, 9, 1),
            "issue_department": "市自然资源局",
            "issue_deadline": d(2026, 9, 30),
            "issue_status": "办理中",
            "responsible_person": "责任人2",
        },
        {
            "project_code": CODE["A1"],
            "project_name": "A1项目",
            "issue_type": "资金",
            "issue_description": "项目资本金到位不足",
            "issue_raised_on": d(2026, 10, 20),
            "issue_department": "市财政局",
            "issue_status": "办理中",
            "responsible_person": "责任人1",
        },
    ]
    _county(
        raw,
        A,
        P,
        {
            "under_construction": a_uc,
            "unstated": a_unstated,
            "special_bonds": a_bonds,
            "planned_next_year": a_planned,
            "major_planning": a_planning,
            "issue_ledger": a_issues,
        },
    )
    # July–September 2026: only A4, whose YTD stays at 2400 (stalled).
    for month in (d(2026, 7, 1), d(2026, 8, 1), d(2026, 9, 1)):
        a4 = _uc("A4", 4, 12000, 3000, 2400, "续建", d(2025, 5, 1), d(2025, 5, 1), True)
        _county(raw, A, month, {"under_construction": [a4]})
    # P−12: A1 and A4 (both ≥ 5000万); A1's code typed with full-width digits.
    a1_last_year = _uc("A1", 1, 8000, 3000, 2500, "新建", d(2025, 3, 1), d(2025, 4, 1), True)
    a1_last_year["project_code"] = "２０２５－220281－48－01－000001"
    _county(
        raw,
        A,
        P12,
        {
            "under_construction": [
                a1_last_year,
                _uc("A4", 4, 12000, 6000, 5000, "新建", d(2025, 5, 1), d(2025, 5, 1), True),
            ]
        },
    )
    # A weekly 已开工未入统 return, week 43 (Monday 19 October 2026).
    weekly = raw / "2026-W43" / f"{A}_蛟河市_已开工未入统.xlsx"
    write_official(weekly, NAMES[A], P, {"unstated": a_unstated})
    _received(weekly, "2026-10-27 10:00")

    # ---------------------------------------------------------------- 桦甸市 (B)
    b_uc = [
        _uc("B1", 11, 9000, 2000, 1500, "续建", d(2025, 6, 1), d(2025, 6, 1), True),
        _uc("B2", 12, 5000, 1000, 900, "新建", d(2026, 3, 1), d(2026, 3, 1), True),
    ]
    # The first October file is superseded by a re-submission the next day.
    wrong = [
        _uc("B1", 11, 9000, 2000, 1000, "续建", d(2025, 6, 1), d(2025, 6, 1), True),
        _uc("B3", 13, 20000, 5000, 4000, "新建", d(2026, 2, 1), d(2026, 2, 1), True),
    ]
    _county(raw, B, P, {"under_construction": wrong}, when="2026-11-05 09:00")
    _county(raw, B, P, {"under_construction": b_uc}, suffix="_更正", when="2026-11-06 09:00")
    _county(
        raw,
        B,
        P12,
        {
            "under_construction": [
                _uc("B1", 11, 9000, 2000, 1700, "新建", d(2025, 6, 1), d(2025, 6, 1), True)
            ]
        },
    )

    # ---------------------------------------------------------------- 舒兰市 (C): P only
    _county(
        raw,
        C,
        P,
        {
            "under_construction": [
                _uc("C1", 21, 6000, 1000, 500, "续建", d(2025, 8, 1), d(2025, 8, 1), True)
            ]
        },
    )

    # ---------------------------------------------------------------- zones
    _county(
        raw,
        Z1,
        P,
        {
            "under_construction": [
                _uc("Z1a", 31, 15000, 5000, 4000, "续建", d(2025, 1, 1), d(2025, 1, 1), True)
            ]
        },
    )
    _county(
        raw,
        Z1,
        P12,
        {
            "under_construction": [
                _uc("Z1a", 31, 15000, 5000, 4500, "新建", d(2025, 1, 1), d(2025, 1, 1), True)
            ]
        },
    )
    z2a = _uc("Z2a", 41, 8000, 4000, 2000, "续建", d(2025, 3, 1), d(2025, 3, 1), True)
    z2a["project_name"] = "经开区物流园"
    _county(raw, Z2, P, {"under_construction": [z2a]})
    z2a_last_year = _uc("Z2a", 41, 8000, 1000, 900, "新建", d(2025, 3, 1), d(2025, 3, 1), True)
    z2a_last_year["project_name"] = "经开区物流园一期"  # the same code under another name
    z2b = _uc("Z2b", 42, 6000, 1000, 900, "新建", d(2025, 4, 1), d(2025, 4, 1), True)
    _county(raw, Z2, P12, {"under_construction": [z2a_last_year, z2b]})

    # ---------------------------------------------------------------- statistics bureau
    _statistics(
        raw,
        P,
        [
            ("蛟河市", 40000, 32000, 25.0, 16000, 40.0),
            ("桦甸市", 30000, 30000, 0.0, 9000, 30.0),
            ("舒兰市", "—", "—", "12.5％", "—", "35％"),  # absolutes withheld
            ("高新区", 50000, 40000, 25.0, 20000, 40.0),
            ("经开区", 20000, 25000, -20.0, 5000, 25.0),
        ],
    )
    _statistics(
        raw,
        P12,
        [
            ("蛟河市", 32000, 30000, 6.7, 12000, 37.5),
            ("桦甸市", 30000, 28000, 7.1, 9000, 30.0),
            ("高新区", 40000, 36000, 11.1, 16000, 40.0),
            ("经开区", 25000, 24000, 4.2, 6000, 24.0),
        ],
    )
    # ---------------------------------------------------------------- the project centre
    # The eight submitters that send nothing are exempted for October, so that the month
    # can be published and the arena still lists them last (SPEC §4 gate (b)).
    _exemptions(raw, P, [code for code in DEMO_REGIONS if code not in NAMES])
    return raw


# The demo city's regions reference, which this city keeps.
DEMO_REGIONS = (
    "220202", "220203", "220204", "220211", "220221", "220281", "220282", "220283", "220284",
    "220271", "220272", "220273", "220274",
)  # fmt: skip


def _exemptions(raw: Path, month: date, codes: list[str]) -> Path:
    path = raw / "reference" / "exemptions.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["region_code,period_month,reason"]
    lines += [f"{code},{month:%Y-%m},情景测试：本月不报送" for code in codes]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
