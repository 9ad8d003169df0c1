"""Submitters that fill the official template: the template's own sheets, rows below the
header, nothing else."""

from __future__ import annotations

import random
from datetime import date

from openpyxl import Workbook

from dagster_project.contract import LIST_BY_KEY
from dagster_project.demo.cells import cell
from dagster_project.demo.styles import Style
from dagster_project.template.workbook import FIRST_DATA_ROW, official_workbook


def write_official(
    rows_by_list: dict[str, list[dict]],
    submitter: str,
    m_date: date,
    style: Style,
    seeds,
    instructions: bool = True,
) -> tuple[Workbook, dict[str, tuple[str, list[int]]]]:
    """The workbook and, per list, its sheet name and the Excel row of every given row.

    `seeds(list_key)` is the seed of a sheet's loose cells; row i draws from seed + i.
    """
    lists = [LIST_BY_KEY[key] for key in rows_by_list]
    wb, sheets = official_workbook(submitter, m_date, lists, instructions=instructions)
    placed = {}
    for lst in lists:
        ws = sheets[lst.key]
        sheet_seed = seeds(lst.key)
        excel_rows = []
        for i, row in enumerate(rows_by_list[lst.key]):
            r = FIRST_DATA_ROW + i
            rng = random.Random(sheet_seed + i)
            for col, name in enumerate(lst.columns, start=1):
                value = i + 1 if name == "seq" else row.get(name)
                c = cell(lst.key, name, value, style, rng)
                if c.value is None:
                    continue
                target = ws.cell(r, col, c.value)
                if c.number_format:
                    target.number_format = c.number_format
            excel_rows.append(r)
        placed[lst.key] = (ws.title, excel_rows)
    return wb, placed
