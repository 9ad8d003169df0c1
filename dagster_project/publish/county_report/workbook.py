"""A county report as an .xlsx: the 汇总 sheet (verdict, guidance, the summary tables,
notes) and the 明细 sheet, one row per failure coloured by its severity."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.publish.county_report.content import (
    DETAIL_HEADERS,
    DETAIL_SHEET,
    ReportContent,
)
from dagster_project.publish.render.cells import (
    BOLD,
    ERROR_FILL,
    WARN_FILL,
    WRAP,
    save_workbook_atomically,
    set_column_widths,
    solid_fill,
    write_header_row,
    write_text_cell,
)
from dagster_project.quality.failures import ERROR

SUMMARY_SHEET = "汇总"
SUMMARY_WIDTHS = (40, 36, 10, 48)
DETAIL_WIDTHS = (34, 16, 7, 5, 24, 24, 26, 7, 64, 30)


def write_report_workbook(path: Path, content: ReportContent) -> None:
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    _write_summary(summary, content)
    _write_detail(wb.create_sheet(DETAIL_SHEET), content)
    save_workbook_atomically(wb, path)


def _write_summary(ws: Worksheet, content: ReportContent) -> None:
    write_text_cell(ws, 1, 1, content.title).font = Font(bold=True, size=14)
    row = 2
    for fact in content.facts:
        write_text_cell(ws, row, 1, fact)
        row += 1
    colour = "FFC00000" if content.errors else "FF007A33"
    write_text_cell(ws, row, 1, f"结论：{content.verdict}").font = Font(
        bold=True, size=12, color=colour
    )
    write_text_cell(ws, row + 1, 1, f"错误 {content.errors} 项，警告 {content.warnings} 项")
    row += 2
    for line in content.guidance:
        write_text_cell(ws, row, 1, line).font = BOLD
        row += 1
    row += 1
    for table in content.summary_tables:
        write_text_cell(ws, row, 1, table.heading).font = Font(bold=True, size=12)
        row += 1
        write_header_row(ws, row, table.headers)
        row += 1
        if not table.rows:
            write_text_cell(ws, row, 1, "（无）")
            row += 1
        for values in table.rows:
            for col, value in enumerate(values, start=1):
                write_text_cell(ws, row, col, value).alignment = WRAP
            row += 1
        row += 1
    write_text_cell(ws, row, 1, "说明").font = BOLD
    for offset, note in enumerate(content.notes, start=1):
        write_text_cell(ws, row + offset, 1, note)
    set_column_widths(ws, SUMMARY_WIDTHS)


def _write_detail(ws: Worksheet, content: ReportContent) -> None:
    write_header_row(ws, 1, content.detail.headers)
    set_column_widths(ws, DETAIL_WIDTHS)
    severity_col = DETAIL_HEADERS.index("级别") + 1
    for r, (values, severity) in enumerate(
        zip(content.detail.rows, content.detail_severities, strict=True), start=2
    ):
        for col, value in enumerate(values, start=1):
            write_text_cell(ws, r, col, value).alignment = WRAP
        ws.cell(r, severity_col).fill = solid_fill(ERROR_FILL if severity == ERROR else WARN_FILL)
    last = get_column_letter(len(content.detail.headers))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{max(1, len(content.detail.rows) + 1)}"
