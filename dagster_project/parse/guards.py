"""Checks an uploaded submission's bytes before any parser touches them (SPEC §2).

Every file in ``raw/`` passes through :func:`inspect_file` first. It decides what the file
really is from its content (not only its extension) and refuses, with a reason a county
clerk can act on, anything the readers must not open:

* empty or oversized files, and files whose content does not match their extension
  (a PDF, a web page or a renamed ``.xls`` saved as ``.xlsx``, …);
* password-protected workbooks (an encrypted .xlsx package, an RC4/XOR-encrypted .xls)
  and workbooks with macros;
* damaged or truncated zips, zip bombs (too many entries, too much uncompressed data, an
  extreme compression ratio) and XML with a DTD (entity expansion bombs);
* worksheets with more rows or columns than :class:`Limits` allow;
* CSV text that is neither UTF-8 nor GB18030, or that contains NUL bytes.

What it returns (:class:`FileFacts`) is not a verdict on the data: for ``.xlsx`` it lists the
formula cells that carry no cached value, which calamine would read as empty; the caller
quarantines the rows holding them. For CSV it returns the decoded text.

WPS 表格's own files (``.et``, templates ``.ett``) are, like ``.xls``, OLE2 compound files
with a BIFF8 "Workbook" stream (LibreOffice's type registry files them under Excel 97
for this reason): they are read as ``.xls``, and refused, with how to save them as
``.xlsx`` in WPS, when they hold anything else.

Nothing here uses openpyxl: the zip is checked through its central directory, sheet XML is
scanned as bytes, and only the small package parts (content types, relationships,
workbook.xml) are parsed, with defusedxml and DTDs forbidden. OLE2 compound files are
read with olefile and their encryption recognised by msoffcrypto-tool, both maintained
parsers of these formats.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

import defusedxml.ElementTree as SafeET
import msoffcrypto
import olefile
from defusedxml import DefusedXmlException

__all__ = [
    "FileFacts",
    "FileRejected",
    "Limits",
    "inspect_file",
    "is_wps_spreadsheet",
    "split_gloss",
    "wps_unreadable",
]


class FileRejected(Exception):
    """A whole file is refused; str(exc) is a Chinese reason a county clerk can act on,
    followed by a short English gloss in brackets (split_gloss takes it apart), e.g.
    '文件已加密（设有打开密码），请取消密码后重新报送 [encrypted workbook]'."""


@dataclass(frozen=True)
class FileFacts:
    format: str  # "xlsx" | "xls" (also a WPS .et) | "csv"
    text: str | None  # for csv: the decoded text; else None
    encoding: str | None  # for csv: "utf-8-sig" or "gb18030"
    # xlsx only: formula cells that have no cached value, per sheet name:
    # {sheet_name: {(excel_row, excel_col), ...}} with 1-based row/col as Excel shows them.
    # Only sheets with at least one such cell appear.
    uncached_formulas: dict[str, frozenset[tuple[int, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 2**20
    max_zip_entries: int = 2000
    max_uncompressed_bytes: int = 500 * 2**20  # sum of entry sizes
    max_entry_ratio: float = 200.0  # uncompressed/compressed for one entry > 1 MB
    max_rows: int = 200_000  # per sheet: the largest of <dimension>, rows and cell references
    max_cols: int = 200
    # The grid a reader allocates for a sheet spans its largest row × its largest column,
    # whatever lies between: one cell at XFD1048576 is 17 billion cells. 4 million cells is
    # about 130 MB in calamine, and twenty times the largest real list seen.
    max_cells: int = 4_000_000


# --------------------------------------------------------------------------- reasons

_RESAVE = "请用Excel打开后另存为.xlsx（Excel工作簿）再报送"

ENCRYPTED = "文件已加密（设有打开密码），请取消密码后重新报送 [encrypted workbook]"
DAMAGED = "文件已损坏或不完整，请重新保存后报送"
MACROS = "文件含有宏（VBA代码），不接收含宏的工作簿，请另存为.xlsx（Excel工作簿）后报送"
UNSAFE_XML = "文件内部含有不安全的XML声明（DTD/实体定义），已拒收，请用Excel重新保存后报送"
ZIP_BOMB = "文件解压后体积异常（疑似压缩炸弹），已拒收，请用Excel重新保存后报送"
BAD_ENCODING = "无法识别的文本编码，请另存为UTF-8编码的CSV或Excel工作簿 [undecodable text]"
WPS_SAVE_AS = "请在WPS中“文件→另存为”，文件类型选“Excel工作簿(*.xlsx)”后报送"


def _reject(reason: str, gloss: str | None = None) -> FileRejected:
    return FileRejected(f"{reason} [{gloss}]" if gloss else reason)


def split_gloss(reason: str) -> tuple[str, str | None]:
    """A refusal reason as the clerk reads it, and its English gloss apart:
    ('文件已加密…，请取消密码后重新报送', 'encrypted workbook'). The gloss is the bracketed
    text from the first " [" (the Chinese text holds none), brackets inside it balanced;
    a note appended after it (（本期已采用…）) stays with the Chinese."""
    start = reason.find(" [")
    if start < 0:
        return reason, None
    depth = 0
    for i in range(start + 1, len(reason)):
        depth += {"[": 1, "]": -1}.get(reason[i], 0)
        if depth == 0:
            return reason[:start] + reason[i + 1 :], reason[start + 2 : i]
    # Unbalanced (an exception's text cut short): the gloss runs to the end.
    return reason[:start], reason[start + 2 :].removesuffix("]")


def _damaged(gloss: str) -> FileRejected:
    return _reject(DAMAGED, f"damaged or truncated file: {gloss}")


# --------------------------------------------------------------------------- sniffing

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Content that is neither a workbook nor text: (magic prefix, Chinese name, English gloss).
_OTHER_MAGICS = (
    (b"Rar!\x1a\x07", "RAR压缩包", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z压缩包", "7z archive"),
    (b"\x1f\x8b", "gzip压缩包", "gzip archive"),
    (b"\x89PNG\r\n\x1a\n", "图片", "PNG image"),
    (b"\xff\xd8\xff", "图片", "JPEG image"),
    (b"GIF8", "图片", "GIF image"),
    (b"{\\rtf", "RTF文档", "RTF document"),
)

# WPS 表格 (.et) and its templates (.ett) hold BIFF8 like .xls.
_WPS_EXTENSIONS = {".et": "WPS表格文件（.et）", ".ett": "WPS表格模板（.ett）"}
_EXPECTED = {".xlsx": "xlsx", ".xls": "xls", ".csv": "csv", ".et": "xls", ".ett": "xls"}
_MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlam", ".xla"}


def _extension(name: str) -> str:
    return posixpath.splitext(name.replace("\\", "/"))[1].lower()


def is_wps_spreadsheet(name: str) -> bool:
    return _extension(name) in _WPS_EXTENSIONS


def wps_unreadable(name: str, what: str, gloss: str) -> FileRejected:
    """A WPS file that is not a workbook the readers can open: say how to save it as .xlsx."""
    return _wps_reason(_extension(name), what, gloss)


def _wps_reason(ext: str, what: str, gloss: str) -> FileRejected:
    return _reject(
        f"文件为{_WPS_EXTENSIONS[ext]}，{what}，{WPS_SAVE_AS}", f"WPS spreadsheet {ext}: {gloss}"
    )


@dataclass(frozen=True)
class _Content:
    """What the bytes really are."""

    kind: str  # "xlsx" | "xls" | "csv" for readable content, anything else otherwise
    name: str | None  # Chinese description for a mismatch message, None when unknown
    gloss: str


def _sniff_bytes(data: bytes) -> _Content:
    """Classify content that is neither a zip nor an OLE2 compound file."""
    if data[:1024].find(b"%PDF-") >= 0:
        return _Content("pdf", "PDF文件", "PDF")
    for magic, name, gloss in _OTHER_MAGICS:
        if data.startswith(magic):
            return _Content("other", name, gloss)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _Content("utf16", "UTF-16编码的文本（Unicode文本）", "UTF-16 text")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"mime-version:"):
        return _Content("html", "网页存档（MHT）文件", "MHTML web archive")
    if head.startswith(b"<") and re.search(rb"<(?:html|!doctype html|table|head|meta)\b", head):
        return _Content("html", "网页（HTML）文件", "HTML")
    if head.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head or b"excel.sheet" in head:
            return _Content("xml", "Excel 2003 XML表格", "XML Spreadsheet 2003")
        return _Content("xml", "XML文件", "XML")
    if b"\x00" in data[:8192]:
        return _Content("binary", None, "unknown binary data")
    return _Content("csv", "文本文件（可能是改名的CSV文件）", "text")


# --------------------------------------------------------------------------- entry point


def inspect_file(name: str, data: bytes, limits: Limits = Limits()) -> FileFacts:
    """Check one submitted file; return what the readers need to know or raise FileRejected."""
    if not data:
        raise _reject("文件为空（0字节），请重新报送", "empty file")
    if len(data) > limits.max_file_bytes:
        raise _reject(
            f"文件过大（{len(data) / 2**20:.1f} MB，上限 {limits.max_file_bytes / 2**20:g} MB），"
            "请删除无关工作表、图片后重新保存报送",
            "file too large",
        )

    ext = _extension(name)
    if ext in _MACRO_EXTENSIONS:
        raise _reject(f"{MACROS}（扩展名为{ext}）", "macro-enabled workbook")
    if ext == ".xlsb":
        raise _reject("文件为二进制工作簿（.xlsb），" + _RESAVE, "xlsb workbook")
    if ext not in _EXPECTED:
        shown = ext or "无扩展名"
        raise _reject(
            f"不支持的文件类型（{shown}），请报送.xlsx、.xls或.csv文件", "unsupported file type"
        )
    expected = _EXPECTED[ext]

    if data.startswith(_ZIP_MAGICS):
        return _inspect_zip(ext, expected, data, limits)
    if data.startswith(_OLE2_MAGIC):
        return _inspect_ole2(ext, expected, data)
    content = _sniff_bytes(data)
    if expected == "csv" and content.kind == "utf16":
        raise _reject(
            "CSV文件为UTF-16编码（Unicode文本），请另存为UTF-8编码的CSV或Excel工作簿后报送",
            "UTF-16 text",
        )
    if content.kind != expected and not (expected == "csv" and content.kind == "binary"):
        raise _mismatch(ext, content)
    return _inspect_csv(data)  # binary content is refused there for its NUL bytes


def _mismatch(ext: str, content: _Content) -> FileRejected:
    gloss = f"extension {ext} but content is {content.gloss}"
    if ext in _WPS_EXTENSIONS:
        what = content.name or "可能是改名的其他文件"
        return _wps_reason(ext, f"但内容不是可读取的Excel 97-2003格式（实际是{what}）", gloss)
    if content.kind in ("xlsx", "xls"):
        real = "." + content.kind
        return _reject(
            f"文件扩展名为{ext}，但内容是{content.name}，"
            f"请将扩展名改为{real}，或用Excel另存为.xlsx后报送",
            gloss,
        )
    what = f"实际是{content.name}" if content.name else "可能是改名的其他文件"
    if ext == ".csv":
        return _reject(
            f"文件扩展名为.csv，但内容不是CSV文本（{what}），"
            "请另存为UTF-8编码的CSV或Excel工作簿后报送",
            gloss,
        )
    return _reject(f"文件扩展名为{ext}，但内容不是Excel工作簿（{what}），{_RESAVE}", gloss)


# --------------------------------------------------------------------------- csv


def _inspect_csv(data: bytes) -> FileFacts:
    if b"\x00" in data:
        raise _reject(
            "CSV文件含有二进制内容（空字节），不是纯文本，请另存为UTF-8编码的CSV或Excel工作簿后报送",
            "NUL bytes in CSV",
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return FileFacts(format="csv", text=text, encoding=encoding, uncached_formulas={})
    raise FileRejected(BAD_ENCODING)


# --------------------------------------------------------------------------- OLE2 (.xls, .et)

# Root streams that say what an OLE2 compound file holds.
_XLS_STREAMS = ("Workbook", "Book")  # BIFF8 (Excel 97-2003, WPS .et); BIFF5 (Excel 95)
_ENCRYPTED_PACKAGE_STREAMS = ("EncryptionInfo", "EncryptedPackage")  # MS-OFFCRYPTO
_VBA_STORAGES = {"_vba_project_cur", "vba", "_vba_project"}


def _open_ole2(data: bytes) -> olefile.OleFileIO:
    """The compound file's directory, read by olefile at the level it advises for
    untrusted input (DEFECT_INCORRECT: sectors out of range, broken chains, a directory
    past the end of the file are errors, not warnings)."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    except Exception as exc:  # OleFileError, and IndexError/struct.error on worse damage
        raise _damaged(f"OLE2 container: {exc}") from exc
    # olefile accepts a last sector cut short; when that sector is the directory's, an
    # entry is cut in half (entries are 128 bytes) and calamine panics on it.
    if ole.directory_fp.size % 128:
        ole.close()
        raise _damaged("OLE2 directory cut short")
    return ole


