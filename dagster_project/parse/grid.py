"""A submitted file as grids of cells, one per sheet, with real Excel row numbers.

Row 0 of a grid is Excel row 1 whatever is empty above the data (calamine skips
leading empty rows unless told not to), so lineage can name the row a clerk sees.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import python_calamine as calamine

from dagster_project.parse.guards import (
    FileFacts,
    FileRejected,
    is_wps_spreadsheet,
    wps_unreadable,
)

Cell = object  # str | int | float | bool | datetime | date | time | timedelta


@dataclass
class Grid:
    name: str
    rows: list[list[Cell]]
    # ((first_row, first_col), (last_row, last_col)), 0-based and inclusive.
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden: bool = False

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, col: int) -> Cell:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return ""


def read_grids(name: str, data: bytes, facts: FileFacts) -> list[Grid]:
    """Every sheet of the file. CSV files have one sheet named after the file."""
    if facts.format == "csv":
        return [csv_grid(name, facts.text or "")]
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise FileRejected(
            "文件已加密（设有打开密码），请取消密码后重新报送 [encrypted workbook]"
        ) from exc
    except calamine.CalamineError as exc:
        if is_wps_spreadsheet(name):
            raise wps_unreadable(
                name, "其内容无法按Excel 97-2003工作簿读取", f"unreadable workbook: {exc}"
            ) from exc
        raise FileRejected(
            f"文件无法读取（已损坏或格式不符）：{exc} [unreadable workbook]"
        ) from exc
    grids = []
    with book:
        for meta in book.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = book.get_sheet_by_name(meta.name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = sheet.merged_cell_ranges or []
            except calamine.CalamineError as exc:
                # A cell the reader cannot take (<v>abc</v> in a number cell, a part longer
                # than the zip says): the file is refused, never the night.
                raise FileRejected(
                    f"工作表“{meta.name}”无法读取（文件内容已损坏或不是Excel写出的格式）：{exc}，"
                    f"请用Excel或WPS打开后另存为.xlsx再报送 [unreadable sheet: {exc}]"
                ) from exc
            grids.append(
                Grid(
                    meta.name,
                    rows,
                    [tuple(map(tuple, m)) for m in merged],
                    meta.visible != calamine.SheetVisibleEnum.Visible,
                )
            )
    return grids


def csv_grid(name: str, text: str) -> Grid:
    stem = name.rsplit(".", 1)[0]
    rows = [list(r) for r in csv.reader(io.StringIO(text))]
    return Grid(stem, rows)


def column_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 27 -> AB)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
