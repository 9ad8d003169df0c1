"""Failures as reports read them: the record itself, and what ingestion already knows —
quarantined cells and refused files — read from a real warehouse."""

from __future__ import annotations

import os
from datetime import date, datetime

import duckdb
import pytest

from dagster_project.ingest.load import ingest
from dagster_project.quality.failures import (
    Failure,
    quarantine_failures,
    rejected_file_failures,
    report_month,
    warehouse_failures,
)
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx

ROW = {
    "period_month": date(2026, 10, 1),
    "region_code": "220281",
    "source_file": "2026-10/220281_蛟河市.xlsx",
    "sheet": "在建项目",
    "excel_row": 7,
    "column_letter": "d",
    "field": "project_owner",
    "header": "项目法人",
    "value": None,
    "rule": "required_project_owner",
    "severity": "error",
    "hint": "请填写项目法人",
}


def test_failure_from_a_contract_row():
    f = Failure.from_row(ROW)
    assert (f.sheet, f.excel_row, f.column_letter, f.is_error) == ("在建项目", 7, "D", True)


def test_failure_from_a_dataframe_record_with_nan_and_sheet_name():
    row = {k: v for k, v in ROW.items() if k not in ("sheet", "column_letter", "header")}
    row.update(sheet_name="在建项目", excel_row=float("nan"), value=float("nan"))
    row["period_month"] = datetime(2026, 10, 1)
    f = Failure.from_row(row)
    assert (f.period_month, f.sheet, f.excel_row, f.value, f.column_letter, f.header) == (
        date(2026, 10, 1),
        "在建项目",
        None,
        None,
        None,
        None,
    )


def test_failure_refuses_an_unknown_severity():
    with pytest.raises(ValueError, match="severity"):
        Failure.from_row({**ROW, "severity": "fatal"})


@pytest.mark.parametrize(
    ("monday", "month"),
    [
        (date(2026, 9, 28), date(2026, 10, 1)),  # Thursday 1 October
        (date(2026, 10, 26), date(2026, 10, 1)),
        (date(2026, 11, 30), date(2026, 12, 1)),  # Thursday 3 December
    ],
)
def test_a_week_is_reported_under_the_month_of_its_thursday(monday, month):
    assert report_month(None, monday) == month


def _county_file(raw, name, owners, received, total="8000"):
    submitter = name.split("_")[1].removesuffix(".xlsx")
    rows = [*title_rows("在建项目", f"{submitter}发展和改革局"), TEMPLATE_UNDER_CONSTRUCTION]
    for i, owner in enumerate(owners, 1):
        rows.append(
            [i, None, f"项目{i}", owner, "某镇", total, 2000, 500, "2024.3", "2024.4",
             "某局", "张三", "13912345678"]
        )  # fmt: skip
    path = write_xlsx(raw / "2026-10" / name, {"在建项目": rows})
    ts = datetime.fromisoformat(received).timestamp()
    os.utime(path, (ts, ts))
    return path


@pytest.fixture
def warehouse(tmp_path):
    """蛟河市 sends a workbook with an unreadable 总投资, then a correction that still has
    one; 永吉县 sends only a PDF; 舒兰市 a workbook and a PDF scan beside it."""
    raw = tmp_path / "raw"
    _county_file(raw, "220281_蛟河市.xlsx", ["甲公司", "乙公司"], "2026-11-02T09:00", "待核实")
    _county_file(raw, "220281_蛟河市_更正.xlsx", ["甲公司"], "2026-11-03T09:00", "约几亿")
    (raw / "2026-10" / "220221_永吉县.pdf").write_bytes("%PDF-1.4 scan of 永吉县".encode())
    _county_file(raw, "220283_舒兰市.xlsx", ["丙公司"], "2026-11-02T09:00")
    (raw / "2026-10" / "舒兰市盖章扫描件.pdf").write_bytes("%PDF-1.4 scan of 舒兰市".encode())
    (raw / "2026-10" / "扫描件.pdf").write_bytes(b"%PDF-1.4 scan of someone")
    db = tmp_path / "wh" / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def test_quarantined_cells_of_the_submission_in_force_are_failures(warehouse):
    [f] = quarantine_failures(warehouse)
    assert (f.source_file, f.sheet, f.excel_row, f.column_letter, f.value) == (
        "2026-10/220281_蛟河市_更正.xlsx",
        "在建项目",
        5,
        "F",
        "约几亿",
    )
    assert (f.rule, f.severity, f.region_code, f.field) == (
        "unreadable_cell",
        "error",
        "220281",
        "total_investment_wan",
    )
    assert "约几亿" in f.hint
    assert quarantine_failures(warehouse, date(2026, 9, 1)) == []


def test_refused_files_are_attributed_by_their_name(warehouse):
    found = {f.source_file: f for f in rejected_file_failures(warehouse)}
    assert set(found) == {
        "2026-10/220221_永吉县.pdf",
        "2026-10/舒兰市盖章扫描件.pdf",
        "2026-10/扫描件.pdf",
    }
    yongji = found["2026-10/220221_永吉县.pdf"]
    shulan = found["2026-10/舒兰市盖章扫描件.pdf"]
    nobody = found["2026-10/扫描件.pdf"]
    # 永吉县 has nothing else this month: its figures are missing.
    assert (yongji.region_code, yongji.severity, yongji.excel_row) == ("220221", "error", None)
    assert "不支持的文件类型" in yongji.hint
    # 舒兰市's workbook was loaded; the scan beside it only warns.
    assert (shulan.region_code, shulan.severity) == ("220283", "warn")
    assert shulan.hint.endswith("（本期已采用同一单位的其他报送文件）")
    assert (nobody.region_code, nobody.severity) == (None, "warn")


def test_without_fct_dq_failures_the_warehouse_failures_are_what_ingestion_found(warehouse):
    assert sorted(f.rule for f in warehouse_failures(warehouse)) == [
        "rejected_file",
        "rejected_file",
        "rejected_file",
        "unreadable_cell",
    ]


def test_fct_dq_failures_is_read_when_it_exists(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.fct_dq_failures as select
            date '2026-10-01' as period_month, '220281' as region_code,
            '2026-10/220281_蛟河市.xlsx' as source_file, '在建项目' as sheet,
            7 as excel_row, 'project_owner' as field, null::varchar as value,
            'required_project_owner' as rule, 'error' as severity, '请填写项目法人' as hint
        """
    )
    [f] = warehouse_failures(con)
    assert (f.excel_row, f.column_letter, f.rule) == (7, None, "required_project_owner")
    assert warehouse_failures(con, date(2026, 9, 1)) == []
