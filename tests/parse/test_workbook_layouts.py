"""SPEC §2, one test per messy layout a county really sends: a real workbook is built,
parsed, and the typed values checked."""

from __future__ import annotations

import datetime as dt

import pytest

from dagster_project.parse.submission import COUNTY_MONTHLY, parse_file
from tests.workbooks import (
    TEMPLATE_UNDER_CONSTRUCTION,
    title_rows,
    write_csv,
    write_xls,
)

JIAOHE = "220281_蛟河市.xlsx"


def _project(seq, name, owner="蛟河XX有限公司", total=12000, plan=3000, ytd=1500, **kw):
    row = {
        "序号": seq,
        "项目代码": kw.get("code", "2024-220281-48-01-000001"),
        "项目名称": name,
        "项目法人": owner,
        "建设地点": "蛟河市天岗镇",
        "总投资（万元）": total,
        "年度计划投资（万元）": plan,
        "1-X月累计完成投资（万元）": ytd,
        "计划开工时间": kw.get("planned", "2024年3月"),
        "实际开工时间": kw.get("actual", "2024.4"),
        "责任单位": kw.get("unit", "蛟河市工信局"),
        "责任人": kw.get("person", "张三"),
        "联系电话": kw.get("phone", "13912345678"),
    }
    return [row[h] for h in TEMPLATE_UNDER_CONSTRUCTION]


def _sheet(rows, unit="万元"):
    return [*title_rows("在建项目", "蛟河市发展和改革局", unit), TEMPLATE_UNDER_CONSTRUCTION, *rows]


def _parse(path, region_index, name=None):
    parsed = parse_file(name or path.name, path.read_bytes(), COUNTY_MONTHLY, region_index)
    assert parsed.status == "loaded", parsed.reason
    return parsed


def _only_sheet(parsed):
    (sheet,) = [s for s in parsed.sheets if s.status == "loaded"]
    return sheet


def test_title_rows_above_the_header_are_skipped(xlsx, region_index):
    path = xlsx(JIAOHE, {"在建项目": _sheet([_project(1, "甲项目")])})
    sheet = _only_sheet(_parse(path, region_index))
    assert sheet.header_rows == "4-4"
    assert [r["excel_row"] for r in sheet.rows] == [5]
    assert sheet.rows[0]["project_name"] == "甲项目"
    assert sheet.rows[0]["total_investment_wan"] == 12000.0


def test_two_row_merged_header_maps_the_children_of_total_investment(xlsx, region_index):
    header1 = ["序号", "项目名称", "项目法人", "总投资（万元）", None, None, "责任人"]
    header2 = [None, None, None, "合计", "其中：中央预算内", "其中：专项债", None]
    data = [1, "乙项目", "乙公司", 8000, 1000, 2000, "李四"]
    path = xlsx(
        JIAOHE,
        {"在建项目": [["填报单位：蛟河市"], header1, header2, data]},
        merges={"在建项目": ["A2:A3", "B2:B3", "C2:C3", "D2:F2", "G2:G3"]},
    )
    row = _only_sheet(_parse(path, region_index)).rows[0]
    assert row["total_investment_wan"] == 8000.0
    assert row["central_budget_wan"] == 1000.0
    assert row["special_bond_funding_wan"] == 2000.0
    assert row["funding_sources"] == ["中央预算内", "专项债"]
    assert row["responsible_person"] == "李四"


def test_three_row_header_with_a_parent_over_approvals(xlsx, region_index):
    h1 = [
        "序号",
        "项目名称",
        "项目法人",
        "总投资（万元）",
        "前期手续办理情况",
        None,
        None,
        None,
        None,
    ]
    h2 = [None, None, None, None, "立项", "用地", "规划", "环评", "施工许可"]
    h3 = [None, None, None, None, "状态", "状态", "状态", "状态", "状态"]
    data = [1, "丙项目", "丙公司", 60000, "已办", "在办", "未办", "已办(2024.3)", "/"]
    path = xlsx(
        JIAOHE,
        {"明年拟开工": [["填报单位：蛟河市"], h1, h2, h3, data]},
        merges={"明年拟开工": ["A2:A4", "B2:B4", "C2:C4", "D2:D4", "E2:I2"]},
    )
    sheet = _only_sheet(_parse(path, region_index))
    assert sheet.list_key == "planned_next_year"
    assert sheet.header_rows == "2-4"
    row = sheet.rows[0]
    assert (row["approval_project"], row["approval_land"], row["approval_planning"]) == (
        "已办",
        "在办",
        "未办",
    )
    assert row["approval_environment"] == "已办"
    assert row["approval_environment_month"] == dt.date(2024, 3, 1)
    assert row["approval_construction"] is None


