"""Who answers for what (三(一) 责任人, 三(四) "谁主管、谁负责"): the 协调推进会's agenda and
each 责任部门's list of its issues, from the analysts' published snapshot.

* The agenda of a meeting on day D (`xmk meeting-agenda --date D`): every issue still open
  in the latest ledger reported by D's month that is overdue on D (办结时限 before D) or,
  without a 办结时限, open longer than the dbt var issue_escalation_days on D — grouped by the
  分管副市长 its department answers to, then by department, longest open first; and, on a
  second sheet, the decisions of earlier meetings (会议纪要, raw/meetings/) still open on D,
  those past their 完成时限 first. `<out>/meetings/协调推进会议程_<D>.xlsx`.
* A department's list (`xmk department-lists [--month M] [--mail]`): its issues still
  open in month M's ledgers, city-wide, overdue first.
  `<out>/departments/<M>/<department>_问题清单.xlsx`; with --mail, each list goes to the
  department's address (the department_leaders reference's email column) through the
  county reports' mail path — sent once, retried, held and released the same way.

Issues are aged to D (never to the day the command runs), so an agenda written again for
the same day from the same snapshot is the same. Pure: a read-only connection in, files out.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font

from dagster_project.dbt.project_vars import dbt_var
from dagster_project.publish.render.cells import (
    BOLD,
    ERROR_ROW_FILL,
    WRAP,
    save_workbook_atomically,
    set_column_widths,
    solid_fill,
    write_header_row,
    write_text_cell,
)
from dagster_project.publish.render.files import safe_file_name
from dagster_project.publish.render.labels import month_label
from dagster_project.template.printing import set_up_printing
from dagster_project.template.workbook import wrapped_height

READS = ("fct_issue_ledger", "dim_region", "fct_meeting_decisions")
MEETINGS_DIR = "meetings"
DEPARTMENTS_DIR = "departments"
NO_LEADER = "未明确分管市领导"
HEADER_ROW = 3

# (header, key of an issue row, width)
COLUMNS = (
    ("地区", "region_name", 12),
    ("项目名称", "project_name", 30),
    ("问题类型", "issue_type", 10),
    ("问题描述", "issue_description", 40),
    ("提出日期", "opened_on", 12),
    ("办结时限", "deadline", 12),
    ("已办理天数", "days_open", 10),
    ("超期天数", "days_overdue", 10),
    ("办理状态", "status", 10),
)
_OVERDUE_FILL = solid_fill(ERROR_ROW_FILL)
DECISIONS_SHEET = "议定事项落实情况"
DECISION_COLUMNS = (
    ("会议日期", "meeting_day", 12),
    ("议定事项", "decision", 40),
    ("涉及项目", "project_name", 18),
    ("责任单位", "owner_department", 16),
    ("分管市领导", "department_leader", 10),
    ("完成时限", "deadline", 12),
    ("超期天数", "days_overdue", 10),
    ("落实情况", "decision_status", 14),
)

# The decisions of meetings before a day that are still open on it (the minutes in force:
# fct_meeting_decisions holds only those), with the days past their 完成时限.
_OPEN_DECISIONS = """
    select distinct on (source_row_id)
        source_row_id, meeting_day, seq, decision, project_name, owner_department,
        department_leader, deadline, decision_status,
        case when deadline < $day then $day - deadline end as days_overdue
    from marts.fct_meeting_decisions
    where meeting_day < $day and (done_on is null or done_on > $day)
    order by source_row_id