def _read_stream(ole: olefile.OleFileIO, name: str) -> bytes:
    """A whole stream; a chain that ends early or leaves the file means damage."""
    try:
        with ole.openstream(name) as stream:
            return stream.read()
    except Exception as exc:
        raise _damaged(f"OLE2 stream {name}: {exc}") from exc


def _biff_is_encrypted(data: bytes) -> bool:
    """Whether a BIFF8 Workbook stream opens with a FILEPASS record (RC4, RC4 CryptoAPI or
    XOR obfuscation): Excel's "password to open" for .xls, which calamine cannot read."""
    try:
        return msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted()
    except Exception as exc:  # ParseError, or no BOF record where the stream must start
        raise _damaged(f"Workbook stream: {exc!r}") from exc


def _ole2_content(ole: olefile.OleFileIO) -> _Content:
    if any(ole.exists(name) for name in _XLS_STREAMS):
        return _Content("xls", "旧版Excel 97-2003工作簿（.xls）", "xls workbook")
    if ole.exists("WordDocument"):
        return _Content("doc", "Word文档（.doc）", "Word document")
    if ole.exists("PowerPoint Document"):
        return _Content("ppt", "PowerPoint演示文稿（.ppt）", "PowerPoint document")
    return _Content("ole2", "其他Office复合文档", "OLE2 compound file")


