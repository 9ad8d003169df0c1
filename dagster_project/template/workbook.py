"""The official submission workbook: one sheet per list, one header row of canonical
Chinese headers, drop-downs for every coded field and a 填报说明 sheet.

This is the only writer of the official layout: `xmk template` saves it blank, and the
demo city's tidy submitters fill the same sheets with rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.contract import (
    APPROVAL_STATES,
    CONSTRUCTION_TYPES,
    FIELD_BY_NAME,
    FUNDING_SOURCES,
    ISSUE_STATUSES,
    ISSUE_TYPES,
    LIBRARY_LEVELS,
    LISTS,
    PLANNING_STAGES,
    REQUIRED,
    SECTORS,
    YES_NO,
    FieldType,
    ProjectList,
)

DEFAULT_FILE_NAME = "项目库报送模板.xlsx"
INSTRUCTIONS_SHEET = "填报说明"
TITLE_ROW = 1
INFO_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = 4
VALIDATED_ROWS = 1000
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
    FieldType.INTEGER: "整数",
}

RULES = (
    "金额一律以万元为单位填写数字，不写“万元”“亿元”等文字；确需以亿元填写的，须在表头注明。",
    "时间填写为日期或“2024年3月”格式；重大谋划项目的建设起止年限填写为“2024-2026”。",
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


def choices(field_name: str) -> tuple[tuple[str, ...], bool] | None:
    """The code list offered for a field and whether other values are refused."""
    field = FIELD_BY_NAME[field_name]
    by_name = {
        "sector": (SECTORS, True),
        "issue_type": (ISSUE_TYPES, True),
        "issue_status": (ISSUE_STATUSES, True),
        "planning_stage": (PLANNING_STAGES, True),
        # Several sources go in one cell, so the list is only a hint.
        "funding_sources": (FUNDING_SOURCES, False),
    }
    by_type = {
        FieldType.CONSTRUCTION_TYPE: (CONSTRUCTION_TYPES, True),
        FieldType.FLAG: (YES_NO, True),
        FieldType.LIBRARY_LEVEL: (LIBRARY_LEVELS, True),
        # A state may carry its date (已办 2024年3月), so again only a hint.
        FieldType.APPROVAL: (APPROVAL_STATES, False),
    }
    return by_name.get(field_name) or by_type.get(field.type)


def column_width(field_name: str) -> float:
    field = FIELD_BY_NAME[field_name]
    wide = {
        "project_name": 36,
        "scope": 40,
        "issue_description": 40,
        "project_owner": 28,
        "location": 20,
        "target_task": 24,
        "responsible_unit": 20,
        "unstated_reason": 24,
        "project_code": 26,
        "contact_phone": 16,
        "remarks": 16,
        "funding_sources": 16,
        "seq": 6,
    }
    if field_name in wide:
        return wide[field_name]
    if field.type in (FieldType.AMOUNT, FieldType.RATIO):
        return 14
    if field.type in (FieldType.FLAG, FieldType.APPROVAL):
        return 8
    return 12


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def list_sheet_number(lst: ProjectList) -> int:
    return LISTS.index(lst) + 1


def add_list_sheet(
    wb: Workbook, lst: ProjectList, submitter: str = "", month: date | None = None
) -> Worksheet:
    """Append the official sheet of one list; rows go from FIRST_DATA_ROW down."""
    ws = wb.create_sheet(lst.title)
    columns = lst.columns
    last = get_column_letter(len(columns))

    ws.cell(TITLE_ROW, 1, f"附件{list_sheet_number(lst)}  {lst.title}清单")
    ws.cell(TITLE_ROW, 1).font = Font(size=14, bold=True)
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 28

    period = f"{month.year}年{month.month}月" if month else "    年    月"
    ws.cell(INFO_ROW, 1, f"填报单位：{submitter}")
    ws.cell(INFO_ROW, max(2, len(columns) // 2), f"报送月份：{period}")
    ws.cell(INFO_ROW, len(columns), "单位：万元")

    for col, name in enumerate(columns, start=1):
        cell = ws.cell(HEADER_ROW, col, header_text(name, lst.key, month))
        required = REQUIRED[lst.key].get(name) == "error"
        cell.font = Font(bold=True, color="C00000" if required else "000000")
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _CENTER
        ws.column_dimensions[get_column_letter(col)].width = column_width(name)
    ws.row_dimensions[HEADER_ROW].height = 36

    # Freeze the header and the columns up to the project name, which identify a row.
    name_col = columns.index("project_name") + 2 if "project_name" in columns else 1
    ws.freeze_panes = f"{get_column_letter(name_col)}{FIRST_DATA_ROW}"
    _add_validations(ws, lst)
    return ws


def _add_validations(ws: Worksheet, lst: ProjectList) -> None:
    last_row = FIRST_DATA_ROW + VALIDATED_ROWS - 1
    for col, name in enumerate(lst.columns, start=1):
        offered = choices(name)
        if offered is None:
            continue
        values, strict = offered
        field = FIELD_BY_NAME[name]
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(values) + '"',
            allow_blank=True,
            showErrorMessage=strict,
            errorTitle=field.header,
            error=f"请从下拉列表中选择：{'、'.join(values)}",
            promptTitle=field.header,
            prompt=field.help or f"可选：{'、'.join(values)}",
            showInputMessage=True,
        )
        letter = get_column_letter(col)
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        ws.add_data_validation(dv)


def add_instructions_sheet(wb: Workbook, lists: Sequence[ProjectList] = LISTS) -> Worksheet:
    """填报说明: the rules, then every list's fields with type, unit and whether required."""
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    ws.append(["填报说明"])
    ws.cell(1, 1).font = Font(size=14, bold=True)
    for i, rule in enumerate(RULES, start=1):
        ws.append([f"{i}. {rule}"])
    ws.append([])
    header = ["清单", "表头", "字段名", "类型", "单位", "是否必填", "填写说明"]
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
    for letter, width in zip("ABCDEFG", (14, 30, 26, 18, 8, 16, 60), strict=True):
        ws.column_dimensions[letter].width = width
    return ws


def official_workbook(
    submitter: str = "",
    month: date | None = None,
    lists: Sequence[ProjectList] = LISTS,
    instructions: bool = True,
) -> tuple[Workbook, dict[str, Worksheet]]:
    """A workbook in the official layout and its list sheets by list key."""
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {lst.key: add_list_sheet(wb, lst, submitter, month) for lst in lists}
    if instructions:
        add_instructions_sheet(wb, lists)
    return wb, sheets


def write_template(path: Path) -> Path:
    """Save the blank official workbook at `path`; a directory (or a path without a file
    extension) gets the default file name inside it."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / DEFAULT_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    wb, _ = official_workbook()
    wb.save(path)
    return path