def test_each_approval_with_its_dates_and_online_flag_under_a_merged_parent(xlsx, region_index):
    """二(十三): 立项 and 用地 each over 状态 / 申请日期 / 办结日期 / 在线办理 — the leaf
    办结日期 alone would name the 问题台账's field; under its parent it is the approval's."""
    h1 = ["序号", "项目名称", "项目法人", "总投资（万元）", "立项", None, None, None]
    h1 += ["用地", None, None, None]
    h2 = [None, None, None, None, *(["状态", "申请日期", "办结日期", "在线办理"] * 2)]
    data = [1, "丁项目", "丁公司", 9000, "已办", "2025.12.20", "2026年1月10日", "是"]
    data += ["在办", dt.datetime(2026, 1, 5), None, "否"]
    path = xlsx(
        JIAOHE,
        {"明年拟开工": [["填报单位：蛟河市"], h1, h2, data]},
        merges={"明年拟开工": ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:H2", "I2:L2"]},
    )
    sheet = _only_sheet(_parse(path, region_index))
    assert sheet.list_key == "planned_next_year"
    row = sheet.rows[0]
    assert row["approval_project"] == "已办"
    assert row["approval_project_applied_on"] == dt.date(2025, 12, 20)
    assert row["approval_project_done_on"] == dt.date(2026, 1, 10)
    assert row["approval_project_online"] is True
    assert row["approval_land"] == "在办"
    assert row["approval_land_applied_on"] == dt.date(2026, 1, 5)
    assert row["approval_land_done_on"] is None
    assert row["approval_land_online"] is False
    assert "issue_resolved_on" not in row or row["issue_resolved_on"] is None


def test_bond_terms_under_the_names_counties_use(xlsx, region_index):
    """二(四) 财务评价: 票面利率 without a % in the header or the cell, 期限 as "15年",
    已使用金额 for 已支出金额."""
    header = ["序号", "项目名称", "项目法人", "专项债券申请金额（万元）", "发行金额（万元）"]
    header += ["预期收入（万元）", "成本（万元）", "覆盖倍数", "票面利率", "期限", "已使用金额"]
    data = [1, "戊项目", "戊公司", 8000, 8000, 14000, 12200, 1.15, "3.5%", "15年", "2000"]
    path = xlsx(JIAOHE, {"专项债券项目": [["填报单位：蛟河市"], header, data]})
    row = _only_sheet(_parse(path, region_index)).rows[0]
    assert (row["bond_rate"], row["bond_term_years"], row["bond_spent_wan"]) == (
        0.035,
        15,
        2000.0,
    )


def test_month_inside_the_header_is_recorded(xlsx, region_index):
    rows = _sheet([_project(1, "丁项目")])
    rows[3] = [h.replace("1-X月", "1-9月") for h in rows[3]]
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index))
    assert sheet.ytd_month == 9
    assert sheet.rows[0]["ytd_completed_wan"] == 1500.0


def test_total_subtotal_and_section_rows_are_recognised_not_loaded(xlsx, region_index):
    empty = [None] * len(TEMPLATE_UNDER_CONSTRUCTION)
    total = ["合计", None, None, None, None, 30000, 9000, 4000, *empty[8:]]
    section = ["一、", None, "产业项目", None, None, 20000, 6000, 3000, *empty[8:]]
    subtotal = ["小计", None, None, None, None, 20000, 6000, 3000, *empty[8:]]
    note = ["注：金额单位为万元", *empty[1:]]
    rows = _sheet([total, section, _project(1, "戊项目"), _project(2, "己项目"), subtotal, note])
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index))
    kinds = {s["excel_row"]: s["kind"] for s in sheet.structural}
    assert kinds == {5: "total", 6: "section", 9: "subtotal", 10: "note"}
    assert [r["project_name"] for r in sheet.rows] == ["戊项目", "己项目"]
    assert sheet.rows_read == 6 == len(sheet.rows) + sheet.rows_quarantined + len(kinds)