def _inspect_ole2(ext: str, expected: str, data: bytes) -> FileFacts:
    with _open_ole2(data) as ole:
        # A password-protected .xlsx (or .xls saved with "encrypt with password" in the
        # agile/standard scheme) is an OLE2 container with these two streams, whatever
        # cipher EncryptionInfo names.
        if any(ole.exists(name) for name in _ENCRYPTED_PACKAGE_STREAMS):
            raise FileRejected(ENCRYPTED)
        content = _ole2_content(ole)
        if content.kind == "xls":
            stream = next(name for name in _XLS_STREAMS if ole.exists(name))
            _read_stream(ole, stream)
            if stream == "Workbook" and _biff_is_encrypted(data):
                raise FileRejected(ENCRYPTED)
        if content.kind != expected:
            raise _mismatch(ext, content)
        entries = ole.listdir(streams=True, storages=True)
        if any(part.lower() in _VBA_STORAGES for path in entries for part in path):
            raise _reject(MACROS, "workbook contains VBA macros")
    return FileFacts(format="xls", text=None, encoding=None, uncached_formulas={})


# --------------------------------------------------------------------------- zip (.xlsx)

_BINARY_PART_SUFFIXES = (
    ".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff",
)  # fmt: skip
_ENTRY_RATIO_MIN_BYTES = 2**20


