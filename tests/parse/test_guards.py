"""The file guards against real files built here: workbooks written by openpyxl, zips built
by hand, a BIFF8 .xls and OLE2 containers assembled byte by byte (no extra dependencies)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from dagster_project.parse.guards import (
    FileFacts,
    FileRejected,
    Limits,
    inspect_file,
    split_gloss,
)

SHEET = "xl/worksheets/sheet1.xml"

# --------------------------------------------------------------------------- builders


def write_xlsx(tmp_path: Path, fill: Callable[[openpyxl.Workbook], None]) -> bytes:
    """Save a real workbook with openpyxl into tmp and return its bytes."""
    wb = openpyxl.Workbook()
    fill(wb)
    path = tmp_path / "submission.xlsx"
    wb.save(path)
    return path.read_bytes()


def simple_table(wb: openpyxl.Workbook) -> None:
    ws = wb.active
    ws.title = "在建项目"
    ws.append(["项目名称", "总投资", "年度计划投资"])
    for i in range(1, 21):
        ws.append([f"测试项目{i}", 1000 * i, 100 * i])


def rewrite_zip(
    data: bytes,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """Copy a zip, replacing and adding entries."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, payload in (add or {}).items():
            dst.writestr(name, payload)
    return out.getvalue()


def read_part(data: bytes, part: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(part)


def rejection(name: str, data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(FileRejected) as info:
        inspect_file(name, data, limits or Limits())
    return str(info.value)


# A compound file (OLE2, the container of .xls and of password-protected .xlsx), version 3
# with 512-byte sectors. Every stream is padded to 4096 bytes so that it lives in regular
# sectors and no mini stream is needed.
NOSTREAM, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _dir_entry(name: str, kind: int, start: int = ENDOFCHAIN, size: int = 0, **links: int):
    encoded = name.encode("utf-16-le") + b"\0\0"
    entry = encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
    entry += struct.pack(
        "<III",
        links.get("left", NOSTREAM),
        links.get("right", NOSTREAM),
        links.get("child", NOSTREAM),
    )
    entry += bytes(16 + 4 + 16)  # class id, state bits, timestamps
    return entry + struct.pack("<IQ", start, size)


def build_ole2(
    streams: dict[str, bytes], storages: tuple[str, ...] = (), directory_first: bool = False
) -> bytes:
    """The directory goes after the streams (as LibreOffice and xlwt write it) or, with
    `directory_first`, right after the FAT, where cutting the file's end leaves it whole."""
    sector = 512
    count = len(streams) + len(storages)
    n_dir = -(-(count + 1) * 128 // sector)
    fat = [FATSECT]
    dir_start = len(fat)
    if directory_first:
        fat += [dir_start + k + 1 for k in range(n_dir - 1)] + [ENDOFCHAIN]
    body = b""
    entries = []
    for i, (name, payload) in enumerate(streams.items()):
        payload = payload.ljust(4096, b"\0")
        n = -(-len(payload) // sector)
        start = len(fat)
        fat += [start + k + 1 for k in range(n - 1)] + [ENDOFCHAIN]
        body += payload.ljust(n * sector, b"\0")
        right = i + 2 if i + 1 < count else NOSTREAM
        entries.append(_dir_entry(name, 2, start, len(payload), right=right))
    for j, name in enumerate(storages, start=len(streams)):
        right = j + 2 if j + 1 < count else NOSTREAM
        entries.append(_dir_entry(name, 1, right=right))
    entries.insert(0, _dir_entry("Root Entry", 5, child=1 if count else NOSTREAM))
    directory = b"".join(entries).ljust(n_dir * sector, b"\0")
    if not directory_first:
        dir_start = len(fat)
        fat += [dir_start + k + 1 for k in range(n_dir - 1)] + [ENDOFCHAIN]
    fat_sector = struct.pack("<128I", *fat, *[NOSTREAM] * (128 - len(fat)))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<9I", 0, 1, dir_start, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<109I", 0, *[NOSTREAM] * 108)
    if directory_first:
        return header + fat_sector + directory + body
    return header + fat_sector + body + directory


def _record(rtype: int, body: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(body)) + body


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def biff8_workbook_stream(sheet: str, cells: list[tuple[int, int, str | float]]) -> bytes:
    """A minimal BIFF8 'Workbook' stream: one worksheet of LABEL and NUMBER cells."""

    def globals_(sheet_offset: int) -> bytes:
        boundsheet = struct.pack("<IBBBB", sheet_offset, 0, 0, len(sheet), 1)
        return (
            _bof(0x0005)
            + _record(0x0042, struct.pack("<H", 1200))  # CODEPAGE: UTF-16
            + _record(0x0085, boundsheet + sheet.encode("utf-16-le"))
            + _record(0x000A, b"")
        )

    rows = max(r for r, _, _ in cells) + 1
    cols = max(c for _, c, _ in cells) + 1
    body = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, rows, 0, cols, 0))
    for r, c, value in cells:
        if isinstance(value, str):
            text = struct.pack("<HB", len(value), 1) + value.encode("utf-16-le")
            body += _record(0x0204, struct.pack("<HHH", r, c, 0) + text)
        else:
            body += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
    body += _record(0x000A, b"")
    return globals_(len(globals_(0))) + body


XLS_CELLS: list[tuple[int, int, str | float]] = [
    (0, 0, "项目名称"),
    (0, 1, "总投资"),
    (1, 0, "测试项目"),
    (1, 1, 500),
]


def write_xls(tmp_path: Path, cells=XLS_CELLS, storages: tuple[str, ...] = ()) -> bytes:
    path = tmp_path / "submission.xls"
    path.write_bytes(build_ole2({"Workbook": biff8_workbook_stream("在建项目", cells)}, storages))
    return path.read_bytes()


# --------------------------------------------------------------------------- accepted files


def test_plain_workbook_passes(tmp_path):
    data = write_xlsx(tmp_path, simple_table)
    assert inspect_file("220281_蛟河市.xlsx", data) == FileFacts(
        format="xlsx", text=None, encoding=None, uncached_formulas={}
    )


def test_extension_is_case_insensitive(tmp_path):
    data = write_xlsx(tmp_path, simple_table)
    assert inspect_file("220281_蛟河市.XLSX", data).format == "xlsx"


def test_real_xls_is_accepted(tmp_path):
    data = write_xls(tmp_path)
    # The handmade file is a genuine workbook: calamine reads it.
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("在建项目")
    assert rows.to_python() == [["项目名称", "总投资"], ["测试项目", 500.0]]
    facts = inspect_file("220281_蛟河市.xls", data)
    assert (facts.format, facts.text, facts.uncached_formulas) == ("xls", None, {})


def test_stream_names_in_cell_text_do_not_look_encrypted(tmp_path):
    # The same words stored as UTF-16 cell text are not directory entries.
    cells = [*XLS_CELLS, (2, 0, "EncryptedPackage 在 VBA _VBA_PROJECT_CUR")]
    assert inspect_file("a.xls", write_xls(tmp_path, cells)).format == "xls"


def test_gbk_csv_is_decoded():
    text = "项目名称,总投资（万元）\n蛟河市热电联产项目,12000\n"
    data = text.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    facts = inspect_file("220281_蛟河市.csv", data)
    assert (facts.format, facts.encoding, facts.text) == ("csv", "gb18030", text)
    assert facts.uncached_formulas == {}


def test_utf8_bom_csv_is_decoded():
    text = "项目名称,总投资（万元）\n蛟河市热电联产项目,12000\n"
    facts = inspect_file("220281_蛟河市.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert (facts.format, facts.encoding, facts.text) == ("csv", "utf-8-sig", text)


# --------------------------------------------------------------------------- file level


def test_empty_file_is_refused():
    assert "文件为空" in rejection("a.xlsx", b"")


def test_oversized_file_is_refused(tmp_path):
    data = write_xlsx(tmp_path, simple_table)
    reason = rejection("a.xlsx", data, Limits(max_file_bytes=len(data) - 1))
    assert "文件过大" in reason
    assert "[file too large]" in reason


@pytest.mark.parametrize("name", ["a.docx", "a.txt", "a.xlsx.zip", "a"])
def test_unsupported_extension_is_refused(tmp_path, name):
    reason = rejection(name, write_xlsx(tmp_path, simple_table))
    assert "不支持的文件类型" in reason
    assert ".xlsx、.xls或.csv" in reason


def test_pdf_renamed_to_xlsx_is_refused(tmp_path):
    pdf = tmp_path / "报表.pdf"
    pdf.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    reason = rejection("220281_蛟河市.xlsx", pdf.read_bytes())
    assert "文件扩展名为.xlsx" in reason
    assert "不是Excel工作簿" in reason
    assert "PDF" in reason


def test_html_saved_as_xls_is_refused():
    page = "<html><head><meta charset='utf-8'></head><body><table><tr><td>项目名称</td>"
    reason = rejection("导出.xls", page.encode("utf-8"))
    assert "文件扩展名为.xls" in reason
    assert "网页（HTML）" in reason


def test_xls_renamed_to_xlsx_is_refused(tmp_path):
    reason = rejection("220281_蛟河市.xlsx", write_xls(tmp_path))
    assert "文件扩展名为.xlsx" in reason
    assert ".xls" in reason
    assert "改为.xls" in reason


def test_xlsx_renamed_to_csv_is_refused(tmp_path):
    reason = rejection("220281_蛟河市.csv", write_xlsx(tmp_path, simple_table))
    assert "文件扩展名为.csv" in reason
    assert "Excel工作簿（.xlsx）" in reason


def test_word_document_renamed_to_xlsx_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr("word/document.xml", "<w:document/>")
    reason = rejection("a.xlsx", out.getvalue())
    assert "不是Excel工作簿" in reason
    assert "Word文档" in reason


# --------------------------------------------------------------------------- encryption, macros


def encrypted_ooxml() -> bytes:
    # What Excel writes for "Encrypt with password": an OLE2 container with the encryption
    # parameters and the encrypted zip as two streams. Only the container and its directory
    # matter to the guard; the stream contents here are placeholders.
    return build_ole2(
        {
            "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00<encryption/>",
            "EncryptedPackage": struct.pack("<Q", 4096) + bytes(range(256)) * 16,
        }
    )


@pytest.mark.parametrize("name", ["220281_蛟河市.xlsx", "220281_蛟河市.xls"])
def test_encrypted_workbook_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(encrypted_ooxml())
    reason = rejection(name, path.read_bytes())
    assert "文件已加密" in reason
    assert "取消密码" in reason
    assert "[encrypted workbook]" in reason


def add_macros(data: bytes) -> bytes:
    types = read_part(data, "[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    types = types.replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    return rewrite_zip(
        data,
        replace={"[Content_Types].xml": types.encode()},
        add={"xl/vbaProject.bin": build_ole2({"VBA": b"Attribute VB_Name"})},
    )


@pytest.mark.parametrize("name", ["220281_蛟河市.xlsx", "220281_蛟河市.xlsm"])
def test_macro_workbook_is_refused(tmp_path, name):
    data = add_macros(write_xlsx(tmp_path, simple_table))
    assert "macroEnabled" in read_part(data, "[Content_Types].xml").decode()
    reason = rejection(name, data)
    assert "宏" in reason
    assert "另存为.xlsx" in reason


def test_vba_project_without_content_type_is_refused(tmp_path):
    data = rewrite_zip(
        write_xlsx(tmp_path, simple_table), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}
    )
    assert "宏" in rejection("a.xlsx", data)


def test_xls_with_vba_storage_is_refused(tmp_path):
    data = write_xls(tmp_path, storages=("_VBA_PROJECT_CUR", "VBA"))
    reason = rejection("220281_蛟河市.xls", data)
    assert "宏" in reason
    assert "VBA" in reason


# --------------------------------------------------------------------------- damaged zips


def test_truncated_workbook_is_refused(tmp_path):
    data = write_xlsx(tmp_path, simple_table)
    reason = rejection("220281_蛟河市.xlsx", data[: len(data) // 2])
    assert "文件已损坏或不完整" in reason
    assert "重新保存" in reason


def test_truncated_xls_is_refused(tmp_path):
    data = write_xls(tmp_path)
    reason = rejection("220281_蛟河市.xls", data[: len(data) // 2])
    assert "文件已损坏或不完整" in reason


def test_xls_cut_inside_its_workbook_stream_is_refused():
    # The directory comes first and is whole; only the stream's last sectors are gone.
    cells = [*XLS_CELLS, *((r, 0, f"测试项目{r}") for r in range(2, 400))]
    data = build_ole2({"Workbook": biff8_workbook_stream("在建项目", cells)}, directory_first=True)
    assert inspect_file("a.xls", data).format == "xls"
    reason = rejection("220281_蛟河市.xls", data[: len(data) - 1024])
    assert "文件已损坏或不完整" in reason
    assert "stream Workbook" in reason


def test_workbook_stream_that_is_not_biff_is_refused():
    data = build_ole2({"Workbook": "项目名称,总投资\n甲项目,500\n".encode()})  # no BOF record
    reason = rejection("220281_蛟河市.xls", data)
    assert "文件已损坏或不完整" in reason
    assert "Workbook stream" in reason


def test_entry_with_bad_crc_is_refused(tmp_path):
    stored = rewrite_zip(write_xlsx(tmp_path, simple_table), compression=zipfile.ZIP_STORED)
    at = stored.index("测试项目7".encode())
    damaged = stored[:at] + "测试项目8".encode() + stored[at + len("测试项目8".encode()) :]
    reason = rejection("a.xlsx", damaged)
    assert "文件已损坏或不完整" in reason
    assert "CRC" in reason


def test_workbook_part_missing_is_refused(tmp_path):
    data = write_xlsx(tmp_path, simple_table)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != SHEET:
                dst.writestr(info.filename, src.read(info))
    assert "文件已损坏或不完整" in rejection("a.xlsx", out.getvalue())


# --------------------------------------------------------------------------- zip and XML bombs


def test_zip_bomb_is_refused_before_parsing(tmp_path, monkeypatch):
    bomb = rewrite_zip(
        write_xlsx(tmp_path, simple_table), add={"xl/media/image1.png": bytes(50 * 2**20)}
    )
    assert len(bomb) < 2**20  # 50 MB of zeros compress to about 50 KB
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)

    def no_entry_may_be_opened(*args, **kwargs):
        raise AssertionError("an entry was opened before the sizes were checked")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_entry_may_be_opened)
    reason = rejection("bomb.xlsx", path.read_bytes())
    assert "压缩炸弹" in reason
    assert "xl/media/image1.png" in reason


def test_zip_with_too_many_entries_is_refused(tmp_path, monkeypatch):
    out = io.BytesIO()
    source = io.BytesIO(write_xlsx(tmp_path, simple_table))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        for i in range(2001):
            dst.writestr(f"customXml/item{i}.xml", "<a/>")
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("entry opened"))
    reason = rejection("a.xlsx", out.getvalue())
    assert "压缩炸弹" in reason
    assert "entries" in reason


def test_total_uncompressed_size_is_refused(tmp_path):
    data = write_xlsx(tmp_path, simple_table)
    reason = rejection("a.xlsx", data, Limits(max_uncompressed_bytes=10_000))
    assert "压缩炸弹" in reason
    assert "uncompressed" in reason


def _laughs(level: int) -> str:
    previous = f"&lol{level - 1};" if level > 1 else "&lol;"
    return f' <!ENTITY lol{level} "{previous * 10}">\n'


BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!DOCTYPE lolz [\n"
    ' <!ENTITY lol "lol">\n' + "".join(_laughs(i) for i in range(1, 10)) + "]>\n"
)


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml", "xl/styles.xml"])
def test_xml_entity_bomb_is_refused(tmp_path, part):
    data = write_xlsx(tmp_path, simple_table)
    xml = read_part(data, part).decode()
    if part == SHEET:  # the payload: a cell whose text expands to 10^9 "lol"s
        xml = xml.replace("测试项目1<", "&lol9;<", 1)
        assert "&lol9;" in xml
    bomb = rewrite_zip(data, replace={part: (BILLION_LAUGHS + xml).encode()})
    reason = rejection("a.xlsx", bomb)
    assert "不安全的XML" in reason
    assert "DTD" in reason
    assert part in reason


# --------------------------------------------------------------------------- sheet size caps


def thirty_by_twelve(wb: openpyxl.Workbook) -> None:
    wb.active.title = "封面"
    ws = wb.create_sheet("在建项目")
    for r in range(1, 31):
        ws.append([f"r{r}c{c}" for c in range(1, 13)])


def drop_dimension(data: bytes, part: str = "xl/worksheets/sheet2.xml") -> bytes:
    xml = re.sub(rb"<dimension [^>]*/>", b"", read_part(data, part))
    return rewrite_zip(data, replace={part: xml})


@pytest.mark.parametrize("dimension", [True, False], ids=["dimension", "counted"])
def test_too_many_rows_is_refused_naming_the_sheet(tmp_path, dimension):
    data = write_xlsx(tmp_path, thirty_by_twelve)
    data = data if dimension else drop_dimension(data)
    assert inspect_file("a.xlsx", data, Limits(max_rows=30)).format == "xlsx"
    reason = rejection("a.xlsx", data, Limits(max_rows=29))
    assert "工作表“在建项目”行数过多" in reason
    assert "30行" in reason


@pytest.mark.parametrize("dimension", [True, False], ids=["dimension", "counted"])
def test_too_many_columns_is_refused_naming_the_sheet(tmp_path, dimension):
    data = write_xlsx(tmp_path, thirty_by_twelve)
    data = data if dimension else drop_dimension(data)
    assert inspect_file("a.xlsx", data, Limits(max_cols=12)).format == "xlsx"
    reason = rejection("a.xlsx", data, Limits(max_cols=11))
    assert "工作表“在建项目”列数过多" in reason
    assert "12列" in reason


# --------------------------------------------------------------------------- formulas


def with_formulas(wb: openpyxl.Workbook) -> None:
    ws = wb.active
    ws.title = "在建项目"
    ws.append(["项目名称", "总投资", "年度计划", "合计"])
    ws.append(["甲项目", 100, 20, "=B2+C2"])
    ws.append(["乙项目", 200, 30, "=B3+C3"])
    ws["B5"] = "=SUM(B2:B3)"
    other = wb.create_sheet("专项债券项目")
    other["AB12"] = "=1+2"
    other["A1"] = "无公式"
    wb.create_sheet("问题台账")["A1"] = "无公式"


def test_formula_without_cached_value_is_reported_by_cell(tmp_path):
    facts = inspect_file("220281_蛟河市.xlsx", write_xlsx(tmp_path, with_formulas))
    assert facts.format == "xlsx"
    assert facts.uncached_formulas == {
        "在建项目": frozenset({(2, 4), (3, 4), (5, 2)}),
        "专项债券项目": frozenset({(12, 28)}),
    }


def test_formula_with_cached_value_is_not_reported(tmp_path):
    data = write_xlsx(tmp_path, with_formulas)
    xml = read_part(data, SHEET)
    # What Excel writes after calculating: the result next to the formula. D3 returns a
    # number; B5 returns "" as a string (an empty cached string is a value, not a gap).
    xml = xml.replace(b"<f>B2+C2</f><v />", b"<f>B2+C2</f><v>120</v>")
    xml = xml.replace(b'<c r="B5">', b'<c r="B5" t="str">')
    data = rewrite_zip(data, replace={SHEET: xml})
    assert inspect_file("a.xlsx", data).uncached_formulas["在建项目"] == frozenset({(3, 4)})


def dense_with_formulas(wb: openpyxl.Workbook) -> None:
    ws = wb.active
    ws.title = "在建项目"
    ws.append(["项目名称", "总投资", "年度计划", "合计"])
    ws.append(["甲项目", 100, 20, "=B2+C2"])
    ws.append(["乙项目", 200, 30, "=B3+C3"])
    ws.append(["合计", "=SUM(B2:B3)", "=SUM(C2:C3)", 0])


def test_formula_cells_are_located_without_references_or_with_prefixes(tmp_path):
    # Some writers omit r="" on rows and cells (positions then follow from the order), or
    # prefix every element (x:c, x:f); both must give the same cells.
    data = write_xlsx(tmp_path, dense_with_formulas)
    xml = read_part(data, SHEET).decode()
    bare = re.sub(r' r="[A-Z]*\d+"', "", xml)
    assert ' r="' not in bare.split("<sheetData>")[1]
    prefixed = re.sub(r"<(/?)(?!\?)(\w+)", r"<\1x:\2", xml).replace("xmlns=", "xmlns:x=")
    assert "<x:c " in prefixed
    expected = frozenset({(2, 4), (3, 4), (4, 2), (4, 3)})
    assert inspect_file("a.xlsx", data).uncached_formulas["在建项目"] == expected
    for variant in (bare, prefixed):
        facts = inspect_file("a.xlsx", rewrite_zip(data, replace={SHEET: variant.encode()}))
        assert facts.uncached_formulas["在建项目"] == expected


# --------------------------------------------------------------------------- csv refusals


def test_undecodable_csv_is_refused():
    data = "项目名称,总投资\n".encode() + b"\x80\xff\xfe\xfd,1\n" * 3
    for encoding in ("utf-8-sig", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    reason = rejection("220281_蛟河市.csv", data)
    assert "无法识别的文本编码" in reason
    assert "UTF-8" in reason


def test_csv_with_nul_bytes_is_refused():
    reason = rejection("a.csv", b"name,value\nabc,1\n" + b"\x00" * 4 + b"\n")
    assert "二进制" in reason


def test_utf16_csv_is_refused():
    reason = rejection("a.csv", "项目名称\t总投资\n".encode("utf-16"))
    assert "UTF-16" in reason
    assert "UTF-8" in reason


def test_a_reason_splits_into_the_clerks_chinese_and_the_english_gloss():
    reason = rejection("220281_蛟河市.xlsx", b"%PDF-1.4 a scanned copy")
    chinese, gloss = split_gloss(reason)
    assert reason == f"{chinese} [{gloss}]"
    assert chinese.startswith("文件扩展名为.xlsx，但内容不是Excel工作簿（实际是PDF文件）")
    assert "[" not in chinese and not re.search(r"[\u4e00-\u9fff]", gloss)
    # A note appended after the gloss stays with the Chinese; brackets inside the gloss
    # (an exception's text) stay in the gloss, even cut short.
    assert split_gloss("文件已加密 [encrypted workbook]（本期已采用其他文件）") == (
        "文件已加密（本期已采用其他文件）",
        "encrypted workbook",
    )
    assert split_gloss("无法读取 [KeyError: a [b] c]") == ("无法读取", "KeyError: a [b] c")
    assert split_gloss("无法读取 [KeyError: a [b") == ("无法读取", "KeyError: a [b")
    assert split_gloss("请填写项目名称") == ("请填写项目名称", None)
