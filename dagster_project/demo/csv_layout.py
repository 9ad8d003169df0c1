"""The county that exports its lists as GBK-encoded CSV files, one file per list, with
the template's header row and sometimes a title line above it."""

from __future__ import annotations

import csv
import io
import random
from datetime import date

from dagster_project.contract import ProjectList
from dagster_project.demo.cells import cell
from dagster_project.demo.styles import Style
from dagster_project.template.workbook import header_text

ENCODING = "gbk"
TITLED_LISTS = ("under_construction", "planned_next_year")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else str(int(value))
    return str(value)


def csv_bytes(
    lst: ProjectList,
    rows: list[dict],
    submitter: str,
    m_date: date,
    style: Style,
    sheet_seed: int,
) -> tuple[bytes, list[int]]:
    """The file's bytes and the record number (1-based, as a spreadsheet shows it) of every
    row; a record may span lines when a cell holds a line break."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    record = 0
    if lst.key in TITLED_LISTS:
        writer.writerow([f"{submitter}{lst.title}清单（{m_date.year}年{m_date.month}月）"])
        record += 1
    writer.writerow([header_text(name, lst.key, m_date) for name in lst.columns])
    record += 1
    records = []
    for i, row in enumerate(rows):
        rng = random.Random(sheet_seed + i)
        values = []
        for name in lst.columns:
            value = i + 1 if name == "seq" else row.get(name)
            values.append(_text(cell(lst.key, name, value, style, rng, as_text=True).value))
        writer.writerow(values)
        record += 1
        records.append(record)
    return out.getvalue().encode(ENCODING), records
