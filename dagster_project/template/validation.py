"""What Excel checks while a clerk fills the official workbook (data validation).

Each column's rule follows the contract (SPEC §2, `contract.REQUIRED`): the error style
is "stop" where the contract makes the field an error on that list, and "warning" — the
clerk is told and may keep the value — everywhere else. No rule refuses what the parser
reads: months accept Excel dates and 2024.3 typed as a number, and a code list whose
cells may hold several values (资金来源) or a date (已办 2024年3月) only offers its values.

Formulas are written for the first cell of their range; Excel moves the relative
reference down the column. Excel allows at most 255 characters per formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from openpyxl.worksheet.datavalidation import DataValidation

from dagster_project.contract import (
    APPROVAL_STATES,
    CONSTRUCTION_TYPES,
    ERROR_VALUE_RULES,
    FIELD_BY_NAME,
    FUNDING_SOURCES,
    ISSUE_STATUSES,
    ISSUE_TYPES,
    LANDING_STATUSES,
    LIBRARY_LEVELS,
    PLAN_INCLUSIONS,
    PLANNING_STAGES,
    SECTORS,
    YES_NO,
    FieldType,
    field_severity,
)

# The first and last day a date cell may name, as Excel serials (1900 date system).
_EXCEL_EPOCH = date(1899, 12, 30)
FIRST_DAY = (date(2000, 1, 1) - _EXCEL_EPOCH).days
LAST_DAY = (date(2099, 12, 31) - _EXCEL_EPOCH).days
DEPARTMENT_FIELD = "issue_department"

_MONTH_EXAMPLE = "如 2024-3 或 2024年3月（Excel 自动识别为日期）"


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
        FieldType.PLAN_INCLUSION: (PLAN_INCLUSIONS, True),
        FieldType.LANDING_STATUS: (LANDING_STATUSES, True),
        # A state may carry its date (已办 2024年3月), so again only a hint.
        FieldType.APPROVAL: (APPROVAL_STATES, False),
    }
    return by_name.get(field_name) or by_type.get(field.type)


def project_code_formula(cell: str) -> str:
    """24 characters: four digits (a year 20xx, or YYMM with a real month), dashes at
    5, 12, 15 and 18, digits everywhere else — parse/codes.py's national format."""
    c = cell
    dashes = "&".join(f"MID({c},{i},1)" for i in (5, 12, 15, 18)) + '="----"'
    digits = f'SUMPRODUCT(--ISNUMBER(FIND(MID({c},ROW($1:$24),1),"0123456789")))=20'
    first = f'OR(LEFT({c},2)="20",AND(MID({c},3,2)>="01",MID({c},3,2)<="12"))'
    return f"AND(LEN({c})=24,{dashes},{digits},{first})"


# Characters a 联系电话 cell may hold besides digits: separators between numbers
# (parse/flags.py splits on 、,，;；/ and spaces), area-code brackets, 转 and # before an
# extension, + before 86.
_PHONE_CHARACTERS = "0123456789-、，,;；/()（）转#+ "
_PHONE_LONGEST = 60  # characters; a longer cell warns


def phone_formula(cell: str) -> str:
    """Only digits and separators, and at least 7 digits (a local number). Each of the
    first 60 positions is looked up; the positions past the end are masked out, since
    Excel and LibreOffice disagree on FIND("", …)."""
    c, rows = cell, f"ROW($1:${_PHONE_LONGEST})"
    chars = f"MID({c},{rows},1)"
    allowed = f'SUMPRODUCT(ISNUMBER(FIND({chars},"{_PHONE_CHARACTERS}"))*({rows}<=LEN({c})))'
    digits = f"SUMPRODUCT(--ISNUMBER(--{chars}))"
    return f"AND({allowed}=LEN({c}),{digits}>=7)"


def month_formula(cell: str) -> str:
    """A date from 2000 to 2099, or a number 2000–2099.x (2024.3 typed into a number cell,
    which parse/dates.py reads as March 2024)."""
    c = cell
    return (
        f"AND(ISNUMBER({c}),OR(AND({c}>=DATE(2000,1,1),{c}<DATE(2100,1,1)),"
        f"AND({c}>=2000,{c}<2100)))"
    )


def report_month_formula(cell: str) -> str:
    """报送月份: a month, i.e. a date on the 1st (2024-3 and 2024年3月 both give one)."""
    c = cell
    return f"IF(ISNUMBER({c}),AND({c}>=DATE(2000,1,1),{c}<DATE(2100,1,1),DAY({c})=1),FALSE)"


def _style(list_key: str, field_name: str) -> str:
    return "stop" if field_severity(list_key, field_name) == "error" else "warning"