"""

# The latest report of each issue up to a month, aged to a day: days open, days past the
# 办结时限, and whether it goes before the 分管副市长.
_ISSUES_AS_OF = """
    with reported as (
        select *
        from marts.fct_issue_ledger
        where period_month <= $month
        qualify row_number() over (partition by issue_key order by period_month desc) = 1
    )
    select
        reported.issue_key,
        reported.period_month,
        reported.region_code,
        coalesce(region.region_name, reported.region_code) as region_name,
        reported.project_name,
        reported.issue_type,
        reported.issue_description,
        reported.department,
        reported.department_leader,
        reported.status,
        reported.opened_on,
        reported.deadline,
        $day - reported.opened_on as days_open,
        case when reported.deadline < $day then $day - reported.deadline end as days_overdue,
        coalesce(
            reported.deadline < $day
            or (reported.deadline is null and $day - reported.opened_on > $escalation_days),
            false
        ) as is_escalated
    from reported
    left join marts.dim_region as region on reported.region_code = region.region_code
    where reported.is_open
"""


@dataclass(frozen=True)
class DepartmentIssues:
    department: str
    leader: str | None
    rows: list[dict]

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r["days_overdue"])

    def content_sha256(self) -> str:
        """The digest of what the list says (not of the workbook's bytes, which carry the
        time they were written): the same list is mailed once."""
        text = json.dumps([self.department, self.leader, self.rows], default=str, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _issues(con: duckdb.DuckDBPyConnection, month: date, day: date) -> list[dict]:
    cur = con.execute(
        _ISSUES_AS_OF,
        {"month": month, "day": day, "escalation_days": int(dbt_var("issue_escalation_days"))},
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _by_department(rows: list[dict]) -> list[DepartmentIssues]:
    def department(r: dict) -> str:
        return r["department"] or "未填责任部门"

    rows = sorted(
        rows,
        key=lambda r: (department(r), -(r["days_overdue"] or 0), -r["days_open"], r["issue_key"]),
    )
    departments = []
    for name, group in groupby(rows, key=department):
        issues = list(group)
        departments.append(DepartmentIssues(name, issues[0]["department_leader"], issues))
    return departments


def read_agenda(con: duckdb.DuckDBPyConnection, meeting_day: date) -> list[DepartmentIssues]:
    """The meeting's issues by department, the departments in the order of their 分管副市长
    (none last)."""
    month = meeting_day.replace(day=1)
    escalated = [r for r in _issues(con, month, meeting_day) if r["is_escalated"]]
    return sorted(_by_department(escalated), key=lambda d: (d.leader is None, d.leader or ""))


def read_open_decisions(con: duckdb.DuckDBPyConnection, meeting_day: date) -> list[dict]:
    """The earlier meetings' decisions still open on the meeting's day: the most overdue
    first, then by meeting and number."""
    cur = con.execute(_OPEN_DECISIONS, {"day": meeting_day})
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    return sorted(
        rows,
        key=lambda r: (
            -(r["days_overdue"] or 0),
            r["meeting_day"],
            r["seq"] or "",
            r["source_row_id"],
        ),
    )


def read_department_lists(
    con: duckdb.DuckDBPyConnection, month: date | None
) -> tuple[date | None, list[DepartmentIssues]]:
    """Each department's open issues of `month` (default: the latest ledger month), aged
    to the month's last day."""
    if month is None:
        month = con.execute("select max(period_month) from marts.fct_issue_ledger").fetchone()[0]
        if month is None:
            return None, []
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    rows = [r for r in _issues(con, month, last_day) if r["period_month"] == month]
    return month, _by_department(rows)


def agenda_path(out_dir: Path, meeting_day: date) -> Path:
    return out_dir / MEETINGS_DIR / f"协调推进会议程_{meeting_day:%Y-%m-%d}.xlsx"


def department_list_path(out_dir: Path, month: date, department: str) -> Path:
    return (
        out_dir / DEPARTMENTS_DIR / f"{month:%Y-%m}" / safe_file_name(f"{department}_问题清单.xlsx")
    )


