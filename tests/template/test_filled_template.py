"""A clerk fills the official template — 填报单位 and 报送月份 in the yellow input cells, a
few projects and an issue — and the county's self-check (`xmk validate`) and the parser
read who sent it, for which month, and every value typed."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from dagster_project.contract import LIST_BY_KEY
from dagster_project.ingest.reference import load_regions
from dagster_project.parse.submission import COUNTY_MONTHLY, parse_file
from dagster_project.parse.submitter import RegionIndex
from dagster_project.template.workbook import (
    FIRST_DATA_ROW,
    MONTH_CELL,
    SUBMITTER_CELL,
    write_template,
)

XMK = Path(sys.executable).parent / "xmk"
SEPTEMBER = date(2026, 9, 1)
# The file name says nothing of the submitter: only the input cells do.
FILE_NAME = "9月份项目报送.xlsx"

PROJECTS = [
    {
        "project_code": "2026-220281-48-01-000123",
        "project_name": "蛟河市天岗镇污水处理厂扩建项目",
        "project_owner": "蛟河市水务投资有限公司",
        "location": "天岗镇",
        "sector": "生态环保",
        "construction_type": "扩建",
        "total_investment_wan": 12000.0,
        "central_budget_wan": 3000.0,
        "annual_plan_wan": 6000.0,
        "ytd_completed_wan": 4100.5,
        "planned_start": datetime(2026, 3, 1),  # Excel turns 2026年3月 into a date
        "actual_start": 2026.4,  # typed as 2026.4 into a number cell
        "target_task": "年底主体完工",
        "responsible_unit": "天岗镇人民政府",
        "responsible_person": "李明",
        "contact_phone": "0432-62212345",
        "in_stats": "是",
    },
    {
        "project_code": "",  # not yet issued
        "project_name": "蛟河市新站镇农产品冷链物流园项目",
        "project_owner": "吉林蛟河冷链物流有限公司",
        "location": "新站镇",
        "sector": "服务业",
        "construction_type": "新建",
        "total_investment_wan": 5600.0,
        "annual_plan_wan": 3000.0,
        "ytd_completed_wan": 1200.0,
        "planned_start": datetime(2026, 5, 1),
        "actual_start": datetime(2026, 6, 1),
        "target_task": "冷库主体封顶",
        "responsible_unit": "新站镇人民政府",
        "responsible_person": "王芳",
        "contact_phone": "13904321234",
        "in_stats": "否",
    },
]
ISSUE = {
    "project_name": "蛟河市天岗镇污水处理厂扩建项目",
    "issue_type": "用地",
    "issue_description": "扩建用地未完成组卷报批",
    "issue_raised_on": datetime(2026, 8, 12),
    "issue_department": "市自然资源局",  # chosen from the drop-down
    "issue_deadline": datetime(2026, 10, 31),
    "issue_status": "办理中",
    "responsible_person": "李明",
}


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clerk")
    wb = openpyxl.load_workbook(write_template(folder / "template.xlsx", raw_dir=folder))
    for key, rows in (("under_construction", PROJECTS), ("issue_ledger", [ISSUE])):
        lst = LIST_BY_KEY[key]
        ws = wb[lst.title]
        ws[SUBMITTER_CELL] = "蛟河市发展和改革局"
        ws[MONTH_CELL] = datetime(2026, 9, 1)  # typed as 2026-9 or 2026年9月
        for i, row in enumerate(rows):
            for col, name in enumerate(lst.columns, start=1):
                value = i + 1 if name == "seq" else row.get(name)
                if value not in (None, ""):
                    ws.cell(FIRST_DATA_ROW + i, col, value)
    path = folder / FILE_NAME
    wb.save(path)
    return path


def _regions(path: Path) -> RegionIndex:
    return RegionIndex(load_regions(path.parent)[0])


def xmk_validate(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(XMK), "validate", path.name, "--out", "selfcheck", *args],
        cwd=path.parent,
        env={"PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_self_check_reads_the_submitter_from_the_input_cell(filled):
    done = xmk_validate(filled, "--period", "2026-09")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert f"{FILE_NAME}: 蛟河市, 2026年9月" in lines  # the file name names no one
    assert "  0 项错误, 1 项警告" in lines  # the second project has no 项目代码 yet
    report = filled.parent / "selfcheck/reports/2026-09/220281_蛟河市"
    assert (report / "数据质量报告_蛟河市_2026年9月.xlsx").is_file()


def test_a_filled_month_other_than_the_folders_refuses_the_file(filled):
    parsed = parse_file(filled.name, filled.read_bytes(), COUNTY_MONTHLY, _regions(filled),
                        date(2026, 10, 1))  # fmt: skip
    assert parsed.status == "rejected"
    assert parsed.reason.startswith("文件标题注明2026年9月，但放在2026-10目录")


def test_the_parser_reads_every_value_the_clerk_typed(filled):
    parsed = parse_file(
        filled.name, filled.read_bytes(), COUNTY_MONTHLY, _regions(filled), SEPTEMBER
    )
    assert parsed.status == "loaded", parsed.reason
    assert parsed.region_code == "220281"  # 蛟河市, from 填报单位
    sheets = {s.list_key: s for s in parsed.sheets if s.status == "loaded"}
    built = sheets["under_construction"]
    assert built.quarantine == [] and built.structural == []
    # what the warehouse holds: Excel's dates and 2026.4 as months, 是/否 as flags
    read_as = [
        {"planned_start": date(2026, 3, 1), "actual_start": date(2026, 4, 1), "in_stats": True},
        {"planned_start": date(2026, 5, 1), "actual_start": date(2026, 6, 1), "in_stats": False,
         "project_code": None, "central_budget_wan": None},
    ]  # fmt: skip
    assert [r["excel_row"] for r in built.rows] == [FIRST_DATA_ROW, FIRST_DATA_ROW + 1]
    for got, typed, converted in zip(built.rows, PROJECTS, read_as, strict=True):
        want = {k: typed.get(k) for k in PROJECTS[0]} | converted
        assert {k: got.get(k) for k in want} == want
    (issue,) = sheets["issue_ledger"].rows
    assert {k: issue.get(k) for k in ISSUE} == ISSUE | {
        "issue_raised_on": date(2026, 8, 12),
        "issue_deadline": date(2026, 10, 31),
    }
    # the blank lists load with no rows; 填报说明 and the hidden 下拉选项 are not lists
    assert {s.sheet_name: s.status for s in parsed.sheets if s.status != "loaded"} == {
        "填报说明": "ignored",
        "下拉选项": "ignored",
    }