def _validation(kind: str, title: str, prompt: str, error: str, style: str, **kw):
    return DataValidation(
        **{"showErrorMessage": True} | kw,
        type=kind,
        allow_blank=True,
        showInputMessage=True,
        promptTitle=title[:32],
        prompt=prompt,
        errorStyle=style,
        errorTitle=title[:32],
        error=error,
    )


def field_validation(
    list_key: str, field_name: str, first_cell: str, lists: Mapping[str, str]
) -> DataValidation | None:
    """The validation of one list column, written for its first data cell; `lists` are
    the ranges of the choices kept on the hidden sheet (by field name)."""
    field = FIELD_BY_NAME[field_name]
    style = _style(list_key, field_name)
    must = "（必填）" if style == "stop" else ""
    title = field.header.removeprefix("其中：")
    if field_name == DEPARTMENT_FIELD and field_name in lists:
        return _validation(
            "list",
            title,
            f"从下拉列表选择市直责任部门{must}；问题逾期时呈报该部门的分管副市长。",
            "请从下拉列表中选择责任部门；列表中没有的部门请联系市发改委项目中心。",
            style,
            formula1=lists[field_name],
        )
    offered = choices(field_name)
    if offered is not None:
        values, strict = offered
        listed = "、".join(values)
        return _validation(
            "list",
            title,
            field.help or f"可选：{listed}",
            f"请从下拉列表中选择：{listed}",
            style,
            formula1='"' + ",".join(values) + '"',
            # Cells holding several values or a date would all fail a strict check.
            showErrorMessage=strict,
        )
    if field.type in (FieldType.AMOUNT, FieldType.RATIO):
        positive = field_name == "total_investment_wan" and (
            "total_investment_positive" in ERROR_VALUE_RULES[list_key]
        )
        bound = "大于0" if positive else "不小于0"
        if field.unit_hint:
            prompt = "以万元为单位填写数字，如 12345.6，不写“万元”“亿元”"
            error = f"{title}须为{bound}的数字（万元），不写单位文字。"
        else:
            prompt, error = "填写数字，如 1.35", f"{title}须为{bound}的数字。"
        return _validation(
            "decimal",
            title,
            f"{prompt}{must}。",
            error,
            style,
            operator="greaterThan" if positive else "greaterThanOrEqual",
            formula1="0",
        )
    if field.type == FieldType.MONTH:
        return _validation(
            "custom",
            title,
            f"填写年月，{_MONTH_EXAMPLE}{must}。",
            f"请填写2000—2099年间的年月，{_MONTH_EXAMPLE}。",
            style,
            formula1=month_formula(first_cell),
        )
    if field.type == FieldType.DAY:
        return _validation(
            "date",
            title,
            f"填写日期，如 2024-3-15 或 2024年3月15日{must}。",
            "请填写2000—2099年间的日期，如 2024-3-15。",
            style,
            operator="between",
            formula1=str(FIRST_DAY),
            formula2=str(LAST_DAY),
        )
    if field.type == FieldType.CODE:
        return _validation(
            "custom",
            title,
            "全国投资项目在线审批监管平台赋码，24位，如 2024-220281-48-01-000123；尚未赋码的留空。",
            "项目代码应为24位，格式如 2024-220281-48-01-000123（年份-地区-行业-类型-序号）。",
            style,
            formula1=project_code_formula(first_cell),
        )
    if field_name == "contact_phone":
        return _validation(
            "custom",
            title,
            "手机11位，或固定电话带区号（如 0432-62212345）；多个号码用、分隔。",
            "联系电话只填数字，区号后可加“-”，多个号码用、分隔，如 13912345678、0432-62212345。",
            style,
            formula1=phone_formula(first_cell),
        )
    return None


def submitter_validation(regions: str) -> DataValidation:
    """填报单位: the submitters of the regions reference; a fuller name (蛟河市发展和改革局)
    still names the region, so another value only warns."""
    return _validation(
        "list",
        "填报单位",
        "选择或填写本单位名称（须含地区名称，如 蛟河市）；"
        "须与文件名“地区代码_地区名称.xlsx”中的地区一致。",
        "填报单位应为区划表中的地区名称，如 蛟河市；与文件名不一致的文件将被退回。",
        "warning",
        formula1=regions,
    )


def report_month_validation(cell: str) -> DataValidation:
    """报送月份: the month the workbook reports, checked against its month folder."""
    return _validation(
        "custom",
        "报送月份",
        f"填写本次报送的月份，{_MONTH_EXAMPLE}。",
        f"请填写月份，{_MONTH_EXAMPLE}；不填日。",
        "stop",
        formula1=report_month_formula(cell),
    )
