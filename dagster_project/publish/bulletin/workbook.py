"""The 通报 as a workbook: a sheet per section, in the document's order, with its text,
its charts (the same figures as the document's, as pictures) and its tables as real
numbers in Excel's formats, so an analyst can sort and sum them."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.publish.bulletin.charts import chart_png
from dagster_project.publish.bulletin.document import (
    CHANGE,
    COUNT,
    DATE,
    MONTH,
    PP,
    RATE,
    WAN,
    WEEKS,
    Bulletin,
    Section,
    Table,
    format_value,
)
from dagster_project.publish.bulletin.sections import SHEETS
from dagster_project.publish.render.cells import (
    BOLD,
    WRAP,
    safe_cell_value,
    save_workbook_atomically,
    set_column_widths,
    solid_fill,
    write_header_row,
    write_text_cell,
)

NUMBER_FORMATS = {
    RATE: "0.0%",
    COUNT: "#,##0",
    WAN: "#,##0",
    PP: "+0.0;-0.0;0.0",
    WEEKS: "0",
    DATE: "yyyy-mm-dd",
    MONTH: "yyyy-mm",
}
TOTAL_FILL = solid_fill("FFF2F2F2")
_TITLE = Font(bold=True, size=14)
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_CHART_ROWS = 17  # rows a picture of 640×230 px covers at the default row height
_CHART_WIDTH_PX = 640


def write_bulletin_workbook(
    path: Path, bulletin: Bulletin, chart_image: Callable = chart_png
) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for section in bulletin.sections:
        _sheet(wb.create_sheet(SHEETS[section.key]), bulletin, section, chart_image)
    save_workbook_atomically(wb, path)


def _sheet(ws: Worksheet, bulletin: Bulletin, section: Section, chart_image) -> None:
    widths = max((len(t.columns) for t in section.tables), default=1)
    write_text_cell(ws, 1, 1, f"{bulletin.title} — {section.title}").font = _TITLE
    write_text_cell(ws, 2, 1, f"{bulletin.issuance.issuer}　{bulletin.issuance.doc_number}")
    row = 4
    for text in section.paragraphs:
        cell = write_text_cell(ws, row, 1, text)
        cell.alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(widths, 8))
        ws.row_dimensions[row].height = 15 * (1 + len(text) // 90)
        row += 1
    row += 1
    for chart in section.charts:
        picture = Image(io.BytesIO(chart_image(chart, dpi=100)))
        scale = _CHART_WIDTH_PX / picture.width
        picture.width, picture.height = _CHART_WIDTH_PX, round(picture.height * scale)
        ws.add_image(picture, f"A{row}")
        row += _CHART_ROWS
    for table in section.tables:
        row = _table(ws, row, table) + 2
    column_widths = [0.0] * widths
    for table in section.tables:
        for i, column in enumerate(table.columns):
            column_widths[i] = max(column_widths[i], column.width)
    set_column_widths(ws, column_widths)


def _table(ws: Worksheet, row: int, table: Table) -> int:
    """Caption, header and rows from `row`; returns the last row written."""
    write_text_cell(ws, row, 1, table.caption).font = BOLD
    row += 1
    write_header_row(ws, row, [c.header for c in table.columns])
    for offset in range(len(table.columns)):
        ws.cell(row, 1 + offset).alignment = _HEADER_ALIGN
    last = len(table.rows) - 1
    for i, values in enumerate(table.rows):
        row += 1
        for offset, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            if column.kind == CHANGE:
                value = format_value(value, CHANGE)
            cell = write_text_cell(ws, row, 1 + offset, safe_cell_value(value))
            if column.kind in NUMBER_FORMATS and value is not None:
                cell.number_format = NUMBER_FORMATS[column.kind]
            if table.has_total and i == last:
                cell.font, cell.fill = BOLD, TOTAL_FILL
    if not table.rows:
        row += 1
        write_text_cell(ws, row, 1, "（无）")
    return row
