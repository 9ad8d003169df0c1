"""No single file stops the night: each hostile workbook here is built by the test, put in
one month beside an ordinary county workbook, and ingested the way the nightly run does
(in worker processes). The hostile file is refused with its reason, the other loads, and
every sheet conserves its rows."""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.load import ingest
from dagster_project.quality.sheet_problems import sheet_problem_failures
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx

MONTH = "2026-10"
ROW = [1, "2024-220281-48-01-000001", "蛟河市项目1", "蛟河市建设公司", "新站镇", 8000, 3000, 1000,
       "2026.3", "2026.4", "蛟河市发改局", "张三", "13912345678"]  # fmt: skip


def county_workbook(path: Path, name: str = "蛟河市") -> Path:
    return write_xlsx(
        path, {"在建项目": [*title_rows("在建项目", name), TEMPLATE_UNDER_CONSTRUCTION, ROW]}
    )


def rewrite_sheet(src: Path, dst: Path, change) -> Path:
    """A copy of `src` whose first sheet's XML is `change(xml)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            zout.writestr(info, data)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(out.getvalue())
    return dst


def with_cell_at(ref: str):
    """Adds one cell at `ref` (and its row) after the last row."""
    row = re.sub(r"[A-Z]", "", ref)

    def change(xml: bytes) -> bytes:
        extra = f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'.encode()
        return xml.replace(b"</sheetData>", extra + b"</sheetData>")

    return change


def ingest_month(tmp_path: Path, hostile: Path, **env) -> tuple:
    """raw/<month>/ with an ordinary workbook of 永吉县 and the hostile one of 蛟河市."""
    raw = tmp_path / "raw"
    county_workbook(raw / MONTH / "220221_永吉县.xlsx", "永吉县")
    db = tmp_path / "warehouse.duckdb"
    report = ingest(raw, db, jobs=2)
    con = duckdb.connect(str(db), read_only=True)
    try:
        files = dict(
            con.execute(
                "select file_name, status || ': ' || coalesce(reason, '') from raw.file_manifest"
            ).fetchall()
        )
        broken = con.execute(
            """select count(*) from raw.sheet_manifest
               where rows_read <> rows_loaded + rows_quarantined + rows_structural"""
        ).fetchone()[0]
        loaded = con.execute("select count(*) from raw.under_construction").fetchone()[0]
    finally:
        con.close()
    assert broken == 0
    assert files["220221_永吉县.xlsx"] == "loaded: "  # the ordinary file loads
    assert loaded == 1
    return report, files[hostile.name]


@pytest.fixture
def base(tmp_path) -> Path:
    return county_workbook(tmp_path / "base.xlsx")


def test_a_number_cell_holding_text_refuses_its_file_and_the_rest_load(tmp_path, base):
    hostile = rewrite_sheet(
        base,
        tmp_path / "raw" / MONTH / "220281_蛟河市.xlsx",
        lambda xml: re.sub(rb"<v>8000</v>", b"<v>abc</v>", xml, count=1),
    )
    report, outcome = ingest_month(tmp_path, hostile)
    assert outcome.startswith("rejected: 工作表“在建项目”无法读取")
    assert (report.files_loaded, report.files_rejected) == (1, 1)


def test_a_zip_that_under_declares_a_sheets_size_refuses_its_file(tmp_path, base):
    hostile = tmp_path / "raw" / MONTH / "220281_蛟河市.xlsx"
    hostile.parent.mkdir(parents=True, exist_ok=True)
    data = bytearray(base.read_bytes())
    # Halve the uncompressed size the central directory declares for the sheet.
    name = b"xl/worksheets/sheet1.xml"
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    declared = int.from_bytes(data[at + 24 : at + 28], "little")
    data[at + 24 : at + 28] = (declared // 2).to_bytes(4, "little")
    hostile.write_bytes(bytes(data))
    report, outcome = ingest_month(tmp_path, hostile)
    assert outcome.startswith("rejected: ")
    assert report.files_rejected == 1


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("XFD1048576", "行数过多（1048576行"),  # the last cell Excel has: 17 billion cells
        ("GR150000", "单元格范围过大（150000行×200列）"),  # 200 columns × 150,000 rows
    ],
)
def test_a_cell_far_from_the_data_is_refused_before_the_reader_allocates(
    tmp_path, base, ref, reason
):
    hostile = rewrite_sheet(
        base, tmp_path / "raw" / MONTH / "220281_蛟河市.xlsx", with_cell_at(ref)
    )
    _report, outcome = ingest_month(tmp_path, hostile)
    assert outcome.startswith("rejected: ") and reason in outcome
    # Reading it costs what a small file costs (measured in a process of its own).
    assert peak_memory_mb_of_parsing(hostile) < 100


def peak_memory_mb_of_parsing(path: Path) -> float:
    # VmHWM, the peak resident memory of this process image (ru_maxrss would carry the
    # forking parent's).
    code = """
