"""The blank official workbook: sheets, canonical headers, input cells, 填报说明."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from dagster_project.contract import FIELD_BY_NAME, LISTS, REQUIRED
from dagster_project.template.workbook import (
    CHOICES_SHEET,
    DEFAULT_FILE_NAME,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    MONTH_CELL,
    MONTH_FORMAT,
    SUBMITTER_CELL,
    header_text,
    official_workbook,
    reference_lists,
    write_template,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tpl")
    return openpyxl.load_workbook(write_template(folder, raw_dir=folder))


def test_a_directory_gets_the_default_file_name(tmp_path):
    assert write_template(tmp_path) == tmp_path / DEFAULT_FILE_NAME
    assert write_template(tmp_path / "模板.xlsx").name == "模板.xlsx"


def test_one_sheet_per_list_then_the_instructions_then_the_hidden_choices(template):
    assert template.sheetnames == [lst.title for lst in LISTS] + [INSTRUCTIONS_SHEET, CHOICES_SHEET]
    assert template[CHOICES_SHEET].sheet_state == "hidden"
    assert all(template[name].sheet_state == "visible" for name in template.sheetnames[:-1])
    assert template.active.title == LISTS[0].title


def test_hidden_sheet_holds_the_departments_and_the_submitters_of_the_reference():
    reference = reference_lists()
    assert "市自然资源局" in reference.departments and "蛟河市" in reference.regions
    wb, _ = official_workbook(reference=reference)
    ws = wb[CHOICES_SHEET]
    assert _filled(ws, "A") == ["责任部门", *reference.departments]
    assert _filled(ws, "B") == ["填报单位", *reference.regions]


def test_the_deployments_departments_replace_the_demo_citys(tmp_path):
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "department_leaders.csv").write_text(
        "department,leader\n白河县住建局,王五\n白河县自然资源局,赵六\n", encoding="utf-8"
    )
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", raw_dir=tmp_path))
    assert _filled(wb[CHOICES_SHEET], "A") == [
        "责任部门",
        "白河县住建局",
        "白河县自然资源局",
    ]


def test_title_and_input_cells_above_one_header_row(template):
    for number, lst in enumerate(LISTS, start=1):
        ws = template[lst.title]
        assert ws.cell(1, 1).value == f"附件{number}  {lst.title}清单"
        assert ws["A2"].value == "填报单位：" and ws[SUBMITTER_CELL].value is None
        assert ws["E2"].value == "报送月份：" and ws[MONTH_CELL].value is None
        assert ws[MONTH_CELL].number_format == MONTH_FORMAT
        # the input cells are yellow boxes of two columns each
        assert {"A2:B2", "C2:D2", "E2:F2", "G2:H2"} <= {str(r) for r in ws.merged_cells.ranges}
        assert ws[SUBMITTER_CELL].fill.fgColor.rgb.endswith("FFF2CC")
        assert ws[MONTH_CELL].fill.fgColor.rgb.endswith("FFF2CC")
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


def test_the_filled_in_submitter_and_month_go_in_the_input_cells():
    _wb, sheets = official_workbook("蛟河市", date(2026, 9, 1))
    for ws in sheets.values():
        assert ws[SUBMITTER_CELL].value == "蛟河市"
        assert ws[MONTH_CELL].value == date(2026, 9, 1)


def test_ledger_has_no_unit_note_since_it_has_no_amounts(template):
    assert template["在建项目"].cell(2, len(LISTS[0].columns)).value == "单位：万元"
    ledger = template["问题台账"]
    assert "单位：万元" not in [c.value for c in ledger[2]]


def test_ytd_header_names_the_months_it_covers():
    assert header_text("ytd_completed_wan", "under_construction", date(2026, 9, 1)) == (
        "1-9月累计完成投资（万元）*"
    )
    assert (
        header_text("ytd_completed_wan", "unstated", date(2026, 1, 1)) == "1月累计完成投资（万元）"
    )


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
    # 招商引资: the agreement is what must be there; a signed project may not have its 项目法人
    # registered yet, and its 签约金额 stands for a missing 总投资.
    signed = REQUIRED["investment_attraction"]
    assert {f for f, level in signed.items() if level == "error"} == {
        "project_name", "investor", "location", "signed_on", "signed_amount_wan",
        "responsible_person",
    }  # fmt: skip
    assert (signed["project_owner"], signed["total_investment_wan"]) == ("warn", "warn")
    for lst in LISTS:
        if lst.key in ("issue_ledger", "investment_attraction"):
            continue
        for name in ("project_name", "project_owner", "location", "total_investment_wan",
                     "responsible_person"):  # fmt: skip
            if name in lst.columns:
                assert REQUIRED[lst.key][name] == "error"
        assert set(REQUIRED[lst.key]) <= set(lst.columns)


def _filled(ws, letter: str) -> list:
    return [c.value for c in ws[letter] if c.value is not None]
