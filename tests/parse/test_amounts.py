"""Amounts in 万元, plain numbers, percentages and integers."""

import pytest

from dagster_project.parse.amounts import parse_amount, parse_integer, parse_number, parse_percent
from dagster_project.parse.errors import CellError

PLACEHOLDERS = ["", " ", "-", "--", "/", "／", "—", "——", "无", "暂无", "待定", "空", "N/A"]


def test_number_cell_is_read_in_wan():
    assert parse_amount(1200) == (1200.0, False)
    assert parse_amount(1200.5) == (1200.5, False)


def test_number_cell_is_converted_from_the_default_unit():
    assert parse_amount(1.2, default_unit="亿元") == (12000.0, True)
    assert parse_amount(5000000, default_unit="元") == (500.0, True)


def test_amount_in_yi_yuan_is_converted_to_wan():
    assert parse_amount("1.2亿元") == (12000.0, True)


def test_amount_in_yi_without_yuan_is_converted_to_wan():
    assert parse_amount("3亿") == (30000.0, True)


def test_amount_in_wan_is_read_as_written():
    assert parse_amount("12000万") == (12000.0, False)
    assert parse_amount("12000万元") == (12000.0, False)


def test_amount_in_yuan_is_converted_to_wan():
    assert parse_amount("500元") == (0.05, True)


def test_unit_in_cell_overrides_the_default_unit():
    assert parse_amount("1200万元", default_unit="亿元") == (1200.0, False)
    assert parse_amount("1.2亿元", default_unit="元") == (12000.0, True)


def test_text_number_is_read_in_the_default_unit():
    assert parse_amount("1.5", default_unit="亿元") == (15000.0, True)


def test_full_width_digits_are_read():
    assert parse_amount("８５００") == (8500.0, False)
    assert parse_amount("１２００．５万元") == (1200.5, False)


@pytest.mark.parametrize("text", ["1,200", "1，200", "1,200.00"])
def test_thousands_separators_are_read(text):
    assert parse_amount(text) == (1200.0, False)


def test_about_prefix_is_ignored():
    assert parse_amount("约3亿") == (30000.0, True)
    assert parse_amount("约1200") == (1200.0, True)


def test_approximately_suffix_is_ignored():
    assert parse_amount("3亿元左右") == (30000.0, True)


def test_more_than_suffix_between_number_and_unit_is_ignored():
    assert parse_amount("300余万元") == (300.0, True)


def test_yi_and_wan_spoken_form_is_added_up():
    assert parse_amount("1亿2000万") == (12000.0, True)


def test_brackets_around_a_number_are_not_a_negative_sign():
    assert parse_amount("(1200)") == (1200.0, True)
    assert parse_amount("（1200）") == (1200.0, True)


def test_bracketed_note_after_the_number_is_dropped():
    assert parse_amount("1200（其中中央预算内300）") == (1200.0, True)


def test_bracketed_unit_after_the_number_is_applied():
    assert parse_amount("1.2（亿元）") == (12000.0, True)


def test_spaces_around_the_unit_are_ignored():
    assert parse_amount(" 1200 万元 ") == (1200.0, False)


def test_negative_number_is_returned_as_written():
    assert parse_amount("-5") == (-5.0, False)
    assert parse_amount("－5") == (-5.0, False)
    assert parse_amount(-5) == (-5.0, False)


def test_conversion_has_no_float_noise():
    amount, _ = parse_amount("1.2亿")
    assert amount == 12000.0
    assert parse_amount("0.1亿")[0] == 1000.0
    assert parse_amount(0.1 + 0.2)[0] == 0.3


def test_amount_is_rounded_to_six_decimals():
    assert parse_amount("1234567.891元") == (123.456789, True)


@pytest.mark.parametrize("value", [*PLACEHOLDERS, None, float("nan")])
def test_placeholders_become_null(value):
    assert parse_amount(value) == (None, False)


@pytest.mark.parametrize("text", ["待核实", "见附件", "约", "亿元", "1.2.3"])
def test_unreadable_amount_raises_with_original_text(text):
    with pytest.raises(CellError) as error:
        parse_amount(text)
    assert str(error.value) == f"无法识别的金额“{text}”，请填写数字（单位万元）"


@pytest.mark.parametrize("text", ["1200或1500", "1200-1500", "1200 1500", "1200(1500)"])
def test_two_numbers_in_one_cell_raise(text):
    with pytest.raises(CellError, match="含有多个数字") as error:
        parse_amount(text)
    assert f"“{text}”" in str(error.value)


def test_misplaced_thousands_separator_raises():
    with pytest.raises(CellError):
        parse_amount("1,2000")


def test_reason_names_the_default_unit():
    with pytest.raises(CellError, match="单位亿元"):
        parse_amount("待核实", default_unit="亿元")


@pytest.mark.parametrize("value", [True, float("inf")])
def test_non_amount_cell_types_raise(value):
    with pytest.raises(CellError):
        parse_amount(value)


def test_unknown_default_unit_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown unit"):
        parse_amount(1, default_unit="千元")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.35, 1.35),
        (2, 2.0),
        ("1.35", 1.35),
        ("1.35倍", 1.35),
        ("１．３５倍", 1.35),
        ("135%", 1.35),
    ],
)
def test_coverage_ratio_is_read_as_a_number(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize("value", [None, "", "-", "无"])
def test_empty_number_is_null(value):
    assert parse_number(value) is None


def test_unreadable_number_raises_with_original_text():
    with pytest.raises(CellError, match="“约一倍”"):
        parse_number("约一倍")


@pytest.mark.parametrize("text", ["8.5%", "８．５％", " 8.5 % "])
def test_percent_sign_gives_a_fraction(text):
    assert parse_percent(text, header_says_percent=False) == 0.085


def test_negative_percentage_gives_negative_fraction():
    assert parse_percent("-3.2%", header_says_percent=False) == -0.032


def test_bare_number_under_a_percent_header_is_divided_by_100():
    assert parse_percent(8.5, header_says_percent=True) == 0.085
    assert parse_percent("8.5", header_says_percent=True) == 0.085


def test_bare_number_without_a_percent_header_is_already_a_fraction():
    assert parse_percent(0.085, header_says_percent=False) == 0.085


def test_per_mille_sign_gives_a_fraction():
    assert parse_percent("5‰", header_says_percent=False) == 0.005


def test_empty_percentage_is_null():
    assert parse_percent("—", header_says_percent=True) is None


def test_unreadable_percentage_raises():
    with pytest.raises(CellError, match="“持平”"):
        parse_percent("持平", header_says_percent=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12), (12.0, 12), ("12", 12), ("１２", 12), ("1,200", 1200), ("3个", 3)],
)
def test_integer_is_read(value, expected):
    assert parse_integer(value) == expected


@pytest.mark.parametrize("value", [12.5, "12.5", "十二", True])
def test_non_integer_raises(value):
    with pytest.raises(CellError, match="请填写整数"):
        parse_integer(value)


def test_empty_integer_is_null():
    assert parse_integer("/") is None