import sys
from pathlib import Path
from dagster_project.ingest.reference import load_regions
from dagster_project.parse.submission import COUNTY_MONTHLY, parse_file
from dagster_project.parse.submitter import RegionIndex
regions, _ = load_regions(Path("/nonexistent"))
parse_file(sys.argv[1], Path(sys.argv[1]).read_bytes(), COUNTY_MONTHLY, RegionIndex(regions))
print([line for line in open("/proc/self/status") if line.startswith("VmHWM")][0].split()[1])
"""
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1]) / 1024


def test_a_file_that_takes_more_memory_than_a_worker_may_is_refused_alone(
    tmp_path, base, monkeypatch
):
    # Within every cap (3.8 million cells), but far heavier than a workbook should be.
    hostile = rewrite_sheet(
        base, tmp_path / "raw" / MONTH / "220281_蛟河市.xlsx", with_cell_at("GR19000")
    )
    monkeypatch.setenv("XMK_PARSE_MEMORY_MB", "160")
    report, outcome = ingest_month(tmp_path, hostile)
    assert outcome.startswith("rejected: 读取该文件所需内存超过上限（160 MB）")
    assert (report.files_loaded, report.files_rejected) == (1, 1)


# --------------------------------------------------------------------------- guard gaps


def _ingest_one(tmp_path: Path):
    db = tmp_path / "warehouse.duckdb"
    report = ingest(tmp_path / "raw", db, jobs=1)
    return report, duckdb.connect(str(db), read_only=True)


def test_malformed_sheet_xml_is_refused_rather_than_merging_cells(tmp_path, base):
    def drop_closing_tags(xml: bytes) -> bytes:
        # The name cell loses its </t></is></c>: a lenient reader runs the owner into it.
        start = xml.find(b'<c r="C5"')
        return (
            xml[: xml.find(b"</t></is></c>", start)] + xml[xml.find(b"</t></is></c>", start) + 13 :]
        )

    hostile = rewrite_sheet(
        base, tmp_path / "raw" / MONTH / "220281_蛟河市.xlsx", drop_closing_tags
    )
    _report, outcome = ingest_month(tmp_path, hostile)
    assert outcome.startswith("rejected: 工作表“在建项目”内部结构已损坏（mismatched tag")


def test_a_field_in_two_columns_uses_the_first_and_warns_at_the_second(tmp_path):
    header = [*TEMPLATE_UNDER_CONSTRUCTION, "总投资（万元）"]
    write_xlsx(
        tmp_path / "raw" / MONTH / "220281_蛟河市.xlsx",
        {"在建项目": [*title_rows("在建项目", "蛟河市"), header, [*ROW, 9999]]},
    )
    _report, con = _ingest_one(tmp_path)
    try:
        assert con.execute(
            "select total_investment_wan from raw.under_construction"
        ).fetchall() == [(8000.0,)]
        (failure,) = sheet_problem_failures(con)
    finally:
        con.close()
    assert (failure.rule, failure.severity, failure.excel_row, failure.column_letter) == (
        "duplicate_column",
        "warn",
        4,
        "N",
    )
    assert "已采用F列，N列的数值未使用" in failure.hint


def test_a_cell_longer_than_excel_allows_is_reported_and_its_row_loads(tmp_path):
    # 1.4 million characters, random enough not to look like a zip bomb once compressed
    rng = random.Random(7)
    long_name = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(1_400_000))
    write_xlsx(
        tmp_path / "raw" / MONTH / "220281_蛟河市.xlsx",
        {"在建项目": [*title_rows("在建项目", "蛟河市"), TEMPLATE_UNDER_CONSTRUCTION,
                      [*ROW[:2], None, *ROW[3:]]]},
    )  # fmt: skip
    # openpyxl refuses to write more than Excel allows: put the text into the XML itself.
    path = tmp_path / "raw" / MONTH / "220281_蛟河市.xlsx"
    rewrite_sheet(
        path,
        path,
        lambda xml: xml.replace(
            b'<c r="D5"',
            f'<c r="C5" t="inlineStr"><is><t>{long_name}</t></is></c><c r="D5"'.encode(),
        ),
    )
    _report, con = _ingest_one(tmp_path)
    try:
        owner, name = con.execute(
            "select project_owner, project_name from raw.under_construction"
        ).fetchone()
        field, value, reason = con.execute(
            "select field, value, reason from raw.quarantine"
        ).fetchone()
    finally:
        con.close()
    assert (owner, name) == ("蛟河市建设公司", None)
    assert field == "project_name" and "超过Excel单元格上限（32767字符）" in reason
    assert value.endswith("…（共1400000字符）") and len(value) < 1100


def test_a_big5_csv_is_refused_for_its_encoding(tmp_path):
    text = "項目名稱,項目法人,建設地點,總投資（萬元）\n測試項目,測試公司,蛟河市,8000\n"
    path = tmp_path / "raw" / MONTH / "220281_蛟河市_在建項目.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("big5"))
    report, con = _ingest_one(tmp_path)
    con.close()
    ((_path, reason),) = report.rejected
    assert reason.startswith("CSV文件为繁体中文Big5编码")


def test_a_link_out_of_raw_is_refused_unread(tmp_path):
    outside = county_workbook(tmp_path / "elsewhere" / "220281_蛟河市.xlsx")
    link = tmp_path / "raw" / MONTH / "220281_蛟河市.xlsx"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    report, con = _ingest_one(tmp_path)
    con.close()
    assert report.files_loaded == 0
    ((_path, reason),) = report.rejected
    assert "是指向raw目录之外的链接，不予读取" in reason


def test_a_file_too_large_is_refused_before_a_byte_is_read(tmp_path):
    code = """
