"""County reports: one submitter's rows only, text never a formula, the county's own
workbook returned with exactly the offending cells marked, raw/ untouched."""

from __future__ import annotations

import zipfile
from datetime import date
from html.parser import HTMLParser

import openpyxl
import pytest

from dagster_project.publish.county_report.content import DETAIL_HEADERS, DETAIL_SHEET
from dagster_project.publish.county_report.run import write_all_reports, write_county_report
from dagster_project.publish.county_report.store import REPORT_STATE
from dagster_project.publish.county_report.workbook import SUMMARY_SHEET
from dagster_project.publish.render.cells import ERROR_FILL, ERROR_ROW_FILL, WARN_FILL
from tests.publish.conftest import (
    FIRST_DATA_ROW,
    JIAOHE,
    OCTOBER,
    SHEET,
    YONGJI,
    county_workbook,
    failure,
)
from tests.workbooks import write_csv


class _Tables(HTMLParser):
    """Rows of every <table> in a page, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def html_tables(path) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


def detail_rows(path) -> list[dict]:
    ws = openpyxl.load_workbook(path)[DETAIL_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == DETAIL_HEADERS
    return [dict(zip(DETAIL_HEADERS, r, strict=True)) for r in rows[1:]]


def summary_text(path) -> list[str]:
    ws = openpyxl.load_workbook(path)[SUMMARY_SHEET]
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def fill_of(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


@pytest.fixture
def two_counties(raw):
    """Workbooks of 蛟河市 and 永吉县 for October, with failures in both."""
    jiaohe = county_workbook(raw, JIAOHE).relative_to(raw).as_posix()
    yongji = county_workbook(raw, YONGJI).relative_to(raw).as_posix()
    failures = [
        failure(JIAOHE, jiaohe, 5, "D"),
        failure(JIAOHE, jiaohe, 8, "F", field="total_investment_wan", value="待核实"),
        failure(YONGJI, yongji, 6, "D", value="永吉的秘密"),
        failure(YONGJI, yongji, 7, None, rule="duplicate_in_list", severity="warn"),
    ]
    return failures, jiaohe, yongji


def test_report_holds_only_its_own_regions_rows(two_counties, raw, out):
    failures, jiaohe, yongji = two_counties
    run = write_all_reports(out, failures, [JIAOHE, YONGJI], raw)

    by_code = {r.region_code: r for r in run.reports}
    assert set(by_code) == {"220281", "220221"}
    for code, own_file, count in (("220281", jiaohe, 2), ("220221", yongji, 2)):
        report = by_code[code]
        rows = detail_rows(report.workbook)
        assert len(rows) == count
        assert {r["文件"] for r in rows} == {own_file}
        detail = html_tables(report.html)[-1]
        assert len(detail) == count + 1
        assert {cells[0] for cells in detail[1:]} == {own_file}
        assert [p.name for p in report.annotated] == [f"{code}_{report.region_name}_标注.xlsx"]
    assert "永吉的秘密" not in by_code["220281"].html.read_text(encoding="utf-8")
    assert "永吉的秘密" not in " ".join(summary_text(by_code["220281"].workbook))


def test_a_failure_of_another_region_is_refused(two_counties, raw, out):
    failures, _, _ = two_counties
    with pytest.raises(ValueError, match="220221"):
        write_county_report(out, JIAOHE, OCTOBER, failures, raw)


def test_a_failure_of_another_month_is_refused(raw, out):
    source = county_workbook(raw, JIAOHE).relative_to(raw).as_posix()
    september = failure(JIAOHE, source, 5, "D", period_month=date(2026, 9, 1))
    with pytest.raises(ValueError, match="2026-09"):
        write_county_report(out, JIAOHE, OCTOBER, [september], raw)


def test_report_layout_and_verdict(jiaohe_report):
    report = jiaohe_report
    assert report.workbook.name == "数据质量报告_蛟河市_2026年10月.xlsx"
    assert report.html.name == "数据质量报告_蛟河市_2026年10月.html"
    assert report.directory.relative_to(report.directory.parents[2]).as_posix() == (
        "reports/2026-10/220281_蛟河市"
    )
    assert (report.errors, report.warnings) == (2, 1)
    text = summary_text(report.workbook)
    assert "结论：存在2项错误，须修改后重新报送" in text
    assert "错误 2 项，警告 1 项" in text
    wb = openpyxl.load_workbook(report.workbook)
    detail = wb[DETAIL_SHEET]
    assert detail.freeze_panes == "A2"
    assert detail.auto_filter.ref == "A1:J4"
    assert detail.column_dimensions["I"].width > detail.column_dimensions["C"].width
    first = detail_rows(report.workbook)[0]
    assert first == {
        "文件": "2026-10/220281_蛟河市.xlsx",
        "工作表": SHEET,
        "行号": 5,
        "列": "D",
        "字段(表头)": "项目法人",
        "填报值": None,
        "问题": "项目法人未填写",
        "级别": "错误",
        "修改建议": "请填写项目法人单位全称",
        "规则编号": "required_project_owner",
    }
    assert [r["级别"] for r in detail_rows(report.workbook)] == ["错误", "错误", "警告"]


def test_detail_is_sorted_by_file_sheet_row_and_column(raw, out):
    source = county_workbook(raw, JIAOHE).relative_to(raw).as_posix()
    failures = [
        failure(JIAOHE, source, 6, "AA"),
        failure(JIAOHE, source, 6, "C"),
        failure(JIAOHE, source, 5, "M"),
        failure(JIAOHE, "2026-10/220281_蛟河市_补充.csv", 2, "B"),
    ]
    report = write_county_report(out, JIAOHE, OCTOBER, failures, raw)
    assert [(r["文件"], r["行号"], r["列"]) for r in detail_rows(report.workbook)] == [
        (source, 5, "M"),
        (source, 6, "C"),
        (source, 6, "AA"),
        ("2026-10/220281_蛟河市_补充.csv", 2, "B"),
    ]


FORMULA_LIKE = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1+1", "=cmd|' /C calc'!A0"]


def test_text_that_looks_like_a_formula_is_stored_as_text(raw, out):
    source = county_workbook(raw, JIAOHE).relative_to(raw).as_posix()
    failures = [
        failure(JIAOHE, source, FIRST_DATA_ROW + i, "D", value=v, hint=f"hint {v}")
        for i, v in enumerate(FORMULA_LIKE)
    ]
    failures.append(failure(JIAOHE, source, 12, "D", value="\r=2+2", header="=SUM(B1)"))
    report = write_county_report(out, JIAOHE, OCTOBER, failures, raw)

    ws = openpyxl.load_workbook(report.workbook)[DETAIL_SHEET]
    value_col = DETAIL_HEADERS.index("填报值") + 1
    stored = [ws.cell(r, value_col) for r in range(2, ws.max_row + 1)]
    assert [c.value for c in stored] == [*FORMULA_LIKE, "\n=2+2"]  # CR is stored as LF
    assert all(c.data_type == "s" and c.quotePrefix for c in stored[:-1])
    assert stored[-1].data_type == "s"
    header_cell = ws.cell(ws.max_row, DETAIL_HEADERS.index("字段(表头)") + 1)
    assert (header_cell.value, header_cell.data_type) == ("=SUM(B1)", "s")
    hints = [ws.cell(r, DETAIL_HEADERS.index("修改建议") + 1).value for r in range(2, 8)]
    assert hints == [f"hint {v}" for v in FORMULA_LIKE]
    with zipfile.ZipFile(report.workbook) as z:  # no formula anywhere in the report
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    page = report.html.read_text(encoding="utf-8")
    assert "=HYPERLINK(&quot;http://x&quot;)" in page


def test_offending_cells_are_marked_in_the_returned_workbook(raw, out):
    path = county_workbook(raw, JIAOHE, projects=6)
    source = path.relative_to(raw).as_posix()
    failures = [
        failure(JIAOHE, source, 5, "D"),  # error: red
        failure(
            JIAOHE, source, 6, "M", rule="contact_phone_format", severity="warn", hint="手机号"
        ),
        failure(JIAOHE, source, 6, "M", rule="unreadable_cell", severity="warn", hint="无法识别"),
        failure(JIAOHE, source, 8, None, rule="duplicate_in_list", hint="与第5行重复"),  # row
    ]
    report = write_county_report(out, JIAOHE, OCTOBER, failures, raw)

    [annotated] = report.annotated
    assert annotated.name == "220281_蛟河市_标注.xlsx"
    ws = openpyxl.load_workbook(annotated)[SHEET]
    fills = {c.coordinate: fill_of(c) for row in ws.iter_rows() for c in row if fill_of(c)}
    comments = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
    row_8 = {f"{col}8" for col in "ABCDEFGHIJKLM"}
    header_fill = {c.coordinate for c in ws[4] if fill_of(c)}  # the county's own styling
    assert {k: v for k, v in fills.items() if k not in row_8 | header_fill} == {
        "D5": ERROR_FILL,
        "M6": WARN_FILL,
    }
    assert {fills[c] for c in row_8} == {ERROR_ROW_FILL}
    assert set(comments) == {"D5", "M6", "A8"}
    assert comments["D5"] == "【错误】项目法人未填写\n修改建议：请填写项目法人单位全称"
    assert (
        "【警告】联系电话格式不正确" in comments["M6"] and "【警告】内容无法识别" in comments["M6"]
    )
    assert comments["A8"].startswith("【错误】本行：同一清单重复填报项目")
    assert ws["D5"].value == "蛟河市建设公司"  # marked, not changed


def test_a_merged_cell_is_marked_at_its_top_left(raw, out):
    rows = [["项目名称", "责任单位"], ["甲", "交通局"], ["乙", None], ["丙", None]]
    path = raw / "2026-10" / "220281_蛟河市.xlsx"
    from tests.workbooks import write_xlsx

    write_xlsx(path, {SHEET: rows}, merges={SHEET: ["B2:B4"]})
    report = write_county_report(
        out, JIAOHE, OCTOBER, [failure(JIAOHE, "2026-10/220281_蛟河市.xlsx", 3, "B")], raw
    )
    ws = openpyxl.load_workbook(report.annotated[0])[SHEET]
    assert fill_of(ws["B2"]) == ERROR_FILL and ws["B2"].comment is not None


def test_the_original_in_raw_is_unchanged(raw, out):
    path = county_workbook(raw, JIAOHE)
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    source = path.relative_to(raw).as_posix()
    report = write_county_report(out, JIAOHE, OCTOBER, [failure(JIAOHE, source, 5, "D")], raw)
    assert report.annotated and report.annotated[0].parent == report.directory
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in raw.rglob("*") if p.is_file()) == ["220281_蛟河市.xlsx"]


def test_a_csv_original_is_not_annotated_and_the_summary_says_so(raw, out):
    write_csv(raw / "2026-10" / "220281_蛟河市_在建项目.csv", [["项目名称"], ["甲"]], "gb18030")
    source = "2026-10/220281_蛟河市_在建项目.csv"
    report = write_county_report(out, JIAOHE, OCTOBER, [failure(JIAOHE, source, 2, "A")], raw)
    assert report.annotated == ()
    assert report.notes == (".csv文件无法退回标注，请对照“明细”表修改",)
    assert ".csv文件无法退回标注，请对照“明细”表修改" in summary_text(report.workbook)


def test_a_refused_file_goes_to_the_summary_and_is_not_annotated(raw, out):
    pdf = failure(
        JIAOHE, "2026-10/蛟河市.pdf", None, None, field=None, header=None,
        rule="rejected_file", hint="不支持的文件类型（.pdf）",
    )  # fmt: skip
    report = write_county_report(out, JIAOHE, OCTOBER, [pdf], raw)
    assert report.annotated == () and report.errors == 1
    text = summary_text(report.workbook)
    assert "文件级问题" in text and "不支持的文件类型（.pdf）" in text


def test_a_submitter_without_failures_gets_a_clean_report(raw, out):
    run = write_all_reports(out, [], [JIAOHE, YONGJI], raw, submitted=[("220221", OCTOBER)])
    [report] = run.reports
    assert (report.region_code, report.verdict, report.annotated) == ("220221", "无错误", ())
    assert "结论：无错误" in summary_text(report.workbook)
    assert detail_rows(report.workbook) == []
    assert "结论：无错误" in report.html.read_text(encoding="utf-8")


def test_failures_without_a_known_region_are_set_aside(two_counties, raw, out):
    failures, _, _ = two_counties
    stray = failure(YONGJI, "2026-10/扫描件.pdf", None, None, region_code=None, severity="warn")
    run = write_all_reports(out, [*failures, stray], [JIAOHE], raw)
    assert [r.region_code for r in run.reports] == ["220281"]
    assert {f.source_file for f in run.unattributed} == {
        "2026-10/扫描件.pdf",
        "2026-10/220221_永吉县.xlsx",
    }


def test_html_is_self_contained_and_escaped(raw, out):
    source = county_workbook(raw, JIAOHE).relative_to(raw).as_posix()
    evil = '<script src="http://evil.example/x.js"></script>'
    report = write_county_report(
        out, JIAOHE, OCTOBER, [failure(JIAOHE, source, 5, "D", value=evil)], raw
    )
    page = report.html.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    for outside in ("<script", "<link", "<img", 'src="', 'href="', "url("):
        assert outside not in page
    assert "&lt;script src=&quot;http://evil.example/x.js&quot;&gt;" in page
    assert "&lt;/script&gt;" in page


def test_rewriting_a_report_is_stable_and_drops_a_stale_annotation(raw, out):
    source = county_workbook(raw, JIAOHE).relative_to(raw).as_posix()
    first = write_county_report(out, JIAOHE, OCTOBER, [failure(JIAOHE, source, 5, "D")], raw)
    again = write_county_report(out, JIAOHE, OCTOBER, [failure(JIAOHE, source, 5, "D")], raw)
    assert first.content_sha256 == again.content_sha256
    clean = write_county_report(out, JIAOHE, OCTOBER, [], raw)
    assert clean.content_sha256 != first.content_sha256
    assert sorted(p.name for p in clean.directory.iterdir()) == sorted(
        [clean.workbook.name, clean.html.name, REPORT_STATE]
    )


def _mtimes(directory) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}


def test_a_report_is_written_again_only_when_its_inputs_change(raw, out):
    path = county_workbook(raw, JIAOHE)
    source = path.relative_to(raw).as_posix()
    failures = [failure(JIAOHE, source, 5, "D")]
    first = write_county_report(out, JIAOHE, OCTOBER, failures, raw)
    written = _mtimes(first.directory)

    again = write_county_report(out, JIAOHE, OCTOBER, list(reversed(failures)), raw)
    assert again == first
    assert _mtimes(first.directory) == written  # nothing touched

    # The county sends the workbook again with another project: the marked copy changes.
    county_workbook(raw, JIAOHE, projects=5)
    resent = write_county_report(out, JIAOHE, OCTOBER, failures, raw)
    assert resent.annotated[0].stat().st_mtime_ns != written[resent.annotated[0].name]
    assert openpyxl.load_workbook(resent.annotated[0])[SHEET].max_row == FIRST_DATA_ROW + 4

    # Another failure: the report says more.
    more = [*failures, failure(JIAOHE, source, 6, "D")]
    grown = write_county_report(out, JIAOHE, OCTOBER, more, raw)
    assert grown.errors == 2 and grown.content_sha256 != resent.content_sha256

    # A report file deleted by hand is written again.
    grown.html.unlink()
    restored = write_county_report(out, JIAOHE, OCTOBER, more, raw)
    assert restored == grown and restored.html.is_file()


def test_weekly_files_of_the_same_name_get_distinct_annotated_copies(raw, out):
    sources = [
        county_workbook(raw, JIAOHE, folder=week).relative_to(raw).as_posix()
        for week in ("2026-W41", "2026-W42")
    ]
    failures = [failure(JIAOHE, s, 5, "D") for s in sources]
    report = write_county_report(out, JIAOHE, OCTOBER, failures, raw)
    assert sorted(p.name for p in report.annotated) == [
        "2026-W42_220281_蛟河市_标注.xlsx",
        "220281_蛟河市_标注.xlsx",
    ]


# --------------------------------------------------------------------------- the clerk's words


def _refused(raw, name: str, data: bytes):
    """Ingest raw/ with one county file of these bytes; the refusal as the report gets it."""
    import duckdb

    from dagster_project.ingest.load import ingest
    from dagster_project.quality.failures import rejected_file_failures

    (raw / "2026-10").mkdir(parents=True, exist_ok=True)
    (raw / "2026-10" / name).write_bytes(data)
    db = raw.parent / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    con = duckdb.connect(str(db), read_only=True)
    try:
        return rejected_file_failures(con, OCTOBER)
    finally:
        con.close()


def test_a_refusal_reads_in_chinese_and_its_gloss_goes_to_the_rule_column(raw, out):
    [refused] = _refused(raw, "220281_蛟河市.xlsx", b"%PDF-1.4 a scanned copy")
    assert refused.hint.endswith("]")  # as ingestion wrote it: Chinese, then [gloss]
    chinese, gloss = refused.hint.rsplit(" [", 1)
    report = write_county_report(out, JIAOHE, OCTOBER, [refused], raw)

    [row] = detail_rows(report.workbook)
    assert (row["问题"], row["修改建议"]) == ("文件未被接收", chinese)
    assert row["规则编号"] == f"rejected_file [{gloss}"
    text = summary_text(report.workbook)
    assert chinese in text and not any(gloss.rstrip("]") in t for t in text)
    tables = html_tables(report.html)
    by_rule = next(t for t in tables if t[0][0] == "问题")
    assert by_rule[0] == ["问题", "错误", "警告", "规则编号"]
    assert by_rule[1] == ["文件未被接收", "1", "0", "rejected_file"]
    page = report.html.read_text(encoding="utf-8")
    assert page.count(gloss.rstrip("]")) == 1  # in the detail's 规则编号 cell only


def test_every_problem_the_clerk_reads_is_chinese(raw, out):
    path = county_workbook(raw, JIAOHE)
    source = path.relative_to(raw).as_posix()
    rules = ("list_threshold", "ytd_decreased", "one_code_several_names", "duplicate_column")
    failures = [failure(JIAOHE, source, 5 + i, "F", rule=r) for i, r in enumerate(rules)]
    report = write_county_report(out, JIAOHE, OCTOBER, failures, raw)
    rows = detail_rows(report.workbook)
    assert [r["问题"] for r in rows] == [
        "总投资低于本清单标准",
        "累计完成投资比上期减少",
        "同一项目代码对应多个名称",
        "同一字段填了两列",
    ]
    assert [r["规则编号"] for r in rows] == list(rules)
    by_rule = next(t for t in html_tables(report.html) if t[0][0] == "问题")
    assert {(cells[0], cells[-1]) for cells in by_rule[1:]} == {
        (r["问题"], r["规则编号"]) for r in rows
    }


def test_the_report_says_by_when_under_which_name_and_whom_to_call(raw, out):
    contacts = raw / "reference" / "contacts.csv"
    contacts.parent.mkdir(parents=True)
    contacts.write_text("name,phone,email\n赵敏,0432-62019999,zhaomin@fgw.example\n", "utf-8")
    path = county_workbook(raw, JIAOHE)
    report = write_county_report(
        out, JIAOHE, OCTOBER, [failure(JIAOHE, path.relative_to(raw).as_posix(), 5, "D")], raw
    )
    expected = (
        "重新报送期限：请于2026年11月5日前修改后重新报送（每月5日前报送上月数据）。",
        "更正文件命名：220281_蛟河市_2026年10月_更正.xlsx（在原工作簿上修改后另存为此名，"
        "不要覆盖原文件；同一月份以最后收到的文件为准）。",
        "联系人：市发改委项目中心 赵敏 0432-62019999 zhaomin@fgw.example。",
    )
    assert report.guidance == expected
    text = summary_text(report.workbook)
    assert all(line in text for line in expected)
    page = report.html.read_text(encoding="utf-8")
    assert all(line in page for line in expected)


def test_a_clean_report_names_no_deadline_and_the_demo_contacts_stand_in(raw, out):
    report = write_county_report(out, YONGJI, OCTOBER, [], raw)
    assert report.guidance == (
        "联系人：市发改委项目中心 李明 0432-62012345 xmzx@jlsfgw.example.gov.cn；"
        "王芳 0432-62012346 xmzx@jlsfgw.example.gov.cn。",
    )


def test_the_due_day_is_a_setting_and_december_is_due_in_january(raw):
    from dagster_project.publish.county_report.guidance import (
        report_guidance,
        resubmission_deadline,
    )

    assert report_guidance(raw, {}).submission_day == 5
    assert report_guidance(raw, {"XMK_SUBMISSION_DAY": "10"}).submission_day == 10
    with pytest.raises(ValueError, match="XMK_SUBMISSION_DAY"):
        report_guidance(raw, {"XMK_SUBMISSION_DAY": "31"})
    assert resubmission_deadline(date(2026, 12, 1), 5) == date(2027, 1, 5)
    assert resubmission_deadline(OCTOBER, 10) == date(2026, 11, 10)


def test_a_changed_contact_writes_the_report_again(raw, out):
    first = write_county_report(out, YONGJI, OCTOBER, [], raw)
    contacts = raw / "reference" / "contacts.csv"
    contacts.parent.mkdir(parents=True)
    contacts.write_text("name,phone,email\n赵敏,0432-62019999,\n", "utf-8")
    second = write_county_report(out, YONGJI, OCTOBER, [], raw)
    assert second.content_sha256 != first.content_sha256
    assert second.guidance == ("联系人：市发改委项目中心 赵敏 0432-62019999。",)


@pytest.mark.parametrize("same_time", [False, True])
def test_the_suggested_corrected_name_is_read_and_counts_over_the_first(raw, same_time):
    """Sent under the name the report suggests, beside the first file, the correction is
    recognised as the same submitter and month and supersedes the first — received later,
    or received at the same time (the later name in sort order)."""
    import os

    import duckdb

    from dagster_project.ingest.load import ingest
    from dagster_project.publish.county_report.guidance import corrected_file_name

    first = county_workbook(raw, JIAOHE)
    name = corrected_file_name(JIAOHE, OCTOBER)
    assert name == "220281_蛟河市_2026年10月_更正.xlsx"
    corrected = county_workbook(raw, JIAOHE, projects=5).rename(first.with_name(name))
    county_workbook(raw, JIAOHE)  # the first again, as it was sent
    stamp = first.stat().st_mtime
    os.utime(corrected, (stamp, stamp if same_time else stamp + 60))
    db = raw.parent / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select file_name, status, region_code, period_month, is_effective "
            "from raw.manifest order by file_name"
        ).fetchall()
    finally:
        con.close()
    assert rows == [
        ("220281_蛟河市.xlsx", "loaded", "220281", OCTOBER, False),
        (name, "loaded", "220281", OCTOBER, True),
    ]
