"""A sheet is read a column at a time (parse/sheet.py): each column's distinct values are
converted once and given back to their cells. These workbooks mix what makes that hard —
numbers and text in one column, 1 and TRUE in one column, real dates and dates as text,
merged cells filled down, unreadable cells, formulas without a value, totals, sections
and notes — and the values are those worked out by hand from SPEC §2."""

from __future__ import annotations

import datetime as dt
import math

from dagster_project.parse.sheet import UNCACHED_FORMULA_REASON
from dagster_project.parse.submission import COUNTY_MONTHLY, parse_file
from tests.workbooks import title_rows, write_csv

JIAOHE = "220281_蛟河市.xlsx"
HEADER = [
    "序号",
    "项目名称",
    "项目法人",
    "建设地点",
    "总投资（万元）",
    "其中：自筹",
    "1-9月累计完成投资（万元）",
    "建设起止年限",
    "计划开工时间",
    "是否入统",
    "立项",
    "责任单位",
    "责任人",
    "说明",
]
ROWS = [
    ["一、产业项目"],
    [1, "甲项目", "甲公司", "天岗镇", 12000, 3000, 1500, "2023-2025", "2024年3月", "是",
     "已办(2024.3)", "工信局", "张三", "备注甲"],
    [2, "乙项目", "乙公司", "天岗镇", "1.2亿元", None, "约800", None, 2024.4, True,
     "在办", None, "李四", True],
    [3, "丙项目", "丙公司", "新站镇", "1200", 0, "=100+200", "2024.3-2025.10",
     dt.datetime(2024, 5, 1), "×", "不知道", None, "王五", 1],
    ["4", "丁项目", "丁公司", "新站镇", "很多", 1, 1500, None, "2024年13月", "否", None,
     "交通局", "赵六", None],
    ["合计", None, None, None, 15000, "=SUM(F6:F9)"],
    [],
    ["注：本表由发改局汇总"],
]  # fmt: skip


def _sheet(path, region_index):
    parsed = parse_file(path.name, path.read_bytes(), COUNTY_MONTHLY, region_index)
    assert parsed.status == "loaded", parsed.reason
    (sheet,) = [s for s in parsed.sheets if s.status == "loaded"]
    return sheet


def _mixed_workbook(xlsx):
    rows = [*title_rows("在建项目", "蛟河市"), HEADER, *ROWS]
    # 责任单位 merged over the first three projects (Excel rows 6-8)
    return xlsx(JIAOHE, {"在建项目": rows}, merges={"在建项目": ["L6:L8"]})


def test_every_row_is_data_structural_or_skipped_by_its_excel_row(xlsx, region_index):
    sheet = _sheet(_mixed_workbook(xlsx), region_index)
    assert sheet.header_rows == "4-4"
    assert sheet.ytd_month == 9
    assert [r["excel_row"] for r in sheet.rows] == [6, 7, 8, 9]
    assert sheet.structural == [
        {"excel_row": 5, "kind": "section", "text": "一、产业项目"},
        {"excel_row": 10, "kind": "total", "text": "合计 15000"},
        {"excel_row": 12, "kind": "note", "text": "注：本表由发改局汇总"},
    ]
    assert sheet.rows_read == 7  # the empty row 11 is not read


def test_a_number_and_text_in_one_column_each_convert_as_they_are(xlsx, region_index):
    rows = _sheet(_mixed_workbook(xlsx), region_index).rows
    assert [r["total_investment_wan"] for r in rows] == [12000.0, 12000.0, 1200.0, None]
    # The text kept is the cell's own where reading it took judgement: 亿元 converted,
    # 约 dropped; "1200" as text is the number it shows.
    assert [r["source_text"].get("total_investment_wan") for r in rows] == [
        None,
        "1.2亿元",
        None,
        None,
    ]
    assert [r["ytd_completed_wan"] for r in rows] == [1500.0, 800.0, None, 1500.0]
    assert rows[1]["source_text"]["ytd_completed_wan"] == "约800"
    assert [r["seq"] for r in rows] == ["1", "2", "3", "4"]
    assert not any("seq" in r["source_text"] for r in rows)