def _zip_declared_entries(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, before zipfile reads it."""
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd < 0 or eocd + 22 > len(data):
        return None
    total = struct.unpack_from("<H", data, eocd + 10)[0]
    return None if total == 0xFFFF else total  # 0xFFFF: zip64, zipfile reads the real count


def _check_zip_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_zip_entries:
        raise _reject(ZIP_BOMB, f"zip bomb: {len(infos)} entries, limit {limits.max_zip_entries}")
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise _reject(
            ZIP_BOMB,
            f"zip bomb: {total} bytes uncompressed, limit {limits.max_uncompressed_bytes}",
        )
    for info in infos:
        if info.file_size <= _ENTRY_RATIO_MIN_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_entry_ratio:
            raise _reject(
                ZIP_BOMB,
                f"zip bomb: {info.filename} compressed {ratio:.0f}:1, "
                f"limit {limits.max_entry_ratio:g}:1",
            )


class _Package:
    """Reads entries of a size-checked zip, turning read errors into rejections."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.infos = zf.infolist()
        self.by_name = {info.filename: info for info in self.infos}
        self.by_lower = {info.filename.lower(): info for info in self.infos}
        self.read_names: set[str] = set()

    def find(self, part: str) -> zipfile.ZipInfo | None:
        part = part.lstrip("/")
        # OPC part names are case-insensitive.
        return self.by_name.get(part) or self.by_lower.get(part.lower())

    def read(self, info: zipfile.ZipInfo, check_dtd: bool = True) -> bytes:
        """Entry bytes; zipfile verifies the CRC once the whole entry is read."""
        try:
            raw = self.zf.read(info)
        except RuntimeError as exc:  # entry encrypted with a zip password
            raise FileRejected(ENCRYPTED) from exc
        except NotImplementedError as exc:  # compression method zipfile cannot read
            raise _damaged(f"{info.filename}: {exc}") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error) as exc:
            raise _damaged(f"{info.filename}: {exc}") from exc
        self.read_names.add(info.filename)
        if check_dtd and not info.filename.lower().endswith(_BINARY_PART_SUFFIXES):
            _refuse_dtd(info.filename, raw)
        return raw

    def read_part(self, part: str) -> bytes | None:
        info = self.find(part)
        return None if info is None else self.read(info)


