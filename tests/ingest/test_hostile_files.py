"""No single file stops the night: each hostile workbook here is built by the test, put in
one month beside an ordinary county workbook, and ingested the way the nightly run does
(in worker processes). The hostile file is refused with its reason, the other loads, and
every sheet conserves its rows."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.load import ingest
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