def test_equal_values_of_different_types_read_apart(xlsx, region_index):
    rows = _sheet(_mixed_workbook(xlsx), region_index).rows
    # True and 1 are one dict key; as cell values they show as TRUE and 1.
    assert [r["extra_columns"] for r in rows] == [
        {"说明": "备注甲"},
        {"说明": "TRUE"},
        {"说明": "1"},
        {},
    ]
    assert [r["in_stats"] for r in rows] == [True, True, False, False]
    assert [r["source_text"].get("in_stats") for r in rows] == ["是", None, "×", "否"]


def test_dates_as_dates_numbers_and_text(xlsx, region_index):
    rows = _sheet(_mixed_workbook(xlsx), region_index).rows
    # 建设起止年限 comes before 计划开工时间, so its start wins where it has one.
    assert [r["planned_start"] for r in rows] == [
        dt.date(2023, 1, 1),
        dt.date(2024, 4, 1),
        dt.date(2024, 3, 1),
        None,
    ]
    assert [r["planned_completion"] for r in rows] == [
        dt.date(2025, 12, 1),
        None,
        dt.date(2025, 10, 1),
        None,
    ]
    assert [r["source_text"].get("planned_start") for r in rows] == [
        "2024年3月",
        "2024.4",
        None,  # a real date is no transformation
        None,
    ]
    assert rows[2]["source_text"]["construction_period"] == "2024.3-2025.10"
    assert [(r["approval_project"], r["approval_project_month"]) for r in rows] == [
        ("已办", dt.date(2024, 3, 1)),
        ("在办", None),
        (None, None),
        (None, None),
    ]


def test_merged_cells_fill_down_and_say_so(xlsx, region_index):
    rows = _sheet(_mixed_workbook(xlsx), region_index).rows
    assert [r["responsible_unit"] for r in rows] == ["工信局", "工信局", "工信局", "交通局"]
    assert [r["source_text"].get("responsible_unit") for r in rows] == [
        None,
        "合并单元格，取自第6行",
        "合并单元格，取自第6行",
        None,
    ]


def test_sub_amounts_derive_funding_only_where_positive(xlsx, region_index):
    rows = _sheet(_mixed_workbook(xlsx), region_index).rows
    assert [r["self_funded_wan"] for r in rows] == [3000.0, None, 0.0, 1.0]
    assert [r.get("funding_sources", "absent") for r in rows] == [
        ["自筹"],
        "absent",
        "absent",
        ["自筹"],
    ]


def test_unreadable_cells_and_formulas_are_quarantined_by_cell(xlsx, region_index):
    sheet = _sheet(_mixed_workbook(xlsx), region_index)
    rows = sheet.rows
    assert [r["unreadable_fields"] for r in rows] == [
        None,
        None,
        ["ytd_completed_wan", "approval_project"],
        ["total_investment_wan", "planned_start"],
    ]
    found = [
        (q["excel_row"], q["column"], q["field"], q["value"], q["severity"])
        for q in sheet.quarantine
    ]
    assert found == [
        (8, "G", "ytd_completed_wan", "(公式)", "error"),
        (8, "K", "approval_project", "不知道", "warn"),
        (9, "E", "total_investment_wan", "很多", "error"),
        (9, "I", "planned_start", "2024年13月", "warn"),
    ]
    assert sheet.quarantine[0]["reason"] == UNCACHED_FORMULA_REASON
    assert sheet.quarantine[2]["reason"] == "无法识别的金额“很多”，请填写数字（单位万元）"
    assert sheet.quarantine[3]["reason"].startswith("日期“2024年13月”不存在")
    assert all(q["row_loaded"] for q in sheet.quarantine)
    # Each problem carries the whole row as the clerk sees it, merged cell filled.
    assert sheet.quarantine[0]["row_values"] == {
        "序号": "3",
        "项目名称": "丙项目",
        "项目法人": "丙公司",
        "建设地点": "新站镇",
        "总投资（万元）": "1200",
        "其中：自筹": "0",
        "建设起止年限": "2024.3-2025.10",
        "计划开工时间": "2024-05-01",
        "是否入统": "×",
        "立项": "不知道",
        "责任单位": "工信局",
        "责任人": "王五",
        "说明": "1",
    }
    assert (sheet.rows_quarantined, sheet.cells_quarantined) == (0, 4)


