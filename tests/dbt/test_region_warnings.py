"""Region warnings (fct_region_warnings, 二(一) 苗头性、倾向性问题) on a small city written as
real workbooks and run through the nightly job once. Every expected figure is worked out by
hand below from the workbooks, not read back from the marts.

Five submitters report June–October 2026 (P = October): 蛟河市 A, 桦甸市 B, 舒兰市 C,
高新区 Z1, 经开区 Z2; the other eight of the demo city are exempted for October.

* FAI growth (statistics bureau, 本年累计 against 上年同期 = 2000万 × month):
  A  20 %, 18 %, 15 %, 12 %, 13 % — falls in July, August (two: no warning) and September
     (three: 黄); October rises.
  B  20 %, 18 %, —, 15 %, 12 % — B sent nothing in August and the bureau has no row for
     it: the run breaks there, so July's fall and October's are one fall each, never the
     three that 20 → 18 → 15 → 12 would be if August were skipped over.
  C, Z1, Z2  10 % every month: no fall.
* 序时进度 gap: every 在建 project has an annual plan of 1200万, so the gap is
  (YTD / 1200 − month / 12) × 100 = (YTD − 100 × month) / 12 points.
  C  YTD 576, 652, 728, 804, 904 → −2, −4, −6, −8, −8: widens in July, August (two: no
     warning), September (three: 黄); October's −8 equals September's.
  A, B, Z1, Z2  YTD 100 × month − 60 → −5 every month: no widening.
  (In floating point C's October is −8.000000000000007 against September's −7.99999…96,
  and the steady −5 wobbles either side of it: equal on paper is no fall.)
* 开复工率 in October: A, B, C one continuing project each, resumed → 1/1. Z1 three
  continuing (resumed) and two planned new starts of 2026 not started → 3/5 = 0.6. Z2 two
  continuing and one planned not started → 2/3. City (3 + 3 + 2) / (3 + 5 + 3) = 8/11
  ≈ 0.7273. Z1 is (0.6 − 8/11) × 100 ≈ −12.73 points off: more than 10, 黄. Z2 is
  (2/3 − 8/11) × 100 ≈ −6.06: within 10, no warning. June–September every region is 1/1.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import nightly_city
from tests.dbt.city import (
    DEMO_REGIONS,
    NAMES,
    Z1,
    Z2,
    A,
    B,
    C,
    _county,
    _exemptions,
    _person,
    _statistics,
    _uc,
)
from tests.dbt.conftest import Warehouse

MONTHS = [date(2026, m, 1) for m in range(6, 11)]
P = MONTHS[-1]
SEPTEMBER = date(2026, 9, 1)
PLAN = 1200
GROWTH = {  # per cent, by month; None: no row in the bureau's file
    A: [20, 18, 15, 12, 13],
    B: [20, 18, None, 15, 12],
    C: [10] * 5,
    Z1: [10] * 5,
    Z2: [10] * 5,
}
C_YTD = [576, 652, 728, 804, 904]
BUREAU_NAMES = {A: "蛟河市", B: "桦甸市", C: "舒兰市", Z1: "高新区", Z2: "经开区"}


def _code(region: str, n: int) -> str:
    return f"2025-{region}-48-01-{n:06d}"


def _continuing(region: str, n: int, ytd: float) -> dict:
    """A 续建 project on the 在建 list, started in 2025, with this year's YTD."""
    row = _uc("A1", n, 8000, PLAN, ytd, "续建", date(2025, 3, 1), date(2025, 4, 1), True)
    return {**row, "project_code": _code(region, n), "project_name": f"{NAMES[region]}续建{n}"}


def _planned(region: str, n: int) -> dict:
    """A planned new start of 2026 (December), not started, every approval done."""
    return {
        "project_code": _code(region, n).replace("2025-", "2026-"),
        "project_name": f"{NAMES[region]}拟开工{n}",
        **_person(n),
        "construction_type": "新建",
        "total_investment_wan": 6000,
        "planned_start": date(2026, 12, 1),
        "planned_completion": date(2027, 12, 1),
        **{
            f"approval_{kind}": "已办"
            for kind in ("project", "land", "planning", "environment", "construction")
        },
        "funding_sources": ("自筹",),
    }


def build_region_warning_city(raw: Path) -> Path:
    for i, month in enumerate(MONTHS):
        steady = 100 * month.month - 60  # a gap of −5 points
        lists = {
            A: [_continuing(A, 1, steady)],
            B: [_continuing(B, 11, steady)],
            C: [_continuing(C, 21, C_YTD[i])],
            Z1: [_continuing(Z1, 31, steady)],
            Z2: [_continuing(Z2, 41, steady)],
        }
        planned = {}
        if month == P:
            lists[Z1] += [_continuing(Z1, 32, steady), _continuing(Z1, 33, steady)]
            planned[Z1] = [_planned(Z1, 34), _planned(Z1, 35)]
            lists[Z2] += [_continuing(Z2, 42, steady)]
            planned[Z2] = [_planned(Z2, 43)]
        for region, rows in lists.items():
            if region == B and month == date(2026, 8, 1):
                continue  # 桦甸市 sends nothing for August
            sheets = {"under_construction": rows}
            if region in planned:
                sheets["planned_next_year"] = planned[region]
            _county(raw, region, month, sheets)
        previous = 2000 * month.month
        _statistics(
            raw,
            month,
            [
                (BUREAU_NAMES[region], previous * (100 + g) / 100, previous, g, None, 30.0)
                for region, growth in GROWTH.items()
                if (g := growth[i]) is not None
            ],
        )
    _exemptions(raw, P, [code for code in DEMO_REGIONS if code not in NAMES])
    return raw


