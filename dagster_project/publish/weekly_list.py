"""已开工未入统 周调度 lists (二(二), 三(二)): for one ISO week, each county's projects that
have started but are not yet in the fixed-asset-investment statistics, as reported in its
latest weekly return, longest-waiting first, to chase them into the statistics (入统).

`<out>/weekly/<YYYY-Www>/<code>_<name>_已开工未入统调度.xlsx`, and the same list as a page
(`.html`, templates/weekly_list.html), one per region with such projects in that week.
Pure: a read-only connection in, files out, no Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from dagster_project.publish.render.cells import (
    ERROR_ROW_FILL,
    WRAP,
    save_workbook_atomically,
    set_column_widths,
    solid_fill,
    write_header_row,
    write_text_cell,
)
from dagster_project.publish.render.files import safe_file_name, write_atomically
from dagster_project.publish.render.html import render_page
from dagster_project.publish.render.labels import month_label, week_label

READS = ("fct_unstated_weekly", "dim_region")
WEEKLY_DIR = "weekly"
FILE_SUFFIX = "_已开工未入统调度.xlsx"
PAGE_SUFFIX = "_已开工未入统调度.html"
SHEET = "已开工未入统"
HEADER_ROW = 4

# (header, column of fct_unstated_weekly, width)
COLUMNS = (
    ("项目代码", "project_code", 28),
    ("项目名称", "project_name", 36),
    ("项目法人", "project_owner", 28),
    ("责任人", "responsible_person", 14),
    ("总投资（万元）", "total_investment_wan", 14),
    ("本年累计完成投资（万元）", "ytd_completed_wan", 16),
    ("实际开工月份", "actual_start_month", 12),
    ("开工以来周数", "weeks_since_start", 12),
    ("预计入统月份", "expected_stats_month", 12),
    ("是否已过预计入统月份", "is_past_expected_entry", 12),
    ("未入统原因", "unstated_reason", 40),
)
_MONTH_COLUMNS = {"actual_start_month", "expected_stats_month"}
_LATE_FILL = solid_fill(ERROR_ROW_FILL)  # a project past its expected month of entry


@dataclass(frozen=True)
class RegionList:
    region_code: str
    region_name: str
    week: date  # the ISO week's Monday
    rows: list[dict]

    @property
    def past_expected(self) -> int:
        return sum(bool(r["is_past_expected_entry"]) for r in self.rows)


def read_region_lists(con, week: date | None) -> tuple[date | None, list[RegionList]]:
    """The started-but-unstated projects of `week` (default: the latest week reported),
    grouped by region; the longest-waiting projects first."""
    if week is None:
        week = con.execute("select max(period_week) from marts.fct_unstated_weekly").fetchone()[0]
        if week is None:
            return None, []
    names = dict(con.execute("select region_code, region_name from marts.dim_region").fetchall())
    columns = ", ".join(["region_code", *(c for _, c, _ in COLUMNS)])
    cur = con.execute(
        f"""select {columns} from marts.fct_unstated_weekly
            where period_week = ? and not is_entered
            order by region_code, is_past_expected_entry desc,
                     weeks_since_start desc nulls last, total_investment_wan desc nulls last,
                     project_name""",
        [week],
    )
    names_of = [d[0] for d in cur.description]
    by_region: dict[str, list[dict]] = {}
    for values in cur.fetchall():
        row = dict(zip(names_of, values, strict=True))
        by_region.setdefault(row["region_code"], []).append(row)
    lists = [
        RegionList(code, names.get(code, code), week, rows)
        for code, rows in sorted(by_region.items())
    ]
    return week, lists


def week_dir(out_dir: Path, week: date) -> Path:
    return out_dir / WEEKLY_DIR / week_label(week)


def file_name(region_list: RegionList) -> str:
    return safe_file_name(f"{region_list.region_code}_{region_list.region_name}") + FILE_SUFFIX


def list_title(region_list: RegionList) -> str:
    monday = region_list.week
    year, week, _ = monday.isocalendar()
    return (
        f"{region_list.region_name}已开工未入统项目调度清单（{year}年第{week}周，"
        f"{monday:%Y-%m-%d}至{monday + timedelta(days=6):%Y-%m-%d}）"
    )


def list_summary(region_list: RegionList) -> str:
    return (
        f"共{len(region_list.rows)}个项目已开工尚未入统，其中{region_list.past_expected}个"
        "已过预计入统月份（标红），请逐项落实入统。"
    )


def write_region_list(path: Path, region_list: RegionList) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    write_text_cell(ws, 1, 1, list_title(region_list)).font = Font(bold=True, size=14)
    write_text_cell(ws, 2, 1, list_summary(region_list))
    write_header_row(ws, HEADER_ROW, ["序号", *(header for header, _, _ in COLUMNS)])
    set_column_widths(ws, [None, *(width for _, _, width in COLUMNS)])
    for i, row in enumerate(region_list.rows, start=1):
        r = HEADER_ROW + i
        ws.cell(r, 1, i)
        for col, (_, field, _) in enumerate(COLUMNS, start=2):
            write_text_cell(ws, r, col, _cell_value(field, row[field])).alignment = WRAP
        if row["is_past_expected_entry"]:
            for col in range(1, len(COLUMNS) + 2):
                ws.cell(r, col).fill = _LATE_FILL
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook_atomically(wb, path)


def region_list_page(region_list: RegionList) -> str:
    """The list as a page: the workbook's rows and order, every value escaped."""
    rows = []
    for i, row in enumerate(region_list.rows, start=1):
        cells = [{"text": i, "css": "num"}]
        for _, field, _ in COLUMNS:
            value = _cell_value(field, row[field])
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            text = f"{value:,.0f}" if isinstance(value, float) else value
            cells.append({"text": text, "css": "num" if numeric else None})
        rows.append({"cells": cells, "late": bool(row["is_past_expected_entry"])})
    return render_page(
        "weekly_list.html",
        title=list_title(region_list),
        summary=list_summary(region_list),
        headers=["序号", *(header for header, _, _ in COLUMNS)],
        rows=rows,
    )


def _cell_value(field: str, value):
    if value is None:
        return None
    if field in _MONTH_COLUMNS:
        return month_label(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def write_week(out_dir: Path, week: date, lists: list[RegionList]) -> list[Path]:
    """Write the week's lists, each workbook with its page beside it, and return the
    workbooks; a list written earlier for that week whose region no longer has such
    projects (a corrected return) is removed, so the folder never holds a stale list."""
    folder = week_dir(out_dir, week)
    written = []
    for region_list in lists:
        path = folder / file_name(region_list)
        write_region_list(path, region_list)
        page = path.with_name(path.name.removesuffix(FILE_SUFFIX) + PAGE_SUFFIX)
        write_atomically(page, region_list_page(region_list))
        written += [path, page]
    if folder.is_dir():
        for old in [*folder.glob(f"*{FILE_SUFFIX}"), *folder.glob(f"*{PAGE_SUFFIX}")]:
            if old not in written:
                old.unlink()
    return [p for p in written if p.name.endswith(FILE_SUFFIX)]