def test_a_whole_row_reads_as_the_contract_says(xlsx, region_index):
    row = _sheet(_mixed_workbook(xlsx), region_index).rows[0]
    assert row == {
        "seq": "1",
        "project_name": "甲项目",
        "project_owner": "甲公司",
        "location": "天岗镇",
        "total_investment_wan": 12000.0,
        "self_funded_wan": 3000.0,
        "ytd_completed_wan": 1500.0,
        "planned_start": dt.date(2023, 1, 1),
        "planned_completion": dt.date(2025, 12, 1),
        "in_stats": True,
        "approval_project": "已办",
        "approval_project_month": dt.date(2024, 3, 1),
        "responsible_unit": "工信局",
        "responsible_person": "张三",
        "funding_sources": ["自筹"],
        "source_text": {
            "construction_period": "2023-2025",
            "planned_start": "2024年3月",
            "in_stats": "是",
            "approval_project": "已办(2024.3)",
        },
        "extra_columns": {"说明": "备注甲"},
        "unreadable_fields": None,
        "excel_row": 6,
    }


def test_the_same_rows_as_csv_text_read_alike(tmp_path, region_index):
    # In a CSV every cell is text: 12000 is "12000", TRUE is "TRUE", and a formula is
    # its text.
    rows = [[] if not r else ["" if v is None else str(v) for v in r] for r in ROWS]
    path = write_csv(tmp_path / "220281_蛟河市_在建项目.csv", [HEADER, *rows], "utf-8-sig")
    sheet = _sheet(path, region_index)
    assert [r["excel_row"] for r in sheet.rows] == [3, 4, 5, 6]
    assert [s["kind"] for s in sheet.structural] == ["section", "total", "note"]
    assert [r["total_investment_wan"] for r in sheet.rows] == [12000.0, 12000.0, 1200.0, None]
    assert [r["extra_columns"] for r in sheet.rows] == [
        {"说明": "备注甲"},
        {"说明": "True"},
        {"说明": "1"},
        {},
    ]
    assert [r["responsible_unit"] for r in sheet.rows] == ["工信局", None, None, "交通局"]
    assert [q["field"] for q in sheet.quarantine] == [
        "ytd_completed_wan",
        "approval_project",
        "total_investment_wan",
        "planned_start",
    ]


def test_conversions_remembered_from_one_file_do_not_leak_into_the_next(xlsx, region_index):
    # The same value in a column of another type in a later file reads by its own type.
    def book(name, note):
        rows = [[1, "甲项目", "甲公司", "天岗镇", 100, None, 50, *[None] * 6, note]]
        return xlsx(name, {"在建项目": [*title_rows("在建项目", "蛟河市"), HEADER, *rows]})

    first = _sheet(book("220281_蛟河市.xlsx", 1), region_index)
    second = _sheet(book("220281_蛟河市_2.xlsx", True), region_index)
    assert first.rows[0]["extra_columns"] == {"说明": "1"}
    assert second.rows[0]["extra_columns"] == {"说明": "TRUE"}


def test_minus_zero_reads_as_written_after_a_zero_elsewhere(xlsx, region_index):
    # -0.0 == 0.0, yet a county's -0.0 keeps its sign and its text, even after a file
    # whose same column held 0. 其中：自筹 states no unit: the title's 亿元 applies.
    def book(name, self_funded):
        rows = [[1, "甲项目", "甲公司", "天岗镇", 100, self_funded, 50]]
        return xlsx(name, {"在建项目": [*title_rows("在建项目", "蛟河市", "亿元"), HEADER, *rows]})

    zero = _sheet(book("220281_蛟河市.xlsx", 0), region_index).rows[0]
    minus = _sheet(book("220281_蛟河市_2.xlsx", -0.0), region_index).rows[0]
    assert math.copysign(1.0, zero["self_funded_wan"]) == 1.0
    assert math.copysign(1.0, minus["self_funded_wan"]) == -1.0
    assert zero["source_text"]["self_funded_wan"] == "0.0"
    assert minus["source_text"]["self_funded_wan"] == "-0.0"
