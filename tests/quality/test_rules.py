"""Each rule of the suites and the cross-month checks, on real county workbooks that
break it once: 蛟河市 reports September and October, 永吉县 sends an October sheet in a
layout of its own, without 行业领域, 建设性质 or 目标任务 columns."""

from __future__ import annotations

from datetime import date

import pytest

from dagster_project.ingest.load import ingest
from dagster_project.quality.suites import validate_warehouse
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_official, write_xlsx

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
FIRST_ROW = 4  # the official template's first data row
CODE = "2024-220281-48-01-{:06d}"


def project(i: int, **fields) -> dict:
    """A 在建 project that breaks no rule."""
    return {
        "project_code": CODE.format(i),
        "project_name": f"蛟河市项目{i}",
        "project_owner": f"蛟河市建设公司{i}",
        "location": "蛟河市新站镇",
        "sector": "工业",
        "construction_type": "新建",
        "total_investment_wan": 8000,
        "annual_plan_wan": 3000,
        "ytd_completed_wan": 1000,
        "actual_start": date(2026, 3, 1),
        "target_task": "主体完工",
        "responsible_unit": "蛟河市发改局",
        "responsible_person": "张三",
        "contact_phone": "13912345678",
        **fields,
    }


@pytest.fixture(scope="module")
def failures(tmp_path_factory):
    raw = tmp_path_factory.mktemp("rules") / "raw"
    write_official(
        raw / "2026-09" / "220281_蛟河市.xlsx",
        "蛟河市",
        SEPTEMBER,
        {"under_construction": [project(1, ytd_completed_wan=3000), project(2)]},
    )
    october = [
        project(1, ytd_completed_wan=2500),  # row 4: below September's 3000
        project(2, ytd_completed_wan=1200),
        project(3, project_code=CODE.format(2)),  # row 6: 2's code again
        project(4, contact_phone="13912345678、0432-6221234 / 13800001111"),
        project(5, contact_phone="6221234"),  # row 8: no area code
        project(6, ytd_completed_wan=9000),  # row 9: more than the 8000 total
        project(7, project_code="2024-22028-48-01-12345"),  # row 10: digits missing
        project(8, total_investment_wan=300, annual_plan_wan=200, ytd_completed_wan=100),
        project(9, annual_plan_wan=9000),  # row 12: plan above the total
        project(10, project_name="蛟河市项目2"),  # row 13: 2's name again
    ]
    write_official(
        raw / "2026-10" / "220281_蛟河市.xlsx", "蛟河市", OCTOBER, {"under_construction": october}
    )
    header = [
        "1-10月累计完成投资（万元）" if h.startswith("1-X月") else h
        for h in TEMPLATE_UNDER_CONSTRUCTION
    ]
    row = [1, CODE.format(99), "永吉县项目", "永吉县建设公司", "口前镇", 8000, 2000, 500,
           "2026.3", "2026.4", "永吉县发改局", "李四", "13912345678"]  # fmt: skip
    write_xlsx(
        raw / "2026-10" / "220221_永吉县.xlsx",
        {"在建项目": [*title_rows("在建项目", "永吉县"), header, row]},
    )
    db = raw.parent / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    return validate_warehouse(db)


def found(failures, rule: str) -> list[tuple]:
    return sorted(
        (f.source_file, f.excel_row, f.field, f.severity) for f in failures if f.rule == rule
    )


JIAOHE_10 = "2026-10/220281_蛟河市.xlsx"


def test_ytd_falling_from_last_month_is_a_warning_on_this_month(failures):
    assert found(failures, "ytd_decreased") == [(JIAOHE_10, 4, "ytd_completed_wan", "warn")]
    (f,) = [f for f in failures if f.rule == "ytd_decreased"]
    assert f.value == "2500"
    assert "少于2026年9月填报的3000万元" in f.hint


def test_a_duplicate_code_in_a_sheet_warns_on_both_rows(failures):
    assert found(failures, "duplicate_project_code") == [
        (JIAOHE_10, 5, "project_code", "warn"),
        (JIAOHE_10, 6, "project_code", "warn"),
    ]
    hints = sorted(f.hint for f in failures if f.rule == "duplicate_project_code")
    assert hints[0].endswith("（与第5行重复）") and hints[1].endswith("（与第6行重复）")


def test_a_duplicate_name_in_a_sheet_warns(failures):
    assert [r[1] for r in found(failures, "duplicate_project_name")] == [5, 13]


def test_several_phones_in_one_cell_are_fine_a_number_without_area_code_is_not(failures):
    assert found(failures, "contact_phone_format") == [(JIAOHE_10, 8, "contact_phone", "warn")]


def test_completed_above_total_warns_the_contract_does_not_make_it_an_error(failures):
    assert found(failures, "ytd_not_above_total") == [(JIAOHE_10, 9, "ytd_completed_wan", "warn")]


def test_a_malformed_project_code_warns(failures):
    assert found(failures, "project_code_format") == [(JIAOHE_10, 10, "project_code", "warn")]


def test_below_the_500_wan_threshold_of_the_list_warns(failures):
    assert found(failures, "list_threshold") == [(JIAOHE_10, 11, "total_investment_wan", "warn")]


def test_annual_plan_above_total_warns(failures):
    assert found(failures, "annual_plan_not_above_total") == [
        (JIAOHE_10, 12, "annual_plan_wan", "warn")
    ]


def test_a_clean_month_has_no_failures(failures):
    assert not [f for f in failures if f.period_month == SEPTEMBER]


def test_a_column_the_sheet_lacks_is_reported_without_a_column_letter(failures):
    yongji = [f for f in failures if f.source_file == "2026-10/220221_永吉县.xlsx"]
    missing = {(f.rule, f.column_letter, f.header) for f in yongji}
    assert missing == {
        ("required_sector", None, "行业领域"),
        ("required_construction_type", None, "建设性质"),
        ("required_target_task", None, "目标任务"),
    }


def test_nothing_else_is_reported(failures):
    rules = {f.rule for f in failures if f.source_file.startswith("2026-10/220281")}
    assert rules == {
        "ytd_decreased",
        "duplicate_project_code",
        "duplicate_project_name",
        "contact_phone_format",
        "ytd_not_above_total",
        "project_code_format",
        "list_threshold",
        "annual_plan_not_above_total",
    }
