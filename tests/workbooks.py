"""Building real .xlsx / .xls / .csv files for tests, the way counties lay them out."""

from __future__ import annotations

from pathlib import Path

import openpyxl

# The clean official layout: title, 填报单位, one header row.
TEMPLATE_UNDER_CONSTRUCTION = [
    "序号",
    "项目代码",
    "项目名称",
    "项目法人",
    "建设地点",
    "总投资（万元）",
    "年度计划投资（万元）",
    "1-X月累计完成投资（万元）",
    "计划开工时间",
    "实际开工时间",
    "责任单位",
    "责任人",
    "联系电话",
]


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list]],
    merges: dict[str, list[str]] | None = None,
    hidden_rows: dict[str, list[int]] | None = None,
) -> Path:
    """Rows are written from Excel row 1; None or "" leaves a cell empty."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in (None, ""):
                    ws.cell(r, c, value)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
        for r in (hidden_rows or {}).get(name, []):
            ws.row_dimensions[r].hidden = True
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A real BIFF8 .xls, as older county machines still save."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in (None, ""):
                    ws.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[list], encoding: str) -> Path:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def title_rows(list_title: str, submitter: str, unit: str = "万元") -> list[list]:
    return [
        ["附件1"],
        [f"吉林市{list_title}清单"],
        [f"填报单位：{submitter}", None, None, None, None, f"单位：{unit}"],
    ]


def write_official(path: Path, submitter: str, month, lists: dict[str, list[dict]]) -> Path:
    """A county workbook in the official template: one sheet per list key given, rows as
    {field name: value}. Dates stay dates, tuples become 、-joined text, booleans 是/否."""
    from dagster_project.contract import LIST_BY_KEY
    from dagster_project.template.workbook import FIRST_DATA_ROW, official_workbook

    wb, sheets = official_workbook(
        submitter, month, lists=[LIST_BY_KEY[key] for key in lists], instructions=False
    )
    for key, rows in lists.items():
        ws, columns = sheets[key], LIST_BY_KEY[key].columns
        for r, row in enumerate(rows, start=FIRST_DATA_ROW):
            for c, name in enumerate(columns, start=1):
                value = row.get(name, r - FIRST_DATA_ROW + 1 if name == "seq" else None)
                if isinstance(value, bool):
                    value = "是" if value else "否"
                elif isinstance(value, tuple):
                    value = "、".join(value)
                if value is not None:
                    ws.cell(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
