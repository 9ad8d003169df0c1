"""xlsx cells as every published workbook writes them: text that stays text (nothing a
county typed becomes a formula), the shared styles, header rows, column widths, and one
atomic save."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.publish.render.files import write_atomically

# A spreadsheet reads text starting with these as a formula (or, for tab and CR, as the
# start of one once pasted into a cell).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_CELL_CHARS = 32_767  # Excel's limit for one cell

# Colours: strong for an offending cell (or a severity), light for a whole row.
ERROR_FILL = "FFFF7C80"
WARN_FILL = "FFFFFF00"
ERROR_ROW_FILL = "FFFFE4E4"
WARN_ROW_FILL = "FFFFFBD6"
HEADER_FILL_COLOUR = "FFDDEBF7"

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def solid_fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


HEADER_FILL = solid_fill(HEADER_FILL_COLOUR)


def safe_cell_value(value):
    """What a report cell may hold: numbers and dates unchanged; anything else as text the
    xlsx format can store (control characters replaced, CR as LF — XML turns a bare CR
    into LF on reading anyway — and at most Excel's 32,767 characters)."""
    if value is None or isinstance(value, bool | int | float | date):
        return value
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return text[:_MAX_CELL_CHARS]


def write_text_cell(ws: Worksheet, row: int, column: int, value):
    """Write one report cell; text always stays text. openpyxl stores any string starting
    with "=" as a formula, so the type is forced back to string, and quotePrefix keeps
    Excel from reading it as a formula when the clerk edits the cell. The visible text is
    exactly the value."""
    value = safe_cell_value(value)
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def write_header_row(
    ws: Worksheet, row: int, headers: Sequence[str], column: int = 1, fill=HEADER_FILL
) -> None:
    """A table's header cells from `column` on: bold on the header fill."""
    for offset, header in enumerate(headers):
        cell = write_text_cell(ws, row, column + offset, header)
        cell.font, cell.fill = BOLD, fill


def set_column_widths(ws: Worksheet, widths: Sequence[float | None], column: int = 1) -> None:
    """Widths of the columns from `column` on; None leaves a column as it is."""
    for offset, width in enumerate(widths):
        if width is not None:
            ws.column_dimensions[get_column_letter(column + offset)].width = width


def save_workbook_atomically(wb: Workbook, path: Path) -> None:
    buffer = io.BytesIO()
    wb.save(buffer)
    write_atomically(path, buffer.getvalue())
