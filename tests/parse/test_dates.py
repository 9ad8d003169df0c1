"""Months, days, month ranges, and the month inside a header."""

from datetime import date, datetime

import pytest

from dagster_project.parse.dates import month_in_header, parse_day, parse_month, parse_month_range
from dagster_project.parse.errors import CellError

MARCH = date(2024, 3, 1)
PLACEHOLDERS = ["", "-", "--", "/", "—", "——", "无", "暂无", "待定", "空", "N/A"]


def test_date_cell_is_read_as_its_month():
    assert parse_month(datetime(2024, 3, 15, 0, 0)) == MARCH
    assert parse_month(date(2024, 3, 15)) == MARCH


def test_excel_serial_date_is_read_as_month():
    assert parse_month(45366) == MARCH  # 2024-03-15


def test_excel_serial_with_time_of_day_is_read():
    assert parse_day(45366.75) == date(2024, 3, 15)


def test_excel_serial_exported_as_text_is_read():
    assert parse_day("45366") == date(2024, 3, 15)


def test_excel_serial_counts_past_the_1900_leap_year_bug():
    assert parse_day(43831) == date(2020, 1, 1)
    assert parse_day(20000) == date(1954, 10, 3)


def test_small_number_is_not_taken_as_a_serial():
    with pytest.raises(CellError):
        parse_month(12345)


@pytest.mark.parametrize("text", ["2024.3", "2024.03", "2024-03", "2024-3", "2024/3", "2024/03"])
def test_dotted_or_dashed_month_text_is_read(text):
    assert parse_month(text) == MARCH


def test_dotted_month_text_2024_10_is_october():
    assert parse_month("2024.10") == date(2024, 10, 1)


def test_dotted_number_2024_3_is_march():
    assert parse_month(2024.3) == MARCH


def test_dotted_number_2024_1_is_january_because_a_number_cannot_say_10():
    assert parse_month(2024.1) == date(2024, 1, 1)


def test_dotted_number_2024_12_is_december():
    assert parse_month(2024.12) == date(2024, 12, 1)


@pytest.mark.parametrize(
    "text",
    ["2024年3月", "2024年03月", "2024年3月份", "2024年3月15日", "2024年3月底", "2024 年 3 月"],
)
def test_chinese_month_text_is_read(text):
    assert parse_month(text) == MARCH


@pytest.mark.parametrize("text", ["2024-3-15", "2024/03/15", "2024.3.15", "20240315"])
def test_full_date_text_is_read_as_its_month(text):
    assert parse_month(text) == MARCH


def test_compact_year_month_text_is_read():
    assert parse_month("202403") == MARCH
    assert parse_month(202403) == MARCH


def test_full_width_digits_are_read():
    assert parse_month("２０２４．３") == MARCH
    assert parse_month("２０２４年３月") == MARCH


def test_iso_datetime_text_from_csv_is_read():
    assert parse_day("2024-03-15 00:00:00") == date(2024, 3, 15)
    assert parse_day("2024/3/15 10:30") == date(2024, 3, 15)


def test_bare_year_is_january_when_allowed():
    assert parse_month(2024) == date(2024, 1, 1)
    assert parse_month("2024年") == date(2024, 1, 1)


def test_bare_year_raises_when_a_month_is_required():
    with pytest.raises(CellError, match="只有年份"):
        parse_month(2024, year_only_ok=False)


def test_year_end_is_december():
    assert parse_month("2024年底") == date(2024, 12, 1)


@pytest.mark.parametrize("value", [*PLACEHOLDERS, None, float("nan")])
def test_placeholders_become_null(value):
    assert parse_month(value) is None
    assert parse_day(value) is None


def test_unreadable_date_raises_with_original_text_and_accepted_forms():
    with pytest.raises(CellError) as error:
        parse_month("明年上半年")
    assert str(error.value) == "无法识别的日期“明年上半年”，请填写如 2024年3月 或 2024.3"


@pytest.mark.parametrize("value", ["2024.13", "2024年2月30日", 2024.13])
def test_impossible_month_or_day_raises(value):
    with pytest.raises(CellError):
        parse_day(value)


@pytest.mark.parametrize("value", ["24.3", "3月", "2024.123", True, "1800年"])
def test_ambiguous_or_implausible_dates_raise(value):
    with pytest.raises(CellError):
        parse_month(value)


def test_day_is_kept_by_parse_day():
    assert parse_day("2024年3月15日") == date(2024, 3, 15)
    assert parse_day(datetime(2024, 3, 15, 8, 0)) == date(2024, 3, 15)


def test_month_only_gives_the_first_day():
    assert parse_day("2024.3") == MARCH


def test_unreadable_day_names_the_day_form():
    with pytest.raises(CellError, match="2024年3月15日"):
        parse_day("下周")


def test_year_range_2023_2025_gives_start_and_completion():
    assert parse_month_range("2023-2025") == (date(2023, 1, 1), date(2025, 12, 1))


def test_month_range_keeps_both_months():
    assert parse_month_range("2023.3-2025.10") == (date(2023, 3, 1), date(2025, 10, 1))


@pytest.mark.parametrize(
    "text",
    [
        "2023年-2025年",
        "2023～2025",
        "2023~2025",
        "2023—2025",
        "2023——2025",
        "2023至2025",
        "2023-2025年",
    ],
)
def test_year_range_separators_are_read(text):
    assert parse_month_range(text) == (date(2023, 1, 1), date(2025, 12, 1))


def test_dashed_months_inside_a_range_are_read():
    assert parse_month_range("2023-3-2025-10") == (date(2023, 3, 1), date(2025, 10, 1))


def test_year_month_2024_03_is_a_month_not_a_range():
    assert parse_month_range("2024-03") == (MARCH, None)


def test_single_year_gives_start_only():
    assert parse_month_range("2024") == (date(2024, 1, 1), None)
    assert parse_month_range(2024) == (date(2024, 1, 1), None)


def test_date_cell_gives_start_only():
    assert parse_month_range(datetime(2024, 3, 15)) == (MARCH, None)


@pytest.mark.parametrize("value", [None, "", "/", "待定"])
def test_empty_range_is_null(value):
    assert parse_month_range(value) == (None, None)


def test_reversed_range_raises():
    with pytest.raises(CellError, match="开始晚于结束"):
        parse_month_range("2025-2023")


def test_unreadable_range_raises_with_original_text():
    with pytest.raises(CellError, match="“三年内”"):
        parse_month_range("三年内")


@pytest.mark.parametrize(
    ("header", "month"),
    [
        ("1-9月累计完成投资", 9),
        ("1—10月", 10),
        ("1~12月完成投资", 12),
        ("1至9月累计", 9),
        ("9月累计", 9),
        ("2024年1-9月累计完成投资（万元）", 9),
        ("１－９月累计完成投资", 9),
    ],
)
def test_month_in_header_is_found(header, month):
    assert month_in_header(header) == month


@pytest.mark.parametrize("header", ["本年累计完成投资", "1-X月累计完成投资", "", "13月"])
def test_header_without_a_month_gives_none(header):
    assert month_in_header(header) is None
