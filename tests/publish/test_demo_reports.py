"""Every county report written for a small demo city, read back: each holds only its own
rows, and the cells the demo planted as unreadable are in the right county's report."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

import duckdb
import openpyxl
import pytest

from dagster_project.demo.defects import FORMULA_WITHOUT_VALUE, UNREADABLE_VALUE
from dagster_project.demo.generate import generate_demo
from dagster_project.publish.county_report.run import report_regions, write_all_reports
from tests.conftest import run_nightly_quietly
from tests.publish.test_county_reports import detail_rows, html_tables

MONTH = date(2026, 10, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, dbt_manifest):
    root = tmp_path_factory.mktemp("demo")
    raw = root / "raw"
    summary = generate_demo(raw, months=1, intensity=0.15, jobs=1)
    run_nightly_quietly(raw, root / "warehouse", root / "night")
    con = duckdb.connect(str(root / "warehouse" / "warehouse.duckdb"), read_only=True)
    try:
        regions = report_regions(con)
        run = write_all_reports(root / "out", con, regions, raw, MONTH)
        sql = "select original_path, region_code from marts.fct_received_files"
        manifest = dict(con.execute(sql).fetchall())
    finally:
        con.close()
    return summary, regions, run, manifest


def test_every_submitter_gets_a_report(demo):
    _summary, regions, run, manifest = demo
    submitted = {code for code in manifest.values() if code}
    assert {r.region_code for r in run.reports} == submitted
    assert submitted <= {r["region_code"] for r in regions}


def test_every_report_row_belongs_to_its_region(demo):
    _summary, regions, run, manifest = demo
    names = {r["region_code"]: r["region_name"] for r in regions}
    for report in run.reports:

        def own(path, code=report.region_code):
            # A refused file has no submitter in the manifest; it is reported to the
            # region its name names.
            return manifest[path] == code or (manifest[path] is None and names[code] in path)

        files = [row["文件"] for row in detail_rows(report.workbook)]
        assert all(own(f) for f in files), report.region_name
        page_rows = html_tables(report.html)[-1][1:] if files else []
        assert [cells[0] for cells in page_rows] == files


def test_planted_unreadable_cells_are_in_their_countys_report_only(demo):
    summary, _regions, run, manifest = demo
    planted = [d for d in summary.defects if d.kind in (UNREADABLE_VALUE, FORMULA_WITHOUT_VALUE)]
    assert planted
    for report in run.reports:
        found = {(r["文件"], r["工作表"], r["行号"]) for r in detail_rows(report.workbook)}
        for d in planted:
            mine = manifest[d.file] == report.region_code
            assert ((d.file, d.sheet, d.excel_row) in found) == mine, (report.region_name, d)
            if mine:
                assert report.errors >= 1 and report.verdict.startswith("存在")


def test_the_returned_workbook_carries_a_comment_on_each_planted_cell(demo):
    summary, _regions, run, manifest = demo
    by_code = {r.region_code: r for r in run.reports}
    for d in summary.defects:
        if d.kind not in (UNREADABLE_VALUE, FORMULA_WITHOUT_VALUE):
            continue
        report = by_code[manifest[d.file]]
        stem = PurePosixPath(d.file).stem
        [annotated] = [p for p in report.annotated if p.name == f"{stem}_标注.xlsx"]
        ws = openpyxl.load_workbook(annotated)[d.sheet]
        commented = [c for c in ws[d.excel_row] if c.comment is not None]
        assert len(commented) == 1 and "内容无法识别" in commented[0].comment.text


def test_reports_written_by_worker_processes_are_the_same(demo, tmp_path, monkeypatch):
    """A new month gives every submitter a new report; many are written by a process per
    core (run.PARALLEL_FROM), and come out as the one process writes them."""
    import dagster_project.publish.county_report.run as county_run

    _summary, regions, run, _manifest = demo
    monkeypatch.setattr(county_run, "PARALLEL_FROM", 2)
    raw = run.reports[0].directory.parents[3] / "raw"
    con = duckdb.connect(str(raw.parent / "warehouse" / "warehouse.duckdb"), read_only=True)
    try:
        parallel = write_all_reports(tmp_path / "out", con, regions, raw, MONTH)
    finally:
        con.close()
    assert len(parallel.reports) == len(run.reports) > 2
    for one, other in zip(run.reports, parallel.reports, strict=True):
        assert (one.region_code, one.errors, one.warnings) == (
            other.region_code,
            other.errors,
            other.warnings,
        )
        assert one.content_sha256 == other.content_sha256
        assert [p.name for p in one.attachments] == [p.name for p in other.attachments]
        assert all(p.is_file() for p in other.attachments)