@pytest.mark.parametrize("seq", ["一", "(一)", "1", "1.1"])
def test_project_rows_numbered_in_any_style_are_loaded(xlsx, region_index, seq):
    rows = _sheet([_project(seq, "庚项目")])
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index))
    assert [r["project_name"] for r in sheet.rows] == ["庚项目"]
    assert sheet.rows[0]["seq"] == seq


def test_vertically_merged_responsible_unit_is_filled_down(xlsx, region_index):
    rows = _sheet(
        [_project(i, f"项目{i}", unit="蛟河市交通局" if i == 1 else None) for i in (1, 2, 3)]
    )
    col = chr(ord("A") + TEMPLATE_UNDER_CONSTRUCTION.index("责任单位"))
    path = xlsx(JIAOHE, {"在建项目": rows}, merges={"在建项目": [f"{col}5:{col}7"]})
    sheet = _only_sheet(_parse(path, region_index))
    assert [r["responsible_unit"] for r in sheet.rows] == ["蛟河市交通局"] * 3
    assert sheet.rows[2]["source_text"]["responsible_unit"] == "合并单元格，取自第5行"


def test_hidden_rows_are_still_loaded(xlsx, region_index):
    rows = _sheet([_project(1, "显示项目"), _project(2, "隐藏项目")])
    path = xlsx(JIAOHE, {"在建项目": rows}, hidden_rows={"在建项目": [6]})
    sheet = _only_sheet(_parse(path, region_index))
    assert [r["project_name"] for r in sheet.rows] == ["显示项目", "隐藏项目"]


def test_amounts_in_yi_yuan_stated_in_the_title_are_converted(xlsx, region_index):
    rows = _sheet([_project(1, "辛项目", total=1.2, plan=0.3, ytd=0.15)], unit="亿元")
    rows[3] = [h.replace("（万元）", "") for h in rows[3]]  # old-style headers carry no unit
    row = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index)).rows[0]
    assert (row["total_investment_wan"], row["annual_plan_wan"], row["ytd_completed_wan"]) == (
        12000.0,
        3000.0,
        1500.0,
    )
    assert row["source_text"]["total_investment_wan"] == "1.2"


def test_unit_in_a_header_overrides_the_title_unit(xlsx, region_index):
    rows = _sheet([_project(1, "壬项目", total=2.5)], unit="万元")
    rows[3] = [h.replace("总投资（万元）", "总投资（亿元）") for h in rows[3]]
    row = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index)).rows[0]
    assert row["total_investment_wan"] == 25000.0
    assert row["annual_plan_wan"] == 3000.0


def test_unit_written_in_the_cell_wins(xlsx, region_index):
    rows = _sheet(
        [
            _project(1, "项目A", total="1.2亿元"),
            _project(2, "项目B", total="12000万"),
            _project(3, "项目C", total="约3亿"),
            _project(4, "项目D", total="１２，０００"),
        ]
    )
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index))
    assert [r["total_investment_wan"] for r in sheet.rows] == [12000.0, 12000.0, 30000.0, 12000.0]


def test_dates_in_every_form_become_months(xlsx, region_index):
    forms = [
        dt.datetime(2024, 5, 17),
        "2024.3",
        "2024年3月",
        "2024-03",
        "2024.10",
        "２０２４年６月",
    ]
    rows = _sheet([_project(i, f"项目{i}", planned=f) for i, f in enumerate(forms, 1)])
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index))
    assert [r["planned_start"] for r in sheet.rows] == [
        dt.date(2024, 5, 1),
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 1),
        dt.date(2024, 10, 1),
        dt.date(2024, 6, 1),
    ]


def test_year_range_fills_planned_start_and_completion(xlsx, region_index):
    header = [
        "序号",
        "项目名称",
        "项目法人",
        "总投资（万元）",
        "建设起止年限",
        "项目阶段",
        "责任人",
    ]
    rows = [
        ["填报单位：蛟河市"],
        header,
        [1, "谋划项目", "某公司", "3亿元", "2025-2027", "谋划", "周八"],
    ]
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"重大谋划项目": rows}), region_index))
    row = sheet.rows[0]
    assert sheet.list_key == "major_planning"
    assert (row["planned_start"], row["planned_completion"]) == (
        dt.date(2025, 1, 1),
        dt.date(2027, 12, 1),
    )
    assert row["total_investment_wan"] == 30000.0


