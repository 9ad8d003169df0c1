"""The contract (SPEC §2, `contract.REQUIRED`) is the one source of what blocks
publication: the suites may not be stricter, and a sheet without a whole column a rule
needs gets one failure for the sheet, with the contract's severity."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from dagster_project.contract import REQUIRED
from dagster_project.ingest.load import ingest
from dagster_project.quality.suites import load_suites, validate_warehouse
from dagster_project.settings import EXPECTATIONS_DIR
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx

OCTOBER = date(2026, 10, 1)
HEADER_ROW = 4  # under the three title rows

# A ledger as one county keeps it: no 责任人, no 责任单位, no 解决日期.
LEDGER_HEADER = [
    "序号",
    "项目名称",
    "问题类型",
    "问题描述",
    "提出日期",
    "责任部门",
    "办结时限",
    "办理状态",
]
# A 在建 sheet without the 责任人 column (and without 行业领域, 建设性质, 目标任务).
UC_HEADER = [h for h in TEMPLATE_UNDER_CONSTRUCTION if h != "责任人"]


def _uc_row(i: int) -> list:
    values = {
        "序号": i,
        "项目代码": f"2024-220281-48-01-{i:06d}",
        "项目名称": f"蛟河市项目{i}",
        "项目法人": f"蛟河市建设公司{i}",
        "建设地点": "蛟河市新站镇",
        "总投资（万元）": 8000,
        "年度计划投资（万元）": 3000,
        "1-X月累计完成投资（万元）": 1000 + i,
        "计划开工时间": "2026.3",
        "实际开工时间": "2026.4",
        "责任单位": "蛟河市发改局",
        "联系电话": "13912345678",
    }
    return [values[h] for h in UC_HEADER]


@pytest.fixture(scope="module")
def failures(tmp_path_factory):
    raw = tmp_path_factory.mktemp("contract") / "raw"
    ledger = [
        [1, "蛟河市项目1", "用地", "指标未落实", "2026-09-01", "国土局", "2026-12-31", "办理中"],
        [2, "蛟河市项目2", "资金", "配套资金未到位", "2026-09-15", "蛟河市财政局", None, "未办结"],
    ]  # fmt: skip
    write_xlsx(
        raw / "2026-10" / "220281_蛟河市.xlsx",
        {
            "在建项目": [*title_rows("在建项目", "蛟河市"), UC_HEADER, *map(_uc_row, (1, 2, 3))],
            "问题台账": [*title_rows("问题台账", "蛟河市"), LEDGER_HEADER, *ledger],
        },
    )
    db = raw.parent / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    return validate_warehouse(db, OCTOBER)


def test_the_ledger_requires_only_its_department_and_warns_on_a_missing_name():
    assert REQUIRED["issue_ledger"] == {"project_name": "warn", "issue_department": "error"}


def test_a_ledger_without_a_responsible_person_column_has_no_failure(failures):
    ledger = [f for f in failures if f.list_key == "issue_ledger"]
    assert ledger == []


def test_a_sheet_without_a_required_column_gets_one_failure_at_its_header(failures):
    missing = [
        f for f in failures if f.list_key == "under_construction" and f.hint.startswith("缺少列")
    ]
    assert sorted((f.rule, f.severity, f.excel_row, f.column_letter) for f in missing) == [
        ("required_construction_type", "warn", HEADER_ROW, None),
        ("required_responsible_person", "error", HEADER_ROW, None),
        ("required_sector", "warn", HEADER_ROW, None),
        ("required_target_task", "warn", HEADER_ROW, None),
    ]
    (person,) = [f for f in missing if f.field == "responsible_person"]
    assert person.hint.startswith("缺少列：责任人。")
    assert person.header == "责任人"
    assert person.sheet == "在建项目"
    assert person.region_code == "220281"


def test_rows_are_not_failed_one_by_one_for_a_column_their_sheet_lacks(failures):
    per_row = [f for f in failures if f.rule == "required_responsible_person"]
    assert len(per_row) == 1  # the sheet's one failure, not three


def test_the_error_count_of_the_month_is_the_one_missing_required_column(failures):
    assert [f.rule for f in failures if f.is_error] == ["required_responsible_person"]


def _suites_with(tmp_path, list_key: str, change) -> None:
    folder = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, folder)
    path = folder / f"{list_key}.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    change(suite["expectations"])
    path.write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")
    return folder


def test_a_suite_requiring_what_the_contract_does_not_is_refused(tmp_path):
    def require_person(expectations):
        expectations.append(
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "responsible_person"},
                "meta": {
                    "rule": "required_responsible_person",
                    "severity": "error",
                    "hint": "请填写责任人",
                },
            }
        )

    folder = _suites_with(tmp_path, "issue_ledger", require_person)
    with pytest.raises(ValueError, match="responsible_person is required in the suite"):
        load_suites(folder)


def test_a_suite_making_an_error_of_a_warning_rule_is_refused(tmp_path):
    def harden(expectations):
        for e in expectations:
            if e["meta"]["rule"] == "ytd_not_above_total":
                e["meta"]["severity"] = "error"

    folder = _suites_with(tmp_path, "under_construction", harden)
    with pytest.raises(ValueError, match="ytd_not_above_total is an error the contract"):
        load_suites(folder)


def test_a_suite_missing_a_required_field_is_refused(tmp_path):
    def drop_owner(expectations):
        expectations[:] = [e for e in expectations if e["meta"]["rule"] != "required_project_owner"]

    folder = _suites_with(tmp_path, "special_bonds", drop_owner)
    with pytest.raises(ValueError, match="the contract requires project_owner"):
        load_suites(folder)
