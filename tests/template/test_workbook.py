"""The blank official workbook: sheets, canonical headers, drop-downs, 填报说明."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from dagster_project.contract import FIELD_BY_NAME, LISTS, REQUIRED
from dagster_project.template.workbook import (
    DEFAULT_FILE_NAME,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    VALIDATED_ROWS,
    choices,
    header_text,
    write_template,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return openpyxl.load_workbook(write_template(tmp_path_factory.mktemp("tpl")))


def test_a_directory_gets_the_default_file_name(tmp_path):
    assert write_template(tmp_path) == tmp_path / DEFAULT_FILE_NAME
    assert write_template(tmp_path / "模板.xlsx").name == "模板.xlsx"


def test_one_sheet_per_list_then_the_instructions(template):
    assert template.sheetnames == [lst.title for lst in LISTS] + [INSTRUCTIONS_SHEET]


def test_title_and_reporting_unit_rows_above_one_header_row(template):
    for number, lst in enumerate(LISTS, start=1):
        ws = template[lst.title]
        assert ws.cell(1, 1).value == f"附件{number}  {lst.title}清单"
        assert ws.cell(2, 1).value == "填报单位："
        assert ws.freeze_panes.endswith(str(FIRST_DATA_ROW))
        headers = [c.value for c in ws[HEADER_ROW]]
        assert headers == [header_text(f, lst.key) for f in lst.columns]


def test_headers_carry_units_and_required_marks(template):
    headers = [c.value for c in template["在建项目"][HEADER_ROW]]
    assert "总投资（万元）*" in headers
    assert "年度计划投资（万元）*" in headers
    assert "1-X月累计完成投资（万元）*" in headers
    assert "项目代码" in headers  # a warning only, so no mark
    assert "责任部门*" in [c.value for c in template["问题台账"][HEADER_ROW]]
    bonds = [c.value for c in template["专项债券项目"][HEADER_ROW]]
    assert "专项债券申请金额（万元）*" in bonds and "覆盖倍数*" in bonds


def test_ytd_header_names_the_months_it_covers():
    assert header_text("ytd_completed_wan", "under_construction", date(2026, 9, 1)) == (
        "1-9月累计完成投资（万元）*"
    )
    assert (
        header_text("ytd_completed_wan", "unstated", date(2026, 1, 1)) == "1月累计完成投资（万元）"
    )


def test_every_coded_field_has_a_drop_down_on_a_thousand_rows(template):
    last_row = FIRST_DATA_ROW + VALIDATED_ROWS - 1
    for lst in LISTS:
        ws = template[lst.title]
        ranges = {
            str(dv.sqref): dv.formula1.strip('"').split(",")
            for dv in ws.data_validations.dataValidation
        }
        coded = [f for f in lst.columns if choices(f)]
        assert len(ranges) == len(coded)
        for name in coded:
            letter = get_column_letter(lst.columns.index(name) + 1)
            assert ranges[f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}"] == list(choices(name)[0])
    flags = template["在建项目"].data_validations.dataValidation
    assert any(dv.formula1 == '"是,否"' for dv in flags)


def test_instructions_list_every_field_with_its_requirement(template):
    ws = template[INSTRUCTIONS_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    texts = " ".join(str(r[0]) for r in rows[:12])
    assert "万元" in texts and "合计" in texts and "合并单元格" in texts
    start = next(i for i, r in enumerate(rows) if r[0] == "清单")
    table = rows[start + 1 :]
    assert len(table) == sum(len(lst.columns) for lst in LISTS)
    for lst in LISTS:
        listed = {r[2]: r for r in table if r[0] == lst.title}
        assert set(listed) == set(lst.columns)
        for name, level in REQUIRED[lst.key].items():
            assert listed[name][5] == ("必填" if level == "error" else "应填（缺失提示）")
    total = next(r for r in table if r[0] == "在建项目" and r[2] == "total_investment_wan")
    assert total[4] == FIELD_BY_NAME["total_investment_wan"].unit_hint == "万元"


def test_required_table_follows_the_spec():
    assert REQUIRED["under_construction"]["annual_plan_wan"] == "error"
    assert REQUIRED["under_construction"]["ytd_completed_wan"] == "error"
    assert REQUIRED["under_construction"]["project_code"] == "warn"
    assert REQUIRED["issue_ledger"]["issue_department"] == "error"
    assert REQUIRED["special_bonds"]["bond_amount_wan"] == "error"
    assert REQUIRED["planned_next_year"]["approval_land"] == "warn"
    # SPEC §2: on the ledger only 责任部门 is an error; 项目名称 warns.
    assert REQUIRED["issue_ledger"] == {"project_name": "warn", "issue_department": "error"}
    for lst in LISTS:
        if lst.key == "issue_ledger":
            continue
        for name in ("project_name", "project_owner", "location", "total_investment_wan",
                     "responsible_person"):  # fmt: skip
            if name in lst.columns:
                assert REQUIRED[lst.key][name] == "error"
        assert set(REQUIRED[lst.key]) <= set(lst.columns)