@pytest.mark.parametrize("placeholder", ["-", "/", "—", "无", "暂无", "待定"])
def test_placeholders_become_null(xlsx, region_index, placeholder):
    rows = _sheet([_project(1, "癸项目", actual=placeholder, phone=placeholder, ytd=placeholder)])
    row = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index)).rows[0]
    assert row["actual_start"] is None
    assert row["contact_phone"] is None
    assert row["ytd_completed_wan"] is None


@pytest.mark.parametrize(
    ("cell", "expected"), [("是", True), ("√", True), ("已入统", True), ("否", False), ("×", False)]
)
def test_yes_no_forms(xlsx, region_index, cell, expected):
    header = [
        "序号",
        "项目名称",
        "项目法人",
        "总投资（万元）",
        "实际开工时间",
        "是否入统",
        "责任人",
    ]
    rows = [["填报单位：蛟河市"], header, [1, "子项目", "子公司", 6000, "2024.1", cell, "钱九"]]
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"已开工未入统": rows}), region_index))
    assert sheet.rows[0]["in_stats"] is expected


def test_several_people_and_phones_in_one_cell_are_kept_together(xlsx, region_index):
    rows = _sheet([_project(1, "丑项目", person="张三、李四", phone="13912345678、0432-6234567")])
    row = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index)).rows[0]
    assert row["responsible_person"] == "张三、李四"
    assert row["contact_phone"] == "13912345678、0432-6234567"


def test_line_breaks_inside_cells_are_joined(xlsx, region_index):
    rows = _sheet([_project(1, "蛟河市智能制造\n产业园项目", owner="吉林某某\n集团")])
    row = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index)).rows[0]
    assert row["project_name"] == "蛟河市智能制造产业园项目"
    assert row["project_owner"] == "吉林某某集团"
    assert row["source_text"]["project_name"] == "蛟河市智能制造\n产业园项目"


def test_header_synonyms_map_to_canonical_fields(xlsx, region_index):
    header = [
        "序号",
        "项目编码",
        "项目名称",
        "建设单位",
        "计划总投资",
        "本年累计完成",
        "包保领导",
        "所属行业",
    ]
    rows = [
        ["填报单位：蛟河市"],
        header,
        [1, "2024-220281-48-01-000009", "寅项目", "寅公司", 9000, 800, "孙十", "工业"],
    ]
    row = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index)).rows[0]
    assert row["project_code"] == "2024-220281-48-01-000009"
    assert row["project_owner"] == "寅公司"
    assert row["total_investment_wan"] == 9000.0
    assert row["ytd_completed_wan"] == 800.0
    assert row["responsible_person"] == "孙十"
    assert row["sector"] == "工业"


def test_an_unreadable_cell_is_quarantined_alone_and_its_row_loads(xlsx, region_index):
    rows = _sheet([_project(1, "卯项目", total="待核实"), _project(2, "辰项目")])
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index))
    assert [r["project_name"] for r in sheet.rows] == ["卯项目", "辰项目"]
    first = sheet.rows[0]
    assert first["total_investment_wan"] is None
    assert (first["annual_plan_wan"], first["ytd_completed_wan"]) == (3000.0, 1500.0)
    assert first["unreadable_fields"] == ["total_investment_wan"]
    assert sheet.rows[1]["unreadable_fields"] is None
    (q,) = sheet.quarantine
    assert (q["excel_row"], q["column"], q["field"], q["value"]) == (
        5,
        "F",
        "total_investment_wan",
        "待核实",
    )
    assert "待核实" in q["reason"] and "金额" in q["reason"]
    assert q["row_values"]["项目名称"] == "卯项目"
    # 总投资 is required as an error: so is its unreadable cell.
    assert (q["row_loaded"], q["severity"]) == (True, "error")
    assert (sheet.rows_read, len(sheet.rows), sheet.rows_quarantined) == (2, 2, 0)
    assert sheet.cells_quarantined == 1