import sys
from pathlib import Path
from dagster_project.ingest.load import ingest
from dagster_project.quality.sheet_problems import sheet_problem_failures
report = ingest(Path(sys.argv[1]), Path(sys.argv[2]), jobs=1)
print(report.rejected[0][1])
print([line for line in open("/proc/self/status") if line.startswith("VmHWM")][0].split()[1])
"""
    raw = tmp_path / "raw"
    big = raw / MONTH / "220281_蛟河市.xlsx"
    big.parent.mkdir(parents=True)
    with big.open("wb") as f:  # 2 GB, sparse: nothing is written to disk
        f.truncate(2 * 2**30)
    done = subprocess.run(
        [sys.executable, "-c", code, str(raw), str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    reason, peak_kb = done.stdout.split("\n")[:2]
    assert reason.startswith("文件过大（2048.0 MB，上限 50 MB）")
    assert int(peak_kb) / 1024 < 300  # the 2 GB were never read


def test_a_workbook_too_large_to_mark_up_gets_its_report_without_the_copy(tmp_path, monkeypatch):
    from datetime import date

    from dagster_project.publish.county_report import marking, run
    from dagster_project.quality.failures import Failure

    raw = tmp_path / "raw"
    county_workbook(raw / MONTH / "220281_蛟河市.xlsx")
    monkeypatch.setattr(marking, "ANNOTATE_MAX_BYTES", 1_000)
    failure = Failure(date(2026, 10, 1), "220281", f"{MONTH}/220281_蛟河市.xlsx", "在建项目", 5,
                      "B", "project_code", "项目代码", None, "required_project_code", "warn",
                      "请填写项目代码")  # fmt: skip
    region = {"region_code": "220281", "region_name": "蛟河市", "contact_email": None}
    report = run.write_county_report(tmp_path / "out", region, date(2026, 10, 1), [failure], raw)
    assert report.annotated == ()
    assert report.notes and report.notes[0].startswith("原文件较大")
