"""The monthly 通报 (三(三)) written from a small real warehouse — the demo city for two
months to 2026-10 with the corrected re-submissions, run once through the nightly job — as
a Word document, its PDF, a page with a page per region, and a workbook, all from one
content model; each is read back and compared with the marts."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import docx
import duckdb
import openpyxl
import pytest

from dagster_project.demo.generate import generate_demo
from dagster_project.publish.bulletin.document import (
    TEXT,
    Bulletin,
    Column,
    Issuance,
    Section,
    Table,
    rank_change_text,
)
from dagster_project.publish.bulletin.issuance import IssuanceError, read_issuance_config
from dagster_project.publish.bulletin.page import bulletin_page
from dagster_project.publish.bulletin.sections import SHEETS, TITLES
from dagster_project.publish.bulletin.writer import write_bulletin
from tests.conftest import run_nightly_quietly

OCTOBER = date(2026, 10, 1)
ISSUED = date(2026, 11, 12)
STEM = "投资攻坚擂台通报_2026年10月"


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
def reference(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reference")
    (folder / "bulletin.toml").write_text(
        'issuer = "江城市发展和改革委员会"\n'
        'doc_number = "江发改投资通〔{year}〕{month}号"\n'
        'next_steps = """\n一是抓开工。\n二是抓入统。\n"""\n'
        '[months."2026-10"]\ndoc_number = "江发改投资通〔2026〕37号"\n',
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def bulletin(warehouse, reference, tmp_path_factory):
    out = tmp_path_factory.mktemp("bulletin_out")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return write_bulletin(con, OCTOBER, out, reference, today=ISSUED)
    finally:
        con.close()


def rows(db: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def doc_tables(document) -> dict[str, list[list[str]]]:
    """Each table of the Word document under the caption paragraph just before it."""
    found: dict[str, list[list[str]]] = {}
    caption = None
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            if text:
                caption = text
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            found[caption] = [[c.text for c in row.cells] for row in table.rows]
    return found


def test_four_files_and_a_page_per_region_in_the_months_folder(bulletin):
    folder = bulletin.html.parent
    assert folder.parts[-2:] == ("bulletin", "2026-10")
    assert [f.name for f in bulletin.all] == [
        f"{STEM}.docx",
        f"{STEM}.pdf",
        f"{STEM}.html",
        f"{STEM}.xlsx",
    ]
    assert all(f.stat().st_size > 0 for f in bulletin.all)
    assert bulletin.pdf_problem is None
    assert bulletin.regions and all(p.parent == folder / "地区" for p in bulletin.regions)


def test_the_word_document_is_issued_with_its_number_date_and_eight_sections(bulletin):
    document = docx.Document(str(bulletin.docx))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == "江城市发展和改革委员会"
    assert texts[1] == "江发改投资通〔2026〕37号"  # the month's own number wins
    assert texts[2] == "关于2026年10月全市投资攻坚擂台情况的通报"
    headings = [t for t in texts if t in TITLES.values()]
    assert headings == list(TITLES.values())
    assert texts[-3:-1] == ["江城市发展和改革委员会", "2026年11月12日"]
    assert texts[-1].startswith("抄送：")
    assert texts.index("一是抓开工。") > texts.index(TITLES["next_steps"])
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_the_documents_progress_total_is_the_marts(bulletin, warehouse):
    (total,) = rows(
        warehouse,
        "select under_construction_count, ytd_completed_wan, completion_rate "
        "from marts.rpt_bulletin_progress_monthly where period_month = ? and is_total",
        OCTOBER,
    )
    tables = doc_tables(docx.Document(str(bulletin.docx)))
    table = tables["在建、已开工未入统、冬季不停工项目推进情况"]
    header, last = table[0], table[-1]
    row = dict(zip(header, last, strict=True))
    assert row["地区"] == "全市合计"
    assert row["在建项目个数"] == f"{total[0]:,}"
    assert row["本年累计完成投资（万元）"] == f"{total[1]:,.0f}"
    assert row["年度计划完成率"] == f"{total[2]:.1%}"
    # The regions' rows are the marts' regions, one each.
    regions = rows(
        warehouse,
        "select count(*) from marts.rpt_bulletin_progress_monthly "
        "where period_month = ? and not is_total",
        OCTOBER,
    )[0][0]
    assert len(table) == 1 + regions + 1


def test_the_documents_arena_ranks_and_changes_are_the_marts(bulletin, warehouse):
    marts = rows(
        warehouse,
        "select rank_group, region_name, indicator_name_zh, rank, rank_change "
        "from marts.rpt_arena_monthly where period_month = ? and indicator = 'fai_growth'",
        OCTOBER,
    )
    tables = doc_tables(docx.Document(str(bulletin.docx)))
    checked = 0
    for group, region, label, rank, change in marts:
        table = tables[f"擂台名次总览（{group}）"]
        header = table[0]
        at = header.index(f"{label}名次")
        (row,) = [r for r in table[1:] if r[0] == region]
        assert row[at] == ("—" if rank is None else str(rank))
        assert row[at + 1] == rank_change_text(change)
        checked += 1
    assert checked >= 10
    assert any(c not in (None, 0) for *_, c in marts), "the demo's ranks never moved"


def test_the_pdf_is_a4_with_chinese_fonts_embedded(bulletin, tmp_path):
    fonts = subprocess.run(["pdffonts", str(bulletin.pdf)], capture_output=True, text=True)
    lines = fonts.stdout.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines)  # emb
    assert any("CJK" in line for line in lines)
    first_page = ["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png"]
    subprocess.run([*first_page, str(bulletin.pdf), str(tmp_path / "p")], check=True)
    from PIL import Image

    (png,) = tmp_path.glob("p*.png")
    width, height = Image.open(png).size
    assert abs(height / width - 297 / 210) < 0.01


def test_the_page_is_self_contained_and_links_only_to_its_region_pages(bulletin):
    page = bulletin.html.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    assert "<script" not in page and " src=" not in page
    external = set(re.findall(r"https?://[^\"' >]+", page))
    assert external <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
        "http://purl.org/dc/elements/1.1/",
        "http://creativecommons.org/ns#",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/dcmitype/StillImage",
    }  # SVG namespaces, never fetched
    links = set(re.findall(r'<a href="([^"]+)"', page))
    assert not re.search(r'(?<!xlink:)href="(?!#|地区/)', page)  # the charts' own #glyphs
    assert links and all(link.startswith("地区/") for link in links)
    assert all((bulletin.html.parent / html.unescape(link)).is_file() for link in links)
    assert page.count("<svg") >= 4  # trend, 增速 per rank group, completion vs 序时
    for title in TITLES.values():
        assert html.escape(title) in page


def test_a_region_page_lists_its_projects_with_file_sheet_and_row(bulletin, warehouse):
    code, count = rows(
        warehouse,
        "select region_code, count(*) from marts.fct_project_monthly where period_month = ? "
        "group by 1 order by 2 desc limit 1",
        OCTOBER,
    )[0]
    page = (bulletin.html.parent / "地区" / f"{code}.html").read_text(encoding="utf-8")
    assert f"本月项目清单（{count}个）" in page
    source_file, sheet, row = rows(
        warehouse,
        "select source_file, source_sheet, source_excel_row from marts.fct_project_monthly "
        "where period_month = ? and region_code = ? order by total_investment_wan desc nulls last "
        "limit 1",
        OCTOBER,
        code,
    )[0]
    assert html.escape(source_file) in page and html.escape(sheet) in page
    assert f">{row}</td>" in page
    assert f'href="../{STEM}.html"' in page


def test_the_workbook_has_a_sheet_per_section_and_every_red_warning(bulletin, warehouse):
    wb = openpyxl.load_workbook(bulletin.xlsx)
    assert wb.sheetnames == list(SHEETS.values())
    ((red,),) = rows(
        warehouse,
        "select count(*) from marts.rpt_bulletin_red_warnings_monthly where period_month = ?",
        OCTOBER,
    )
    ws = wb[SHEETS["warnings"]]
    column = [c.value for c in ws["A"]]
    at = column.index("红色预警项目清单")  # the whole list, not the largest 30
    listed = column[at + 2 :]
    assert listed.index(None) == red > 0
    assert wb[SHEETS["overview"]]._images, "a section's charts are pictures in its sheet"


def test_the_same_marts_leave_the_published_bulletin_as_it_was(warehouse, reference, tmp_path):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        first = write_bulletin(con, OCTOBER, tmp_path, reference, today=ISSUED)
        before = [(f.read_bytes(), f.stat().st_mtime_ns) for f in first.all]
        # The next day, nothing new: the same files, the same 签发日期.
        again = write_bulletin(con, OCTOBER, tmp_path, reference, today=date(2026, 11, 13))
        assert [(f.read_bytes(), f.stat().st_mtime_ns) for f in first.all] == before
        assert first.written and not again.written
        first.html.unlink()  # a bulletin someone deleted is written again
        assert write_bulletin(con, OCTOBER, tmp_path, reference, today=ISSUED).written
        assert first.html.read_bytes() == before[2][0]
    finally:
        con.close()


def test_hostile_names_are_text_in_every_rendering(warehouse, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    region_name, project_name = "=1+1蛟河市", "<script>alert(1)</script>项目"
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "update marts.rpt_bulletin_progress_monthly set region_name = ? "
            "where region_code = '220281'",
            [region_name],
        )
        (key,) = con.execute(
            "select project_key from marts.rpt_bulletin_red_warnings_monthly "
            "where period_month = ? order by total_investment_wan desc, project_key limit 1",
            [OCTOBER],
        ).fetchone()
        con.execute(
            "update marts.rpt_bulletin_red_warnings_monthly set project_name = ? "
            "where project_key = ?",
            [project_name, key],
        )
    finally:
        con.close()
    con = duckdb.connect(str(copy), read_only=True)
    try:
        files = write_bulletin(con, OCTOBER, tmp_path / "out", tmp_path, today=ISSUED)
    finally:
        con.close()
    page = files.html.read_text(encoding="utf-8")
    assert "<script>alert" not in page and html.escape(project_name) in page
    wb = openpyxl.load_workbook(files.xlsx)
    crafted = [c for ws in wb for row in ws.iter_rows() for c in row if c.value == region_name]
    assert crafted and all(c.data_type == "s" and c.quotePrefix for c in crafted)
    with zipfile.ZipFile(files.xlsx) as z:  # no formula in any sheet
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    texts = "\n".join(
        c.text for t in docx.Document(str(files.docx)).tables for r in t.rows for c in r.cells
    )
    assert project_name in texts and region_name in texts


def test_a_month_without_rankings_gets_no_bulletin(warehouse, tmp_path):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        with pytest.raises(LookupError, match="2020-01"):
            write_bulletin(con, date(2020, 1, 1), tmp_path)
    finally:
        con.close()
    assert not (tmp_path / "bulletin").exists()


def test_a_table_cell_is_escaped_once_on_the_page():
    table = Table(
        "清单",
        (Column("地区", TEXT), Column("项目名称", TEXT)),
        (("甲县", "<b>&</b>"),),
        links=("地区/220281.html",),
    )
    issuance = Issuance("发改委", "1号", ISSUED, "发改委")
    page = bulletin_page(
        Bulletin(OCTOBER, "<标题>", issuance, (Section("s", "一、总体", ("a<b",), (table,)),))
    )
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page and "<b>&" not in page
    assert "<title>&lt;标题&gt;</title>" in page and "a&lt;b" in page
    assert '<a href="地区/220281.html">甲县</a>' in page


def test_rank_changes_read_as_arrows():
    assert [rank_change_text(c) for c in (2, -1, 0, None)] == ["↑2", "↓1", "—", "—"]


def test_an_unreadable_bulletin_toml_names_the_file_and_the_key(tmp_path):
    (tmp_path / "bulletin.toml").write_text('issuer = "x"\nsigner = "y"\n', encoding="utf-8")
    with pytest.raises(IssuanceError, match=r"bulletin.toml: unknown key\(s\) signer"):
        read_issuance_config(tmp_path)
    (tmp_path / "bulletin.toml").write_text('[months."2026-13"]\n', encoding="utf-8")
    with pytest.raises(IssuanceError, match=r'months."2026-13"'):
        read_issuance_config(tmp_path)
    (tmp_path / "bulletin.toml").write_text('doc_number = "{seq}号"\n', encoding="utf-8")
    with pytest.raises(IssuanceError, match=r"only \{year\} and \{month\}"):
        read_issuance_config(tmp_path)
    assert read_issuance_config(tmp_path / "absent").issuer == "市发展和改革委员会"
