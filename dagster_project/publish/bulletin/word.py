"""The 通报 as a Word document, in the layout of a 发改委's own (GB/T 9704 in spirit): the
issuer's red masthead, 文号 under it and a red rule, the title, the addressees, sections
一 to 八 with their tables and charts, 落款 and 签发日期, 抄送. A4, the standard margins;
Chinese in Noto Serif CJK (body) and Noto Sans CJK (headings), faces Debian ships, so that
the PDF LibreOffice makes from this file embeds the same faces."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from dagster_project.publish.bulletin.charts import chart_png
from dagster_project.publish.bulletin.document import (
    TEXT,
    Bulletin,
    Section,
    Table,
    format_value,
)

BODY_FONT = "Noto Serif CJK SC"
HEADING_FONT = "Noto Sans CJK SC"
RED = RGBColor(0xC0, 0x00, 0x00)
ADDRESSEES = "各县（市、区）人民政府，各开发区管委会："
_BODY_PT = 14
_TABLE_PT = 8
_WIDE_TABLE_PT = 7
_TEXT_WIDTH_MM = 210 - 28 - 26
_LANDSCAPE_TEXT_WIDTH_MM = 297 - 25 - 25
# A table wider than this many columns gets landscape pages of its own (as a 附表 would).
_PORTRAIT_COLUMNS = 9


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def bulletin_docx(bulletin: Bulletin, chart_image: Callable = chart_png) -> bytes:
    doc = Document()
    _page_setup(doc)
    _masthead(doc, bulletin)
    _paragraph(
        doc,
        bulletin.title,
        font=HEADING_FONT,
        size=20,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=12,
    )
    _paragraph(doc, ADDRESSEES, indent=False)
    for section in bulletin.sections:
        _section(doc, section, chart_image)
    _signature(doc, bulletin)
    _copy_to(doc, bulletin)
    doc.core_properties.title = bulletin.title
    doc.core_properties.author = bulletin.issuance.issuer
    # Fixed properties: the same bulletin gives the same document text and metadata.
    fixed = _midnight(bulletin.issuance.issue_date)
    doc.core_properties.created = fixed
    doc.core_properties.modified = fixed
    doc.core_properties.last_modified_by = bulletin.issuance.issuer
    doc.core_properties.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def write_bulletin_docx(path: Path, bulletin: Bulletin) -> bytes:
    data = bulletin_docx(bulletin)
    path.write_bytes(data)
    return data


def _midnight(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day)


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = doc.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(_BODY_PT)
    rpr = style.element.get_or_add_rPr()
    _east_asian(rpr, BODY_FONT)
    # Simplified Chinese: LibreOffice then takes the SC faces of the Noto CJK collections.
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "zh-CN")
    language.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(language)
    style.paragraph_format.line_spacing = 1.25
    style.paragraph_format.space_after = Pt(0)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)


def _orientation(doc, landscape: bool) -> None:
    """Go on in landscape or in portrait: a new page section when the page turns."""
    if (doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE) == landscape:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(25), Mm(22)
        section.left_margin, section.right_margin = Mm(25), Mm(25)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)


def _east_asian(rpr, font: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def _run(
    paragraph,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = _BODY_PT,
    bold: bool = False,
    colour: RGBColor | None = None,
):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    _east_asian(run._element.get_or_add_rPr(), font)
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _paragraph(
    doc,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = _BODY_PT,
    bold: bool = False,
    align=None,
    indent: bool = True,
    colour: RGBColor | None = None,
    space_after: float = 0,
):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent and align is None:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.space_after = Pt(space_after)
    _run(paragraph, text, font=font, size=size, bold=bold, colour=colour)
    return paragraph


def _masthead(doc, bulletin: Bulletin) -> None:
    _paragraph(
        doc,
        bulletin.issuance.issuer,
        font=HEADING_FONT,
        size=30,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        colour=RED,
        space_after=12,
    )
    number = _paragraph(
        doc, bulletin.issuance.doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=18
    )
    _border(number, "bottom", RED, size=18)


def _border(paragraph, side: str, colour: RGBColor, size: int = 8) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # The schema's order: the borders come before shading, spacing, indent, alignment.
        ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "6")
    edge.set(qn("w:color"), str(colour))
    if side == "top":
        borders.insert(0, edge)
    else:
        borders.append(edge)


def _page_number(paragraph) -> None:
    _run(paragraph, "— ", size=10)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    _run(paragraph, " —", size=10)


def _section(doc, section: Section, chart_image: Callable) -> None:
    _orientation(doc, landscape=False)
    heading = _paragraph(
        doc,
        section.title,
        font=HEADING_FONT,
        size=_BODY_PT + 1,
        bold=True,
        indent=False,
        space_after=4,
    )
    heading.paragraph_format.space_before = Pt(10)
    heading.paragraph_format.keep_with_next = True
    for text in section.paragraphs:
        _paragraph(doc, text)
    for chart in section.charts:
        picture = doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(chart_image(chart)), width=Mm(150))
    for table in section.tables:
        if table.in_document:
            _table(doc, table)
    left_out = [t.caption for t in section.tables if not t.in_document]
    if left_out:
        _orientation(doc, landscape=False)
        shown = "、".join(left_out[:2]) + ("等" if len(left_out) > 2 else "")
        _paragraph(doc, f"{shown}{len(left_out)}张明细表见本通报网页版和Excel版。", size=11)


def _table(doc, table: Table) -> None:
    wide = len(table.columns) > _PORTRAIT_COLUMNS
    _orientation(doc, landscape=wide)
    caption = _paragraph(
        doc,
        table.caption,
        font=HEADING_FONT,
        size=10,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=2,
    )
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.keep_with_next = True
    if not table.rows:
        _paragraph(doc, "（无）", size=10, align=WD_ALIGN_PARAGRAPH.CENTER)
        return
    size = _WIDE_TABLE_PT if len(table.columns) > 12 else _TABLE_PT
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    total_width = sum(c.width for c in table.columns)
    text_width = _LANDSCAPE_TEXT_WIDTH_MM if wide else _TEXT_WIDTH_MM
    widths = [Mm(text_width * c.width / total_width) for c in table.columns]
    # The grid's own column widths too: LibreOffice (the PDF) lays a table out by them, not
    # by its cells' widths.
    for grid_column, width in zip(grid.columns, widths, strict=True):
        grid_column.width = width
    header = grid.rows[0]
    _repeat_header(header)
    for cell, column, width in zip(header.cells, table.columns, widths, strict=True):
        cell.width = width
        _cell_text(cell, column.header, size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "DDEBF7")
    last = len(table.rows) - 1
    for i, row in enumerate(table.rows):
        is_total = table.has_total and i == last
        cells = grid.add_row().cells
        for cell, column, value, width in zip(cells, table.columns, row, widths, strict=True):
            cell.width = width
            align = WD_ALIGN_PARAGRAPH.LEFT if column.kind == TEXT else WD_ALIGN_PARAGRAPH.RIGHT
            _cell_text(cell, format_value(value, column.kind), size, bold=is_total, align=align)
            if is_total:
                _shade(cell, "F2F2F2")


def _cell_text(cell, text: str, size: float, *, bold: bool, align) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.line_spacing = 1.0
    _run(paragraph, text, size=size, bold=bold)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def _signature(doc, bulletin: Bulletin) -> None:
    _orientation(doc, landscape=False)
    doc.add_paragraph()
    for text in (bulletin.issuance.signature, chinese_date(bulletin.issuance.issue_date)):
        paragraph = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = Pt(_BODY_PT * 4)


def _copy_to(doc, bulletin: Bulletin) -> None:
    if not bulletin.issuance.copy_to:
        return
    doc.add_paragraph()
    paragraph = _paragraph(doc, f"抄送：{bulletin.issuance.copy_to}", size=12, indent=False)
    _border(paragraph, "top", RGBColor(0, 0, 0))
    _border(paragraph, "bottom", RGBColor(0, 0, 0))