def _as_utf8(raw: bytes) -> bytes:
    """A UTF-16 XML part re-encoded as UTF-8, so byte searches see its markup."""
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        try:
            return raw.decode(encoding).encode("utf-8")
        except UnicodeDecodeError:
            continue
    return raw


def _is_utf16(raw: bytes) -> bool:
    return raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4]


def _refuse_dtd(part: str, raw: bytes) -> bool:
    """Refuse any DTD (and so any entity definition) in a package part outright.

    Returns whether the part holds other ``<!`` markup (comments, CDATA), which the fast
    sheet scan does not handle.
    """
    text = _as_utf8(raw) if _is_utf16(raw) else raw
    other = False
    # "!" is rare in XML and memchr-fast to find; "<" is everywhere, which makes
    # searching for "<!" directly several times slower.
    pos = text.find(b"!", 1)
    while pos >= 0:
        if text[pos - 1] == 0x3C:  # "<"
            word = text[pos + 1 : pos + 8].upper()
            if word.startswith((b"DOCTYPE", b"ENTITY")):
                raise _reject(UNSAFE_XML, f"XML with a DTD in {part}")
            other = True
        pos = text.find(b"!", pos + 1)
    return other


def _parse_xml(part: str, raw: bytes) -> Element:
    try:
        return SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _reject(UNSAFE_XML, f"XML with a DTD in {part}") from exc
    except (ParseError, ValueError) as exc:
        raise _damaged(f"{part} is not well-formed XML: {exc}") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(elem: Element, local_name: str, namespaced: bool = False) -> str | None:
    """Attribute by local name; `namespaced` selects r:id-style attributes in any namespace."""
    if not namespaced:
        return elem.get(local_name)
    for key, value in elem.attrib.items():
        if key.startswith("{") and _local(key) == local_name:
            return value
    return None


def _relationships(pkg: _Package, part: str) -> list[tuple[str, str, str]]:
    """(Id, Type, resolved target part) for the relationships of `part`."""
    directory, base = posixpath.split(part)
    rels_part = posixpath.join(directory, "_rels", base + ".rels")
    raw = pkg.read_part(rels_part)
    if raw is None:
        return []
    result = []
    for rel in _parse_xml(rels_part, raw).iter():
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(directory, target))
        result.append((rel.get("Id") or "", rel.get("Type") or "", resolved))
    return result


def _content_types(pkg: _Package) -> tuple[dict[str, str], set[str]]:
    """Override content types by part name (lower-case), and every content type declared."""
    raw = pkg.read_part("[Content_Types].xml")
    if raw is None:
        return {}, set()
    overrides: dict[str, str] = {}
    declared: set[str] = set()
    for elem in _parse_xml("[Content_Types].xml", raw).iter():
        content_type = (elem.get("ContentType") or "").strip()
        if not content_type:
            continue
        declared.add(content_type.lower())
        if _local(elem.tag) == "Override":
            overrides[(elem.get("PartName") or "").lstrip("/").lower()] = content_type.lower()
    return overrides, declared


def _classify_zip(
    pkg: _Package, overrides: dict[str, str], declared: set[str]
) -> tuple[_Content, str | None]:
    """What the zip is, and the workbook part when it is a spreadsheet package."""
    mimetype = pkg.find("mimetype")
    if mimetype is not None and not overrides:
        kind = pkg.read(mimetype)[:100].strip()
        if kind.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return _Content("ods", "OpenDocument表格（.ods）", "OpenDocument spreadsheet"), None
        return _Content("odf", "OpenDocument文档", "OpenDocument file"), None
    if not overrides and not declared:
        return _Content("zip", "普通压缩包（zip）", "zip archive"), None

    workbook = "xl/workbook.xml"
    for _, rel_type, target in _relationships(pkg, ""):
        if rel_type.endswith("/officeDocument"):
            workbook = target
            break
    main_type = overrides.get(workbook.lower(), "")
    if "spreadsheetml" not in main_type and "ms-excel" not in main_type:
        if any("wordprocessingml" in t for t in declared):
            return _Content("docx", "Word文档（.docx）", "Word document"), None
        if any("presentationml" in t for t in declared):
            return _Content("pptx", "PowerPoint演示文稿（.pptx）", "PowerPoint document"), None
        if pkg.find(workbook) is None:
            return _Content("zip", "其他压缩文件", "zip archive without a workbook"), None
    if "binary" in main_type or workbook.lower().endswith(".bin"):
        return _Content("xlsb", "二进制Excel工作簿（.xlsb）", "xlsb workbook"), None
    if pkg.find(workbook) is None:
        raise _damaged(f"workbook part {workbook} is missing")
    return _Content("xlsx", "Excel工作簿（.xlsx）", "xlsx workbook"), workbook


