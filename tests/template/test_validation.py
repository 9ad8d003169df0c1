"""The official workbook's data validation, read back from the written file: what each
column accepts, over which rows, and how firmly (the contract's severities)."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from dagster_project.contract import (
    ERROR_VALUE_RULES,
    FIELD_BY_NAME,
    LISTS,
    FieldType,
    field_severity,
)
from dagster_project.template.validation import FIRST_DAY, LAST_DAY, choices
from dagster_project.template.workbook import (
    CHOICES_SHEET,
    FIRST_DATA_ROW,
    MONTH_CELL,
    SUBMITTER_CELL,
    VALIDATED_ROWS,
    reference_lists,
    write_template,
)

LAST_ROW = FIRST_DATA_ROW + VALIDATED_ROWS - 1
# At least the 200 rows of a large county's list.
assert LAST_ROW - FIRST_DATA_ROW + 1 >= 200


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tpl")
    return openpyxl.load_workbook(write_template(folder / "template.xlsx", raw_dir=folder))


def by_range(ws) -> dict[str, object]:
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def column(lst, name: str) -> str:
    letter = get_column_letter(lst.columns.index(name) + 1)
    return f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_ROW}"


def fields_of(lst, *types: FieldType) -> list[str]:
    return [n for n in lst.columns if FIELD_BY_NAME[n].type in types]


@pytest.mark.parametrize("lst", LISTS, ids=[lst.key for lst in LISTS])
def test_every_validation_covers_the_data_rows_and_speaks_chinese(template, lst):
    ws = template[lst.title]
    for sqref, dv in by_range(ws).items():
        if sqref in (SUBMITTER_CELL, MONTH_CELL):
            continue
        first, last = sqref.split(":")
        assert first[-1:].isdigit() and first.endswith(str(FIRST_DATA_ROW)), sqref
        assert last.endswith(str(LAST_ROW)), sqref
        assert dv.showInputMessage and dv.prompt and dv.promptTitle
        assert dv.error and dv.errorTitle
        assert any("\u4e00" <= ch <= "\u9fff" for ch in dv.prompt + dv.error)


@pytest.mark.parametrize("lst", LISTS, ids=[lst.key for lst in LISTS])
def test_error_style_is_stop_exactly_where_the_contract_makes_the_field_an_error(template, lst):
    ranges = by_range(template[lst.title])
    for name in lst.columns:
        dv = ranges.get(column(lst, name))
        if dv is None:
            continue
        want = "stop" if field_severity(lst.key, name) == "error" else "warning"
        assert dv.errorStyle == want, (lst.key, name)


@pytest.mark.parametrize("lst", LISTS, ids=[lst.key for lst in LISTS])
def test_amounts_are_decimals_not_below_zero(template, lst):
    ranges = by_range(template[lst.title])
    amounts = fields_of(lst, FieldType.AMOUNT, FieldType.RATIO)
    assert amounts or lst.key == "issue_ledger"
    for name in amounts:
        dv = ranges[column(lst, name)]
        assert dv.type == "decimal" and dv.formula1 == "0" and dv.showErrorMessage
        if (
            name == "total_investment_wan"
            and "total_investment_positive" in ERROR_VALUE_RULES[lst.key]
        ):  # SPEC: 总投资 error, > 0 (a signed project's 签约金额 stands in for a missing one)
            assert dv.operator == "greaterThan" and dv.errorStyle == "stop"
        else:
            assert dv.operator == "greaterThanOrEqual"


def test_the_under_construction_amounts_that_block_publication_stop(template):
    lst = LISTS[0]
    ranges = by_range(template[lst.title])
    assert ranges["I4:I1003"].errorStyle == "stop"  # 总投资
    assert ranges["L4:L1003"].errorStyle == "stop"  # 年度计划投资
    assert ranges["M4:M1003"].errorStyle == "stop"  # 1-X月累计完成投资
    assert ranges["J4:J1003"].errorStyle == "warning"  # 其中：中央预算内
    assert "万元" in ranges["I4:I1003"].prompt and "大于0" in ranges["I4:I1003"].error


@pytest.mark.parametrize("lst", LISTS, ids=[lst.key for lst in LISTS])
def test_months_accept_excel_dates_and_numbers_like_2024_3(template, lst):
    ranges = by_range(template[lst.title])
    for name in fields_of(lst, FieldType.MONTH):
        cell = column(lst, name).split(":")[0]
        dv = ranges[column(lst, name)]
        assert dv.type == "custom" and dv.errorStyle == "warning"
        assert dv.formula1 == (
            f"AND(ISNUMBER({cell}),OR(AND({cell}>=DATE(2000,1,1),{cell}<DATE(2100,1,1)),"
            f"AND({cell}>=2000,{cell}<2100)))"
        )
        assert "2024年3月" in dv.prompt


def test_ledger_days_are_dates_between_2000_and_2099(template):
    lst = LISTS[-1]
    ranges = by_range(template[lst.title])
    days = fields_of(lst, FieldType.DAY)
    assert days == ["issue_raised_on", "issue_deadline", "issue_resolved_on"]
    for name in days:
        dv = ranges[column(lst, name)]
        assert (dv.type, dv.operator, dv.errorStyle) == ("date", "between", "warning")
        assert (dv.formula1, dv.formula2) == (str(FIRST_DAY), str(LAST_DAY)) == ("36526", "73050")


@pytest.mark.parametrize("lst", [lst for lst in LISTS if "project_code" in lst.columns],
                         ids=lambda lst: lst.key)  # fmt: skip
def test_project_code_is_checked_for_the_national_format(template, lst):
    dv = by_range(template[lst.title])[column(lst, "project_code")]
    assert dv.type == "custom" and dv.errorStyle == "warning"
    assert dv.formula1 == (
        'AND(LEN(B4)=24,MID(B4,5,1)&MID(B4,12,1)&MID(B4,15,1)&MID(B4,18,1)="----",'
        'SUMPRODUCT(--ISNUMBER(FIND(MID(B4,ROW($1:$24),1),"0123456789")))=20,'
        'OR(LEFT(B4,2)="20",AND(MID(B4,3,2)>="01",MID(B4,3,2)<="12")))'
    )
    assert len(dv.formula1) <= 255


@pytest.mark.parametrize("lst", [lst for lst in LISTS if "contact_phone" in lst.columns],
                         ids=lambda lst: lst.key)  # fmt: skip
def test_phone_allows_digits_and_separators_only(template, lst):
    rng = column(lst, "contact_phone")
    cell = rng.split(":")[0]
    dv = by_range(template[lst.title])[rng]
    assert dv.type == "custom" and dv.errorStyle == "warning"  # SPEC: warn on bad format
    assert dv.formula1.startswith(f"AND(SUMPRODUCT(ISNUMBER(FIND(MID({cell},ROW($1:$60),1),")
    assert dv.formula1.endswith(f"SUMPRODUCT(--ISNUMBER(--MID({cell},ROW($1:$60),1)))>=7)")
    assert len(dv.formula1) <= 255


def test_department_is_a_drop_down_from_the_hidden_sheet(template):
    lst = LISTS[-1]
    dv = by_range(template[lst.title])[column(lst, "issue_department")]
    departments = reference_lists().departments
    assert dv.type == "list" and dv.errorStyle == "stop"  # SPEC: error on 责任部门
    assert dv.formula1 == f"'{CHOICES_SHEET}'!$A$2:$A${len(departments) + 1}"
    listed = [template[CHOICES_SHEET].cell(r, 1).value for r in range(2, len(departments) + 2)]
    assert listed == list(departments)
    # an inline list would pass Excel's 255-character limit with a real city's departments
    assert len(",".join(departments)) > 50


@pytest.mark.parametrize("lst", LISTS, ids=[lst.key for lst in LISTS])
def test_every_coded_field_keeps_its_drop_down(template, lst):
    ranges = by_range(template[lst.title])
    for name in lst.columns:
        offered = choices(name)
        if offered is None:
            continue
        values, strict = offered
        dv = ranges[column(lst, name)]
        assert dv.type == "list" and dv.formula1 == '"' + ",".join(values) + '"'
        # 资金来源 and 前期手续 cells may hold several values or a date: a hint only
        assert dv.showErrorMessage is strict, name
    if any(FIELD_BY_NAME[n].type == FieldType.FLAG for n in lst.columns):
        assert '"是,否"' in [dv.formula1 for dv in ranges.values()]


@pytest.mark.parametrize("lst", LISTS, ids=[lst.key for lst in LISTS])
def test_input_cells_take_a_submitter_and_a_month(template, lst):
    ranges = by_range(template[lst.title])
    submitter, month = ranges[SUBMITTER_CELL], ranges[MONTH_CELL]
    regions = reference_lists().regions
    assert submitter.type == "list" and submitter.errorStyle == "warning"
    assert submitter.formula1 == f"'{CHOICES_SHEET}'!$B$2:$B${len(regions) + 1}"
    assert month.type == "custom" and month.errorStyle == "stop"
    assert month.formula1 == (
        f"IF(ISNUMBER({MONTH_CELL}),AND({MONTH_CELL}>=DATE(2000,1,1),"
        f"{MONTH_CELL}<DATE(2100,1,1),DAY({MONTH_CELL})=1),FALSE)"
    )
    assert "报送月份" in month.promptTitle and "2024年3月" in month.prompt