def test_a_range_in_a_month_cell_empties_that_field_only(xlsx, region_index):
    # "2023-2025" in 实际开工时间, and 年度计划 "待定": the row keeps its other values.
    rows = _sheet([_project(1, "未知项目", plan="待定", actual="2023-2025")])
    (row,) = (sheet := _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index))).rows
    assert (row["actual_start"], row["annual_plan_wan"]) == (None, None)
    assert (row["total_investment_wan"], row["ytd_completed_wan"]) == (12000.0, 1500.0)
    assert row["planned_start"].isoformat() == "2024-03-01"
    (q,) = sheet.quarantine
    assert (q["field"], q["value"], q["column"]) == ("actual_start", "2023-2025", "J")
    # 实际开工时间 is only a warning on the 在建 list (SPEC §2: "by list").
    assert q["severity"] == "warn"


def test_formula_without_cached_value_empties_its_cell(xlsx, region_index):
    rows = _sheet([_project(1, "巳项目", total="=1200+300"), _project(2, "午项目")])
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index))
    assert [r["project_name"] for r in sheet.rows] == ["巳项目", "午项目"]
    assert sheet.rows[0]["total_investment_wan"] is None
    assert sheet.rows[0]["ytd_completed_wan"] == 1500.0
    (q,) = sheet.quarantine
    assert (q["excel_row"], q["column"]) == (5, "F")
    assert "公式" in q["reason"]


def test_gbk_csv_is_loaded(tmp_path, region_index):
    rows = [TEMPLATE_UNDER_CONSTRUCTION, _project(1, "未项目")]
    path = write_csv(tmp_path / "220283_舒兰市_在建项目.csv", rows, "gbk")
    parsed = _parse(path, region_index)
    assert parsed.encoding == "gb18030"
    assert parsed.region_code == "220283"
    sheet = _only_sheet(parsed)
    assert sheet.list_key == "under_construction"
    assert sheet.rows[0]["project_name"] == "未项目"
    assert sheet.rows[0]["total_investment_wan"] == 12000.0


def test_utf8_bom_csv_is_loaded(tmp_path, region_index):
    rows = [TEMPLATE_UNDER_CONSTRUCTION, _project(1, "申项目")]
    path = write_csv(tmp_path / "220283_舒兰市_在建项目.csv", rows, "utf-8-sig")
    parsed = _parse(path, region_index)
    assert parsed.encoding == "utf-8-sig"
    assert _only_sheet(parsed).rows[0]["project_name"] == "申项目"


def test_xls_workbook_is_read(tmp_path, region_index):
    path = write_xls(tmp_path / "220281_蛟河市.xls", {"在建项目": _sheet([_project(1, "酉项目")])})
    parsed = _parse(path, region_index)
    assert parsed.format == "xls"
    row = _only_sheet(parsed).rows[0]
    assert (row["project_name"], row["total_investment_wan"], row["excel_row"]) == (
        "酉项目",
        12000.0,
        5,
    )


@pytest.mark.parametrize(
    "sheet_name", ["附件1 在建项目清单", "在建 项目", "附件1-在建项目", "Sheet1"]
)
def test_sheets_are_recognised_by_name_or_by_header(xlsx, region_index, sheet_name):
    rows = _sheet([_project(1, "戌项目")])
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {sheet_name: rows}), region_index))
    assert sheet.list_key == "under_construction"


def test_instruction_sheet_is_ignored_with_a_reason(xlsx, region_index):
    path = xlsx(
        JIAOHE, {"在建项目": _sheet([_project(1, "亥项目")]), "填报说明": [["请按模板填写"]]}
    )
    parsed = _parse(path, region_index)
    ignored = [s for s in parsed.sheets if s.status == "ignored"]
    assert [s.sheet_name for s in ignored] == ["填报说明"]
    assert "无法识别" in ignored[0].reason


def test_breakdown_rows_starting_with_qizhong_are_recognised(xlsx, region_index):
    empty = [None] * len(TEMPLATE_UNDER_CONSTRUCTION)
    breakdown = ["其中：省级重点项目", None, None, None, None, 8000, 2000, 500, *empty[8:]]
    rows = _sheet([_project(1, "省重点项目甲"), breakdown])
    sheet = _only_sheet(_parse(xlsx(JIAOHE, {"在建项目": rows}), region_index))
    assert [s["kind"] for s in sheet.structural] == ["subtotal"]
    assert [r["project_name"] for r in sheet.rows] == ["省重点项目甲"]
