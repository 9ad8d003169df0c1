"""How the official workbook prints: counties print the filled lists, stamp and scan them.

A4 landscape, every column on the page width and as many pages tall as the rows need,
the title and header rows repeated on every page, gridlines, and a footer with the sheet
name and 第 x 页，共 y 页. The print area is whole columns, not a number of rows, so a
list of 5 or 500 rows prints whole without anyone resetting it.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

# The last row of a sheet: a print area down to it is whole columns (Excel shows it as
# $A:$AD) and prints to the last filled row.
LAST_ROW = 1_048_576
PAGE_FOOTER = ("&9&A", "&9第 &P 页，共 &N 页", "&9填报单位（盖章）：")
# Inches; the bottom leaves room for a stamp beside the footer.
MARGINS = PageMargins(left=0.3, right=0.3, top=0.45, bottom=0.6, header=0.2, footer=0.25)


def column_print_area(columns: int) -> str:
    """A1:<last column>1048576, whole columns: Excel prints them down to the last filled
    row, however many rows the clerk fills in."""
    return f"A1:{get_column_letter(columns)}{LAST_ROW}"


def set_up_printing(ws: Worksheet, columns: int, title_rows: str) -> None:
    """Page setup of a sheet of `columns` columns whose `title_rows` ("1:3": title,
    填报单位, header) head every printed page."""
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = ws.ORIENTATION_LANDSCAPE
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = MARGINS
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True
    ws.print_title_rows = title_rows
    footer = ws.oddFooter
    footer.left.text, footer.center.text, footer.right.text = PAGE_FOOTER
    ws.print_area = column_print_area(columns)
