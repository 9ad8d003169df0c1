"""Workbooks saved by real office software, not only by openpyxl (SPEC §2).

The demo city's writers build the official template filled with projects and three
old-style layouts (merged two-row header, 亿元 in the title, 合计/小计/section rows,
merged 责任单位, a hidden row) with openpyxl. LibreOffice (the Debian package
libreoffice-calc-nogui, which `make test-tools` installs) opens each and saves it as .xlsx
and as .xls (BIFF8); every copy must pass the guards and load exactly the rows of its
original. WPS 表格's .et is BIFF8 in an OLE2 container: LibreOffice files the extension
under Excel 97 and `soffice --convert-to et` writes the very bytes of `--convert-to xls`
(checked with LibreOffice 7.4), so the .xls copy saved under an .et name is such a file.

Encrypted files are real too: LibreOffice saves an .xls with a password to open (RC4, a
FILEPASS record, through a Basic macro in the test's own LibreOffice profile: its command
line has no password option), and msoffcrypto-tool encrypts an .xlsx the way Excel does
(agile encryption, an OLE2 container). Each is shown to decrypt with its password.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import signal
import subprocess
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import msoffcrypto
import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from python_calamine import CalamineWorkbook

from dagster_project.demo import city, issues, projects
from dagster_project.demo.official_layout import write_official
from dagster_project.demo.old_layout import write_old
from dagster_project.demo.periods import month_index, month_start
from dagster_project.demo.styles import OFFICIAL, OLD_LOOSE, OLD_MERGED, OLD_YI
from dagster_project.parse.guards import DAMAGED, ENCRYPTED, FileRejected, inspect_file
from dagster_project.parse.submission import COUNTY_MONTHLY, ParsedFile, parse_file
from tests.parse.test_guards import biff8_workbook_stream, build_ole2

SOFFICE_PACKAGE = "libreoffice-calc-nogui"
SOFFICE_TIMEOUT = 120  # seconds for one soffice run (about 3 s here, the profile included)
PASSWORD = "xmk-2026"
SEED = 7
MONTH = month_index(date(2026, 9, 1))

# region code -> how that submitter lays out its workbook
LAYOUTS = {"220202": OFFICIAL, "220204": OLD_MERGED, "220281": OLD_YI, "220282": OLD_LOOSE}
OLD_YI_FILE = "220281_蛟河市"

# storeToURL with a password: what "Save with password" does in the Calc window.
SAVE_WITH_PASSWORD = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">
Sub SaveWithPassword(src As String, dst As String, filter As String, pwd As String)
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = &quot;Hidden&quot;
  load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(src), &quot;_blank&quot;, 0, load())
  Dim store(1) As New com.sun.star.beans.PropertyValue
  store(0).Name = &quot;FilterName&quot;
  store(0).Value = filter
  store(1).Name = &quot;Password&quot;
  store(1).Value = pwd
  doc.storeToURL(ConvertToURL(dst), store())
  doc.close(True)
End Sub
</script:module>
"""


# --------------------------------------------------------------------------- building


def _rows_by_list(region: dict) -> dict[str, list[dict]]:
    """One month of the demo's simulated projects and issues for a region."""
    code = region["region_code"]
    sim = projects.simulate(region, MONTH, MONTH, SEED, intensity=0.2)
    rows = {
        key: [row for _, row in pairs] for key, pairs in projects.rows_for_month(sim, MONTH).items()
    }
    ledger = issues.simulate_issues(sim, MONTH, MONTH, SEED, code, intensity=0.2)
    rows["issue_ledger"] = [row for _, row in issues.rows_for_month(ledger, MONTH)]
    return rows