def _write_rows(ws, start: int, rows: list[dict], columns) -> int:
    """Rows from row `start`, numbered, each as tall as its longest wrapped text (neither
    Excel nor LibreOffice grows a row by itself when it opens the file); overdue rows
    shaded. The next free row."""
    widths = [width for _, _, width in columns]
    for i, row in enumerate(rows, start=1):
        r = start + i - 1
        ws.cell(r, 1, i)
        for col, (_, key, _) in enumerate(columns, start=2):
            write_text_cell(ws, r, col, row[key]).alignment = WRAP
        texts = ["" if row[key] is None else str(row[key]) for _, key, _ in columns]
        ws.row_dimensions[r].height = wrapped_height(texts, widths)
        if row["days_overdue"]:
            for col in range(1, len(columns) + 2):
                ws.cell(r, col).fill = _OVERDUE_FILL
    return start + len(rows)


def _sheet(title: str, summary: str) -> tuple[Workbook, object]:
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    _lay_out(ws, title, summary, COLUMNS)
    return wb, ws


def _lay_out(ws, title: str, summary: str, columns) -> None:
    """Title, summary line and numbered header; printed for the meeting and the
    department: A4 landscape, the page's width, the header row on every page; no 盖章
    line in the footer."""
    write_text_cell(ws, 1, 1, title).font = Font(bold=True, size=14)
    write_text_cell(ws, 2, 1, summary)
    write_header_row(ws, HEADER_ROW, ["序号", *(header for header, _, _ in columns)])
    set_column_widths(ws, [6, *(width for _, _, width in columns)])
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    set_up_printing(ws, len(columns) + 1, f"{HEADER_ROW}:{HEADER_ROW}")
    ws.oddFooter.right.text = ""


def write_agenda(
    path: Path,
    meeting_day: date,
    departments: list[DepartmentIssues],
    decisions: list[dict] = (),
) -> Path:
    """The agenda: a heading row per 分管副市长, one per department under it, its issues;
    then the earlier meetings' open decisions on a sheet of their own."""
    total = sum(len(d.rows) for d in departments)
    overdue = sum(d.overdue for d in departments)
    wb, ws = _sheet(
        f"协调推进会议程（{meeting_day.year}年{meeting_day.month}月{meeting_day.day}日）",
        f"提请协调的问题{total}项（超过办结时限{overdue}项；无办结时限且办理超过"
        f"{dbt_var('issue_escalation_days')}天的{total - overdue}项），"
        "按分管市领导、责任部门排列。",
    )
    r = HEADER_ROW + 1
    numerals = "一二三四五六七八九十"
    by_leader = groupby(departments, key=lambda d: d.leader)
    for n, (leader, group) in enumerate(by_leader):
        group = list(group)
        label = numerals[n] if n < len(numerals) else str(n + 1)
        names = "、".join(d.department for d in group)
        heading = f"{label}、{leader + '同志' if leader else NO_LEADER}（{names}）"
        write_text_cell(ws, r, 1, heading).font = BOLD
        r += 1
        for department in group:
            write_text_cell(
                ws, r, 1, f"{department.department}：{len(department.rows)}项"
            ).font = BOLD
            r = _write_rows(ws, r + 1, department.rows, COLUMNS)
    _write_decisions(wb, decisions)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook_atomically(wb, path)
    return path


def _write_decisions(wb: Workbook, decisions: list[dict]) -> None:
    ws = wb.create_sheet(DECISIONS_SHEET)
    overdue = sum(1 for d in decisions if d["days_overdue"])
    _lay_out(
        ws,
        "以往会议议定事项落实情况",
        f"尚未办结的议定事项{len(decisions)}项，其中超过完成时限{overdue}项。",
        DECISION_COLUMNS,
    )
    _write_rows(ws, HEADER_ROW + 1, decisions, DECISION_COLUMNS)


def write_department_list(path: Path, month: date, department: DepartmentIssues) -> Path:
    wb, ws = _sheet(
        f"{department.department}{month_label(month)}未办结问题清单",
        f"全市未办结问题{len(department.rows)}项，其中超过办结时限{department.overdue}项"
        f"（分管市领导：{department.leader or NO_LEADER}）。",
    )
    _write_rows(ws, HEADER_ROW + 1, department.rows, COLUMNS)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook_atomically(wb, path)
    return path