def _refuse_macros(pkg: _Package, declared: set[str]) -> None:
    for info in pkg.infos:
        lower = info.filename.lower()
        if lower.endswith("vbaproject.bin") or lower.startswith("xl/macrosheets/"):
            raise _reject(MACROS, f"workbook contains {info.filename}")
    for content_type in declared:
        if "macroenabled" in content_type or "vbaproject" in content_type:
            raise _reject(MACROS, f"macro content type {content_type}")
        if "macrosheet" in content_type:
            raise _reject(MACROS, f"macro content type {content_type}")


def _inspect_zip(ext: str, expected: str, data: bytes, limits: Limits) -> FileFacts:
    declared_entries = _zip_declared_entries(data)
    if declared_entries is not None and declared_entries > limits.max_zip_entries:
        raise _reject(
            ZIP_BOMB, f"zip bomb: {declared_entries} entries, limit {limits.max_zip_entries}"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        ValueError,
        struct.error,
    ) as exc:
        raise _damaged(f"not a readable zip: {exc}") from exc
    with zf:
        infos = zf.infolist()
        _check_zip_sizes(infos, limits)
        if len({info.filename for info in infos}) != len(infos):
            raise _damaged("duplicate entry names")
        if any(info.flag_bits & 0x1 for info in infos):
            raise FileRejected(ENCRYPTED)

        pkg = _Package(zf)
        overrides, declared = _content_types(pkg)
        content, workbook_part = _classify_zip(pkg, overrides, declared)
        if content.kind != expected:
            raise _mismatch(ext, content)
        assert workbook_part is not None
        _refuse_macros(pkg, declared)

        sheets = _worksheet_parts(pkg, workbook_part)
        uncached: dict[str, frozenset[tuple[int, int]]] = {}
        for sheet_name, part in sheets:
            info = pkg.find(part)
            if info is None:
                raise _damaged(f"sheet {sheet_name!r}: part {part} is missing")
            raw = pkg.read(info, check_dtd=False)
            scan = _scan_sheet(part, raw)
            _refuse_malformed(sheet_name, part, raw)
            if scan.rows > limits.max_rows:
                raise _reject(
                    f"工作表“{sheet_name}”行数过多（{scan.rows}行，上限{limits.max_rows}行），"
                    "请删除空行和无关数据后重新报送",
                    "too many rows in sheet",
                )
            if scan.cols > limits.max_cols:
                raise _reject(
                    f"工作表“{sheet_name}”列数过多（{scan.cols}列，上限{limits.max_cols}列），"
                    "请删除空列和无关数据后重新报送",
                    "too many columns in sheet",
                )
            if scan.rows * scan.cols > limits.max_cells:
                raise _reject(
                    f"工作表“{sheet_name}”的单元格范围过大（{scan.rows}行×{scan.cols}列），"
                    "可能含有远离数据区的单元格，请删除空行空列和无关数据后重新保存报送",
                    "sheet grid too large",
                )
            if scan.uncached:
                uncached[sheet_name] = frozenset(scan.uncached)

        # Every other entry is still read once: zipfile checks its CRC, and XML parts are
        # checked for DTDs, so the reader never meets a damaged or hostile part. The shared
        # strings hold the cells' text: they must be well-formed too.
        for info in pkg.infos:
            if info.filename not in pkg.read_names:
                raw = pkg.read(info)
                if info.filename.lower().endswith("sharedstrings.xml"):
                    _refuse_malformed(None, info.filename, raw)
    return FileFacts(format="xlsx", text=None, encoding=None, uncached_formulas=uncached)


def _worksheet_parts(pkg: _Package, workbook_part: str) -> list[tuple[str, str]]:
    """(sheet name, part name) of every worksheet, in workbook order; chart sheets skipped."""
    raw = pkg.read_part(workbook_part)
    assert raw is not None
    root = _parse_xml(workbook_part, raw)
    targets = {
        rel_id: (rel_type, target)
        for rel_id, rel_type, target in _relationships(pkg, workbook_part)
    }
    sheets = []
    for elem in root.iter():
        if _local(elem.tag) != "sheet":
            continue
        name = elem.get("name") or ""
        rel_id = _attr(elem, "id", namespaced=True)
        if rel_id not in targets:
            raise _damaged(f"sheet {name!r} has no relationship {rel_id!r}")
        rel_type, target = targets[rel_id]
        if rel_type.endswith("/worksheet"):
            sheets.append((name, target))
    return sheets


