"""One bad cell does not drop its row (SPEC §2): the row loads with that field empty, the
failure names the cell and its value, and every other problem of the row is reported."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dagster_project.ingest.load import ingest
from dagster_project.quality.failures import quarantine_failures
from dagster_project.quality.suites import validate_warehouse
from tests.workbooks import write_official

OCTOBER = date(2026, 10, 1)
FIRST_ROW = 4  # the official template's first data row
FILE = "2026-10/220281_蛟河市.xlsx"


def project(i: int, **fields) -> dict:
    return {
        "project_code": f"2024-220281-48-01-{i:06d}",
        "project_name": f"温德河项目{i}",
        "project_owner": f"蛟河市建设公司{i}",
        "location": "蛟河市新站镇",
        "sector": "工业",
        "construction_type": "续建",
        "total_investment_wan": 8000,
        "annual_plan_wan": 3000,
        "ytd_completed_wan": 1000,
        "actual_start": date(2025, 3, 1),
        "planned_completion": date(2027, 10, 1),
        "target_task": "主体完工",
        "responsible_unit": "蛟河市发改局",
        "responsible_person": "张三",
        "contact_phone": "13912345678",
        **fields,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    raw = tmp_path_factory.mktemp("cells") / "raw"
    rows = [
        project(1),
        # row 5: a range where a month belongs, and a plan "to be decided"
        project(2, planned_completion="2023-2025", annual_plan_wan="待定"),
        # row 6: a total nobody can read
        project(3, total_investment_wan="待核实"),
    ]
    write_official(raw / FILE, "蛟河市", OCTOBER, {"under_construction": rows})
    db = raw.parent / "warehouse.duckdb"
    report = ingest(raw, db, jobs=1)
    con = duckdb.connect(str(db), read_only=True)
    failures = validate_warehouse(db, OCTOBER) + quarantine_failures(con, OCTOBER)
    yield report, con, failures
    con.close()


def _at(failures, excel_row):
    return sorted(
        (f.rule, f.field, f.severity, f.value) for f in failures if f.excel_row == excel_row
    )


def test_a_row_with_one_bad_date_cell_loads_with_its_other_values(warehouse):
    _report, con, _failures = warehouse
    row = con.execute(
        """select project_name, total_investment_wan, ytd_completed_wan, annual_plan_wan,
                  planned_completion, unreadable_fields
           from raw.under_construction where excel_row = ?""",
        [FIRST_ROW + 1],
    ).fetchone()
    assert row == ("温德河项目2", 8000.0, 1000.0, None, None, ["planned_completion"])


def test_both_problems_of_that_row_are_reported(warehouse):
    _report, _con, failures = warehouse
    assert _at(failures, FIRST_ROW + 1) == [
        ("required_annual_plan_wan", "annual_plan_wan", "error", None),
        # 计划竣工时间 is not required: unreadable, it warns
        ("unreadable_cell", "planned_completion", "warn", "2023-2025"),
    ]


def test_an_unreadable_required_cell_is_one_error_not_two(warehouse):
    _report, _con, failures = warehouse
    assert _at(failures, FIRST_ROW + 2) == [
        ("unreadable_cell", "total_investment_wan", "error", "待核实"),
    ]


def test_rows_read_equal_rows_loaded_and_the_cells_are_counted(warehouse):
    report, con, _failures = warehouse
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 3, 0)
    assert report.cells_quarantined == 2
    sheet = con.execute(
        """select rows_read, rows_loaded, rows_quarantined, rows_structural, cells_quarantined
           from raw.sheet_manifest where list_key = 'under_construction'"""
    ).fetchone()
    assert sheet == (3, 3, 0, 0, 2)
