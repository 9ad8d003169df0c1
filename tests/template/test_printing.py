"""The official workbook prints: A4 landscape, one page wide, the header on every page,
and it still does once a clerk has filled 200 rows."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from dagster_project.contract import LISTS
from dagster_project.template.workbook import (
    FIRST_DATA_ROW,
    INSTRUCTIONS_SHEET,
    SUBMITTER_CELL,
    column_width,
    write_template,
)

PRINTED = [lst.title for lst in LISTS] + [INSTRUCTIONS_SHEET]


@pytest.fixture(scope="module")
def template_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tpl")
    return write_template(folder / "template.xlsx", raw_dir=folder)


@pytest.fixture(scope="module")
def template(template_path):
    return openpyxl.load_workbook(template_path)


@pytest.fixture(scope="module")
def filled(template_path, tmp_path_factory):
    """The template as a clerk saves it with 200 projects on every list."""
    wb = openpyxl.load_workbook(template_path)
    for lst in LISTS:
        ws = wb[lst.title]
        ws[SUBMITTER_CELL] = "蛟河市"
        for i in range(200):
            for col in range(1, len(lst.columns) + 1):
                ws.cell(FIRST_DATA_ROW + i, col, f"第{i + 1}行")
    path = tmp_path_factory.mktemp("filled") / "220281_蛟河市.xlsx"
    wb.save(path)
    return openpyxl.load_workbook(path)


@pytest.mark.parametrize("sheet", PRINTED)
def test_a4_landscape_one_page_wide_as_many_tall_as_needed(template, sheet):
    ws = template[sheet]
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0


@pytest.mark.parametrize("sheet", PRINTED)
def test_margins_gridlines_and_centred_on_the_page(template, sheet):
    ws = template[sheet]
    m = ws.page_margins
    assert (m.left, m.right, m.top, m.bottom, m.header, m.footer) == (
        0.3,
        0.3,
        0.45,
        0.6,
        0.2,
        0.25,
    )
    assert ws.print_options.gridLines is True
    assert ws.print_options.horizontalCentered is True


@pytest.mark.parametrize("sheet", PRINTED)
def test_footer_names_the_sheet_and_counts_the_pages(template, sheet):
    footer = template[sheet].oddFooter
    assert footer.left.text == "&A"  # the sheet name
    assert footer.center.text == "第 &P 页，共 &N 页"
    assert footer.right.text == "填报单位（盖章）："
    assert footer.left.size == footer.center.size == 9


@pytest.mark.parametrize("lst", LISTS, ids=[lst.key for lst in LISTS])
def test_the_print_area_is_whole_columns_and_the_title_rows_repeat(template, lst):
    ws = template[lst.title]
    last = get_column_letter(len(lst.columns))
    assert ws.print_area == f"'{lst.title}'!$A$1:${last}$1048576"
    assert ws.print_title_rows == "$1:$3"  # title, 填报单位 / 报送月份, header


def test_the_instructions_repeat_their_table_header(template):
    ws = template[INSTRUCTIONS_SHEET]
    header_row = next(r for r in range(1, 30) if ws.cell(r, 1).value == "清单")
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.print_area == f"'{INSTRUCTIONS_SHEET}'!$A$1:$G$1048576"


@pytest.mark.parametrize("lst", LISTS, ids=[lst.key for lst in LISTS])
def test_two_hundred_filled_rows_keep_the_page_setup(filled, lst):
    ws = filled[lst.title]
    assert ws.max_row == FIRST_DATA_ROW + 199
    last = get_column_letter(len(lst.columns))
    assert ws.print_area == f"'{lst.title}'!$A$1:${last}$1048576"
    assert ws.print_title_rows == "$1:$3"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0


def test_columns_wrap_and_are_sized_for_print(template):
    """Every list's columns add up to a width that an A4 landscape page shows at a
    readable scale; a typed cell takes its column's wrapping style."""
    for lst in LISTS:
        ws = template[lst.title]
        widths = [
            ws.column_dimensions[get_column_letter(c)].width for c in range(1, 1 + len(lst.columns))
        ]
        assert widths == [column_width(name) for name in lst.columns]
        # 在建项目 at about half scale; 明年拟开工, with each approval's 申请日期, 办结日期
        # and 在线办理 (二(十三)), a little smaller
        assert sum(widths) <= (350 if lst.key == "planned_next_year" else 300), lst.key
        assert all(ws.column_dimensions[get_column_letter(c)].alignment.wrap_text
                   for c in range(1, 1 + len(lst.columns)))  # fmt: skip
