"""The demo city's planted defects come out as failures at exactly their cells, and the
defects a county corrected by re-submitting do not."""

from __future__ import annotations

import openpyxl

from dagster_project.demo.defects import MISSING_VALUE
from dagster_project.quality.suites import validate_warehouse
from tests.quality.conftest import OCTOBER


def _planted_missing(summary, corrected: bool):
    return {
        (d.file, d.sheet, d.excel_row, d.field)
        for d in summary.defects
        if d.kind == MISSING_VALUE and bool(d.corrected_by) == corrected
    }


def test_every_planted_missing_value_is_an_error_at_its_cell_and_nothing_else_is(
    demo, demo_failures
):
    summary, _db = demo
    errors = {(f.source_file, f.sheet, f.excel_row, f.field) for f in demo_failures if f.is_error}
    expected = _planted_missing(summary, corrected=False)
    assert expected  # the demo plants some
    assert errors == expected
    assert all(f.period_month == OCTOBER for f in demo_failures if f.is_error)


def test_a_superseded_submission_is_not_checked(demo, demo_failures):
    summary, _db = demo
    superseded = {d.file for d in summary.defects if d.corrected_by}
    assert superseded  # 龙潭区's first file of the earlier month
    assert not [f for f in demo_failures if f.source_file in superseded]


def test_a_missing_project_owner_names_rule_column_header_and_hint(demo, demo_failures):
    summary, _db = demo
    raw = summary.out_dir
    owners = [f for f in demo_failures if f.rule == "required_project_owner"]
    assert owners
    for f in owners:
        assert (f.severity, f.field, f.value) == ("error", "project_owner", None)
        assert f.hint == "请填写项目法人单位全称（与立项批复一致）"
        assert f.list_key == "under_construction"
        # The letter points at the 项目法人 column of the county's own sheet, and the
        # cell there is empty.
        ws = openpyxl.load_workbook(raw / f.source_file)[f.sheet]
        column = [row[0] for row in ws[f"{f.column_letter}1:{f.column_letter}6"]]
        assert any("项目法人" in str(c.value or "") for c in column)
        assert f.header is not None and "项目法人" in f.header
        assert ws[f"{f.column_letter}{f.excel_row}"].value is None


def test_every_failure_has_a_severity_a_hint_and_a_place(demo_failures):
    assert demo_failures
    for f in demo_failures:
        assert f.severity in ("error", "warn")
        assert f.hint
        assert f.rule and f.list_key and f.submission_id
        assert f.source_file and f.sheet and f.excel_row and f.region_code


def test_one_month_is_the_same_as_that_month_of_all(demo, demo_failures):
    _summary, db = demo
    october = validate_warehouse(db, OCTOBER)
    assert october == [f for f in demo_failures if f.period_month == OCTOBER]