# --------------------------------------------------------------------------- sheet XML


@dataclass
class _SheetScan:
    rows: int = 0
    cols: int = 0
    uncached: set[tuple[int, int]] = field(default_factory=set)


_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d+)")
# A cell's position as Excel writes it: <c r="AB12" …>.
_CELL_REFS = re.compile(rb' r="([A-Z]{1,3})(\d{1,9})"')
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.\-]*):)?worksheet[\s>/]")
_TAG_DELIMS = b" \t\r\n>/"


def _col_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _cell_ref(ref: bytes | str | None) -> tuple[int, int] | None:
    """'AB12' -> (12, 28)."""
    if ref is None:
        return None
    if isinstance(ref, str):
        ref = ref.encode("ascii", "replace")
    m = _REF.fullmatch(ref.strip())
    return (int(m.group(2)), _col_number(m.group(1))) if m else None


def _attr_value(tag: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"\s" + name + rb"\s*=\s*(\"([^\"]*)\"|'([^']*)')", tag)
    if not m:
        return None
    return m.group(2) if m.group(2) is not None else m.group(3)


def _tag_follows(raw: bytes, pos: int, needle: bytes) -> bool:
    nxt = raw[pos + len(needle) : pos + len(needle) + 1]
    return bool(nxt) and nxt in _TAG_DELIMS


def _find_tags(raw: bytes, needle: bytes, start: int = 0, end: int | None = None):
    """Start offsets of `needle` (e.g. b'<c') where a tag name ends right after it."""
    end = len(raw) if end is None else end
    pos = raw.find(needle, start, end)
    while pos >= 0:
        if _tag_follows(raw, pos, needle):
            yield pos
        pos = raw.find(needle, pos + 1, end)


def _rfind_tag(raw: bytes, needle: bytes) -> int:
    """Offset of the last tag named by `needle`, or -1."""
    pos = raw.rfind(needle)
    while pos >= 0 and not _tag_follows(raw, pos, needle):
        pos = raw.rfind(needle, 0, pos)
    return pos


def _is_cached(cell_tag: bytes, body: bytes, p: bytes) -> bool:
    """Whether a formula cell's content (from <f to </c>) carries a cached value.

    An empty <v/> is "not calculated" — except in a t="str" cell, where it is the cached
    result of a formula that returned "" (e.g. =IF(A1="","",A1)), which Excel writes so.
    """
    q = re.escape(p)
    m = re.search(rb"<" + q + rb"v(?:\s[^>]*)?(/>|>([^<]*)</" + q + rb"v>)", body)
    if m is None:
        return False
    if m.group(2) is not None and m.group(2).strip():
        return True
    return _attr_value(cell_tag, b"t") in (b"str", b"inlineStr")


