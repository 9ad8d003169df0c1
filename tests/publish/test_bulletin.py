"""The monthly 擂台 bulletin (三(三) 通报) written from a small real warehouse: the demo city
for two months to 2026-10, run once through the nightly job."""

from __future__ import annotations

import html
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dagster_project.demo.generate import generate_demo
from dagster_project.publish.bulletin import (
    ARENA_INDICATORS,
    ARENA_SHEET,
    ESCALATED_SHEET,
    RED_SHEET,
    SECTION_TITLES,
    SHEETS,
    svg_bar_chart,
    write_bulletin,
)
from tests.conftest import run_nightly_quietly

OCTOBER = date(2026, 10, 1)
LABEL_TO_INDICATOR = {label: key for key, (label, _kind) in ARENA_INDICATORS.items()}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, dbt_manifest) -> Path:
    root = tmp_path_factory.mktemp("bulletin")
    # With the counties' corrected re-submissions, October passes the quality gate.
    generate_demo(root / "raw", months=2, end_month=OCTOBER, intensity=0.2, jobs=2, corrected=True)
    code = run_nightly_quietly(root / "raw", root / "warehouse", root / "out")
    db = root / "warehouse" / "warehouse.duckdb"
    published = "select 1 from marts.rpt_arena_monthly where period_month = ?"
    assert db.exists() and rows(db, published, OCTOBER), f"no 擂台 for October (exit {code})"
    return db


