"""A filled official template reads back exactly: every field of every list."""

from __future__ import annotations

import datetime as dt

import openpyxl

from dagster_project.contract import FIELD_BY_NAME, LISTS, FieldType
from dagster_project.parse.submission import COUNTY_MONTHLY, parse_file
from dagster_project.template.workbook import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    SUBMITTER_CELL,
    write_template,
)

# What a clerk types for each kind of field, and what the warehouse must hold for it.
_TYPED = {
    FieldType.CODE: ("2024-220281-48-01-000123", "2024-220281-48-01-000123"),
    FieldType.AMOUNT: (12345.6, 12345.6),
    FieldType.RATIO: (1.35, 1.35),
    FieldType.MONTH: (dt.datetime(2024, 3, 1), dt.date(2024, 3, 1)),
    FieldType.DAY: (dt.datetime(2024, 3, 15), dt.date(2024, 3, 15)),
    FieldType.FLAG: ("是", True),
    FieldType.APPROVAL: ("在办", "在办"),
    FieldType.FUNDING: ("中央预算内、自筹", ["中央预算内", "自筹"]),
    FieldType.CONSTRUCTION_TYPE: ("续建", "续建"),
    FieldType.LIBRARY_LEVEL: ("市级", "市级"),
    FieldType.PLAN_INCLUSION: ("省", "省"),
    FieldType.LANDING_STATUS: ("已落地", "已落地"),
    FieldType.PERCENT: (3.2, 0.032),  # the template's header says （%）
    FieldType.INTEGER: ("10年", 10),
}


def _cell_and_expected(field_name: str, row: int):
    f = FIELD_BY_NAME[field_name]
    if field_name == "seq":
        return row, str(row)
    if f.type == FieldType.MONTH_RANGE:
        return "2025-2027", None  # checked through planned_start / planned_completion
    if f.type == FieldType.TEXT:
        return f"{f.header}{row}", f"{f.header}{row}"
    return _TYPED[f.type]


def test_filled_template_reads_back_every_field_exactly(tmp_path):
    path = write_template(tmp_path / "template.xlsx", raw_dir=tmp_path)
    wb = openpyxl.load_workbook(path)
    expected: dict[str, list[dict]] = {}
    for lst in LISTS:
        ws = wb[lst.title]
        ws[SUBMITTER_CELL] = "蛟河市发展和改革局"
        headers = [c.value for c in ws[HEADER_ROW]]
        assert len(headers) == len(lst.columns)
        expected[lst.key] = []
        for i in range(2):
            excel_row = FIRST_DATA_ROW + i
            want = {"excel_row": excel_row}
            for col, field_name in enumerate(lst.columns, start=1):
                cell, value = _cell_and_expected(field_name, i + 1)
                ws.cell(excel_row, col, cell)
                if value is not None:
                    want[field_name] = value
            if "special_bond_funding_wan" in lst.columns:
                # an amount under 其中：专项债 means the project draws on 专项债
                want["funding_sources"] = ["中央预算内", "专项债", "自筹"]
            if "construction_period" in lst.columns:
                want["planned_start"] = dt.date(2025, 1, 1)
                want["planned_completion"] = dt.date(2027, 12, 1)
            expected[lst.key].append(want)
    filled = tmp_path / "220281_蛟河市.xlsx"
    wb.save(filled)

    parsed = parse_file(filled.name, filled.read_bytes(), COUNTY_MONTHLY, _regions())
    assert parsed.status == "loaded", parsed.reason
    assert parsed.region_code == "220281"
    by_list = {s.list_key: s for s in parsed.sheets if s.status == "loaded"}
    assert set(by_list) == {lst.key for lst in LISTS}
    for key, rows in expected.items():
        sheet = by_list[key]
        assert sheet.unmapped_columns == [], key
        assert sheet.quarantine == [], key
        assert sheet.structural == [], key
        assert len(sheet.rows) == len(rows)
        for got, want in zip(sheet.rows, rows, strict=True):
            assert {k: got.get(k) for k in want} == want, key


def test_blank_template_loads_with_no_rows(tmp_path):
    path = write_template(tmp_path / "template.xlsx", raw_dir=tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["在建项目"][SUBMITTER_CELL] = "蛟河市"
    wb.save(path)
    parsed = parse_file("220281_蛟河市.xlsx", path.read_bytes(), COUNTY_MONTHLY, _regions())
    assert parsed.status == "loaded", parsed.reason
    assert sum(len(s.rows) + s.rows_quarantined for s in parsed.sheets) == 0


def _regions():
    from pathlib import Path

    from dagster_project.ingest.reference import load_regions
    from dagster_project.parse.submitter import RegionIndex

    return RegionIndex(load_regions(Path("/nonexistent"))[0])