def _refuse_malformed(sheet_name: str | None, part: str, raw: bytes) -> None:
    """A worksheet (or the shared strings) that is not well-formed XML is refused: the
    reader is lenient, and a cell whose closing tags are missing takes the text of the
    next cells into its own (the project name swallowing the owner). expat, in C, checks
    a sheet in about a millisecond; DTDs were refused before it sees the part."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        where = f"工作表“{sheet_name}”" if sheet_name else "文件的共享文本"
        raise _reject(
            f"{where}内部结构已损坏（{expat.errors.messages[exc.code]}，第{exc.lineno}行），"
            "单元格内容可能错位，请用Excel或WPS打开后另存为.xlsx再报送",
            f"malformed XML in {part}: {exc}",
        ) from exc


def _scan_sheet(part: str, raw: bytes) -> _SheetScan:
    """Rows, columns and uncached formula cells of one worksheet part.

    The fast path works on the bytes: <dimension> and the last <row> give the size, and only
    the <f> elements are visited. Anything unusual (UTF-16, comments or CDATA, cells or rows
    without an r attribute) falls back to a streaming parse of the whole part.
    """
    has_other_markup = _refuse_dtd(part, raw)
    if _is_utf16(raw) or has_other_markup:
        return _scan_sheet_parsed(part, raw)
    root = _ROOT.search(raw, 0, 4096)
    if root is None:
        return _scan_sheet_parsed(part, raw)
    p = root.group(1) + b":" if root.group(1) else b""
    scan = _SheetScan()

    # Size: <dimension ref="A1:Z5000"/> and the r of the last <row>.
    dim_cols = None
    sheet_data = raw.find(b"<" + p + b"sheetData")
    for pos in _find_tags(raw, b"<" + p + b"dimension", 0, sheet_data if sheet_data >= 0 else None):
        ref = _attr_value(raw[pos : raw.find(b">", pos)], b"ref")
        last = _cell_ref(ref.split(b":")[-1]) if ref else None
        if last:
            scan.rows, dim_cols = last
        break
    last_row = _rfind_tag(raw, b"<" + p + b"row")
    if last_row >= 0:
        r = _attr_value(raw[last_row : raw.find(b">", last_row)], b"r")
        if r is None or not r.strip().isdigit():
            return _scan_sheet_parsed(part, raw)
        scan.rows = max(scan.rows, int(r))
    scan.cols = dim_cols or 0
    # The grid a reader allocates reaches the farthest cell, whatever <dimension> says.
    refs = _CELL_REFS.findall(raw)
    if len(refs) != raw.count(b"<" + p + b"c ") + raw.count(b"<" + p + b"c>"):
        return _scan_sheet_parsed(part, raw)  # a cell without r="A1", or written otherwise
    if refs:
        scan.rows = max(scan.rows, max(map(int, {row for _, row in refs})))
        scan.cols = max(scan.cols, max(map(_col_number, {col for col, _ in refs})))

    # Formulas: each <f> must directly follow the start tag of its <c>.
    cell_end = b"</" + p + b"c>"
    for match in re.finditer(b"<" + re.escape(p) + rb"f[\s>/]", raw):
        pos = match.start()
        tag_start = raw.rfind(b"<", 0, pos)
        tag_end = raw.find(b">", tag_start)
        cell_tag = raw[tag_start : tag_end + 1]
        if (
            not re.match(rb"<" + re.escape(p) + rb"c[\s>]", cell_tag)
            or cell_tag.endswith(b"/>")
            or raw[tag_end + 1 : pos].strip()
        ):
            return _scan_sheet_parsed(part, raw)
        where = _cell_ref(_attr_value(cell_tag, b"r"))
        end = raw.find(cell_end, pos)
        if where is None or end < 0:
            return _scan_sheet_parsed(part, raw)
        if not _is_cached(cell_tag, raw[pos:end], p):
            scan.uncached.add(where)
    return scan


def _scan_sheet_parsed(part: str, raw: bytes) -> _SheetScan:
    """The same scan with a streaming defusedxml parse; positions follow Excel's rules for
    rows and cells that omit their r attribute."""
    scan = _SheetScan()
    row = col = 0
    cell_row = cell_col = 0
    cell_type: str | None = None
    has_formula = False
    value: str | None = None
    seen_dimension = False
    max_row = max_col = 0
    try:
        for event, elem in SafeET.iterparse(
            io.BytesIO(raw), events=("start", "end"), forbid_dtd=True
        ):
            name = _local(elem.tag)
            if event == "start":
                if name == "dimension" and not seen_dimension:
                    seen_dimension = True
                    last = _cell_ref((elem.get("ref") or "").split(":")[-1])
                    if last:
                        scan.rows, scan.cols = last
                elif name == "row":
                    r = elem.get("r")
                    row = int(r) if r and r.strip().isdigit() else row + 1
                    col = 0
                elif name == "c":
                    where = _cell_ref(elem.get("r"))
                    cell_row, cell_col = where if where else (row, col + 1)
                    row, col = cell_row, cell_col
                    max_row = max(max_row, cell_row)
                    cell_type = elem.get("t")
                    has_formula = False
                    value = None
                continue
            if name == "f":
                has_formula = True
            elif name == "v":
                value = elem.text or ""
            elif name == "c":
                max_col = max(max_col, cell_col)
                if has_formula and not (
                    (value is not None and value.strip())
                    or (value is not None and cell_type in ("str", "inlineStr"))
                ):
                    scan.uncached.add((cell_row, cell_col))
                elem.clear()
            elif name == "row":
                elem.clear()
    except DefusedXmlException as exc:
        raise _reject(UNSAFE_XML, f"XML with a DTD in {part}") from exc
    except (ParseError, ValueError) as exc:
        raise _damaged(f"{part} is not well-formed XML: {exc}") from exc
    scan.rows = max(scan.rows, row, max_row)
    scan.cols = max(scan.cols, max_col)
    return scan
