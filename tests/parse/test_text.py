"""Cell text: half-width conversion, cleaning, placeholders, headers and units."""

from datetime import date, datetime

import pytest

from dagster_project.parse.text import (
    clean_text,
    is_placeholder,
    normalise_header,
    to_halfwidth,
    unit_in_text,
)

PLACEHOLDERS = [
    "",
    "  ",
    "-",
    "--",
    "/",
    "／",
    "—",
    "——",
    "－",
    "无",
    "暂无",
    "待定",
    "空",
    "N/A",
    "n/a",
]


def test_full_width_digits_letters_and_punctuation_become_half_width():
    assert to_halfwidth("１２３ＡＢｃ％，．（）－：／") == "123ABc%,.()-:/"


def test_ideographic_space_becomes_a_space():
    assert to_halfwidth("总\u3000投资") == "总 投资"


def test_chinese_characters_and_punctuation_are_untouched():
    assert to_halfwidth("道路、桥梁。") == "道路、桥梁。"


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_placeholders_are_recognised(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["未知", "0", "道路工程", "null"])
def test_other_text_is_not_a_placeholder(value):
    assert not is_placeholder(value)


@pytest.mark.parametrize("value", [*PLACEHOLDERS, None, " 暂无 ", "\u3000无\u3000"])
def test_placeholders_become_null(value):
    assert clean_text(value) is None


def test_text_is_trimmed_and_spaces_collapsed():
    assert clean_text("  长春   新区\u3000 项目 ") == "长春 新区 项目"


def test_line_break_between_chinese_characters_is_dropped():
    assert clean_text("年产10万吨\n新材料项目") == "年产10万吨新材料项目"


def test_line_break_between_latin_words_becomes_a_space():
    assert clean_text("Phase\r\nII") == "Phase II"


def test_escaped_carriage_return_from_xlsx_is_a_line_break():
    assert clean_text("道路_x000D_\n工程") == "道路工程"


def test_empty_lines_inside_a_cell_are_dropped():
    assert clean_text("张三\n\n\n李四") == "张三李四"


def test_integral_float_renders_without_decimal_point():
    assert clean_text(13912345678.0) == "13912345678"


def test_fractional_float_renders_as_excel_shows_it():
    assert clean_text(0.1 + 0.2) == "0.3"


def test_integer_renders_as_digits():
    assert clean_text(2024) == "2024"


def test_nan_from_pandas_is_null():
    assert clean_text(float("nan")) is None


def test_date_cell_renders_as_iso_date():
    assert clean_text(datetime(2024, 3, 15)) == "2024-03-15"
    assert clean_text(date(2024, 3, 15)) == "2024-03-15"


def test_datetime_with_time_keeps_the_time():
    assert clean_text(datetime(2024, 3, 15, 9, 30)) == "2024-03-15 09:30:00"


def test_boolean_cell_renders_as_excel_shows_it():
    assert clean_text(True) == "TRUE"


def test_zero_width_characters_are_removed():
    assert clean_text("\ufeff项目\u200b名称") == "项目名称"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("总投资（万元）", "总投资"),
        ("总投资(亿元)", "总投资"),
        ("增速(%)", "增速"),
        ("增速（％）", "增速"),
        ("金额（元）", "金额"),
        ("总投资(单位：万元)", "总投资"),
        ("*项目名称", "项目名称"),
        ("项目\n名称", "项目名称"),
        ("项 目 名 称", "项目名称"),
        ("１－９月累计完成投资", "1-9月累计完成投资"),
    ],
)
def test_header_is_normalised_for_matching(header, expected):
    assert normalise_header(header) == expected


def test_header_bracket_that_is_not_a_unit_is_kept():
    assert normalise_header("县（市、区）") == "县(市、区)"


def test_empty_header_normalises_to_empty_text():
    assert normalise_header(None) == ""


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("单位：亿元", "亿元"),
        ("单位:万元", "万元"),
        ("（单位：元）", "元"),
        ("总投资（亿元）", "亿元"),
        ("总投资(万元)", "万元"),
        ("金额（元）", "元"),
        ("万元", "万元"),
        ("亿元", "亿元"),
        ("元", "元"),
        ("总投资/亿元", "亿元"),
        ("计划总投资亿元", "亿元"),
        ("总投资（亿）", "亿元"),
    ],
)
def test_unit_stated_in_text_is_found(text, unit):
    assert unit_in_text(text) == unit


def test_unit_in_title_wins_over_project_class_words():
    assert unit_in_text("2024年亿元以上在建项目清单（单位：万元）") == "万元"


@pytest.mark.parametrize(
    "text", ["5000万元以上项目", "总投资", "增速(%)", "单元", "本年累计完成投资", None]
)
def test_text_without_a_unit_gives_none(text):
    assert unit_in_text(text) is None
