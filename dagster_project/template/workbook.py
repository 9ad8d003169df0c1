"""The official submission workbook: one sheet per list, one header row of canonical
Chinese headers, drop-downs for every coded field and a 填报说明 sheet.

This is the only writer of the official layout: `xmk template` saves it blank, and the
demo city's tidy submitters fill the same sheets with rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.contract import (
    FIELD_BY_NAME,
    LISTS,
    REQUIRED,
    FieldType,
    ProjectList,
)
from dagster_project.ingest.reference import SEEDS_DIR, load_reference
from dagster_project.template.printing import set_up_printing
from dagster_project.template.validation import (
    DEPARTMENT_FIELD,
    choices,
    field_validation,
    report_month_validation,
    submitter_validation,
)

DEFAULT_FILE_NAME = "项目库报送模板.xlsx"
INSTRUCTIONS_SHEET = "填报说明"
TITLE_ROW = 1
INFO_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = 4
VALIDATED_ROWS = 1000
# The clerk's input cells on INFO_ROW of every list sheet, each right of its label; the
# parser reads "填报单位：" and "报送月份：" with the cell beside them (parse/headers.py).
SUBMITTER_LABEL, SUBMITTER_COLUMNS = "填报单位：", (3, 4)
MONTH_LABEL, MONTH_COLUMNS = "报送月份：", (7, 8)
SUBMITTER_CELL = f"{get_column_letter(SUBMITTER_COLUMNS[0])}{INFO_ROW}"
MONTH_CELL = f"{get_column_letter(MONTH_COLUMNS[0])}{INFO_ROW}"
CHOICES_SHEET = "下拉选项"  # hidden: the long lists the drop-downs point to
REQUIRED_MARK = "*"
MONTH_FORMAT = 'yyyy"年"m"月"'
DAY_FORMAT = "yyyy-mm-dd"

_TYPE_LABELS = {
    FieldType.TEXT: "文本",
    FieldType.CODE: "项目代码",
    FieldType.AMOUNT: "金额",
    FieldType.RATIO: "比值",
    FieldType.PERCENT: "百分比",
    FieldType.MONTH: "年月",
    FieldType.DAY: "日期",
    FieldType.MONTH_RANGE: "起止年限",
    FieldType.FLAG: "是/否",
    FieldType.APPROVAL: "已办/在办/未办",
    FieldType.FUNDING: "资金来源（可多选）",
    FieldType.CONSTRUCTION_TYPE: "建设性质",
    FieldType.LIBRARY_LEVEL: "项目级别",
    FieldType.PLAN_INCLUSION: "国家/省/市/否",
    FieldType.LANDING_STATUS: "落地状态",
    FieldType.INTEGER: "整数",
}

RULES = (
    "金额一律以万元为单位填写数字，不写“万元”“亿元”等文字；确需以亿元填写的，须在表头注明。",
    "每张清单第2行的黄色单元格填写填报单位和报送月份（如 2024年3月）。",
    "时间填写为日期，如 2024-3 或 2024年3月（Excel 自动识别为日期）；重大谋划项目的建设起止年限"
    "填写为“2024-2026”。",
    "每行填写一个项目，不合并单元格，不插入合计、小计、分类标题行。",
    "表头行不得修改、删除或调整顺序；带“*”的列为必填项，缺失将导致本月数据不予发布。",
    "有下拉选项的列请从下拉列表中选择；资金来源可多选，用“、”分隔。",
    "责任人、联系电话有多人的，用“、”分隔，不要换行。",
    "项目代码填写全国投资项目在线审批监管平台赋码（24位）；尚未赋码的留空。",
    "“已开工未入统”清单每周报送一次，其余清单每月5日前报送上月情况。",
    "工作簿按“地区代码_地区名称.xlsx”命名；一次报送一个单位一个月份。",
)


def ytd_header(month: date | None) -> str:
    """The 累计完成投资 header names the months it covers, as counties write it."""
    if month is None:
        return "1-X月累计完成投资"
    return "1月累计完成投资" if month.month == 1 else f"1-{month.month}月累计完成投资"


def header_text(field_name: str, list_key: str, month: date | None = None) -> str:
    """The canonical header of a field: unit in brackets, '*' when an error if missing."""
    field = FIELD_BY_NAME[field_name]
    text = ytd_header(month) if field_name == "ytd_completed_wan" else field.header
    if field.unit_hint:
        text += f"（{field.unit_hint}）"
    if REQUIRED[list_key].get(field_name) == "error":
        text += REQUIRED_MARK
    return text


# Widths (in Excel's character units) sized for print: every column of a list on the
# width of an A4 landscape page, long texts wrapping within their column.
_WIDTHS = {
    "seq": 4.5,
    "project_code": 13,
    "project_name": 16,
    "project_owner": 14,
    "investor": 14,
    "location": 10,
    "scope": 16,
    "issue_description": 20,
    "target_task": 12,
    "responsible_unit": 10,
    "unstated_reason": 12,
    "contact_phone": 12,
    "funding_sources": 9,
    "status_note": 10,
    "remarks": 9,
    "construction_period": 10,
    "responsible_person": 7,
}
_WIDTHS_BY_TYPE = {
    FieldType.AMOUNT: 9.5,
    FieldType.RATIO: 7,
    FieldType.MONTH: 10.5,  # 2024年12月 on one line
    FieldType.DAY: 10.5,
    FieldType.FLAG: 5,
    FieldType.APPROVAL: 5,
    FieldType.CONSTRUCTION_TYPE: 5,
    FieldType.LIBRARY_LEVEL: 5,
    FieldType.PLAN_INCLUSION: 7,
    FieldType.LANDING_STATUS: 7,
}


def column_width(field_name: str) -> float:
    field = FIELD_BY_NAME[field_name]
    return _WIDTHS.get(field_name) or _WIDTHS_BY_TYPE.get(field.type, 7)


def text_width(text: str) -> float:
    """Width of a text in Excel's character units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_height(
    texts: Sequence[str], widths: Sequence[float], points: float = 11, least: int = 1
) -> float:
    """Row height (points) that shows every text of a row whole, wrapped in its column."""
    lines = max(-(-text_width(t) // max(w - 1, 1)) for t, w in zip(texts, widths, strict=True))
    return max(least, lines) * points * 1.35 + 4


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_NUMBER_FORMATS = {FieldType.MONTH: MONTH_FORMAT, FieldType.DAY: DAY_FORMAT}


@dataclass(frozen=True)
class ReferenceLists:
    """The long choices of the drop-downs, kept on the hidden 下拉选项 sheet."""

    departments: tuple[str, ...]  # 责任部门 of department_leaders
    regions: tuple[str, ...]  # 填报单位: region names


def reference_lists(raw_dir: Path | None = None) -> ReferenceLists:
    """The deployment's reference files under <raw>/reference/, else the demo city's
    seeds (SEEDS_DIR has no reference/ folder, so it reads the seeds themselves)."""
    base = SEEDS_DIR if raw_dir is None else raw_dir
    departments, _ = load_reference(base, "department_leaders.csv")
    regions, _ = load_reference(base, "regions.csv")
    return ReferenceLists(
        tuple(dict.fromkeys(r["department"] for r in departments)),
        tuple(r["region_name"] for r in regions),
    )


def list_sheet_number(lst: ProjectList) -> int:
    return LISTS.index(lst) + 1


def add_list_sheet(
    wb: Workbook,
    lst: ProjectList,
    submitter: str = "",
    month: date | None = None,
    ranges: dict[str, str] | None = None,
) -> Worksheet:
    """Append the official sheet of one list; rows go from FIRST_DATA_ROW down. `ranges`
    are the hidden sheet's lists by field name (and "submitter")."""
    ws = wb.create_sheet(lst.title)
    columns = lst.columns
    last = get_column_letter(len(columns))

    ws.cell(TITLE_ROW, 1, f"附件{list_sheet_number(lst)}  {lst.title}清单")
    ws.cell(TITLE_ROW, 1).font = Font(size=14, bold=True)
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 28

    _add_input_cells(ws, submitter, month, (ranges or {}).get("submitter"))
    if any(FIELD_BY_NAME[name].unit_hint for name in columns):
        ws.cell(INFO_ROW, len(columns), "单位：万元").alignment = Alignment(horizontal="right")
    ws.row_dimensions[INFO_ROW].height = 22

    widths = [column_width(name) for name in columns]
    headers = [header_text(name, lst.key, month) for name in columns]
    for col, (name, text, width) in enumerate(zip(columns, headers, widths, strict=True), 1):
        cell = ws.cell(HEADER_ROW, col, text)
        required = REQUIRED[lst.key].get(name) == "error"
        cell.font = Font(bold=True, color="C00000" if required else "000000")
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _CENTER
        # A column's own style is what Excel gives the cells a clerk types into.
        dim = ws.column_dimensions[get_column_letter(col)]
        dim.width = width
        dim.alignment = _WRAP
        dim.number_format = _NUMBER_FORMATS.get(FIELD_BY_NAME[name].type, "General")
    ws.row_dimensions[HEADER_ROW].height = wrapped_height(headers, widths, least=2)

    # Freeze the header and the columns up to the project name, which identify a row.
    name_col = columns.index("project_name") + 2 if "project_name" in columns else 1
    ws.freeze_panes = f"{get_column_letter(name_col)}{FIRST_DATA_ROW}"
    _add_validations(ws, lst, ranges or {})
    set_up_printing(ws, len(columns), f"{TITLE_ROW}:{HEADER_ROW}")
    return ws


def _add_input_cells(
    ws: Worksheet, submitter: str, month: date | None, regions: str | None
) -> None:
    """填报单位 and 报送月份: a label, then a yellow input cell merged over two columns."""
    for label, (first, last), value in (
        (SUBMITTER_LABEL, SUBMITTER_COLUMNS, submitter or None),
        (MONTH_LABEL, MONTH_COLUMNS, month),
    ):
        ws.merge_cells(start_row=INFO_ROW, start_column=first - 2, end_row=INFO_ROW,
                       end_column=first - 1)  # fmt: skip
        head = ws.cell(INFO_ROW, first - 2, label)
        head.font = Font(bold=True)
        head.alignment = Alignment(horizontal="right", vertical="center")
        ws.merge_cells(start_row=INFO_ROW, start_column=first, end_row=INFO_ROW, end_column=last)
        for col in range(first, last + 1):
            box = ws.cell(INFO_ROW, col)
            box.fill = _INPUT_FILL
            box.border = _BORDER
        box = ws.cell(INFO_ROW, first, value)
        box.font = Font(bold=True, color="1F4E78")
        box.alignment = Alignment(horizontal="left", vertical="center")
    ws[MONTH_CELL].number_format = MONTH_FORMAT
    if regions:
        dv = submitter_validation(regions)
        dv.add(SUBMITTER_CELL)
        ws.add_data_validation(dv)
    dv = report_month_validation(MONTH_CELL)
    dv.add(MONTH_CELL)
    ws.add_data_validation(dv)


def _add_validations(ws: Worksheet, lst: ProjectList, ranges: dict[str, str]) -> None:
    last_row = FIRST_DATA_ROW + VALIDATED_ROWS - 1
    for col, name in enumerate(lst.columns, start=1):
        letter = get_column_letter(col)
        dv = field_validation(lst.key, name, f"{letter}{FIRST_DATA_ROW}", ranges)
        if dv is not None:
            dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
            ws.add_data_validation(dv)


def add_choices_sheet(wb: Workbook, reference: ReferenceLists) -> dict[str, str]:
    """The hidden 下拉选项 sheet; returns the absolute range of each list, by the field
    it serves (Excel caps a list typed into a validation at 255 characters)."""
    ws = wb.create_sheet(CHOICES_SHEET)
    ws.sheet_state = "hidden"
    ranges = {}
    for col, (key, header, values) in enumerate(
        (
            (DEPARTMENT_FIELD, "责任部门", reference.departments),
            ("submitter", "填报单位", reference.regions),
        ),
        start=1,
    ):
        letter = get_column_letter(col)
        ws.cell(1, col, header).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            ws.cell(row, col, value)
        ws.column_dimensions[letter].width = 24
        ranges[key] = f"{quote_sheetname(ws.title)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def add_instructions_sheet(wb: Workbook, lists: Sequence[ProjectList] = LISTS) -> Worksheet:
    """填报说明: the rules, then every list's fields with type, unit and whether required."""
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    header = ["清单", "表头", "字段名", "类型", "单位", "是否必填", "填写说明"]
    widths = (12, 26, 22, 14, 6, 14, 56)
    ws.append(["填报说明"])
    ws.cell(1, 1).font = Font(size=14, bold=True)
    for i, rule in enumerate(RULES, start=1):
        ws.append([f"{i}. {rule}"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row,
                       end_column=len(header))  # fmt: skip
        ws.cell(ws.max_row, 1).alignment = _WRAP
        ws.row_dimensions[ws.max_row].height = wrapped_height([f"{i}. {rule}"], [sum(widths)])
    ws.append([])
    ws.append(header)
    header_row = ws.max_row
    for col in range(1, len(header) + 1):
        cell = ws.cell(header_row, col)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
    required_label = {"error": "必填", "warn": "应填（缺失提示）"}
    for lst in lists:
        for name in lst.columns:
            field = FIELD_BY_NAME[name]
            offered = choices(name)
            hint = field.help or (f"可选：{'、'.join(offered[0])}" if offered else "")
            ws.append(
                [
                    lst.title,
                    header_text(name, lst.key),
                    name,
                    _TYPE_LABELS[field.type],
                    field.unit_hint,
                    required_label.get(REQUIRED[lst.key].get(name, ""), ""),
                    hint,
                ]
            )
            for cell in ws[ws.max_row]:
                cell.alignment = _WRAP
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    set_up_printing(ws, len(header), f"{header_row}:{header_row}")
    return ws


def official_workbook(
    submitter: str = "",
    month: date | None = None,
    lists: Sequence[ProjectList] = LISTS,
    instructions: bool = True,
    reference: ReferenceLists | None = None,
) -> tuple[Workbook, dict[str, Worksheet]]:
    """A workbook in the official layout and its list sheets by list key; the drop-downs
    of 责任部门 and 填报单位 offer `reference` (default: the demo city's seeds)."""
    wb = Workbook()
    wb.remove(wb.active)
    ranges = add_choices_sheet(wb, reference or reference_lists())
    sheets = {lst.key: add_list_sheet(wb, lst, submitter, month, ranges) for lst in lists}
    if instructions:
        add_instructions_sheet(wb, lists)
    wb.move_sheet(CHOICES_SHEET, offset=len(wb.sheetnames) - 1)  # last, out of the way
    wb.active = 0
    return wb, sheets


def write_template(path: Path, raw_dir: Path | None = None) -> Path:
    """Save the blank official workbook at `path`; a directory (or a path without a file
    extension) gets the default file name inside it. The drop-downs take the reference
    files of `raw_dir` (default: XMK_RAW_DIR or ./raw), else the demo city's seeds."""
    from dagster_project.settings import resolve_paths

    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / DEFAULT_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    wb, _ = official_workbook(reference=reference_lists(raw_dir or resolve_paths().raw_dir))
    wb.save(path)
    return path