def _write_originals(directory: Path) -> dict[str, Path]:
    regions = {r["region_code"]: r for r in city.regions()}
    cities = city.prefecture_names()
    paths = {}
    for code, style in LAYOUTS.items():
        region = regions[code]
        rows = _rows_by_list(region)

        def seeds(key: str, code: str = code) -> int:
            return random.Random(f"{code}:{key}").getrandbits(48)

        if style.layout == "old":
            city_name = cities[region["parent_code"]]
            wb, _ = write_old(rows, region, city_name, month_start(MONTH), style, seeds)
        else:
            wb, _ = write_official(rows, region["region_name"], month_start(MONTH), style, seeds)
        stem = f"{code}_{region['region_name']}"
        wb.save(directory / f"{stem}.xlsx")
        paths[stem] = directory / f"{stem}.xlsx"
    return paths


def _soffice(profile: Path, *args: str) -> None:
    """One headless LibreOffice run in this session's own profile, so that runs do not
    share (or wait for) a user installation."""
    binary = shutil.which("soffice")
    if binary is None:
        pytest.fail(
            f"soffice (LibreOffice) is not installed: run `make test-tools`, or as root "
            f"`apt-get install -y --no-install-recommends {SOFFICE_PACKAGE}`"
        )
    command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    proc = subprocess.Popen(
        [*command, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # soffice.bin runs under a wrapper
        proc.communicate()
        pytest.fail(f"soffice did not finish within {SOFFICE_TIMEOUT} s: {args}")
    if proc.returncode != 0:
        pytest.fail(f"soffice exited {proc.returncode}: {output.decode(errors='replace')}")


@dataclass(frozen=True)
class OfficeFiles:
    originals: dict[str, Path]  # stem -> the openpyxl workbook
    xlsx: dict[str, Path]  # stem -> saved by LibreOffice as .xlsx
    xls: dict[str, Path]  # stem -> saved by LibreOffice as .xls
    encrypted_xls: Path  # the 亿元 layout saved as .xls with a password to open


@pytest.fixture(scope="session")
def office(tmp_path_factory) -> OfficeFiles:
    root = tmp_path_factory.mktemp("office")
    profile = root / "libreoffice-profile"
    (root / "openpyxl").mkdir()
    originals = _write_originals(root / "openpyxl")
    inputs = [str(p) for p in originals.values()]
    for fmt in ("xlsx", "xls"):
        _soffice(profile, "--convert-to", fmt, "--outdir", str(root / fmt), *inputs)
    # The first run created the profile; its Standard library holds the macro.
    (profile / "user" / "basic" / "Standard" / "Module1.xba").write_text(SAVE_WITH_PASSWORD)
    encrypted = root / "encrypted" / f"{OLD_YI_FILE}.xls"
    encrypted.parent.mkdir()
    call = f'"{originals[OLD_YI_FILE]}","{encrypted}","MS Excel 97","{PASSWORD}"'
    _soffice(profile, f"macro:///Standard.Module1.SaveWithPassword({call})")
    files = OfficeFiles(
        originals,
        {stem: root / "xlsx" / f"{stem}.xlsx" for stem in originals},
        {stem: root / "xls" / f"{stem}.xls" for stem in originals},
        encrypted,
    )
    saved = [*files.xlsx.values(), *files.xls.values(), encrypted]
    missing = [p.name for p in saved if not p.is_file()]
    assert not missing, f"LibreOffice wrote no {missing}"
    return files


# --------------------------------------------------------------------------- comparing


def _parse(path: Path, region_index) -> ParsedFile:
    return parse_file(path.name, path.read_bytes(), COUNTY_MONTHLY, region_index)


def _loaded(path: Path, region_index) -> ParsedFile:
    parsed = _parse(path, region_index)
    assert parsed.status == "loaded", parsed.reason
    return parsed


_INTEGRAL_FLOAT = re.compile(r"-?\d+\.0")


def _sheets(parsed: ParsedFile) -> list[dict]:
    """Every sheet as plain data: name, list, header rows, unit, every field of every row
    with its Excel row, quarantined cells and structural rows.

    One allowance: the cell text kept for a converted cell (source_text, e.g. 1.2 read as
    亿元) is str() of what calamine returns, which is a float for every .xlsx number and an
    int for an integral .xls number (13.0 against 13); the typed values are compared as
    they are.
    """
    sheets = [asdict(sheet) for sheet in parsed.sheets]
    for sheet in sheets:
        for row in sheet["rows"]:
            row["source_text"] = {
                field: text[:-2] if _INTEGRAL_FLOAT.fullmatch(text) else text
                for field, text in row["source_text"].items()
            }
    return sheets


def _rejection(name: str, data: bytes) -> str:
    with pytest.raises(FileRejected) as info:
        inspect_file(name, data)
    return str(info.value)


# --------------------------------------------------------------------------- the originals


def test_the_originals_hold_the_layouts_the_copies_must_keep(office, region_index):
    """What the comparisons below rest on: the openpyxl workbooks really are messy."""
    official = _loaded(office.originals["220202_昌邑区"], region_index)
    assert {s.header_rows for s in official.sheets if s.status == "loaded"} == {"3-3"}
    assert all(len(s.rows) > 0 for s in official.sheets[:5])

    merged = _loaded(office.originals["220204_船营区"], region_index).sheets[0]
    assert merged.header_rows == "4-5"  # 总投资 over 合计 | 其中：中央预算内 | 其中：专项债
    assert {s["kind"] for s in merged.structural} == {"total", "section", "subtotal"}
    filled = [r for r in merged.rows if "responsible_unit" in r["source_text"]]
    assert filled and filled[0]["source_text"]["responsible_unit"].startswith("合并单元格")

    yi = _loaded(office.originals[OLD_YI_FILE], region_index).sheets[0]
    assert yi.unit == "亿元"
    assert {s["kind"] for s in yi.structural} == {"total", "section", "subtotal"}
    row = next(r for r in yi.rows if "total_investment_wan" in r["source_text"])
    assert row["total_investment_wan"] == pytest.approx(
        float(row["source_text"]["total_investment_wan"]) * 10_000
    )

    loose = _loaded(office.originals["220282_桦甸市"], region_index).sheets[0]
    assert any(r["seq"] == "1.1" for r in loose.rows)


# --------------------------------------------------------------------------- saved by LibreOffice


@pytest.mark.parametrize("code", list(LAYOUTS))
@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_workbook_saved_by_libreoffice_loads_the_same_rows(office, region_index, code, fmt):
    (original,) = [p for stem, p in office.originals.items() if stem.startswith(code)]
    saved = getattr(office, fmt)[original.stem]
    facts = inspect_file(saved.name, saved.read_bytes())
    assert (facts.format, facts.uncached_formulas) == (fmt, {})

    expected = _loaded(original, region_index)
    copy = _loaded(saved, region_index)
    assert (copy.format, copy.region_code) == (fmt, expected.region_code)
    assert [s.sheet_name for s in copy.sheets] == [s.sheet_name for s in expected.sheets]
    for got, want in zip(_sheets(copy), _sheets(expected), strict=True):
        assert got == want, got["sheet_name"]


# --------------------------------------------------------------------------- WPS .et / .ett


@pytest.mark.parametrize("extension", [".et", ".ett"])
def test_wps_spreadsheet_is_read_like_xls(office, region_index, tmp_path, extension):
    wps = tmp_path / f"{OLD_YI_FILE}{extension}"
    shutil.copyfile(office.xls[OLD_YI_FILE], wps)
    assert inspect_file(wps.name, wps.read_bytes()).format == "xls"
    copy = _loaded(wps, region_index)
    expected = _loaded(office.originals[OLD_YI_FILE], region_index)
    assert copy.format == "xls"
    assert copy.region_code == "220281"
    assert _sheets(copy) == _sheets(expected)


def _assert_says_how_to_save_as_xlsx(reason: str) -> None:
    assert "WPS表格文件（.et）" in reason
    assert "在WPS中“文件→另存为”，文件类型选“Excel工作簿(*.xlsx)”" in reason
    assert DAMAGED not in reason


def test_wps_file_without_a_workbook_stream_is_refused_with_how_to_save_as_xlsx(tmp_path):
    # A compound file (built byte by byte, olefile reads it) whose only stream is not a
    # BIFF workbook.
    path = tmp_path / "220281_蛟河市.et"
    path.write_bytes(build_ole2({"\x05SummaryInformation": b"\xfe\xff\x00\x00"}))
    reason = _rejection(path.name, path.read_bytes())
    _assert_says_how_to_save_as_xlsx(reason)
    assert "其他Office复合文档" in reason


def test_wps_file_calamine_cannot_read_is_refused_with_how_to_save_as_xlsx(tmp_path, region_index):
    # A Workbook stream with its globals only: the sheet it lists lies past the stream's
    # end. The guards accept the container; calamine cannot read the workbook.
    stream = biff8_workbook_stream("在建项目", [(0, 0, "项目名称"), (1, 0, "甲项目")])
    globals_end = stream.index(b"\x09\x08", 4)  # the sheet's BOF record
    path = tmp_path / "220281_蛟河市.et"
    path.write_bytes(build_ole2({"Workbook": stream[:globals_end]}))
    assert inspect_file(path.name, path.read_bytes()).format == "xls"
    parsed = _parse(path, region_index)
    assert parsed.status == "rejected"
    _assert_says_how_to_save_as_xlsx(parsed.reason)
    assert "[WPS spreadsheet .et: unreadable workbook" in parsed.reason


# --------------------------------------------------------------------------- encrypted


def _decrypted(data: bytes) -> bytes:
    office_file = msoffcrypto.OfficeFile(io.BytesIO(data))
    office_file.load_key(password=PASSWORD)
    out = io.BytesIO()
    office_file.decrypt(out)
    return out.getvalue()


def _first_cells(data: bytes) -> list:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python(skip_empty_area=False)[:6]


@pytest.mark.parametrize("name", [f"{OLD_YI_FILE}.xls", f"{OLD_YI_FILE}.et"])
def test_rc4_encrypted_xls_saved_by_libreoffice_is_refused(office, region_index, name):
    data = office.encrypted_xls.read_bytes()
    # A genuine encrypted workbook: with the password it is the 亿元 workbook again.
    assert _first_cells(_decrypted(data)) == _first_cells(office.xls[OLD_YI_FILE].read_bytes())
    assert _rejection(name, data) == ENCRYPTED
    parsed = parse_file(name, data, COUNTY_MONTHLY, region_index)
    assert (parsed.status, parsed.reason, parsed.sheets) == ("rejected", ENCRYPTED, [])


@pytest.mark.parametrize("name", ["220202_昌邑区.xlsx", "220202_昌邑区.xls"])
def test_encrypted_xlsx_is_refused(office, name):
    plain = office.xlsx["220202_昌邑区"].read_bytes()
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(PASSWORD, out)
    data = out.getvalue()
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # the zip inside an OLE2 container
    assert _first_cells(_decrypted(data)) == _first_cells(plain)
    assert _rejection(name, data) == ENCRYPTED


# --------------------------------------------------------------------------- damaged, mislabelled


def test_truncated_xls_saved_by_libreoffice_is_refused_as_damaged(office, region_index):
    data = office.xls[OLD_YI_FILE].read_bytes()
    assert _rejection("a.xls", data[: len(data) // 2]).startswith(DAMAGED)
    # Cut anywhere in its last two sectors (where LibreOffice puts the directory), the
    # file is refused as damaged or, when only unused space was cut, still reads: it never
    # reaches calamine with a directory entry cut in half, on which calamine panics.
    for cut in range(len(data) - 1024, len(data), 32):
        parsed = parse_file("220281_蛟河市.xls", data[:cut], COUNTY_MONTHLY, region_index)
        if parsed.status == "rejected":
            assert parsed.reason.startswith(DAMAGED), (cut, parsed.reason)
        else:
            assert len(parsed.sheets[0].rows) > 0


def test_word_document_renamed_to_xls_is_refused():
    doc = build_ole2({"WordDocument": b"\xec\xa5\xc1\x00", "1Table": b"\x00" * 16})
    reason = _rejection("220281_蛟河市.xls", doc)
    assert "文件扩展名为.xls" in reason
    assert "Word文档（.doc）" in reason
