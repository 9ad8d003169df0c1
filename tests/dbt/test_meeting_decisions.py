"""三(四) the 协调推进会's decisions tracked to closure, on minutes the test writes as real
workbooks into raw/meetings/: the meeting of 15 September 2026, its minutes received on
16 September and sent again with progress on 20 October; 蛟河市 sends its September and
October workbooks, so October is the last reporting month.

    D1 协调X1项目用地指标   市自然资源局  due 2026-09-30  Sep 办理中 → Oct 已办结, 办结 2026-10-12
    D2 加快Y项目环评批复     市生态环境局  due 2026-10-15  Sep 办理中 → Oct 正在推进
    D3 研究设立前期工作经费  市财政局      due 2026-12-31  open
    D4 督促施工单位增加人员  蛟河市政府    due “年底前” (no date: the cell is quarantined)

Worked out by hand (aged at each month's end; the October minutes are the ones in force):
    30 Sep   D1–D4 open; none overdue (D1 is due on the 30th itself)
    31 Oct   D1 done (12 Oct); D2 open and 16 days overdue (15 → 31 Oct); D3, D4 open
    the agenda of 10 Nov   D2 (26 days past 15 Oct) first, then D3 and D4
A minutes file whose name gives no meeting day is refused, with the reason.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from openpyxl import Workbook

from dagster_project.publish.accountability import (
    DECISIONS_SHEET,
    read_open_decisions,
    write_agenda,
)
from tests.dbt.city import A, _county, _received, ongoing_project
from tests.dbt.conftest import Warehouse, one_county_warehouse

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)
MEETING = date(2026, 9, 15)
MEETING_AT = datetime(2026, 9, 15)  # as openpyxl reads a date cell back
HEADER = ["序号", "议定事项", "涉及项目", "牵头单位", "责任人", "完成时限", "落实情况", "办结日期"]
DECISIONS = [
    ["1", "协调解决X1项目用地指标", "X1项目", "市自然资源局", "王明", date(2026, 9, 30)],
    ["2", "加快Y项目环评批复", "Y项目", "市生态环境局", "李华", date(2026, 10, 15)],
    ["3", "研究设立项目前期工作经费", None, "市财政局", "赵强", date(2026, 12, 31)],
    ["4", "督促施工单位增加施工人员", "X1项目", "蛟河市人民政府", "张伟", "年底前"],
]


def _minutes(path: Path, progress: list[list], received: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "议定事项"
    ws.append(["吉林市重大项目协调推进会议定事项落实情况"])
    ws.append(HEADER)
    for row, more in zip(DECISIONS, progress, strict=True):
        ws.append(row + more)
    ws.append(["注：请各责任单位于每月25日前报送落实情况"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _received(path, received)
    return path


def build_meeting_city(raw: Path) -> None:
    for month in (SEP, OCT):
        _county(raw, A, month, {"under_construction": [ongoing_project()]})
    meetings = raw / "meetings"
    _minutes(
        meetings / "2026-09-15_协调推进会议纪要.xlsx",
        [["办理中"], ["办理中"], [None], [None]],
        "2026-09-16 10:00",
    )
    _minutes(
        meetings / "2026年9月15日协调推进会议纪要（10月更新）.xlsx",
        [["已办结", date(2026, 10, 12)], ["正在推进"], ["未完成"], [None]],
        "2026-10-20 10:00",
    )
    _minutes(meetings / "协调推进会议纪要.xlsx", [[None]] * 4, "2026-10-21 10:00")


@pytest.fixture(scope="module")
def meetings(tmp_path_factory, dbt_manifest) -> Warehouse:
    return one_county_warehouse(tmp_path_factory, "meetings", build_meeting_city)


def _at(wh: Warehouse, month: date) -> list[dict]:
    return wh.rows(
        """select seq, owner_department, department_leader, deadline, is_open, is_overdue,
                  days_overdue, source_file
           from marts.fct_meeting_decisions where period_month = ? order by seq""",
        month,
    )


def test_decisions_aged_at_each_month_end(meetings):
    sep, octo = _at(meetings, SEP), _at(meetings, OCT)
    assert [(r["seq"], r["is_open"], r["is_overdue"]) for r in sep] == [
        ("1", True, False),
        ("2", True, False),
        ("3", True, False),
        ("4", True, False),
    ]
    assert [(r["seq"], r["is_open"], r["is_overdue"], r["days_overdue"]) for r in octo] == [
        ("1", False, False, None),
        ("2", True, True, 16),
        ("3", True, False, None),
        ("4", True, False, None),
    ]
    # The 分管副市长 of each department, from the department_leaders reference.
    assert [r["department_leader"] for r in octo] == ["刘振国", "孙海涛", "陈立群", None]
    # Only the minutes received last for the meeting count.
    assert {r["source_file"] for r in sep + octo} == {
        "meetings/2026年9月15日协调推进会议纪要（10月更新）.xlsx"
    }


def test_the_meeting_day_comes_from_the_file_name(meetings):
    days = meetings.rows(
        """select original_path, meeting_day, status from raw.file_manifest
           where kind = 'meeting_minutes' order by original_path"""
    )
    assert [(d["original_path"], d["meeting_day"], d["status"]) for d in days] == [
        ("meetings/2026-09-15_协调推进会议纪要.xlsx", MEETING, "loaded"),
        ("meetings/2026年9月15日协调推进会议纪要（10月更新）.xlsx", MEETING, "loaded"),
        ("meetings/协调推进会议纪要.xlsx", None, "rejected"),
    ]
    (refused,) = meetings.rows(
        "select reason from raw.file_manifest where original_path = ?",
        "meetings/协调推进会议纪要.xlsx",
    )
    assert "文件名没有会议日期" in refused["reason"]


def test_a_deadline_that_is_no_date_is_quarantined_and_its_decision_kept(meetings):
    cells = meetings.rows(
        """select q.sheet_name, q.excel_row, q.column_letter, q.value, q.row_loaded
           from raw.quarantine q join raw.file_manifest f using (submission_id)
           where f.original_path like 'meetings/2026年%'"""
    )
    assert cells == [
        {
            "sheet_name": "议定事项",
            "excel_row": 6,
            "column_letter": "F",
            "value": "年底前",
            "row_loaded": True,
        }
    ]
    (d4,) = meetings.rows(
        "select deadline from marts.fct_meeting_decisions where seq = '4' and period_month = ?",
        OCT,
    )
    assert d4["deadline"] is None
    # The note under the table is recognised as one, not loaded as a decision.
    (notes,) = meetings.rows(
        """select count(*) as n from raw.structural_rows s join raw.file_manifest f
           using (submission_id) where f.original_path like 'meetings/2026年%'
           and s.kind = 'note'"""
    )
    assert notes["n"] == 1


def test_the_next_agenda_lists_the_open_decisions_overdue_first(meetings, tmp_path):
    day = date(2026, 11, 10)
    con = duckdb.connect(str(meetings.db), read_only=True)
    try:
        decisions = read_open_decisions(con, day)
    finally:
        con.close()
    assert [(d["seq"], d["owner_department"], d["days_overdue"]) for d in decisions] == [
        ("2", "市生态环境局", 26),
        ("3", "市财政局", None),
        ("4", "蛟河市人民政府", None),
    ]
    path = write_agenda(tmp_path / "agenda.xlsx", day, [], decisions)
    ws = openpyxl.load_workbook(path)[DECISIONS_SHEET]
    assert ws["A2"].value == "尚未办结的议定事项3项，其中超过完成时限1项。"
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[1], r[2], r[7]) for r in rows] == [
        (1, MEETING_AT, "加快Y项目环评批复", 26),
        (2, MEETING_AT, "研究设立项目前期工作经费", None),
        (3, MEETING_AT, "督促施工单位增加施工人员", None),
    ]
