"""The whole demo raw/ goes in with nothing dropped silently: every sheet conserves its
rows, every planted defect is where the generator put it, every quarantined row says why."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dagster_project.demo.generate import generate_demo
from dagster_project.ingest.load import ingest


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    raw = tmp_path_factory.mktemp("demo") / "raw"
    summary = generate_demo(raw, months=4, end_month=date(2026, 10, 1), intensity=0.25, jobs=2)
    db = raw.parent / "warehouse" / "warehouse.duckdb"
    report = ingest(raw, db, jobs=2)
    con = duckdb.connect(str(db), read_only=True)
    yield summary, report, con
    con.close()


def test_every_file_is_loaded_or_refused_with_a_reason(demo):
    summary, report, con = demo
    files = summary.files - summary.reference_files
    refused = len(summary.refused_files)
    assert report.files_seen == files
    assert (report.files_loaded, report.files_rejected) == (files - refused, refused)
    assert con.execute("select count(*) from raw.file_manifest").fetchone() == (files,)
    reasons = dict(con.execute("select original_path, reason from raw.file_manifest").fetchall())
    for path in summary.refused_files:
        assert "不支持的文件类型" in reasons[path]


def test_every_sheet_conserves_its_rows(demo):
    _summary, report, con = demo
    broken = con.execute(
        """select submission_id, sheet_name from raw.sheet_manifest
           where rows_read <> rows_loaded + rows_quarantined + rows_structural"""
    ).fetchall()
    assert broken == []
    assert report.rows_read == report.rows_loaded + report.rows_quarantined + report.rows_structural
    assert report.rows_structural > 0  # the old-style sheets' 合计/小计/sections


def test_every_project_row_written_is_loaded(demo):
    summary, _report, con = demo
    # The summary counts the regular monthly workbooks; corrections come on top. A row
    # with an unreadable cell loads too, with that field empty.
    originals = "period_week is null and source_file not in (select unnest(?::varchar[]))"
    for list_key, written in summary.rows.items():
        loaded = con.execute(
            f"""select count(*) from raw.{list_key} t
                join (select submission_id, original_path as source_file
                      from raw.file_manifest) f using (submission_id)
                where {originals}""",
            [summary.corrections],
        ).fetchone()[0]
        assert loaded == written, list_key
    kept_out = con.execute("select count(*) from raw.quarantine where not row_loaded")
    assert kept_out.fetchone()[0] == 0
    weekly = con.execute("select count(*) from raw.unstated where period_week is not null")
    assert weekly.fetchone()[0] == summary.weekly_rows


def test_unreadable_cells_are_quarantined_exactly_where_planted(demo):
    summary, _report, con = demo
    planted = {
        (d.file, d.sheet, d.excel_row, d.field)
        for d in summary.defects
        if d.kind in ("unreadable_value", "formula_without_value")
    }
    assert planted
    found = set(
        con.execute(
            "select source_file, sheet_name, excel_row, field from raw.quarantine"
        ).fetchall()
    )
    assert found == planted
    # ... and their rows are in the list with exactly that field empty
    for file, sheet, excel_row, field in planted:
        row = con.execute(
            f"""select t.{field}, t.unreadable_fields, t.project_name
                from raw.under_construction t join raw.file_manifest f using (submission_id)
                where f.original_path = ? and t.sheet_name = ? and t.excel_row = ?""",
            [file, sheet, excel_row],
        ).fetchall()
        assert len(row) == 1 and row[0][0] is None and row[0][1] == [field], (file, excel_row)
        assert row[0][2]


def test_missing_values_are_loaded_as_null_where_planted(demo):
    summary, _report, con = demo
    missing = [d for d in summary.defects if d.kind == "missing_value"]
    assert missing
    for d in missing:
        value = con.execute(
            f"""select u.{d.field} from raw.under_construction u
                join raw.file_manifest f using (submission_id)
                where f.original_path = ? and u.sheet_name = ? and u.excel_row = ?""",
            [d.file, d.sheet, d.excel_row],
        ).fetchall()
        assert value == [(None,)], d


def test_every_quarantined_row_says_where_and_why(demo):
    _summary, _report, con = demo
    incomplete = con.execute(
        """select * from raw.quarantine
           where reason is null or length(reason) < 10 or column_letter is null
              or excel_row is null or source_file is null or sheet_name is null"""
    ).fetchall()
    assert incomplete == []


def test_the_correction_supersedes_the_defective_workbook(demo):
    summary, _report, con = demo
    corrected = {d.file: d.corrected_by for d in summary.defects if d.corrected_by}
    assert corrected
    for original, correction in corrected.items():
        rows = dict(
            con.execute(
                """select original_path, is_effective from raw.manifest
                   where original_path in (?, ?)""",
                [original, correction],
            ).fetchall()
        )
        assert rows == {original: False, correction: True}
