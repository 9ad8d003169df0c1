"""The publication gate end to end on a small demo city: the planted errors block the
month's publication, the affected counties' reports name each defect, and the corrected
re-submissions open the gate."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import openpyxl
import pytest

from dagster_project.assets.publishing import read_gate
from dagster_project.assets.quality import list_checks
from dagster_project.contract import LISTS
from dagster_project.demo.generate import generate_demo
from dagster_project.resources import XmkSettings
from tests.conftest import run_nightly_quietly

DEMO = {"months": 2, "end_month": date(2026, 10, 1), "intensity": 0.2, "jobs": 2}
BULLETIN = "bulletin/2026-10/投资攻坚擂台通报_2026年10月.xlsx"


@pytest.fixture(scope="module")
def city(tmp_path_factory, dbt_manifest):
    root = tmp_path_factory.mktemp("gate")
    summary = generate_demo(root / "raw", **DEMO)
    code = run_nightly_quietly(root / "raw", root / "warehouse", root / "out")
    return root, summary, code


def _errors(root):
    con = duckdb.connect(str(root / "warehouse" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            """select source_file, sheet, excel_row, field from marts.fct_dq_failures
               where severity = 'error' and period_month = date '2026-10-01'"""
        ).fetchall()
    finally:
        con.close()


def test_planted_errors_block_publication(city):
    root, summary, code = city
    assert code == 3
    assert not (root / "warehouse" / "published.duckdb").exists()
    assert not (root / "out" / BULLETIN).exists()
    planted = {
        (d.file, d.sheet, d.excel_row, d.field)
        for d in summary.defects
        if d.file.startswith("2026-10/") and not d.corrected_by
    }
    assert planted
    assert set(_errors(root)) == planted


def test_the_lists_checks_count_what_the_gate_counts(city):
    """The UI's checks agree with the gate: the 在建 list's check fails with the gate's
    error count (unreadable cells included); a list with only warnings passes."""
    root, _summary, _code = city
    settings = XmkSettings(
        raw_dir=str(root / "raw"),
        warehouse_dir=str(root / "warehouse"),
        out_dir=str(root / "out"),
    )
    gate = read_gate(settings)
    gate_errors = sum(n for _name, n in gate.errors.values())
    results = {
        key: check(dg.build_asset_check_context(), settings=settings)
        for key, check in zip((lst.key for lst in LISTS), list_checks, strict=True)
    }
    failing = {key: r for key, r in results.items() if not r.passed}
    assert list(failing) == ["under_construction"]
    assert failing["under_construction"].severity == dg.AssetCheckSeverity.ERROR
    assert failing["under_construction"].metadata["errors"].value == gate_errors > 0
    by_region = failing["under_construction"].metadata["by_region"].value
    for code, (_name, n) in gate.errors.items():
        assert by_region[code].startswith(f"{n} errors")
    warned = [r for r in results.values() if r.passed and r.metadata["warnings"].value]
    assert warned, "the demo's warnings pass their checks"


def test_affected_reports_name_each_defect_and_the_others_none(city):
    root, summary, _code = city
    planted = [d for d in summary.defects if d.file.startswith("2026-10/")]
    by_region: dict[str, set] = {}
    for d in planted:
        by_region.setdefault(d.file.split("/")[1][:6], set()).add((d.sheet, d.excel_row))
    reports = sorted((root / "out" / "reports" / "2026-10").glob("*/数据质量报告_*.xlsx"))
    assert len(reports) == 13  # every submitter gets its report
    for path in reports:
        code = path.parent.name[:6]
        ws = openpyxl.load_workbook(path, read_only=True)["明细"]
        rows = list(ws.iter_rows(values_only=True))
        header = rows[0]
        sheet_col, row_col, level_col = (
            header.index("工作表"),
            header.index("行号"),
            header.index("级别"),
        )
        errors = {(r[sheet_col], int(r[row_col])) for r in rows[1:] if r[level_col] == "错误"}
        assert errors == by_region.get(code, set()), code


def test_corrected_resubmissions_open_the_gate_and_publish(city):
    root, _summary, _code = city
    generate_demo(root / "raw", corrected=True, **DEMO)
    code = run_nightly_quietly(root / "raw", root / "warehouse", root / "out")
    assert code == 0
    assert _errors(root) == []
    assert (root / "out" / BULLETIN).exists()
    con = duckdb.connect(str(root / "warehouse" / "published.duckdb"), read_only=True)
    try:
        months = con.execute("select max(period_month) from rpt_arena_monthly").fetchone()
    finally:
        con.close()
    assert months == (date(2026, 10, 1),)