@pytest.fixture(scope="module")
def bulletin(warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("bulletin_out")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return write_bulletin(con, OCTOBER, out)
    finally:
        con.close()


def rows(db: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def sheet_table(ws, headers: tuple[str, ...]) -> list[dict]:
    """The table whose header row starts with `headers`, as one dict per data row (up to
    the first row whose first cell is empty)."""
    for row in ws.iter_rows():
        for cell in row:
            found = [ws.cell(cell.row, cell.column + i).value for i in range(len(headers))]
            if tuple(found) != headers:
                continue
            names = []
            col = cell.column
            while ws.cell(cell.row, col).value is not None:
                names.append(ws.cell(cell.row, col).value)
                col += 1
            table = []
            r = cell.row + 1
            while ws.cell(r, cell.column).value is not None:
                values = [ws.cell(r, cell.column + i).value for i in range(len(names))]
                table.append(dict(zip(names, values, strict=True)))
                r += 1
            return table
    raise AssertionError(f"no table with headers {headers} in {ws.title}")


def test_the_bulletin_is_an_xlsx_and_an_html_page_in_the_months_folder(bulletin):
    folder = bulletin.xlsx.parent
    assert folder.parts[-2:] == ("bulletin", "2026-10")
    assert bulletin.xlsx.name == "投资攻坚擂台通报_2026年10月.xlsx"
    assert bulletin.html == folder / "投资攻坚擂台通报_2026年10月.html"
    assert bulletin.xlsx.stat().st_size > 0 and bulletin.html.stat().st_size > 0
    assert bulletin.period_month == OCTOBER


def test_the_same_marts_leave_the_published_bulletin_as_it_was(warehouse, tmp_path):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        first = write_bulletin(con, OCTOBER, tmp_path)
        files = (first.xlsx, first.html)
        before = [(f.read_bytes(), f.stat().st_mtime_ns) for f in files]
        again = write_bulletin(con, OCTOBER, tmp_path)
        assert [(f.read_bytes(), f.stat().st_mtime_ns) for f in files] == before
        assert first.written and not again.written
        # A bulletin someone deleted is written again.
        first.html.unlink()
        assert write_bulletin(con, OCTOBER, tmp_path).written
        assert first.html.read_bytes() == before[1][0]
    finally:
        con.close()


def test_the_page_is_self_contained_with_no_external_address(bulletin):
    page = bulletin.html.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    assert not re.search(r"https?:", page, re.IGNORECASE)
    assert "<script" not in page and " src=" not in page and " href=" not in page
    assert page.count("<svg") >= 3  # 投资增速 per rank group, completion vs 序时进度
    assert "Noto Sans CJK SC" in page


def test_the_page_names_every_region_of_the_arena_and_every_section(bulletin, warehouse):
    page = bulletin.html.read_text(encoding="utf-8")
    names = rows(
        warehouse,
        "select distinct r.region_name from marts.rpt_arena_monthly a "
        "join marts.dim_region r using (region_code) where a.period_month = ?",
        OCTOBER,
    )
    assert len(names) >= 2
    for (name,) in names:
        assert html.escape(name) in page
    for title in SECTION_TITLES.values():
        assert title in page


def test_the_arena_sheet_holds_rpt_arena_monthly_for_the_month(bulletin, warehouse):
    expected = {
        (code, indicator): (value, rank)
        for code, indicator, value, rank in rows(
            warehouse,
            "select region_code, indicator, value, rank from marts.rpt_arena_monthly "
            "where period_month = ?",
            OCTOBER,
        )
    }
    ws = openpyxl.load_workbook(bulletin.xlsx)[ARENA_SHEET]
    written = {
        (row["地区代码"], LABEL_TO_INDICATOR[row["指标"]]): (row["指标值"], row["名次"])
        for row in sheet_table(ws, ("排名组", "指标", "名次"))
    }
    assert written.keys() == expected.keys()
    for key, (value, rank) in expected.items():
        got_value, got_rank = written[key]
        assert got_rank == rank, key
        assert got_value == (None if value is None else pytest.approx(value)), key


def test_the_workbook_has_a_sheet_per_section_with_frozen_headers_and_charts(bulletin):
    wb = openpyxl.load_workbook(bulletin.xlsx)
    assert wb.sheetnames == list(SHEETS)
    for ws in wb:
        assert ws.freeze_panes is not None
        assert ws.print_title_rows
    charts = {ws.title: ws._charts for ws in wb}
    assert sum(len(c) for c in charts.values()) >= 2
    assert all(c.tagname == "barChart" for c in charts[ARENA_SHEET])
    rates = sheet_table(wb[ARENA_SHEET], ("排名组", "指标", "名次"))
    assert rates, "the arena table is empty"
    growth_row = next(
        r
        for r in wb[ARENA_SHEET].iter_rows(min_col=2, max_col=6)
        if r[0].value == "固定资产投资增速"
    )
    assert growth_row[4].number_format == "0.0%"


def test_every_red_warning_of_the_month_is_listed_and_counted(bulletin, warehouse):
    (count,) = rows(
        warehouse,
        "select count(*) from marts.fct_early_warnings where period_month = ? and level = '红'",
        OCTOBER,
    )[0]
    ws = openpyxl.load_workbook(bulletin.xlsx)[RED_SHEET]
    listed = sheet_table(ws, ("地区", "项目名称", "总投资（万元）"))
    assert len(listed) == count
    summary = sheet_table(ws, ("排名组", "地区"))
    assert summary[-1]["排名组"] == "全市合计" and summary[-1]["合计"] == count
    assert sum(r["合计"] for r in summary[:-1]) == count
    assert f"本月红色预警共{count}项" in bulletin.html.read_text(encoding="utf-8")


def test_every_escalated_issue_of_the_month_is_listed_with_its_deputy_mayor(bulletin, warehouse):
    escalated = rows(
        warehouse,
        "select escalate_to from marts.fct_issue_ledger where period_month = ? and is_escalated",
        OCTOBER,
    )
    ws = openpyxl.load_workbook(bulletin.xlsx)[ESCALATED_SHEET]
    listed = sheet_table(ws, ("分管副市长", "责任部门", "地区"))
    assert len(listed) == len(escalated) > 0
    assert sorted(r["分管副市长"] for r in listed) == sorted(
        leader or "（未登记分管副市长）" for (leader,) in escalated
    )


def test_names_that_look_like_formulas_are_written_as_text(warehouse, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    region_name, project_name = "=1+1蛟河市", '=HYPERLINK("x","项目")'
    con = duckdb.connect(str(copy))
    try:
        con.execute("update marts.dim_region set region_name = ? where region_code = '220281'",
                    [region_name])  # fmt: skip
        # The largest project with a red warning: the page lists the largest ones.
        (key,) = con.execute(
            "select w.project_key from marts.fct_early_warnings w "
            "join marts.fct_project_monthly p using (project_key, period_month) "
            "where w.period_month = ? and w.level = '红' "
            "order by p.total_investment_wan desc, w.project_key limit 1",
            [OCTOBER],
        ).fetchone()
        con.execute(
            "update marts.fct_early_warnings set project_name = ? where project_key = ?",
            [project_name, key],
        )
    finally:
        con.close()
    con = duckdb.connect(str(copy), read_only=True)
    try:
        files = write_bulletin(con, OCTOBER, tmp_path / "out")
    finally:
        con.close()

    wb = openpyxl.load_workbook(files.xlsx)
    crafted = [
        c
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if c.value in (region_name, project_name)
    ]
    assert {c.value for c in crafted} == {region_name, project_name}
    assert all(c.data_type == "s" and c.quotePrefix for c in crafted)
    with zipfile.ZipFile(files.xlsx) as z:  # no formula in any sheet
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    page = files.html.read_text(encoding="utf-8")
    assert html.escape(project_name) in page and html.escape(region_name) in page


def test_a_month_without_rankings_gets_no_bulletin(warehouse, tmp_path):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        with pytest.raises(LookupError, match="2020-01"):
            write_bulletin(con, date(2020, 1, 1), tmp_path)
    finally:
        con.close()
    assert not (tmp_path / "bulletin").exists()


def test_a_chart_draws_negative_values_left_of_zero_and_marks_missing_ones():
    svg = svg_bar_chart("增速<测试>", [("甲", 0.2), ("乙", -0.1), ("丙", None)], "{:.1%}".format)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 2 and "无数据" in svg
    assert "增速&lt;测试&gt;" in svg and "-10.0%" in svg
    bars = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    (x_pos, w_pos), (x_neg, w_neg) = ((float(x), float(w)) for x, w in bars)
    assert x_neg + w_neg == pytest.approx(x_pos)  # both bars meet at the zero line
    assert w_pos == pytest.approx(2 * w_neg, abs=0.2)  # SVG keeps one decimal