@pytest.fixture(scope="module")
def city(tmp_path_factory, dbt_manifest) -> Path:
    return nightly_city(tmp_path_factory.mktemp("region_warnings"), build_region_warning_city)


@pytest.fixture(scope="module")
def wh(city) -> Warehouse:
    return Warehouse(city / "warehouse" / "warehouse.duckdb")


def warnings(wh, region=None) -> list[dict]:
    return wh.rows(
        "select * from marts.fct_region_warnings "
        "where region_code = coalesce(?, region_code) order by period_month, region_code, rule",
        region,
    )


def test_the_city_is_as_the_docstring_works_it_out(wh):
    """The inputs as fct_region_monthly reads them, so that a failure below is the rule's."""
    rows = wh.rows(
        "select region_code, period_month, fai_growth, schedule_gap_pp, start_resume_rate "
        "from marts.fct_region_monthly where region_code in (?, ?, ?, ?, ?) order by all",
        A,
        B,
        C,
        Z1,
        Z2,
    )
    by = {(r["region_code"], r["period_month"]): r for r in rows}
    assert [by[A, m]["fai_growth"] for m in MONTHS] == pytest.approx([0.2, 0.18, 0.15, 0.12, 0.13])
    assert by[B, date(2026, 8, 1)]["fai_growth"] is None
    assert by[B, date(2026, 8, 1)]["schedule_gap_pp"] is None
    assert [by[C, m]["schedule_gap_pp"] for m in MONTHS] == pytest.approx([-2, -4, -6, -8, -8])
    assert by[Z1, P]["start_resume_rate"] == pytest.approx(0.6)
    assert by[Z2, P]["start_resume_rate"] == pytest.approx(2 / 3)


def test_exactly_three_warnings_fire_in_the_five_months(wh):
    found = [(w["period_month"], w["region_code"], w["rule"], w["level"]) for w in warnings(wh)]
    assert found == [
        (SEPTEMBER, A, "fai_growth_falling", "黄"),
        (SEPTEMBER, C, "progress_gap_widening", "黄"),
        (P, Z1, "start_rate_below_city", "黄"),
    ]


def test_growth_falling_three_months_running_is_warned_in_the_third_month(wh):
    (w,) = warnings(wh, A)  # not in August (two falls), not in October (a rise)
    assert w["period_month"] == SEPTEMBER
    assert (w["rule_name_zh"], w["indicator"], w["falling_months"]) == (
        "投资增速连续回落",
        "fai_growth",
        3,
    )
    assert w["run_start_month"] == date(2026, 6, 1)
    assert [
        w["value_3_months_before"],
        w["value_2_months_before"],
        w["value_1_month_before"],
        w["value"],
    ] == pytest.approx([0.20, 0.18, 0.15, 0.12])
    assert w["detail"] == "固定资产投资增速连续3个月回落：2026年6月20.0%→7月18.0%→8月15.0%→9月12.0%"


def test_a_month_without_figures_breaks_the_run(wh):
    # 桦甸市: 20 % → 18 % → (August: nothing) → 15 % → 12 %: no three falls in a row.
    assert warnings(wh, B) == []


def test_a_widening_schedule_gap_is_warned_in_the_third_month(wh):
    (w,) = warnings(wh, C)  # −2 → −4 → −6 → −8 in September; October stays at −8
    assert (w["period_month"], w["rule"], w["falling_months"]) == (
        SEPTEMBER,
        "progress_gap_widening",
        3,
    )
    assert [
        w["value_3_months_before"],
        w["value_2_months_before"],
        w["value_1_month_before"],
        w["value"],
    ] == pytest.approx([-2, -4, -6, -8])
    assert w["detail"] == (
        "落后序时进度的差距连续3个月扩大：2026年6月落后2.0→7月落后4.0→8月落后6.0→9月落后8.0个百分点"
    )


def test_a_start_rate_more_than_the_var_below_the_citys_is_warned(wh):
    (w,) = warnings(wh, Z1)
    assert (w["period_month"], w["rule"], w["level"]) == (P, "start_rate_below_city", "黄")
    assert w["value"] == pytest.approx(0.6)
    assert w["city_value"] == pytest.approx(8 / 11)
    assert w["gap_pp"] == pytest.approx((0.6 - 8 / 11) * 100)  # −12.73
    assert w["detail"] == "开复工率60.0%，低于全市（72.7%）12.7个百分点，超过10个百分点的预警线"


def test_a_start_rate_within_the_var_is_not_warned(wh):
    assert warnings(wh, Z2) == []  # 2/3 against 8/11: 6.06 points below


def test_the_bulletin_lists_the_months_region_warnings(city, wh):
    (rpt,) = wh.rows(
        "select region_name, rule_name_zh, level, detail "
        "from marts.rpt_bulletin_region_warnings_monthly where period_month = ?",
        P,
    )
    (xlsx,) = (city / "out" / "bulletin" / "2026-10").glob("*.xlsx")
    ws = openpyxl.load_workbook(xlsx)["预警与问题"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    at = [row[0] for row in cells].index("地区预警")
    assert cells[at + 1][:4] == ["地区", "预警类型", "等级", "预警说明"]
    assert cells[at + 2][:4] == ["吉林高新技术产业开发区", "开复工率低于全市", "黄", rpt["detail"]]
    assert cells[at + 3][0] is None  # one warning in October
    assert rpt["region_name"] == "吉林高新技术产业开发区"
